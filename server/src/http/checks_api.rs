//! `POST /api/v1/runbooks/{group}/{alert}/checks/{check}/run` and
//! `…/checks/run` (every check, results streamed as they finish). The body
//! carries labels and an optional incident, never a query or a URL: only
//! what the runbook declares can run.

use std::convert::Infallible;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use portal_types::CheckResult;
use portal_types::paths::{RunbookRoute, Verb};

use super::AppState;
use super::extract::{Actor, parse};
use crate::error::{AppError, ErrorBody, Result};
use portal_core::use_cases::RunRequest;

/// The wildcard's POST: dispatch on the path's tail.
pub async fn post(
    State(state): State<AppState>,
    Path(path): Path<String>,
    Actor(actor): Actor,
    body: Bytes,
) -> Result<Response> {
    let RunbookRoute { key, verb } = RunbookRoute::parse(&path);
    match verb {
        Verb::RunAll => run_all(state, actor, &key, &body).await,
        Verb::RunCheck(check) => run_one(state, &actor, &key, &check, &body)
            .await
            .map(IntoResponse::into_response),
        _ => Err(AppError::NotFound(format!(
            "nothing to POST at /api/v1/runbooks/{}",
            path.trim_end_matches('/')
        ))),
    }
}

fn request(body: &[u8]) -> Result<RunRequest> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(RunRequest::default())
    } else {
        parse(body)
    }
}

/// Run one declared check with the given labels and record the result.
#[utoipa::path(post, path = "/api/v1/runbooks/{path}/checks/{check}/run", tag = "checks",
    params(("path" = String, Path, description = "group and alert, e.g. node-exporter/HostOutOfDiskSpace"),
        ("check" = String, Path, description = "the check's id, or alert-expr")),
    request_body = RunRequest,
    responses((status = 200, body = CheckResult, description = "the check ran (status pass, fail or error)"),
        (status = 400, body = ErrorBody, description = "missing label, or a value that would change the query"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "target outside the allow-list"),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody, description = "too many checks running")))]
pub async fn run_one(
    state: AppState,
    actor: &portal_core::Actor,
    runbook: &str,
    check: &str,
    body: &[u8],
) -> Result<Json<CheckResult>> {
    let request = request(body)?;
    let check = percent_encoding::percent_decode_str(check).decode_utf8_lossy();
    let result = state
        .core
        .checks
        .run(actor, runbook, &check, &request)
        .await?;
    Ok(Json(result))
}

/// Every check of the runbook at once (within the limits): one JSON line per
/// check as it finishes, `{"check": id, "result": …}` or `{"check": id, "error": …}`.
#[utoipa::path(post, path = "/api/v1/runbooks/{path}/checks/run", tag = "checks",
    params(("path" = String, Path, description = "group and alert")),
    request_body = RunRequest,
    responses((status = 200, content_type = "application/x-ndjson", description = "one line per check as it finishes"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn run_all(
    state: AppState,
    actor: portal_core::Actor,
    runbook: &str,
    body: &[u8],
) -> Result<Response> {
    let request = request(body)?;
    let results = state
        .core
        .checks
        .run_all(actor, runbook.to_string(), request)?;
    let lines = results.map(|(check, result)| {
        let line = match result {
            Ok(result) => serde_json::json!({ "check": check, "result": result }),
            Err(error) => {
                let error = app::error::AppError::from(error);
                serde_json::json!({ "check": check, "error": error.to_string(), "status": error.status() })
            }
        };
        Ok::<_, Infallible>(Bytes::from(format!("{line}\n")))
    });
    // Bounded by the check limits, not the stream caps; it still ends at
    // shutdown (checks not yet finished are not reported).
    let lines = state.streams.bind(lines, None);
    Ok((
        [(http::header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(lines),
    )
        .into_response())
}
