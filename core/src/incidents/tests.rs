use portal_types::IncidentAction as A;
use portal_types::IncidentStatus;

use super::*;

async fn timeline() -> (tempfile::TempDir, Timeline) {
    let dir = tempfile::tempdir().unwrap();
    let stores = crate::test_support::stores(&dir).await;
    (dir, Timeline::from_stores(&stores))
}

fn disk_full() -> NewIncident {
    NewIncident {
        title: "Disk full".into(),
        runbook_key: Some("node/HostOutOfDiskSpace".into()),
        labels: [("instance".to_string(), "db1:9100".to_string())].into(),
        checklist: vec!["Free space".into(), "Grow the volume".into()],
        ..Default::default()
    }
}

#[tokio::test]
async fn open_writes_incident_and_first_event() {
    let (_dir, timeline) = timeline().await;
    let incident = timeline.open(disk_full(), "alice").await.unwrap();
    assert_eq!(incident.status, IncidentStatus::Open);
    assert_eq!(incident.events.len(), 1);
    assert_eq!(incident.events[0].actor, "alice");
    assert!(incident.events[0].summary.contains("instance=db1:9100"));
    assert_eq!(incident.checklist.len(), 2);
    let again = timeline.open(disk_full(), "bob").await.unwrap_err();
    assert!(matches!(again, Error::Conflict(_)));
    let current = timeline
        .current_for_runbook("node/HostOutOfDiskSpace")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.id, incident.id);
}

#[tokio::test]
async fn every_action_is_one_event_and_transitions_are_checked() {
    let (_dir, timeline) = timeline().await;
    let mut live = timeline.subscribe();
    let id = timeline.open(disk_full(), "alice").await.unwrap().id;
    assert_eq!(live.recv().await.unwrap().kind, "opened");
    let actions = [
        A::Ack,
        A::Note {
            text: "looking".into(),
        },
        A::Checklist {
            step: 1,
            done: true,
        },
        A::Checklist {
            step: 1,
            done: false,
        },
        A::Checklist {
            step: 0,
            done: true,
        },
        A::Severity {
            severity: "critical".into(),
        },
        A::LinkRunbook {
            runbook: "node/HostHighCpuLoad".into(),
        },
        A::CheckResult {
            check: "disk".into(),
            outcome: portal_types::CheckStatus::Fail,
            detail: json!({"value": 99}),
        },
        A::Resolve {
            reason: Some("cleaned /var/log".into()),
        },
    ];
    for action in actions {
        timeline.act(id, action, "bob").await.unwrap();
        live.recv().await.unwrap();
    }
    let incident = timeline.get(id).await.unwrap();
    let kinds: Vec<&str> = incident.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "acknowledged",
            "note",
            "step_done",
            "step_undone",
            "step_done",
            "severity_changed",
            "runbook_linked",
            "check_result",
            "resolved"
        ]
    );
    assert_eq!(incident.status, IncidentStatus::Resolved);
    assert_eq!(incident.acknowledged_by.as_deref(), Some("bob"));
    assert_eq!(incident.resolved_by.as_deref(), Some("bob"));
    assert_eq!(incident.severity.as_deref(), Some("critical"));
    assert!(incident.checklist[0].done && !incident.checklist[1].done);

    let err = |e: Error| match e {
        Error::Conflict(_) => 409,
        Error::BadRequest(_) => 400,
        Error::NotFound(_) => 404,
        _ => 500,
    };
    let resolve = || A::Resolve { reason: None };
    assert_eq!(
        err(timeline.act(id, resolve(), "x").await.unwrap_err()),
        409
    );
    assert_eq!(
        err(timeline
            .act(
                id,
                A::Checklist {
                    step: 0,
                    done: false
                },
                "x"
            )
            .await
            .unwrap_err()),
        409
    );
    assert_eq!(
        err(timeline
            .act(999, A::Note { text: "x".into() }, "x")
            .await
            .unwrap_err()),
        404
    );
    assert_eq!(
        err(timeline
            .act(id, A::Note { text: " ".into() }, "x")
            .await
            .unwrap_err()),
        400
    );
    assert_eq!(
        err(timeline
            .act(
                id,
                A::Severity {
                    severity: "DROP TABLE;".into()
                },
                "x"
            )
            .await
            .unwrap_err()),
        400
    );
    timeline
        .act(id, A::Reopen { reason: None }, "carol")
        .await
        .unwrap();
    assert_eq!(
        err(timeline
            .act(
                id,
                A::Checklist {
                    step: 7,
                    done: true
                },
                "x"
            )
            .await
            .unwrap_err()),
        400
    );
    assert_eq!(
        err(timeline
            .act(
                id,
                A::Checklist {
                    step: 0,
                    done: true
                },
                "x"
            )
            .await
            .unwrap_err()),
        409
    );
    let incident = timeline.get(id).await.unwrap();
    assert_eq!(incident.status, IncidentStatus::Open);
    assert_eq!(incident.events.len(), 11, "refused actions wrote nothing");
}

