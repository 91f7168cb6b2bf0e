//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Runbook portal API", description = "Runbooks, live alert state, diagnosis checks and incident timelines."),
    paths(super::api::list_runbooks, super::api::get_runbook, super::api::search, super::api::alerts,
        super::alert_stream::stream, super::api::coverage,
        super::incidents_api::create_incident, super::incidents_api::list_incidents,
        super::incidents_api::get_incident, super::incidents_api::post_event,
        super::incidents_api::stream, super::incidents_api::stream_all, super::webhook::alertmanager,
        super::checks_api::run_one, super::checks_api::run_all,
        super::revisions_api::raw, super::revisions_api::history, super::revisions_api::put),
    tags((name = "runbooks"), (name = "alerts"), (name = "incidents"), (name = "webhooks"), (name = "checks"))
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
