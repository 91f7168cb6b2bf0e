//! The editing API: `GET /api/v1/runbooks/{group}/{alert}/raw` (the current
//! source with its revision as ETag), `…/history`, and `PUT
//! /api/v1/runbooks/{group}/{alert}` with `If-Match: "<revision>"`. A save
//! whose base is no longer current is merged when the changes do not
//! overlap, and refused with 409 and the diff when they do.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use portal_types::paths::{RunbookRoute, Verb};
use portal_types::{ConflictView, SaveOutcome};
use serde::Deserialize;

use super::AppState;
use super::extract::{self, Actor};
use crate::error::{AppError, ErrorBody, Result};
use portal_core::revisions::Origin;
use portal_core::use_cases::Edit;

/// `GET /api/v1/runbooks/{*path}`: `…/raw` and `…/history` here, the
/// rendered runbook otherwise.
pub async fn get(
    state: State<AppState>,
    Path(path): Path<String>,
    query: Query<HistoryParams>,
) -> Response {
    match RunbookRoute::parse(&path) {
        RunbookRoute {
            key,
            verb: Verb::Raw,
        } => raw(state, Path(key)).await.into_response(),
        RunbookRoute {
            key,
            verb: Verb::History,
        } => history(state, Path(key), query).await.into_response(),
        // Other verbs are not GETs of the API: the path is a runbook's.
        _ => super::runbooks_api::get_runbook(state, Path(path))
            .await
            .into_response(),
    }
}

fn etag(id: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{id}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// The current Markdown source of a runbook, byte for byte.
#[utoipa::path(get, path = "/api/v1/runbooks/{path}/raw", tag = "runbooks",
    params(("path" = String, Path, description = "group and alert, e.g. node-exporter/HostOutOfDiskSpace")),
    responses((status = 200, content_type = "text/markdown", description = "the source; ETag is the revision id"),
        (status = 404, body = ErrorBody)))]
pub async fn raw(State(state): State<AppState>, Path(key): Path<String>) -> Result<Response> {
    let (revision, source) = state.core.editing.current_source(&key).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/markdown; charset=utf-8"),
            ),
            (header::ETAG, etag(revision)),
        ],
        source,
    )
        .into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct HistoryParams {
    /// Revisions to skip (pages of 200, newest first).
    pub offset: Option<u32>,
    /// Compare revision `from`…
    pub from: Option<i64>,
    /// …with revision `to`.
    pub to: Option<i64>,
}

/// A runbook's revisions, newest first; with `from` and `to`, their diff.
#[utoipa::path(get, path = "/api/v1/runbooks/{path}/history", tag = "runbooks",
    params(("path" = String, Path, description = "group and alert"), HistoryParams),
    responses((status = 200, description = "revisions and an optional diff"), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(params): Query<HistoryParams>,
) -> Result<Json<portal_types::HistoryView>> {
    let view = state
        .core
        .editing
        .history(&key, params.offset.unwrap_or(0), params.from.zip(params.to))
        .await?;
    Ok(Json(view))
}

/// Body of `PUT /api/v1/runbooks/{path}`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutRunbook {
    /// The whole Markdown file.
    pub source: String,
    /// Commit message.
    #[serde(default)]
    pub message: String,
}

/// `If-Match: "12"` (or `W/"12"`, or `12`) → revision 12; absent → create.
fn base_revision(headers: &http::HeaderMap) -> Result<Option<i64>> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| AppError::BadRequest("If-Match is not valid text".into()))?;
    let id = text.trim().trim_start_matches("W/").trim_matches('"');
    id.parse()
        .map(Some)
        .map_err(|_| AppError::BadRequest(format!("If-Match {text:?} is not a revision ETag")))
}

/// Save a runbook. `If-Match` names the revision the text is based on
/// (omit it to create a new runbook). 200 with the new revision (and its
/// ETag; `merged_with` set when a concurrent edit was merged in), 201 when
/// created, 409 with the other author's change and a merge with conflict
/// markers when both changed the same lines.
#[utoipa::path(put, path = "/api/v1/runbooks/{path}", tag = "runbooks",
    params(("path" = String, Path, description = "group and alert"),
        ("If-Match" = Option<String>, Header, description = "ETag of the base revision, e.g. \"12\"")),
    request_body = PutRunbook,
    responses((status = 200, body = SaveOutcome), (status = 201, body = SaveOutcome),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ConflictView, description = "another revision landed since the base and overlaps")))]
pub async fn put(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Actor(actor): Actor,
    headers: http::HeaderMap,
    extract::Json(body): extract::Json<PutRunbook>,
) -> Result<Response> {
    let base = base_revision(&headers)?;
    let edit = Edit {
        key,
        base,
        source: body.source,
        message: body.message,
    };
    let outcome = state.core.editing.save(&actor, Origin::Api, edit).await?;
    let (status, id) = match &outcome {
        SaveOutcome::Saved { revision, .. } if revision.parent.is_none() => {
            (StatusCode::CREATED, revision.id)
        }
        SaveOutcome::Saved { revision, .. } | SaveOutcome::Unchanged { revision } => {
            (StatusCode::OK, revision.id)
        }
        SaveOutcome::Conflict(conflict) => (StatusCode::CONFLICT, conflict.current.id),
    };
    Ok((status, [(header::ETAG, etag(id))], Json(outcome)).into_response())
}
