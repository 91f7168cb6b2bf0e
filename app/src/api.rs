//! Server functions: the pages' only way to the server. Each one is a thin
//! call into the [`Portal`](crate::backend::Portal) provided by the server.

use leptos::prelude::*;

use crate::error::AppError;
use crate::types::{AlertBadge, IncidentView, Labels, RunbookPath, RunbookSummary};

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
    if let (Ok(RunbookPath::NotFound { .. }), Some(response)) =
        (&resolved, use_context::<leptos_axum::ResponseOptions>())
    {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    with_status(resolved)
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
