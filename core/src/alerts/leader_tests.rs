//! Hubs on a throwaway PostgreSQL: a follower serves what the leader
//! publishes, never polls, marks every upstream stale once nothing was
//! published for two intervals, and clears that when the leader is back; a
//! leader whose session dies steps down.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use portal_types::{UpstreamHealth, UpstreamKind};

use super::join::NoRunbooks;
use super::leader::{Election, Picture};
use super::prometheus::PromAlert;
use super::snapshot::{AlertSnapshot, Slot, SlotData};
use super::{AlertHub, Upstreams};
use crate::config::Upstream;
use crate::metrics::Metrics;
use crate::store::Topic;
use crate::store::postgres::testdb::Cluster;

async fn until(hub: &AlertHub, what: &str, check: impl Fn(&AlertSnapshot) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check(&hub.snapshot()) {
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_follower_serves_the_leaders_picture_and_says_when_it_stops() {
    let cluster = Cluster::start();
    let url = cluster.fresh_database().await;
    let leader_db = crate::store::open(&url).await.unwrap();
    let follower_db = crate::store::open(&url).await.unwrap();
    let snapshots = leader_db.alert_snapshots().unwrap();
    let mut lead = snapshots.try_lead("test").await.unwrap().expect("leads");

    // Nothing listens on port 1: a poll would fail loudly.
    let upstream = Upstream::from_url("http://127.0.0.1:1");
    let interval = Duration::from_secs(1);
    let hub = AlertHub::start(
        Upstreams {
            prometheus: std::slice::from_ref(&upstream),
            alertmanager: &[],
        },
        interval,
        Duration::from_secs(15),
        Arc::new(NoRunbooks),
        Arc::new(Metrics::new()),
        Some(Election {
            snapshots: follower_db.alert_snapshots().unwrap(),
            wake: follower_db.changes().follow(Topic::Alerts),
        }),
    );
    let mine = hub.snapshot().upstreams[0].clone();
    let picture = Picture {
        slots: vec![Slot {
            health: UpstreamHealth {
                last_success: Some(Utc::now()),
                last_error: None,
                stale_since: None,
                ..mine.clone()
            },
            data: SlotData::Prometheus {
                alerts: vec![PromAlert {
                    labels: BTreeMap::from([("alertname".into(), "A".into())]),
                    annotations: BTreeMap::new(),
                    state: "firing".into(),
                    active_at: Some(Utc::now()),
                    value: "1".into(),
                }],
                rules: Vec::new(),
            },
        }],
    };
    assert_eq!(mine.kind, UpstreamKind::Prometheus);
    let published = Instant::now();
    lead.publish(&serde_json::to_string(&picture).unwrap())
        .await
        .unwrap();
    until(&hub, "the published picture", |s| {
        s.alerts.len() == 1 && s.upstreams[0].healthy()
    })
    .await;
    assert!(published.elapsed() < interval, "woken, not polled");

    // The leader goes quiet: past two intervals every upstream is stale,
    // with the last known alerts still shown.
    until(&hub, "the stale mark", |s| !s.upstreams[0].healthy()).await;
    assert!(published.elapsed() >= interval * 2);
    let snapshot = hub.snapshot();
    let error = snapshot.upstreams[0].last_error.clone().unwrap_or_default();
    assert!(
        error.starts_with("no snapshot from the poller leader since "),
        "{error}"
    );
    assert_eq!(snapshot.alerts.len(), 1, "last known state kept");

    // Back with nothing new (a heartbeat): the mark goes.
    lead.heartbeat().await.unwrap();
    until(&hub, "the mark cleared", |s| s.upstreams[0].healthy()).await;
    assert!(!*hub.leading.borrow(), "the follower never polled");
}

#[tokio::test]
async fn a_leader_whose_session_dies_steps_down_and_then_shows_the_silence() {
    let cluster = Cluster::start();
    let url = cluster.fresh_database().await;
    let own_db = crate::store::open(&url).await.unwrap();
    let other_db = crate::store::open(&url).await.unwrap();
    let upstream = Upstream::from_url("http://127.0.0.1:1");
    let interval = Duration::from_secs(1);
    let hub = AlertHub::start(
        Upstreams {
            prometheus: std::slice::from_ref(&upstream),
            alertmanager: &[],
        },
        interval,
        Duration::from_secs(15),
        Arc::new(NoRunbooks),
        Arc::new(Metrics::new()),
        Some(Election {
            snapshots: own_db.alert_snapshots().unwrap(),
            wake: own_db.changes().follow(Topic::Alerts),
        }),
    );
    let other = other_db.alert_snapshots().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while other.latest(None).await.unwrap().is_none() {
        assert!(Instant::now() < deadline, "the hub never published");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(*hub.leading.borrow(), "alone, it leads");

    // Its session ends (an administrator, a failover of the database);
    // someone else takes the lock and publishes nothing.
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut taken = None;
    while taken.is_none() {
        assert!(Instant::now() < deadline, "the lock was never released");
        taken = other.try_lead("silent").await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    while *hub.leading.borrow() {
        assert!(Instant::now() < deadline, "the hub never stepped down");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    until(&hub, "the silence", |s| {
        s.upstreams[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("no snapshot from the poller leader since "))
    })
    .await;
}
