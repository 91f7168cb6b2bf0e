//! Server functions: the pages' only way to the server. Each one is a thin
//! call into the [`Portal`](crate::backend::Portal) provided by the server.

use leptos::prelude::*;

use crate::error::AppError;
use crate::types::{
    AlertBadge, IncidentAction, IncidentPage, IncidentQuery, IncidentView, Labels, RunbookPath,
    RunbookSummary, TimelineEvent,
};

/// Give a failed call the HTTP status of its error (otherwise every error
/// would answer 500).
#[cfg(feature = "ssr")]
fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(
                http::StatusCode::from_u16(error.status())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
    }
    result
}

#[server(prefix = "/sf", endpoint = "runbooks")]
pub async fn list_runbooks() -> Result<Vec<RunbookSummary>, AppError> {
    with_status(crate::backend::portal().map(|p| p.runbooks()))
}

#[server(prefix = "/sf", endpoint = "resolve")]
pub async fn resolve_path(
    path: String,
    #[server(default)] labels: Labels,
) -> Result<RunbookPath, AppError> {
    let resolved = crate::backend::portal().map(|p| p.resolve(&path, &labels));
    if let Ok(RunbookPath::NotFound { .. }) = &resolved {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    with_status(resolved)
}

#[server(prefix = "/sf", endpoint = "alert_badge")]
pub async fn get_alert_badge(alertname: String) -> Result<AlertBadge, AppError> {
    with_status(crate::backend::portal().map(|p| p.alert_badge(&alertname)))
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
