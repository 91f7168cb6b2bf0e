//! The OpenAPI document's frame (title, tags) and the entries of the routes
//! served through the `/api/v1/runbooks/{*path}` wildcard; every other
//! route adds its own entry where it is routed (see `api.rs`).

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Runbook portal API", description = "Runbooks, live alert state, silences, diagnosis checks and incident timelines."),
    paths(super::runbooks_api::get_runbook,
        super::checks_api::run_one, super::checks_api::run_all,
        super::revisions_api::raw, super::revisions_api::history, super::revisions_api::put),
    tags((name = "runbooks"), (name = "alerts"), (name = "incidents"), (name = "webhooks"), (name = "checks"), (name = "silences"))
)]
pub struct ApiDoc;
