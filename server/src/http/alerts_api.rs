//! `GET /api/v1/alerts` and `GET /api/v1/coverage`: the poller's view of
//! the alerts, and which of them have runbooks; `GET
//! /api/v1/alerts/{alertname}/history`: what the portal recorded of one.
//! The live stream is `alert_stream.rs`.

use axum::Json;
use axum::extract::{Path, Query, State};
use portal_core::alerts::AlertSnapshot;
use portal_types::{AlertHistory, Coverage};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use crate::error::{AppError, ErrorBody, Result};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(alerts))
        .routes(routes!(coverage))
        .routes(routes!(history))
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Window of the per-day counts, durations and instances: 1 to 400
    /// days (default 30).
    pub days: Option<u32>,
}

/// How often and how long an alert fired (7/30/90 days, per day, p50/p90,
/// top instances, flapping) and its past incidents with MTTA and MTTR,
/// from the history the poller leader and the webhook recorded.
#[utoipa::path(get, path = "/api/v1/alerts/{alertname}/history", tag = "alerts",
    params(("alertname" = String, Path, description = "the alert name"), HistoryParams),
    responses((status = 200, body = AlertHistory), (status = 400, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    Path(alertname): Path<String>,
    query: std::result::Result<Query<HistoryParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AlertHistory>> {
    let Query(params) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    Ok(Json(
        state.core.history.alert(&alertname, params.days).await?,
    ))
}