fn signal(fingerprint: &str, firing: bool) -> AlertSignal {
    AlertSignal {
        firing,
        fingerprint: fingerprint.into(),
        alertname: Some("HostOutOfDiskSpace".into()),
        labels: [("instance".to_string(), fingerprint.to_string())].into(),
        title: format!("HostOutOfDiskSpace on {fingerprint}"),
        severity: Some("warning".into()),
        runbook_key: None,
        checklist: vec!["a".into()],
        starts_at: None,
        ends_at: None,
        generator_url: None,
    }
}

#[tokio::test]
async fn webhook_alerts_open_once_per_fingerprint_and_resolve() {
    let (_dir, timeline) = timeline().await;
    let first = timeline
        .ingest(
            vec![signal("a", true), signal("b", true), signal("a", true)],
            "am",
            false,
        )
        .await
        .unwrap();
    assert_eq!(first.opened.len(), 2);
    assert_eq!(first.unchanged, 1);
    let repeat = timeline
        .ingest(vec![signal("a", true)], "am", false)
        .await
        .unwrap();
    assert_eq!((repeat.events, repeat.unchanged), (0, 1));
    let resolved = timeline
        .ingest(vec![signal("a", false)], "am", false)
        .await
        .unwrap();
    assert_eq!(resolved.events, 1);
    let again = timeline
        .ingest(vec![signal("a", false)], "am", false)
        .await
        .unwrap();
    assert_eq!(
        again.events, 0,
        "a repeated resolved notification adds nothing"
    );
    let a = timeline.get(first.opened[0]).await.unwrap();
    assert_eq!(a.status, IncidentStatus::Open);
    assert_eq!(a.events.last().unwrap().kind, "alert_resolved");
    let closing = timeline
        .ingest(vec![signal("b", false)], "am", true)
        .await
        .unwrap();
    assert_eq!(closing.events, 2);
    assert_eq!(
        timeline.get(first.opened[1]).await.unwrap().status,
        IncidentStatus::Resolved
    );
    let reopened = timeline
        .ingest(vec![signal("b", true)], "am", true)
        .await
        .unwrap();
    assert_eq!(
        reopened.opened.len(),
        1,
        "a new incident once the old one is resolved"
    );
    let page = timeline
        .list(&portal_types::IncidentQuery {
            status: Some("active".into()),
            limit: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((page.total, page.items.len()), (2, 2));
    let err = timeline
        .act(first.opened[1], A::Reopen { reason: None }, "x")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Conflict(_)),
        "unique open fingerprint: {err}"
    );
}

#[tokio::test]
async fn postmortem_lists_events_in_order() {
    let (_dir, timeline) = timeline().await;
    let id = timeline.open(disk_full(), "alice").await.unwrap().id;
    timeline
        .act(
            id,
            A::Checklist {
                step: 0,
                done: true,
            },
            "bob",
        )
        .await
        .unwrap();
    timeline
        .act(
            id,
            A::Note {
                text: "a | pipe".into(),
            },
            "bob",
        )
        .await
        .unwrap();
    timeline
        .act(id, A::Resolve { reason: None }, "alice")
        .await
        .unwrap();
    let text = postmortem::markdown(&timeline.get(id).await.unwrap());
    let pos = |s: &str| {
        text.find(s)
            .unwrap_or_else(|| panic!("{s} missing in {text}"))
    };
    assert!(pos("opened the incident") < pos("done: Free space"));
    assert!(pos("done: Free space") < pos("a \\| pipe"));
    assert!(pos("- [x] Free space — bob") > pos("## Mitigation steps"));
    assert!(text.contains("- [ ] Grow the volume"));
}

/// Concurrent actions share commits, but a refused one rolls back alone:
/// of two acknowledgements exactly one wins, and every note lands.
#[tokio::test]
async fn a_refused_action_in_a_batch_leaves_the_others() {
    let (_dir, timeline) = timeline().await;
    let id = timeline.open(disk_full(), "alice").await.unwrap().id;
    let mut tasks = Vec::new();
    for n in 0..20 {
        let timeline = timeline.clone();
        tasks.push(tokio::spawn(async move {
            let action = match n {
                5 | 15 => A::Ack,
                _ => A::Note {
                    text: format!("note {n}"),
                },
            };
            timeline.act(id, action, "bob").await
        }));
    }
    let mut refused = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => {}
            Err(Error::Conflict(_)) => refused += 1,
            Err(other) => panic!("unexpected {other}"),
        }
    }
    assert_eq!(refused, 1, "one acknowledgement is refused");
    let incident = timeline.get(id).await.unwrap();
    let kinds: Vec<&str> = incident.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "note").count(),
        18,
        "{kinds:?}"
    );
    assert_eq!(kinds.iter().filter(|k| **k == "acknowledged").count(), 1);
    assert_eq!(incident.status, IncidentStatus::Acknowledged);
}
