//! One background task per upstream. Each interval it makes a fixed number of
//! requests (Prometheus: alerts + rules; Alertmanager: alerts + silences),
//! whatever the number of viewers, and hands the outcome to the hub. It
//! polls only while this portal is the poller leader (see `leader`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::AlertHub;
use super::alertmanager::AlertmanagerClient;
use super::prometheus::PrometheusClient;
use super::snapshot::SlotData;
use super::upstream_http::UpstreamError;
use crate::metrics::Metrics;

/// The client of one upstream.
#[derive(Debug, Clone)]
pub enum Source {
    Prometheus(PrometheusClient),
    Alertmanager(AlertmanagerClient),
}

impl Source {
    /// One poll: both requests of the kind, concurrently; either failing
    /// fails the poll so a half-updated picture is never published.
    async fn poll(&self) -> Result<SlotData, UpstreamError> {
        match self {
            Source::Prometheus(client) => {
                let (alerts, rules) = tokio::join!(client.alerts(), client.alerting_rules());
                Ok(SlotData::Prometheus {
                    alerts: alerts.map_err(|e| e.at("/api/v1/alerts"))?,
                    rules: rules.map_err(|e| e.at("/api/v1/rules"))?,
                })
            }
            Source::Alertmanager(client) => {
                let (alerts, silences) = tokio::join!(client.alerts(), client.silences());
                Ok(SlotData::Alertmanager {
                    alerts: alerts.map_err(|e| e.at("/api/v2/alerts"))?,
                    silences: silences.map_err(|e| e.at("/api/v2/silences"))?,
                })
            }
        }
    }
}

/// The wait after `failures` failed polls in a row: the interval, doubled per
/// failure up to a minute, so a dead upstream is not hammered.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    if failures == 0 {
        return interval;
    }
    interval
        .saturating_mul(2u32.saturating_pow(failures.min(6)))
        .min(Duration::from_secs(60))
        .max(interval)
}

/// Poll while this portal leads (`leading`; always, with one process on
/// the database), until the hub is dropped.
pub async fn run(
    hub: std::sync::Weak<AlertHub>,
    slot: usize,
    name: String,
    source: Source,
    interval: Duration,
    metrics: Arc<Metrics>,
) {
    let Some(mut leading) = hub.upgrade().map(|h| h.leading.subscribe()) else {
        return;
    };
    let mut failures: u32 = 0;
    loop {
        if leading.wait_for(|leads| *leads).await.is_err() {
            return;
        }
        let started = Instant::now();
        let outcome = source.poll().await;
        if !*leading.borrow() {
            // Stepped down meanwhile: the new leader's picture wins.
            continue;
        }
        let elapsed = started.elapsed();
        metrics.record_poll(&name, elapsed, outcome.is_ok());
        match &outcome {
            Ok(_) => failures = 0,
            Err(error) => {
                failures = failures.saturating_add(1);
                tracing::warn!(upstream = %name, %error, failures, "upstream poll failed");
            }
        }
        let Some(hub) = hub.upgrade() else { return };
        hub.record(slot, outcome);
        drop(hub);
        // Keep a steady cadence: the time the poll took counts.
        tokio::time::sleep(backoff(interval, failures).saturating_sub(elapsed)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        let five = Duration::from_secs(5);
        assert_eq!(backoff(five, 0), five);
        assert_eq!(backoff(five, 1), Duration::from_secs(10));
        assert_eq!(backoff(five, 2), Duration::from_secs(20));
        assert_eq!(backoff(five, 30), Duration::from_secs(60));
        assert_eq!(backoff(Duration::from_secs(90), 3), Duration::from_secs(90));
    }
}
