//! The alert history's promises on every backend: the guarded insert
//! (poll and webhook record one firing once), the SQL aggregates (counts per
//! window and per day, durations, top instances, last fired), open series,
//! and the ledger that only pruning of old rows may shorten.

use chrono::{DateTime, Duration, Utc};
use portal_types::Labels;

use super::Harness;
use crate::store::history::{NewTransition, TransitionSource, TransitionState, fingerprint};

fn labels(alert: &str, instance: &str) -> Labels {
    [
        ("alertname".to_string(), alert.to_string()),
        ("instance".to_string(), instance.to_string()),
    ]
    .into()
}

fn row(
    alert: &str,
    instance: &str,
    state: TransitionState,
    at: DateTime<Utc>,
    starts_at: Option<DateTime<Utc>>,
) -> NewTransition {
    let labels = labels(alert, instance);
    NewTransition {
        at,
        alertname: alert.into(),
        fingerprint: fingerprint(&labels),
        upstream: "prom".into(),
        state,
        source: TransitionSource::Poll,
        labels,
        starts_at,
        ends_at: (state == TransitionState::Resolved).then_some(at),
        unless_since: None,
    }
}

/// Whole seconds, so times read back equal on both backends.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap_or_default()
}

/// One firing episode of `minutes` ending `ago` before `now`.
fn episode(alert: &str, instance: &str, end: DateTime<Utc>, minutes: i64) -> [NewTransition; 2] {
    let start = end - Duration::minutes(minutes);
    [
        row(alert, instance, TransitionState::Firing, start, Some(start)),
        row(alert, instance, TransitionState::Resolved, end, Some(start)),
    ]
}

pub(super) async fn history_aggregates_are_counted_in_sql(h: &Harness) {
    let store = &h.stores.history;
    let now = now();
    let mut rows = Vec::new();
    // Two hours ago on db1 (10 min), 3 days ago on db2 (30 min), 20 days
    // ago on db1 (60 min), 60 days ago on db1 (5 min), 200 days ago.
    rows.extend(episode("Down", "db1", now - Duration::hours(2), 10));
    rows.extend(episode("Down", "db2", now - Duration::days(3), 30));
    rows.extend(episode("Down", "db1", now - Duration::days(20), 60));
    rows.extend(episode("Down", "db1", now - Duration::days(60), 5));
    rows.extend(episode("Down", "db3", now - Duration::days(200), 1));
    rows.push(row("Down", "db1", TransitionState::Silenced, now, None));
    rows.extend(episode("Other", "x", now - Duration::hours(1), 1));
    assert_eq!(store.record(&rows).await.unwrap(), rows.len() as u64);

    let facts = store.facts("Down", now, 30, 10).await.unwrap();
    assert_eq!(
        (
            facts.fired_24h,
            facts.fired_7d,
            facts.fired_30d,
            facts.fired_90d
        ),
        (1, 2, 3, 4)
    );
    let mut durations = facts.durations_secs.clone();
    durations.sort_by(f64::total_cmp);
    assert_eq!(durations, [600.0, 1800.0, 3600.0]);
    assert_eq!(
        facts.top_instances,
        [("db1".to_string(), 2), ("db2".to_string(), 1)]
    );
    let per_day: u64 = facts.per_day.iter().map(|(_, n)| n).sum();
    assert_eq!(per_day, 3);
    let newest_day = (now - Duration::hours(2) - Duration::minutes(10)).timestamp() / 86_400;
    assert_eq!(facts.per_day.last(), Some(&(newest_day, 1)));
    let last = facts.last_fired.unwrap();
    assert_eq!(last.instance, "db1");
    assert_eq!(last.at, now - Duration::hours(2) - Duration::minutes(10));
    assert_eq!(last.resolved_at, Some(now - Duration::hours(2)));

    let year = store.facts("Down", now, 400, 1).await.unwrap();
    assert_eq!(year.durations_secs.len(), 5);
    assert_eq!(year.top_instances, [("db1".to_string(), 3)]);
    let none = store.facts("Nothing", now, 30, 10).await.unwrap();
    assert_eq!(none, Default::default());
}

