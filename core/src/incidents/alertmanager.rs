//! Incidents driven by Alertmanager notifications, already parsed and
//! matched to runbooks by the HTTP layer. One notification is one
//! transaction: all of its alerts land, or none do.
//!
//! A repeat firing notification for an alert whose incident is open adds
//! nothing: Alertmanager re-sends the whole group on every change and every
//! `repeat_interval`, so "still firing" events would bury what responders
//! did under noise that says nothing new; whether an alert fires *now* is the
//! poller's job and shows live on the page. Only transitions are recorded:
//! `alert_resolved` when it stops, `alert_firing` if it starts again while
//! the incident is still open.

use chrono::{DateTime, Utc};
use portal_types::{Labels, TimelineEvent};
use serde_json::json;

use super::{Timeline, append};
use crate::error::Result;
use crate::store::{IncidentTx, NewIncidentRecord};

/// One alert of a notification.
#[derive(Debug, Clone)]
pub struct AlertSignal {
    pub firing: bool,
    pub fingerprint: String,
    pub alertname: Option<String>,
    pub labels: Labels,
    pub title: String,
    pub severity: Option<String>,
    pub runbook_key: Option<String>,
    /// Mitigation steps of that runbook, copied into the incident.
    pub checklist: Vec<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub generator_url: Option<String>,
}

/// What one notification changed.
#[derive(Debug, Default, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IngestOutcome {
    /// Incidents opened.
    pub opened: Vec<i64>,
    /// Events appended (including the `opened` ones).
    pub events: usize,
    /// Alerts that changed nothing (repeats, or resolved with no open incident).
    pub unchanged: usize,
}

impl Timeline {
    /// Apply a whole notification in one transaction. `resolve`: a resolved
    /// alert also resolves its incident (`webhook.resolve_incidents`).
    pub async fn ingest(
        &self,
        alerts: Vec<AlertSignal>,
        actor: &str,
        resolve: bool,
    ) -> Result<IngestOutcome> {
        let mut write = self.store.begin().await?;
        let tx = &mut *write;
        let now = Utc::now();
        let mut outcome = IngestOutcome::default();
        let mut events = Vec::new();
        for alert in alerts {
            let before = events.len();
            let open = tx.open_for_fingerprint(&alert.fingerprint).await?;
            match (alert.firing, open) {
                (true, None) => {
                    let event = open_for(tx, &alert, now, actor).await?;
                    outcome.opened.push(event.incident_id);
                    events.push(event);
                }
                (true, Some(id)) => {
                    if last_alert_event(tx, id).await?.as_deref() == Some("alert_resolved") {
                        let payload = json!({ "starts_at": alert.starts_at });
                        events.push(append(tx, id, now, actor, "alert_firing", payload).await?);
                    }
                }
                (false, Some(id)) => {
                    if last_alert_event(tx, id).await?.as_deref() != Some("alert_resolved") {
                        let payload = json!({ "ends_at": alert.ends_at });
                        events.push(append(tx, id, now, actor, "alert_resolved", payload).await?);
                        if resolve {
                            tx.resolve(id, now, actor).await?;
                            let payload = json!({ "reason": "the alert stopped firing" });
                            events.push(append(tx, id, now, actor, "resolved", payload).await?);
                        }
                    }
                }
                // Fired while nobody listened, or its incident is closed.
                (false, None) => {}
            }
            if events.len() == before {
                outcome.unchanged += 1;
            }
        }
        outcome.events = events.len();
        self.commit(write, events).await?;
        Ok(outcome)
    }
}

async fn open_for(
    tx: &mut dyn IncidentTx,
    alert: &AlertSignal,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<TimelineEvent> {
    let id = tx
        .insert(&NewIncidentRecord {
            title: &alert.title,
            severity: alert.severity.as_deref(),
            runbook_key: alert.runbook_key.as_deref(),
            alertname: alert.alertname.as_deref(),
            labels: &alert.labels,
            fingerprint: Some(&alert.fingerprint),
            opened_at: now,
            opened_by: actor,
            one_per_runbook: false,
        })
        .await?
        .ok_or_else(|| crate::error::Error::Internal("incident insert refused".into()))?;
    let payload = json!({
        "title": alert.title,
        "labels": alert.labels,
        "severity": alert.severity,
        "checklist": alert.checklist,
        "fingerprint": alert.fingerprint,
        "starts_at": alert.starts_at,
        "generator_url": alert.generator_url,
    });
    append(tx, id, now, actor, "opened", payload).await
}

/// The latest alert transition recorded on an incident.
async fn last_alert_event(tx: &mut dyn IncidentTx, id: i64) -> Result<Option<String>> {
    Ok(tx
        .last_kind_of(id, &["opened", "alert_resolved", "alert_firing"])
        .await?)
}
