//! The write discipline: concurrent writers of one runbook or incident
//! serialise, and ledger ids become visible in commit order.

use std::time::Duration;

use portal_types::IncidentStatus;

use super::{Harness, at, event, incident, revision};

/// A save reads the current revision and appends on top of it; a second
/// save of the same file meanwhile must wait and then see the first one's
/// revision, never the same parent.
pub(super) async fn concurrent_revision_saves_serialise(h: &Harness) {
    let mut first = h.stores.revisions.begin().await.unwrap();
    assert!(first.current("g/A.md").await.unwrap().is_none());
    let stores = h.stores.clone();
    let second = tokio::spawn(async move {
        let mut tx = stores.revisions.begin().await.unwrap();
        let seen = tx.current("g/A.md").await.unwrap();
        let parent = seen.as_ref().map(|r| r.id);
        tx.append(&revision("g/A.md", parent, "two")).await.unwrap();
        tx.commit().await.unwrap();
        seen
    });
    // Give the second save every chance to read too early.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!second.is_finished(), "the second save did not wait");
    let one = first
        .append(&revision("g/A.md", None, "one"))
        .await
        .unwrap();
    first.commit().await.unwrap();
    let seen = second
        .await
        .unwrap()
        .expect("the second save saw no revision");
    assert_eq!(seen.id, one.id);
    assert_eq!(seen.source, "one");
    assert_eq!(seen.created_at, one.created_at);
    let current = h.stores.revisions.current("g/A.md").await.unwrap().unwrap();
    assert_eq!(current.parent_id, Some(one.id));
    assert_eq!(h.stores.revisions.max_id().await.unwrap(), current.id);
}

/// Revisions of two runbooks written at once still commit in id order: the
/// index sync treats the newest id as a watermark, so a smaller id must
/// never become visible after a larger one.
pub(super) async fn revision_ids_are_committed_in_order(h: &Harness) {
    let mut first = h.stores.revisions.begin().await.unwrap();
    first.current("g/A.md").await.unwrap();
    let a = first.append(&revision("g/A.md", None, "a")).await.unwrap();
    let stores = h.stores.clone();
    let second = tokio::spawn(async move {
        let mut tx = stores.revisions.begin().await.unwrap();
        tx.current("g/B.md").await.unwrap();
        let b = tx.append(&revision("g/B.md", None, "b")).await.unwrap();
        tx.commit().await.unwrap();
        b.id
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        h.stores.revisions.max_id().await.unwrap(),
        0,
        "a later revision committed before an earlier one"
    );
    first.commit().await.unwrap();
    let b = second.await.unwrap();
    assert!(a.id < b, "{} then {b}", a.id);
    assert_eq!(h.stores.revisions.max_id().await.unwrap(), b);
}

/// What an action reads of an incident stays true until it commits.
pub(super) async fn concurrent_actions_on_an_incident_serialise(h: &Harness) {
    let labels = Default::default();
    let mut tx = h.stores.incidents.begin().await.unwrap();
    let id = tx.insert(&incident(None, &labels)).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    let mut first = h.stores.incidents.begin().await.unwrap();
    assert_eq!(
        first.state(id).await.unwrap().unwrap().status,
        IncidentStatus::Open
    );
    let stores = h.stores.clone();
    let second = tokio::spawn(async move {
        let mut tx = stores.incidents.begin().await.unwrap();
        let state = tx.state(id).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        state.status
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!second.is_finished(), "the second action did not wait");
    first.acknowledge(id, at(3), "alice").await.unwrap();
    first.commit().await.unwrap();
    assert_eq!(second.await.unwrap(), IncidentStatus::Acknowledged);
}

/// Timeline events of two incidents written at once still commit in id
/// order: a feed shared by replicas reads new events by id, so a smaller id
/// must never become visible after a larger one.
pub(super) async fn event_ids_are_committed_in_order(h: &Harness) {
    let labels = Default::default();
    let mut setup = h.stores.incidents.begin().await.unwrap();
    let one = setup
        .insert(&incident(None, &labels))
        .await
        .unwrap()
        .unwrap();
    let two = setup
        .insert(&incident(None, &labels))
        .await
        .unwrap()
        .unwrap();
    setup.commit().await.unwrap();
    let payload = serde_json::json!({});
    let mut first = h.stores.incidents.begin().await.unwrap();
    let early = first.append(&event(one, "note", &payload)).await.unwrap();
    let stores = h.stores.clone();
    let second = tokio::spawn(async move {
        let payload = serde_json::json!({});
        let mut tx = stores.incidents.begin().await.unwrap();
        let late = tx.append(&event(two, "note", &payload)).await.unwrap();
        tx.commit().await.unwrap();
        late
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        h.stores.incidents.events(two).await.unwrap().is_empty(),
        "a later event committed before an earlier one"
    );
    first.commit().await.unwrap();
    let late = second.await.unwrap();
    assert!(early < late, "{early} then {late}");
}
