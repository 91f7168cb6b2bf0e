//! `GET /api/v1/runbooks`, `GET /api/v1/runbooks/{path}` and
//! `GET /api/v1/search`: reading runbooks.

use axum::Json;
use axum::extract::{Path, Query, State};
use portal_types::{RunbookDetail, RunbookSummary, SearchResult};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use crate::error::{ErrorBody, Result};

/// The routes served here; `{path}` is served through the editing
/// wildcard (`revisions_api::get`), which falls back to [`get_runbook`].
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_runbooks))
        .routes(routes!(search))
}

/// Every runbook, sorted by key.
#[utoipa::path(get, path = "/api/v1/runbooks", tag = "runbooks",
    responses((status = 200, body = [RunbookSummary])))]
pub async fn list_runbooks(State(state): State<AppState>) -> Json<Vec<RunbookSummary>> {
    Json(state.core.catalog.list())
}

/// One runbook by `group/Alert` (case-insensitive, `.md` accepted).
#[utoipa::path(get, path = "/api/v1/runbooks/{path}", tag = "runbooks",
    params(("path" = String, Path, description = "group path and alert name, e.g. node-exporter/HostOutOfDiskSpace")),
    responses((status = 200, body = RunbookDetail), (status = 404, body = ErrorBody)))]
pub async fn get_runbook(
    State(state): State<AppState>,
    Path(path): Path<String>,
) -> Result<Json<RunbookDetail>> {
    Ok(Json(state.core.catalog.detail(&path)?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SearchParams {
    /// The query: words, parts of words, or alert names with typos.
    pub q: String,
    /// At most this many hits (1–100, default 20).
    pub limit: Option<usize>,
}

/// Full-text search over title, alert name, group, tags, description and body.
#[utoipa::path(get, path = "/api/v1/search", tag = "runbooks", params(SearchParams),
    responses((status = 200, body = [SearchResult]), (status = 400, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<Json<Vec<SearchResult>>> {
    let hits = state
        .core
        .catalog
        .search(&params.q, params.limit.unwrap_or(20))?;
    Ok(Json(hits))
}
