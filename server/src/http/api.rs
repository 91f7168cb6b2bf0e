//! The JSON API under `/api/v1`, described by the OpenAPI document at
//! `/api/v1/openapi.json` (generated from these handlers by utoipa).

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use serde::Serialize;

use super::AppState;
use super::openapi;
use crate::alerts::AlertSnapshot;
use crate::error::{Error, Result};
use crate::portal;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/runbooks", get(list_runbooks))
        .route("/runbooks/{*path}", get(get_runbook))
        .route("/alerts", get(alerts))
        .route("/alerts/stream", get(super::alert_stream::stream))
        .route("/coverage", get(coverage))
        .route("/incidents/{id}", get(get_incident))
}

/// A runbook in the list.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RunbookItem {
    pub key: String,
    pub group: String,
    pub alert: String,
    pub title: String,
    pub tags: Vec<String>,
    pub broken: bool,
}

/// One runbook with its rendered body.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RunbookDetail {
    #[serde(flatten)]
    pub item: RunbookItem,
    pub description: Option<String>,
    pub source_path: String,
    /// Sanitised HTML of the body.
    pub html: String,
    /// Why the file could not be parsed, when it is broken.
    pub error: Option<String>,
}

fn item(runbook: &crate::runbooks::Runbook) -> RunbookItem {
    let s = portal::summary(runbook);
    RunbookItem {
        key: s.key,
        group: s.group,
        alert: s.alert,
        title: s.title,
        tags: s.tags,
        broken: s.broken,
    }
}

/// Every runbook, sorted by key.
#[utoipa::path(get, path = "/api/v1/runbooks", tag = "runbooks",
    responses((status = 200, body = [RunbookItem])))]
pub async fn list_runbooks(State(state): State<AppState>) -> Json<Vec<RunbookItem>> {
    Json(
        state
            .engines
            .runbooks
            .index()
            .runbooks()
            .iter()
            .map(|r| item(r))
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
    let index = state.engines.runbooks.index();
    let runbook = index
        .get(&path)
        .ok_or_else(|| Error::NotFound(format!("no runbook {path}")))?;
    let view = portal::view(runbook);
    Ok(Json(RunbookDetail {
        item: item(runbook),
        description: view.description,
        source_path: view.source_path,
        html: view.html,
        error: view.error,
    }))
}

/// The poller's current snapshot: every firing and pending alert and the
/// health of each upstream.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts",
    responses((status = 200, body = AlertSnapshot)))]
pub async fn alerts(State(state): State<AppState>) -> Json<AlertSnapshot> {
    Json(state.engines.alerts.snapshot().as_ref().clone())
}

/// Alerts without runbooks (firing first) and runbooks without alerts.
#[utoipa::path(get, path = "/api/v1/coverage", tag = "alerts",
    responses((status = 200, body = app::coverage::Coverage)))]
pub async fn coverage(State(state): State<AppState>) -> Json<app::coverage::Coverage> {
    use app::backend::Portal;
    Json(state.engines.coverage())
}

/// An incident and its timeline.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IncidentBody {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub runbook_key: Option<String>,
    pub alertname: Option<String>,
    pub opened_at: chrono::DateTime<chrono::Utc>,
    pub opened_by: String,
    pub events: Vec<EventBody>,
}

/// One timeline event.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EventBody {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub kind: String,
    pub summary: String,
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = i64, Path, description = "incident id")),
    responses((status = 200, body = IncidentBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_incident(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<IncidentBody>> {
    let i = state.engines.timeline.get(id).await?;
    Ok(Json(IncidentBody {
        id: i.id,
        title: i.title,
        status: i.status,
        runbook_key: i.runbook_key,
        alertname: i.alertname,
        opened_at: i.opened_at,
        opened_by: i.opened_by,
        events: i
            .events
            .into_iter()
            .map(|e| EventBody {
                id: e.id,
                at: e.at,
                actor: e.actor,
                kind: e.kind,
                summary: e.summary,
            })
            .collect(),
    }))
}
