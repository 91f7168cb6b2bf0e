//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Runbook portal API", description = "Runbooks, live alert state and incident timelines."),
    paths(super::api::list_runbooks, super::api::get_runbook, super::api::alerts, super::alert_stream::stream, super::api::coverage, super::api::get_incident),
    tags((name = "runbooks"), (name = "alerts"), (name = "incidents"))
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
