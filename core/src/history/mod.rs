//! Alert history: the recorder that turns every new alert snapshot into the
//! transitions it contains (only while this portal is the poller leader,
//! so several replicas record each change once), the rows a webhook
//! notification adds (short alerts that fired and resolved between two
//! polls), and the background pruning of rows past `history.retention_days`.

pub mod recorder;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use portal_types::Labels;
use tokio::sync::watch;

use crate::alerts::{AlertHub, AlertSnapshot};
use crate::config::HistoryConfig;
use crate::metrics::Metrics;
use crate::store::HistoryStore;
use crate::store::history::{NewTransition, TransitionSource, TransitionState, fingerprint};
use recorder::Series;

/// Rows deleted per pruning statement: short transactions, so recording
/// never waits long behind a prune.
pub const PRUNE_BATCH: u32 = 5000;
/// How often the pruner looks for rows past retention.
const PRUNE_EVERY: Duration = Duration::from_secs(24 * 3600);
/// The pause after start before the first prune (start-up has other work).
const PRUNE_DELAY: Duration = Duration::from_secs(60);
/// How far before a webhook's `startsAt` a poll's firing row still counts
/// as the same firing (the poller observes after the fact, clocks differ).
const WEBHOOK_SLACK: chrono::Duration = chrono::Duration::seconds(60);

/// Start the recorder and the pruner; both end when the hub is dropped.
pub fn spawn(
    hub: &AlertHub,
    store: Arc<dyn HistoryStore>,
    config: &HistoryConfig,
    metrics: Arc<Metrics>,
) {
    tokio::spawn(record(
        hub.subscribe(),
        hub.leading(),
        store.clone(),
        metrics.clone(),
    ));
    tokio::spawn(prune(
        hub.leading(),
        store,
        config.retention_days.max(1),
        metrics,
    ));
}

/// The upstreams that have not answered yet, or `None` while none has: a
/// snapshot is recorded once one upstream answered, and the series of the
/// silent ones are left as they were (an Alertmanager down since start-up
/// must not stop the history of what Prometheus fires, nor make the series
/// it alone reported look resolved).
fn unheard(snapshot: &AlertSnapshot) -> Option<Vec<&str>> {
    let (heard, silent): (Vec<_>, Vec<_>) = snapshot
        .upstreams
        .iter()
        .partition(|u| u.last_success.is_some());
    (!heard.is_empty()).then(|| silent.iter().map(|u| u.name.as_str()).collect())
}

/// Record the changes of every snapshot while leading. On winning the
/// election it starts from the database's open series; a failed write is
/// retried with the next snapshot (the diff is kept only once stored).
async fn record(
    mut snapshots: watch::Receiver<Arc<AlertSnapshot>>,
    mut leading: watch::Receiver<bool>,
    store: Arc<dyn HistoryStore>,
    metrics: Arc<Metrics>,
) {
    'elected: loop {
        if leading.wait_for(|leads| *leads).await.is_err() {
            return;
        }
        let mut series = loop {
            match store.open_series().await {
                Ok(open) => break Series::from_open(open),
                Err(error) => {
                    tracing::warn!(%error, "alert history: cannot read open series; retrying");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    if !*leading.borrow() {
                        continue 'elected;
                    }
                }
            }
        };
        // The picture of the moment of election counts too.
        snapshots.mark_changed();
        loop {
            tokio::select! {
                changed = snapshots.changed() => if changed.is_err() { return },
                changed = leading.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    if !*leading.borrow_and_update() {
                        continue 'elected;
                    }
                    continue;
                }
            }
            let snapshot = snapshots.borrow_and_update().clone();
            let Some(unheard) = unheard(&snapshot) else {
                continue;
            };
            let (rows, next) = series.diff_heard(&snapshot.alerts, Utc::now(), &unheard);
            if rows.is_empty() {
                series = next;
                continue;
            }
            match store.record(&rows).await {
                Ok(written) => {
                    metrics.history_recorded(TransitionSource::Poll.as_str(), written);
                    series = next;
                }
                Err(error) => {
                    tracing::warn!(%error, rows = rows.len(), "alert history: cannot record; retrying with the next snapshot");
                }
            }
        }
    }
}

/// Prune once a day while leading, in short batches.
async fn prune(
    leading: watch::Receiver<bool>,
    store: Arc<dyn HistoryStore>,
    retention_days: u32,
    metrics: Arc<Metrics>,
) {
    tokio::time::sleep(PRUNE_DELAY).await;
    loop {
        if leading.has_changed().is_err() {
            return;
        }
        if *leading.borrow() {
            let before = Utc::now() - chrono::Duration::days(i64::from(retention_days));
            let pruned = prune_before(&*store, before).await;
            metrics.history_pruned(pruned);
            if pruned > 0 {
                tracing::info!(rows = pruned, retention_days, "alert history pruned");
            }
        }
        tokio::time::sleep(PRUNE_EVERY).await;
    }
}

/// Delete every row older than `before`, batch by batch; the count deleted.
pub async fn prune_before(store: &dyn HistoryStore, before: DateTime<Utc>) -> u64 {
    let mut total = 0;
    loop {
        match store.prune(before, PRUNE_BATCH).await {
            Ok(rows) => {
                total += rows;
                if rows < u64::from(PRUNE_BATCH) {
                    return total;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(error) => {
                tracing::warn!(%error, "alert history: pruning failed; trying again tomorrow");
                return total;
            }
        }
    }
}

/// The rows one alert of a webhook notification adds. A firing alert is a
/// firing row at its `startsAt`, unless the poller (or an earlier
/// notification) recorded that firing; a resolved one is that firing, if
/// nobody saw it, then its end at `endsAt`. Repeats add nothing.
pub fn webhook_rows(
    firing: bool,
    labels: &Labels,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Vec<NewTransition> {
    let Some(alertname) = labels.get("alertname") else {
        return Vec::new();
    };
    // Alertmanager sends the zero time for an unknown end.
    let ends_at = ends_at.filter(|end| end.timestamp() > 0);
    let start = starts_at
        .filter(|s| s.timestamp() > 0)
        .unwrap_or(now)
        .min(now);
    let key = fingerprint(labels);
    let row = |state, at: DateTime<Utc>, ends_at, unless_since| NewTransition {
        at,
        alertname: alertname.clone(),
        fingerprint: key.clone(),
        upstream: "webhook".into(),
        state,
        source: TransitionSource::Webhook,
        labels: labels.clone(),
        starts_at: Some(start),
        ends_at,
        unless_since: Some(unless_since),
    };
    let fired = row(TransitionState::Firing, start, None, start - WEBHOOK_SLACK);
    if firing {
        return vec![fired];
    }
    let end = ends_at.unwrap_or(now).clamp(start, now.max(start));
    vec![fired, row(TransitionState::Resolved, end, Some(end), start)]
}

#[cfg(test)]
mod tests;
