//! Liveness, readiness and metrics for the platform running the portal.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};

use super::AppState;

/// `/healthz`: the process answers.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// `/readyz`: the database answers and runbooks are loaded.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let db = state.core.store.ping().await;
    let runbooks = state.core.runbooks.index().len();
    match db {
        Ok(()) => (
            StatusCode::OK,
            format!("ready: database ok, {runbooks} runbooks\n"),
        )
            .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: database: {e}\n"),
        )
            .into_response(),
    }
}

/// `/metrics` in the OpenMetrics text format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let now = chrono::Utc::now();
    for upstream in &state.core.alerts.snapshot().upstreams {
        let age = upstream.last_success.map_or(f64::INFINITY, |t| {
            (now - t).num_milliseconds().max(0) as f64 / 1000.0
        });
        state
            .core
            .metrics
            .set_upstream_health(&upstream.name, age, upstream.healthy());
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.core.metrics.encode(),
    )
        .into_response()
}
