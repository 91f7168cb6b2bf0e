//! `POST /api/v1/webhooks/alertmanager`: Alertmanager's webhook. This layer
//! decides who is calling (the webhook token, or the usual identity) and
//! hands the notification to the core (`Incidents::ingest_notification`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use http::header::AUTHORIZATION;
use http::request::Parts;
use sha2::{Digest, Sha256};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use portal_core::use_cases::Notification;

use super::AppState;
use super::extract::{parse, request_credentials};
use crate::error::{AppError, ErrorBody, Result};
use portal_core::incidents::IngestOutcome;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(alertmanager))
}

/// Apply a notification: firing alerts open incidents (one per fingerprint),
/// resolved ones add `alert_resolved` (and resolve, if configured).
#[utoipa::path(post, path = "/api/v1/webhooks/alertmanager", tag = "webhooks",
    request_body = Notification,
    responses((status = 200, body = IngestOutcome), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn alertmanager(
    State(state): State<AppState>,
    parts: Parts,
    body: Bytes,
) -> Result<Json<IngestOutcome>> {
    let actor = actor(&state, &parts).await?;
    let notification: Notification = parse(&body)?;
    Ok(Json(
        state
            .core
            .incidents
            .ingest_notification(&actor, notification)
            .await?,
    ))
}

/// With `webhook.token` set, exactly that bearer token; else the usual
/// write identity. The actor is `alertmanager` unless a person or token is known.
async fn actor(state: &AppState, parts: &Parts) -> Result<portal_core::Actor> {
    if let Some(expected) = &state.core.webhook.token {
        let sent = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        // Comparing digests keeps the comparison's timing independent of
        // how much of the secret matched.
        if Sha256::digest(sent.trim().as_bytes()) != Sha256::digest(expected.as_bytes()) {
            return Err(AppError::Unauthorized(
                "the webhook needs the bearer token from webhook.token".into(),
            ));
        }
        return Ok(portal_core::Actor::named("alertmanager"));
    }
    let actor = state
        .core
        .auth
        .writer(&request_credentials(parts, state))
        .await?;
    Ok(if actor.name() == portal_core::auth::ANONYMOUS {
        portal_core::Actor::named("alertmanager")
    } else {
        actor
    })
}
