//! The JSON API under `/api/v1`, described by the OpenAPI document at
//! `/api/v1/openapi.json` (generated from these handlers by utoipa).

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::openapi;
use super::{incidents_api, webhook};
use crate::error::{AppError, Result};
use portal_core::alerts::AlertSnapshot;
use portal_core::use_cases::catalog;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/runbooks", get(list_runbooks))
        .route(
            "/runbooks/{*path}",
            get(super::revisions_api::get)
                .put(super::revisions_api::put)
                .post(super::checks_api::post),
        )
        .route("/search", get(search))
        .route("/alerts", get(alerts))
        .route(
            "/incidents",
            get(incidents_api::list_incidents).post(incidents_api::create_incident),
        )
        .route("/incidents/{id}", get(incidents_api::get_incident))
        .route("/incidents/{id}/events", post(incidents_api::post_event))
        .route("/incidents/stream", get(incidents_api::stream_all))
        .route("/incidents/{id}/stream", get(incidents_api::stream))
        .route("/webhooks/alertmanager", post(webhook::alertmanager))
        .route("/alerts/stream", get(super::alert_stream::stream))
        .route("/coverage", get(coverage))
}

/// One runbook with its rendered body.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RunbookDetail {
    #[serde(flatten)]
    pub item: portal_types::RunbookSummary,
    pub description: Option<String>,
    pub source_path: String,
    /// Sanitised HTML of the body.
    pub html: String,
    /// Why the file could not be parsed, when it is broken.
    pub error: Option<String>,
    /// `date` from the front matter.
    pub date: Option<String>,
    /// The alert rule shown on the page, if found.
    pub rule: Option<RuleBody>,
    /// Headings, in order.
    pub headings: Vec<HeadingBody>,
    /// Plain text of the standard sections found (Meaning, Impact,
    /// Diagnosis, Mitigation).
    pub sections: std::collections::BTreeMap<String, String>,
    /// The Mitigation list items: an incident's checklist.
    pub mitigation: Vec<String>,
    /// The runbook's diagnosis checks (declared, then `alert-expr`).
    pub checks: Vec<portal_types::CheckView>,
}

/// An alerting rule and where it was found.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RuleBody {
    pub alert: String,
    pub expr: String,
    #[serde(rename = "for")]
    pub for_: Option<String>,
    pub labels: std::collections::BTreeMap<String, String>,
    pub annotations: std::collections::BTreeMap<String, String>,
    /// `rule-file`, or `comment-copy` when the rule file lacks the alert.
    pub source: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct HeadingBody {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// Every runbook, sorted by key.
#[utoipa::path(get, path = "/api/v1/runbooks", tag = "runbooks",
    responses((status = 200, body = [portal_types::RunbookSummary])))]
pub async fn list_runbooks(
    State(state): State<AppState>,
) -> Json<Vec<portal_types::RunbookSummary>> {
    Json(
        state
            .core
            .runbooks
            .index()
            .runbooks()
            .iter()
            .map(|r| catalog::summary(r))
            .collect(),
    )
}

/// One runbook by `group/Alert` (case-insensitive, `.md` accepted).
#[utoipa::path(get, path = "/api/v1/runbooks/{path}", tag = "runbooks",
    params(("path" = String, Path, description = "group path and alert name, e.g. node-exporter/HostOutOfDiskSpace")),
    responses((status = 200, body = RunbookDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_runbook(
    State(state): State<AppState>,
    Path(path): Path<String>,
) -> Result<Json<RunbookDetail>> {
    let index = state.core.runbooks.index();
    let runbook = index
        .get(&path)
        .ok_or_else(|| AppError::NotFound(format!("no runbook {path}")))?;
    let view = catalog::view(runbook, &Default::default(), None);
    let html = catalog::body_html(runbook, &view);
    let checks = state.core.checks.views(runbook, &Default::default());
    Ok(Json(RunbookDetail {
        item: catalog::summary(runbook),
        description: view.description,
        source_path: view.source_path,
        html,
        error: view.error,
        date: view.date,
        rule: runbook.rule.as_ref().map(|(rule, source)| RuleBody {
            alert: rule.alert.clone(),
            expr: rule.expr.clone(),
            for_: rule.for_.clone(),
            labels: rule.labels.clone(),
            annotations: rule.annotations.clone(),
            source: match source {
                portal_core::runbooks::render::RuleSource::RuleFile => "rule-file".into(),
                portal_core::runbooks::render::RuleSource::CommentCopy => "comment-copy".into(),
            },
        }),
        headings: view
            .toc
            .into_iter()
            .map(|h| HeadingBody {
                level: h.level,
                id: h.id,
                text: h.text,
            })
            .collect(),
        sections: runbook.sections.iter().cloned().collect(),
        mitigation: runbook.mitigation.clone(),
        checks,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SearchParams {
    /// The query: words, parts of words, or alert names with typos.
    pub q: String,
    /// At most this many hits (1–100, default 20).
    pub limit: Option<usize>,
}

/// Full-text search over title, alert name, group, tags, description and body.
#[utoipa::path(get, path = "/api/v1/search", tag = "runbooks", params(SearchParams),
    responses((status = 200, body = [portal_core::search::SearchHit]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<Json<Vec<portal_core::search::SearchHit>>> {
    if params.q.len() > 500 {
        return Err(AppError::BadRequest(
            "query longer than 500 characters".into(),
        ));
    }
    let hits = state
        .core
        .runbooks
        .index()
        .search()
        .search(&params.q, params.limit.unwrap_or(20))?;
    Ok(Json(hits))
}

/// The poller's current snapshot: every firing and pending alert and the
/// health of each upstream.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts",
    responses((status = 200, body = AlertSnapshot)))]
pub async fn alerts(State(state): State<AppState>) -> Json<AlertSnapshot> {
    Json(state.core.alerts.snapshot().as_ref().clone())
}

/// Alerts without runbooks (firing first) and runbooks without alerts.
#[utoipa::path(get, path = "/api/v1/coverage", tag = "alerts",
    responses((status = 200, body = portal_types::Coverage)))]
pub async fn coverage(State(state): State<AppState>) -> Json<portal_types::Coverage> {
    Json(state.core.catalog.coverage())
}
