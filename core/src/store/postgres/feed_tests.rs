//! The timeline feed across portals sharing one PostgreSQL database.

use std::time::Duration;

use portal_types::{IncidentAction, TimelineEvent};
use tokio::sync::broadcast;

use super::testdb::Cluster;
use crate::incidents::{NewIncident, Timeline};

/// Wait at most this long for an event that should arrive in milliseconds.
const PATIENCE: Duration = Duration::from_secs(10);

async fn next(live: &mut broadcast::Receiver<TimelineEvent>) -> TimelineEvent {
    tokio::time::timeout(PATIENCE, live.recv())
        .await
        .expect("the event reached this portal")
        .expect("the feed is open")
}

fn note(text: String) -> IncidentAction {
    IncidentAction::Note { text }
}

#[tokio::test]
async fn every_portal_sees_every_commit_once_in_commit_order() {
    let cluster = Cluster::start();
    let url = cluster.fresh_database().await;
    let (a, b) = (
        crate::store::open(&url).await.unwrap(),
        crate::store::open(&url).await.unwrap(),
    );
    let portals = [Timeline::from_stores(&a), Timeline::from_stores(&b)];
    let mut viewers = [portals[0].subscribe(), portals[1].subscribe()];
    let incident = portals[0]
        .open(
            NewIncident {
                title: "disk full".into(),
                runbook_key: Some("g/A".into()),
                ..Default::default()
            },
            "alice",
        )
        .await
        .unwrap();
    // Notes through both portals at once: both group-commit writers race.
    let notes = (0..40).map(|n| portals[n % 2].act(incident.id, note(format!("n{n}")), "bob"));
    for written in futures_util::future::join_all(notes).await {
        written.unwrap();
    }
    for (portal, viewer) in viewers.iter_mut().enumerate() {
        let mut ids = Vec::new();
        let mut texts = Vec::new();
        for _ in 0..41 {
            let event = next(viewer).await;
            ids.push(event.id);
            if event.kind == "note" {
                texts.push(event.payload["text"].as_str().unwrap().to_string());
            }
        }
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "portal {portal}: in id order, once each: {ids:?}"
        );
        texts.sort();
        let mut expected: Vec<String> = (0..40).map(|n| format!("n{n}")).collect();
        expected.sort();
        assert_eq!(texts, expected, "portal {portal}: every note");
        assert!(
            !next_within(viewer, Duration::from_millis(300)).await,
            "portal {portal}: nothing twice"
        );
    }
    assert!(
        portals[1].version() > 0,
        "the other portal's pages are stale"
    );
    a.close().await;
    b.close().await;
}

async fn next_within(live: &mut broadcast::Receiver<TimelineEvent>, wait: Duration) -> bool {
    tokio::time::timeout(wait, live.recv()).await.is_ok()
}

#[tokio::test]
async fn events_arrive_without_their_notification_and_after_a_lost_listener() {
    let cluster = Cluster::start();
    let url = cluster.fresh_database().await;
    let (a, b) = (
        crate::store::open(&url).await.unwrap(),
        crate::store::open(&url).await.unwrap(),
    );
    let writer = Timeline::from_stores(&a);
    let mut viewer = Timeline::from_stores(&b).subscribe();
    let raw = sqlx::PgPool::connect(&url).await.unwrap();
    let incident = writer
        .open(
            NewIncident {
                title: "t".into(),
                ..Default::default()
            },
            "alice",
        )
        .await
        .unwrap();
    assert_eq!(next(&mut viewer).await.kind, "opened");

    // A notification that never comes (as behind a proxy that drops
    // them): the safety poll still brings the event.
    sqlx::query("ALTER TABLE incident_events DISABLE TRIGGER incident_events_notify")
        .execute(&raw)
        .await
        .unwrap();
    writer
        .act(incident.id, note("quiet".into()), "bob")
        .await
        .unwrap();
    assert_eq!(next(&mut viewer).await.payload["text"], "quiet");
    sqlx::query("ALTER TABLE incident_events ENABLE TRIGGER incident_events_notify")
        .execute(&raw)
        .await
        .unwrap();

    // Every LISTEN connection is killed (a failover, a restart): the
    // listeners reconnect and later events still arrive.
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'LISTEN%'",
    )
    .fetch_all(&raw)
    .await
    .unwrap();
    assert!(!killed.is_empty(), "the listeners were found");
    tokio::time::sleep(Duration::from_millis(200)).await;
    writer
        .act(incident.id, note("after".into()), "bob")
        .await
        .unwrap();
    assert_eq!(next(&mut viewer).await.payload["text"], "after");
    a.close().await;
    b.close().await;
}
