//! The store suite's cases that go through the engines: a timeline and a
//! revision history round trip, and two portals on one database.

use super::*;

pub(super) async fn timeline_round_trip(h: &Harness) {
    let timeline = crate::incidents::Timeline::from_stores(&h.stores);
    let mut live = timeline.subscribe();
    let new = crate::incidents::NewIncident {
        title: "Disk full".into(),
        runbook_key: Some("node/HostOutOfDiskSpace".into()),
        alertname: Some("HostOutOfDiskSpace".into()),
        labels: [("instance".to_string(), "db1:9100".to_string())].into(),
        checklist: vec!["Free space".into()],
        ..Default::default()
    };
    let opened = timeline.open(new.clone(), "alice").await.unwrap();
    assert!(timeline.open(new, "bob").await.is_err(), "one per runbook");
    assert_eq!(live.recv().await.unwrap().kind, "opened");
    for action in [
        IncidentAction::Ack,
        IncidentAction::Note {
            text: "looking".into(),
        },
        IncidentAction::Checklist {
            step: 0,
            done: true,
        },
        IncidentAction::Resolve { reason: None },
        IncidentAction::Reopen { reason: None },
    ] {
        timeline.act(opened.id, action, "alice").await.unwrap();
    }
    let view = timeline.get(opened.id).await.unwrap();
    assert_eq!(view.status, IncidentStatus::Open);
    assert_eq!(view.events.len(), 6);
    assert!(view.checklist[0].done);
    assert_eq!(view.labels, opened.labels);
    let page = timeline
        .list(&IncidentQuery {
            status: Some("active".into()),
            alertname: Some("HostOutOfDiskSpace".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].id, opened.id);
    let none = timeline
        .list(&IncidentQuery {
            status: Some("resolved".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(none.total, 0);
    // A newer incident, resolved: newest first by default, after the
    // unresolved one when the list asks for active ones first.
    let later = crate::incidents::NewIncident {
        title: "CPU".into(),
        runbook_key: Some("node/HostHighCpuLoad".into()),
        ..Default::default()
    };
    let later = timeline.open(later, "bob").await.unwrap();
    let resolve = IncidentAction::Resolve { reason: None };
    timeline.act(later.id, resolve, "bob").await.unwrap();
    let ids = |page: IncidentPage| page.items.iter().map(|i| i.id).collect::<Vec<_>>();
    let newest = timeline.list(&IncidentQuery::default()).await.unwrap();
    assert_eq!(ids(newest), [later.id, opened.id]);
    let active_first = IncidentQuery {
        active_first: Some(true),
        ..Default::default()
    };
    let active = timeline.list(&active_first).await.unwrap();
    assert_eq!(ids(active), [opened.id, later.id]);
}

pub(super) async fn revisions_round_trip(h: &Harness) {
    use crate::revisions::{Revisions, SaveRequest};
    let revisions = Revisions::new(h.stores.revisions.clone());
    let save = |base, source: &str, author: &str| SaveRequest {
        path: "g/A.md".into(),
        base,
        source: source.into(),
        message: "m".into(),
        author: author.into(),
        origin: Origin::Web,
    };
    let saved = |outcome: SaveOutcome| match outcome {
        SaveOutcome::Saved { revision, .. } => revision.id,
        other => panic!("not saved: {other:?}"),
    };
    let base = saved(
        revisions
            .save(save(None, "a\nb\nc\n", "alice"))
            .await
            .unwrap(),
    );
    // Two edits of the same base at once, touching different lines: both
    // land, one merged on top of the other.
    let (left, right) = tokio::join!(
        revisions.save(save(Some(base), "A\nb\nc\n", "alice")),
        revisions.save(save(Some(base), "a\nb\nC\n", "bob")),
    );
    saved(left.unwrap());
    saved(right.unwrap());
    let current = revisions.current("g/A.md").await.unwrap().unwrap();
    assert_eq!(current.source, "A\nb\nC\n");
    let (history, total) = h.stores.revisions.history("g/A.md", 10, 0).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(history[0].id, current.id);
    let (files, max) = revisions.current_files().await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].text, "A\nb\nC\n");
    assert_eq!(max, current.id);
}

/// Two portal processes on one database (each its own pool, write
/// discipline and group-commit writer): a webhook flood split across them
/// opens one incident per fingerprint, and two overlapping edits of one
/// runbook give one save and one conflict.
pub(super) async fn two_portals_on_one_database(h: &Harness) {
    use crate::incidents::{AlertSignal, Timeline};
    use crate::revisions::{Revisions, SaveRequest};
    let other = crate::store::open(&h.url).await.unwrap();
    let portals = [
        Timeline::from_stores(&h.stores),
        Timeline::from_stores(&other),
    ];
    let signal = |fingerprint: &str| AlertSignal {
        firing: true,
        fingerprint: fingerprint.into(),
        alertname: Some("HostOutOfDiskSpace".into()),
        labels: [("instance".to_string(), fingerprint.to_string())].into(),
        title: format!("HostOutOfDiskSpace on {fingerprint}"),
        severity: Some("warning".into()),
        runbook_key: None,
        checklist: Vec::new(),
        starts_at: None,
        ends_at: None,
        generator_url: None,
    };
    let flood = (0..12).map(|n| {
        let portal = &portals[n % 2];
        portal.ingest(vec![signal("f1"), signal("f2")], "am", false)
    });
    let outcomes = futures_util::future::join_all(flood).await;
    let opened: usize = outcomes
        .into_iter()
        .map(|outcome| outcome.unwrap().opened.len())
        .sum();
    assert_eq!(opened, 2, "one incident per fingerprint");
    let (_, total) = h
        .stores
        .incidents
        .list(&Default::default(), 10, 0)
        .await
        .unwrap();
    assert_eq!(total, 2);

    let editors = [
        Revisions::new(h.stores.revisions.clone()),
        Revisions::new(other.revisions.clone()),
    ];
    let save = |base, source: &str| SaveRequest {
        path: "g/A.md".into(),
        base,
        source: source.into(),
        message: "m".into(),
        author: "alice".into(),
        origin: Origin::Web,
    };
    let base = match editors[0].save(save(None, "one\n")).await.unwrap() {
        SaveOutcome::Saved { revision, .. } => revision.id,
        other => panic!("not saved: {other:?}"),
    };
    let (left, right) = tokio::join!(
        editors[0].save(save(Some(base), "left\n")),
        editors[1].save(save(Some(base), "right\n")),
    );
    let outcomes = [left.unwrap(), right.unwrap()];
    let saved = outcomes
        .iter()
        .filter(|o| matches!(o, SaveOutcome::Saved { .. }))
        .count();
    let conflicts = outcomes
        .iter()
        .filter(|o| matches!(o, SaveOutcome::Conflict(_)))
        .count();
    assert_eq!((saved, conflicts), (1, 1), "{outcomes:?}");
    other.close().await;
}
