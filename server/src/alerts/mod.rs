//! Live alert state: one poller per configured Prometheus keeps a shared,
//! immutable snapshot. Pages read the snapshot, so upstream load does not grow
//! with the number of viewers.

pub mod prometheus;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::types::{AlertBadge, AlertState};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::watch;

use crate::config::Upstream;
use crate::metrics::Metrics;
use prometheus::{PromAlert, PrometheusClient};

/// Health of one upstream.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UpstreamStatus {
    pub name: String,
    pub url: String,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Set while polls fail: since when the data shown is old.
    pub stale_since: Option<DateTime<Utc>>,
}

/// One firing or pending alert instance.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActiveAlert {
    pub upstream: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub state: String,
    pub active_at: Option<DateTime<Utc>>,
    pub value: String,
}

impl ActiveAlert {
    pub fn alertname(&self) -> &str {
        self.labels.get("alertname").map_or("", String::as_str)
    }
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct AlertSnapshot {
    pub upstreams: Vec<UpstreamStatus>,
    pub alerts: Vec<ActiveAlert>,
}

/// Per-upstream state kept by its poller.
struct Slot {
    status: UpstreamStatus,
    alerts: Vec<ActiveAlert>,
}

pub struct AlertHub {
    slots: Mutex<Vec<Slot>>,
    tx: watch::Sender<Arc<AlertSnapshot>>,
}

impl AlertHub {
    /// Create the hub and start one poller per upstream.
    pub fn start(
        upstreams: &[Upstream],
        interval: Duration,
        metrics: Arc<Metrics>,
    ) -> Arc<AlertHub> {
        let slots = upstreams
            .iter()
            .map(|u| Slot {
                status: UpstreamStatus {
                    name: u.display_name().to_string(),
                    url: u.url.clone(),
                    last_success: None,
                    last_error: None,
                    stale_since: None,
                },
                alerts: Vec::new(),
            })
            .collect();
        let (tx, _) = watch::channel(Arc::new(AlertSnapshot::default()));
        let hub = Arc::new(AlertHub {
            slots: Mutex::new(slots),
            tx,
        });
        hub.publish();
        for (i, upstream) in upstreams.iter().enumerate() {
            match PrometheusClient::new(upstream) {
                Ok(client) => {
                    tokio::spawn(poll_loop(hub.clone(), i, client, interval, metrics.clone()));
                }
                Err(e) => hub.record(i, Err(format!("bad upstream configuration: {e}"))),
            }
        }
        hub
    }

    pub fn snapshot(&self) -> Arc<AlertSnapshot> {
        self.tx.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<Arc<AlertSnapshot>> {
        self.tx.subscribe()
    }

    /// The badge for one alert name, from the current snapshot.
    pub fn badge(&self, alertname: &str) -> AlertBadge {
        let snapshot = self.snapshot();
        let healthy: Vec<&UpstreamStatus> = snapshot
            .upstreams
            .iter()
            .filter(|u| u.stale_since.is_none() && u.last_success.is_some())
            .collect();
        let count = |state: &str| {
            snapshot
                .alerts
                .iter()
                .filter(|a| a.alertname() == alertname && a.state == state)
                .count()
        };
        let (firing, pending) = (count("firing"), count("pending"));
        let state = if snapshot.upstreams.is_empty() {
            AlertState::NotConfigured
        } else if firing > 0 {
            AlertState::Firing
        } else if pending > 0 {
            AlertState::Pending
        } else if healthy.is_empty() {
            AlertState::Unreachable
        } else {
            AlertState::Inactive
        };
        let updated_at = snapshot
            .upstreams
            .iter()
            .filter_map(|u| u.last_success)
            .max();
        AlertBadge {
            alertname: alertname.to_string(),
            state,
            firing,
            pending,
            updated_at,
        }
    }

    /// Store one poll's outcome in slot `i` and publish a new snapshot.
    fn record(&self, i: usize, outcome: Result<Vec<PromAlert>, String>) {
        let now = Utc::now();
        {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            let Some(slot) = slots.get_mut(i) else { return };
            match outcome {
                Ok(alerts) => {
                    slot.status.last_success = Some(now);
                    slot.status.last_error = None;
                    slot.status.stale_since = None;
                    let upstream = slot.status.name.clone();
                    slot.alerts = alerts
                        .into_iter()
                        .map(|a| ActiveAlert {
                            upstream: upstream.clone(),
                            labels: a.labels,
                            annotations: a.annotations,
                            state: a.state,
                            active_at: a.active_at,
                            value: a.value,
                        })
                        .collect();
                }
                Err(error) => {
                    slot.status.last_error = Some(error);
                    slot.status.stale_since.get_or_insert(now);
                }
            }
        }
        self.publish();
    }

    fn publish(&self) {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let snapshot = AlertSnapshot {
            upstreams: slots.iter().map(|s| s.status.clone()).collect(),
            alerts: slots
                .iter()
                .flat_map(|s| s.alerts.iter().cloned())
                .collect(),
        };
        self.tx.send_replace(Arc::new(snapshot));
    }
}

/// Poll forever; after failures wait longer (doubling, at most a minute) so a
/// dead upstream is not hammered.
async fn poll_loop(
    hub: Arc<AlertHub>,
    slot: usize,
    client: PrometheusClient,
    interval: Duration,
    metrics: Arc<Metrics>,
) {
    let mut failures: u32 = 0;
    loop {
        let started = std::time::Instant::now();
        let outcome = client.alerts().await;
        let upstream = hub
            .snapshot()
            .upstreams
            .get(slot)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        metrics.record_poll(&upstream, started.elapsed(), outcome.is_ok());
        if let Err(error) = &outcome {
            tracing::warn!(%upstream, %error, "Prometheus poll failed");
            failures = failures.saturating_add(1);
        } else {
            failures = 0;
        }
        hub.record(slot, outcome);
        let backoff = interval
            .saturating_mul(2u32.saturating_pow(failures.min(6)))
            .min(Duration::from_secs(60));
        tokio::time::sleep(if failures == 0 {
            interval
        } else {
            backoff.max(interval)
        })
        .await;
    }
}