pub(super) async fn history_guard_records_one_firing_once(h: &Harness) {
    let store = &h.stores.history;
    let now = now();
    let start = now - Duration::minutes(5);
    let mut poll = row("Down", "db1", TransitionState::Firing, now, Some(start));
    poll.unless_since = Some(start);
    assert_eq!(store.record(std::slice::from_ref(&poll)).await.unwrap(), 1);
    // The webhook's notification of the same firing, then its repeat.
    let mut hook = row("Down", "db1", TransitionState::Firing, start, Some(start));
    hook.source = TransitionSource::Webhook;
    hook.unless_since = Some(start - Duration::minutes(1));
    assert_eq!(store.record(&[hook.clone(), hook]).await.unwrap(), 0);
    // Another series is not guarded by this one.
    let mut other = row("Down", "db2", TransitionState::Firing, now, Some(start));
    other.unless_since = Some(start);
    assert_eq!(store.record(&[other]).await.unwrap(), 1);
    let facts = store.facts("Down", now, 1, 10).await.unwrap();
    assert_eq!(facts.fired_24h, 2);
    let raw = h
        .raw
        .texts("SELECT source FROM alert_transitions ORDER BY id")
        .await
        .unwrap();
    assert_eq!(raw, ["poll", "poll"]);
}

pub(super) async fn history_open_series_are_the_unresolved_ones(h: &Harness) {
    let store = &h.stores.history;
    let now = now();
    let mut rows = Vec::new();
    rows.extend(episode("Down", "done", now - Duration::hours(1), 10));
    let start = now - Duration::minutes(3);
    rows.push(row(
        "Down",
        "open",
        TransitionState::Firing,
        start,
        Some(start),
    ));
    rows.push(row(
        "Down",
        "open",
        TransitionState::Silenced,
        now,
        Some(start),
    ));
    rows.push(row(
        "Down",
        "waits",
        TransitionState::Pending,
        now,
        Some(now),
    ));
    store.record(&rows).await.unwrap();
    let mut open = store.open_series().await.unwrap();
    open.sort_by(|a, b| a.labels["instance"].cmp(&b.labels["instance"]));
    let seen: Vec<_> = open
        .iter()
        .map(|o| (o.labels["instance"].as_str(), o.state, o.starts_at))
        .collect();
    assert_eq!(
        seen,
        [
            ("open", TransitionState::Silenced, Some(start)),
            ("waits", TransitionState::Pending, Some(now)),
        ]
    );
    assert_eq!(open[0].fingerprint, fingerprint(&labels("Down", "open")));
    assert_eq!(open[0].upstream, "prom");
}

pub(super) async fn history_is_append_only_but_for_pruning(h: &Harness) {
    let store = &h.stores.history;
    let now = now();
    let mut rows = Vec::new();
    rows.extend(episode("Down", "old", now - Duration::days(500), 10));
    rows.extend(episode("Down", "new", now - Duration::hours(2), 10));
    store.record(&rows).await.unwrap();
    let update = h
        .raw
        .execute("UPDATE alert_transitions SET upstream = 'x'")
        .await
        .unwrap_err();
    assert!(update.contains("append-only"), "{update}");
    let delete = h
        .raw
        .execute("DELETE FROM alert_transitions")
        .await
        .unwrap_err();
    assert!(delete.contains("append-only"), "{delete}");
    // Pruning one row at a time, then nothing left to prune.
    assert_eq!(store.prune(now - Duration::days(400), 1).await.unwrap(), 1);
    assert_eq!(store.prune(now - Duration::days(400), 10).await.unwrap(), 1);
    assert_eq!(store.prune(now - Duration::days(400), 10).await.unwrap(), 0);
    let left = h
        .raw
        .texts("SELECT instance FROM alert_transitions")
        .await
        .unwrap();
    assert_eq!(left, ["new", "new"]);
    // Younger than a day: refused even when asked to.
    let refused = store.prune(now + Duration::days(1), 10).await.unwrap_err();
    assert!(refused.to_string().contains("append-only"), "{refused}");
}
