//! `/api/v1/silences…`: preview what a silence would hide, create it in
//! Alertmanager, expire it. The rules are the core's (`use_cases::silences`).

use axum::Json;
use axum::extract::{Path, State};
use http::StatusCode;
use portal_types::{CreateSilence, SilenceOutcome, SilencePreview, SilencePreviewRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{self, Actor};
use crate::error::{ErrorBody, Result};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(preview))
        .routes(routes!(create))
        .routes(routes!(expire))
}

/// The firing and pending alerts these matchers match now (from the
/// portal's snapshot), and whether a silence of them would be refused.
#[utoipa::path(post, path = "/api/v1/silences/preview", tag = "silences",
    request_body = SilencePreviewRequest,
    responses((status = 200, body = SilencePreview),
        (status = 400, description = "a malformed matcher or no alertname matcher", body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    extract::Json(request): extract::Json<SilencePreviewRequest>,
) -> Result<Json<SilencePreview>> {
    Ok(Json(state.core.silences.preview(&request.matchers)?))
}

/// Create a silence in Alertmanager (the first peer that answers), authored
/// by the caller; with `incident_id`, a `silenced` event on its timeline.
#[utoipa::path(post, path = "/api/v1/silences", tag = "silences",
    request_body = CreateSilence,
    responses((status = 201, body = SilenceOutcome),
        (status = 400, description = "no alertname matcher, too many alerts matched, no comment, a duration out of bounds, a malformed matcher", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "the anonymous actor may not silence", body = ErrorBody),
        (status = 404, description = "no such incident", body = ErrorBody),
        (status = 503, description = "no Alertmanager answered", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Actor(actor): Actor,
    extract::Json(create): extract::Json<CreateSilence>,
) -> Result<(StatusCode, Json<SilenceOutcome>)> {
    let outcome = state.core.silences.create(&actor, create).await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

/// Expire a silence now; an `unsilenced` event on the incident it was made for.
#[utoipa::path(delete, path = "/api/v1/silences/{id}", tag = "silences",
    params(("id" = String, Path, description = "Alertmanager silence id")),
    responses((status = 200, body = SilenceOutcome),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "the silence has already expired", body = ErrorBody),
        (status = 503, description = "no Alertmanager answered", body = ErrorBody)))]
pub async fn expire(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Actor(actor): Actor,
) -> Result<Json<SilenceOutcome>> {
    Ok(Json(state.core.silences.expire(&actor, &id).await?))
}
