//! `POST /api/v1/webhooks/alertmanager`: Alertmanager's webhook (format
//! version 4). The whole notification is checked before anything is written,
//! then applied in one transaction by the timeline engine.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use chrono::{DateTime, Utc};
use http::header::AUTHORIZATION;
use http::request::Parts;
use portal_types::Labels;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{parse, request_credentials};
use crate::error::{AppError, ErrorBody, Result};
use portal_core::incidents::{AlertSignal, IngestOutcome};
use portal_core::runbooks::RunbookIndex;

/// The parts of a notification the portal uses; other fields are ignored.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// Must be `"4"`.
    pub version: String,
    #[serde(default)]
    pub receiver: String,
    pub alerts: Vec<WebhookAlert>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookAlert {
    /// `firing` or `resolved`.
    pub status: String,
    #[serde(default)]
    pub labels: Labels,
    #[serde(default)]
    pub annotations: Labels,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default, rename = "generatorURL")]
    pub generator_url: Option<String>,
    pub fingerprint: String,
}

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
    let core = &state.core;
    let actor = actor(&state, &parts).await?;
    let notification: Notification = parse(&body)?;
    if notification.version != "4" {
        return Err(AppError::BadRequest(format!(
            "unsupported webhook version {:?}: only version \"4\" is understood",
            notification.version
        )));
    }
    if notification.alerts.len() > core.webhook.max_alerts {
        return Err(AppError::BadRequest(format!(
            "{} alerts in one notification; at most {} are accepted",
            notification.alerts.len(),
            core.webhook.max_alerts
        )));
    }
    let index = core.runbooks.index();
    let signals = notification
        .alerts
        .into_iter()
        .map(|alert| signal(alert, &index))
        .collect::<Result<Vec<_>>>()?;
    let outcome = core
        .incidents
        .timeline()
        .ingest(signals, &actor, core.webhook.resolve_incidents)
        .await?;
    for _ in &outcome.opened {
        core.metrics.incident_opened();
    }
    tracing::info!(receiver = %notification.receiver, opened = outcome.opened.len(), events = outcome.events, "alertmanager notification");
    Ok(Json(outcome))
}

/// With `webhook.token` set, exactly that bearer token; else the usual
/// write identity. The actor is `alertmanager` unless a person or token is known.
async fn actor(state: &AppState, parts: &Parts) -> Result<String> {
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
        return Ok("alertmanager".into());
    }
    let actor = state
        .core
        .auth
        .writer(&request_credentials(parts, state))
        .await?;
    Ok(if actor.name() == portal_core::auth::ANONYMOUS {
        "alertmanager".into()
    } else {
        actor.name().to_string()
    })
}

fn signal(alert: WebhookAlert, index: &RunbookIndex) -> Result<AlertSignal> {
    let firing = match alert.status.as_str() {
        "firing" => true,
        "resolved" => false,
        other => {
            return Err(AppError::BadRequest(format!(
                "alert status must be firing or resolved, not {other:?}"
            )));
        }
    };
    let fingerprint = alert.fingerprint.trim().to_string();
    if fingerprint.is_empty() || fingerprint.len() > 128 {
        return Err(AppError::BadRequest(
            "every alert needs a fingerprint of at most 128 bytes".into(),
        ));
    }
    let alertname = alert.labels.get("alertname").cloned();
    let runbook = alertname
        .as_deref()
        .and_then(|name| index.by_alert(name).into_iter().next().cloned());
    let title = match (alert.annotations.get("summary"), &alertname) {
        (Some(summary), _) if !summary.trim().is_empty() => summary.clone(),
        (_, Some(name)) => match alert.labels.get("instance") {
            Some(instance) => format!("{name} on {instance}"),
            None => name.clone(),
        },
        (_, None) => format!("alert {fingerprint}"),
    };
    let title: String = title.chars().take(500).collect();
    let severity = alert
        .labels
        .get("severity")
        .filter(|s| portal_core::incidents::valid_severity(s))
        .cloned();
    let checklist = portal_core::use_cases::incidents::checklist(runbook.as_deref(), &alert.labels);
    Ok(AlertSignal {
        firing,
        fingerprint,
        alertname,
        labels: alert.labels,
        title,
        severity,
        runbook_key: runbook.as_ref().map(|r| r.key.clone()),
        checklist,
        starts_at: alert.starts_at,
        ends_at: alert.ends_at,
        generator_url: alert.generator_url,
    })
}
