//! `GET /api/v1/alerts` and `GET /api/v1/coverage`: the poller's view of
//! the alerts, and which of them have runbooks. The live stream is
//! `alert_stream.rs`.

use axum::Json;
use axum::extract::State;
use portal_core::alerts::AlertSnapshot;
use portal_types::Coverage;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(alerts))
        .routes(routes!(coverage))
        .routes(routes!(super::alert_stream::stream))
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
    responses((status = 200, body = Coverage)))]
pub async fn coverage(State(state): State<AppState>) -> Json<Coverage> {
    Json(state.core.catalog.coverage())
}
