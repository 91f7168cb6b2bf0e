//! Server functions: the pages' only way to the server. Each one is a thin
//! call into the [`Portal`](crate::backend::Portal) provided by the server.

use leptos::prelude::*;

use crate::error::AppError;
use crate::types::{
    AlertBadge, Catalog, IncidentAction, IncidentPage, IncidentQuery, IncidentView, Labels,
    RunbookPath, RunbookSummary, SearchResult, TimelineEvent,
};

/// Give a failed call the HTTP status of its error (otherwise every error
/// would answer 500).
#[cfg(feature = "ssr")]
fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let (Err(error), Some(response)) = (&result, use_context::<leptos_axum::ResponseOptions>()) {
        response.set_status(
            http::StatusCode::from_u16(error.status())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    result
}

#[server(prefix = "/sf", endpoint = "catalog")]
pub async fn get_catalog() -> Result<Catalog, AppError> {
    with_status(crate::backend::portal().map(|p| p.catalog()))
}

#[server(prefix = "/sf", endpoint = "tagged")]
pub async fn tagged(tag: String) -> Result<Vec<RunbookSummary>, AppError> {
    with_status(crate::backend::portal().map(|p| p.tagged(&tag)))
}

#[server(prefix = "/sf", endpoint = "search")]
pub async fn search(
    query: String,
    #[server(default)] limit: Option<usize>,
) -> Result<Vec<SearchResult>, AppError> {
    with_status(crate::backend::portal().and_then(|p| p.search(&query, limit.unwrap_or(20))))
}

/// Resolve `/runbooks/{path}`. A missing page answers 404; a runbook whose
/// file cannot be parsed answers 500 (its page still shows the error and the
/// raw text), so link checkers and monitoring notice it.
#[server(prefix = "/sf", endpoint = "resolve")]
pub async fn resolve_path(
    path: String,
    #[server(default)] labels: Labels,
) -> Result<RunbookPath, AppError> {
    let portal = crate::backend::portal();
    let mut resolved = portal
        .as_ref()
        .map(|p| p.resolve(&path, &labels))
        .map_err(Clone::clone);
    if let (Ok(portal), Ok(RunbookPath::Runbook(view))) = (&portal, &mut resolved)
        && view.error.is_none()
        && !view.checks.is_empty()
    {
        view.last_results = portal.check_results(&view.key).await.unwrap_or_default();
    }
    let status = match &resolved {
        Ok(RunbookPath::NotFound { .. }) => Some(http::StatusCode::NOT_FOUND),
        Ok(RunbookPath::Runbook(view)) if view.error.is_some() => {
            Some(http::StatusCode::INTERNAL_SERVER_ERROR)
        }
        _ => None,
    };
    if let Some(status) = status {
        set_page_status(status);
    }
    with_status(resolved)
}

/// Set the status of the page being rendered; a no-op when the function is
/// called over HTTP by a hydrated page (its answer must stay a 200 with data).
#[cfg(feature = "ssr")]
fn set_page_status(status: http::StatusCode) {
    let over_http =
        use_context::<http::request::Parts>().is_some_and(|p| p.uri.path().starts_with("/sf/"));
    if let (false, Some(response)) = (over_http, use_context::<leptos_axum::ResponseOptions>()) {
        response.set_status(status);
    }
}

#[server(prefix = "/sf", endpoint = "alert_badge")]
pub async fn get_alert_badge(alertname: String) -> Result<AlertBadge, AppError> {
    with_status(crate::backend::portal().map(|p| p.alert_badge(&alertname)))
}

/// The live alert state a panel or the home page starts from; updates then
/// arrive over `GET /api/v1/alerts/stream`.
#[server(prefix = "/sf", endpoint = "live_state")]
pub async fn get_live_state(
    #[server(default)] alertname: Option<String>,
) -> Result<crate::live::LiveState, AppError> {
    with_status(crate::backend::portal().map(|p| p.live_state(alertname.as_deref())))
}

#[server(prefix = "/sf", endpoint = "coverage")]
pub async fn get_coverage() -> Result<crate::coverage::Coverage, AppError> {
    with_status(crate::backend::portal().map(|p| p.coverage()))
}

#[server(prefix = "/sf", endpoint = "alert_graph")]
pub async fn get_alert_graph(
    alertname: String,
    hours: u32,
) -> Result<crate::live::GraphView, AppError> {
    with_status(
        async {
            let portal = crate::backend::portal()?;
            portal.alert_graph(&alertname, hours).await
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "open_incident")]
pub async fn open_incident(
    runbook_key: String,
    #[server(default)] labels: Labels,
) -> Result<IncidentView, AppError> {
    with_status(
        async {
            let portal = crate::backend::portal()?;
            let request = crate::backend::request_parts()?;
            portal.open_incident(&request, &runbook_key, labels).await
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "current_incident")]
pub async fn current_incident(runbook_key: String) -> Result<Option<IncidentView>, AppError> {
    with_status(
        async {
            let portal = crate::backend::portal()?;
            portal.open_incident_for(&runbook_key).await
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "incident")]
pub async fn get_incident(id: i64) -> Result<IncidentView, AppError> {
    with_status(
        async {
            let portal = crate::backend::portal()?;
            portal.incident(id).await
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "incidents", input = server_fn::codec::Json)]
pub async fn list_incidents(query: IncidentQuery) -> Result<IncidentPage, AppError> {
    with_status(
        async {
            let portal = crate::backend::portal()?;
            portal.incidents(query).await
        }
        .await,
    )
}

/// Ack, note, tick, resolve…: one timeline event per call.
#[server(prefix = "/sf", endpoint = "incident_act", input = server_fn::codec::Json)]
pub async fn incident_act(id: i64, action: IncidentAction) -> Result<TimelineEvent, AppError> {
    with_status(
        async {
            let portal = crate::backend::portal()?;
            let request = crate::backend::request_parts()?;
            portal.incident_act(&request, id, action).await
        }
        .await,
    )
}

/// Wiki editing (issue #8): the editor's starting text for a page key.
#[server(prefix = "/sf", endpoint = "edit_source")]
pub async fn edit_source(key: String) -> Result<crate::types::EditSource, AppError> {
    with_status(
        async {
            let portal = crate::backend::portal()?;
            portal.edit_source(&key).await
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "suggest_group")]
pub async fn suggest_group(alert: String) -> Result<Option<String>, AppError> {
    with_status(crate::backend::portal().map(|p| p.suggest_group(&alert)))
}

#[server(prefix = "/sf", endpoint = "preview_runbook")]
pub async fn preview_runbook(
    key: String,
    source: String,
) -> Result<crate::types::RunbookView, AppError> {
    with_status(
        async {
            let portal = crate::backend::portal()?;
            let request = crate::backend::request_parts()?;
            portal.preview(&request, &key, source).await
        }
        .await,
    )
}

/// `""` (a form's empty hidden field) is no revision.
#[cfg(feature = "ssr")]
fn revision_field(value: &str) -> Result<Option<i64>, AppError> {
    match value.trim() {
        "" => Ok(None),
        v => v
            .parse()
            .map(Some)
            .map_err(|_| AppError::BadRequest(format!("{v:?} is not a revision id"))),
    }
}

/// Save from the editor; a plain form post without JavaScript works too.
/// A saved edit redirects to the runbook page.
#[server(prefix = "/sf", endpoint = "save_runbook")]
pub async fn save_runbook(
    key: String,
    #[server(default)] base: String,
    source: String,
    #[server(default)] message: String,
) -> Result<crate::types::SaveOutcome, AppError> {
    use crate::types::SaveOutcome;
    with_status(
        async {
            let portal = crate::backend::portal()?;
            let request = crate::backend::request_parts()?;
            let base = revision_field(&base)?;
            let outcome = portal
                .save_runbook(&request, &key, base, source, message)
                .await?;
            if !matches!(outcome, SaveOutcome::Conflict(_)) {
                leptos_axum::redirect(&crate::links::runbook(&key));
            }
            Ok(outcome)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "runbook_history")]
pub async fn runbook_history(
    key: String,
    #[server(default)] offset: Option<u32>,
    #[server(default)] from: Option<i64>,
    #[server(default)] to: Option<i64>,
) -> Result<crate::types::HistoryView, AppError> {
    with_status(
        async {
            let portal = crate::backend::portal()?;
            portal
                .history(&key, offset.unwrap_or(0), from.zip(to))
                .await
        }
        .await,
    )
}

/// Restore an old revision (as a new one); redirects to the history.
#[server(prefix = "/sf", endpoint = "restore_revision")]
pub async fn restore_revision(
    key: String,
    revision: i64,
    #[server(default)] base: String,
) -> Result<crate::types::SaveOutcome, AppError> {
    use crate::types::SaveOutcome;
    with_status(
        async {
            let portal = crate::backend::portal()?;
            let request = crate::backend::request_parts()?;
            let base = revision_field(&base)?;
            let outcome = portal
                .restore_revision(&request, &key, revision, base)
                .await?;
            // To the diff the restore made (a new URL, so the page reloads).
            let history = format!("{}/history", crate::links::runbook(&key));
            match &outcome {
                SaveOutcome::Saved { revision, .. } => leptos_axum::redirect(&format!(
                    "{history}?from={}&to={}",
                    revision.parent.unwrap_or(revision.id),
                    revision.id
                )),
                SaveOutcome::Unchanged { .. } => leptos_axum::redirect(&history),
                SaveOutcome::Conflict(_) => {}
            }
            Ok(outcome)
        }
        .await,
    )
}

/// Run one check the runbook declares; the browser names it, never a query.
#[server(prefix = "/sf", endpoint = "run_check", input = server_fn::codec::Json)]
pub async fn run_check(
    runbook_key: String,
    check_id: String,
    #[server(default)] labels: Labels,
) -> Result<crate::checks::CheckResult, AppError> {
    with_status(
        async {
            let portal = crate::backend::portal()?;
            let request = crate::backend::request_parts()?;
            portal
                .run_check(&request, &runbook_key, &check_id, labels)
                .await
        }
        .await,
    )
}
