//! Alertmanager's webhook notifications (format version 4): the whole
//! notification is checked before anything is written, then applied in one
//! transaction by the timeline. Firing alerts open incidents (one per
//! fingerprint); resolved ones add `alert_resolved` (and resolve, if the
//! operator says so). Each alert also adds to the alert history what the
//! poller may have missed (`history::webhook_rows`).

use chrono::{DateTime, Utc};
use portal_types::Labels;
use serde::Deserialize;

use super::Incidents;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::incidents::{AlertSignal, IngestOutcome};
use crate::runbooks::RunbookIndex;

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

impl Incidents {
    /// Apply one notification as `actor`.
    pub async fn ingest_notification(
        &self,
        actor: &Actor,
        notification: Notification,
    ) -> Result<IngestOutcome> {
        if notification.version != "4" {
            return Err(Error::BadRequest(format!(
                "unsupported webhook version {:?}: only version \"4\" is understood",
                notification.version
            )));
        }
        if notification.alerts.len() > self.webhook.max_alerts {
            return Err(Error::BadRequest(format!(
                "{} alerts in one notification; at most {} are accepted",
                notification.alerts.len(),
                self.webhook.max_alerts
            )));
        }
        let now = Utc::now();
        let transitions: Vec<_> = notification
            .alerts
            .iter()
            .flat_map(|a| {
                let firing = a.status == "firing";
                crate::history::webhook_rows(firing, &a.labels, a.starts_at, a.ends_at, now)
            })
            .collect();
        let index = self.runbooks.index();
        let signals = notification
            .alerts
            .into_iter()
            .map(|alert| signal(alert, &index))
            .collect::<Result<Vec<_>>>()?;
        let outcome = self
            .timeline
            .ingest(signals, actor.name(), self.webhook.resolve_incidents)
            .await?;
        for _ in &outcome.opened {
            self.metrics.incident_opened();
        }
        // After the incidents: history is a record, and a failure to write
        // it must not make Alertmanager re-send what the timeline applied.
        match self.history.record(&transitions).await {
            Ok(rows) => self.metrics.history_recorded("webhook", rows),
            Err(error) => tracing::warn!(%error, "alert history: cannot record a notification"),
        }
        tracing::info!(receiver = %notification.receiver, opened = outcome.opened.len(), events = outcome.events, "alertmanager notification");
        Ok(outcome)
    }
}

fn signal(alert: WebhookAlert, index: &RunbookIndex) -> Result<AlertSignal> {
    let firing = match alert.status.as_str() {
        "firing" => true,
        "resolved" => false,
        other => {
            return Err(Error::BadRequest(format!(
                "alert status must be firing or resolved, not {other:?}"
            )));
        }
    };
    let fingerprint = alert.fingerprint.trim().to_string();
    if fingerprint.is_empty() || fingerprint.len() > 128 {
        return Err(Error::BadRequest(
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
        .filter(|s| crate::incidents::valid_severity(s))
        .cloned();
    let checklist = super::incidents::checklist(runbook.as_deref(), &alert.labels);
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
