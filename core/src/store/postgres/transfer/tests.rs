//! `transfer::copy` from a SQLite file filled through the engines and the
//! store traits into a throwaway PostgreSQL, and back into a fresh SQLite:
//! every row equal with its id and times, new rows after the copy get fresh
//! ids, the ledgers still refuse an UPDATE, a non-empty target is refused.

use chrono::{DateTime, SubsecRound, TimeZone, Utc};
use portal_types::{CheckResult, CheckStatus, IncidentAction, Origin};
use serde_json::json;
use sqlx::PgPool;

use crate::incidents::{NewIncident, Timeline};
use crate::store::history::{NewTransition, TransitionSource, TransitionState, fingerprint};
use crate::store::postgres::testdb::Cluster;
use crate::store::transfer::{self, After, Batch, Table, TransferError};
use crate::store::{NewEvent, NewIncidentRecord, NewRevision, Stores, sqlite};

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, minute, 0).unwrap()
}

fn check_result(check: &str, status: CheckStatus, incident: Option<i64>) -> CheckResult {
    CheckResult {
        check: check.into(),
        kind: "promql".into(),
        status,
        message: "0.5 > 0".into(),
        value: Some("0.5".into()),
        target: "up".into(),
        started_at: Utc::now(),
        duration_ms: 12,
        excerpt: Some("ok".into()),
        series: Vec::new(),
        more_series: 0,
        actor: "alice".into(),
        labels: [("instance".to_string(), "db1".to_string())].into(),
        incident_id: incident,
    }
}

/// Incidents (resolved, reopened, one from a webhook with a fingerprint, one
/// with a long timeline), revisions with parents and a deletion, the
/// import's files seen, check runs and tokens, one of them revoked.
async fn fill(stores: &Stores) {
    let timeline = Timeline::from_stores(stores);
    let opened = |title: &str, key: &str| NewIncident {
        title: title.into(),
        runbook_key: Some(key.into()),
        alertname: Some("HostHighCpuLoad".into()),
        labels: [("instance".to_string(), "web1:9100".to_string())].into(),
        severity: Some("critical".into()),
        checklist: vec!["Scale out".into(), "Page the owner".into()],
    };
    let resolved = timeline
        .open(opened("CPU high", "node/HostHighCpuLoad"), "alice")
        .await
        .unwrap();
    for action in [
        IncidentAction::Ack,
        IncidentAction::Note {
            text: "looking ünïcode ✓".into(),
        },
        IncidentAction::Checklist {
            step: 1,
            done: true,
        },
        IncidentAction::Resolve {
            reason: Some("scaled".into()),
        },
    ] {
        timeline.act(resolved.id, action, "alice").await.unwrap();
    }
    let reopened = timeline
        .open(opened("Disk full", "node/HostOutOfDiskSpace"), "bob")
        .await
        .unwrap();
    for action in [
        IncidentAction::Resolve { reason: None },
        IncidentAction::Reopen {
            reason: Some("back".into()),
        },
        IncidentAction::Ack,
    ] {
        timeline.act(reopened.id, action, "bob").await.unwrap();
    }

    // A webhook's incident, with a long timeline (several batches).
    let labels = [("alertname".to_string(), "Down".to_string())].into();
    let mut tx = stores.incidents.begin().await.unwrap();
    let webhook = tx
        .insert(&NewIncidentRecord {
            title: "Target down",
            severity: None,
            runbook_key: None,
            alertname: Some("Down"),
            labels: &labels,
            fingerprint: Some("f00d"),
            opened_at: at(0),
            opened_by: "alertmanager",
            one_per_runbook: false,
        })
        .await
        .unwrap()
        .unwrap();
    for i in 0..1500 {
        let payload = json!({"n": i, "nested": {"x": [1.5, null, "s"]}});
        tx.append(&NewEvent {
            incident_id: webhook,
            at: at(1) + chrono::Duration::nanoseconds(i),
            actor: "alertmanager",
            kind: "notification",
            payload: &payload,
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let mut tx = stores.revisions.begin().await.unwrap();
    let mut parent = None;
    for (i, key) in ["node/A.md", "node/A.md", "node/B.md", "node/A.md"]
        .into_iter()
        .enumerate()
    {
        let source = format!("# {key} v{i}\n");
        let revision = tx
            .append(&NewRevision {
                key,
                parent: parent.filter(|_| key == "node/A.md"),
                source: &source,
                author: "filesystem",
                message: "import",
                origin: if i == 1 {
                    Origin::Web
                } else {
                    Origin::Filesystem
                },
                deleted: i == 2,
            })
            .await
            .unwrap();
        if key == "node/A.md" {
            parent = Some(revision.id);
        }
    }
    for i in 0..1100 {
        tx.mark_seen(
            &format!("g{i:04}/Alert.md"),
            &format!("{i:064x}"),
            Utc::now(),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    for (check, status, incident) in [
        ("up", CheckStatus::Pass, None),
        ("up", CheckStatus::Fail, Some(resolved.id)),
        ("dns", CheckStatus::Error, Some(reopened.id)),
    ] {
        let result = check_result(check, status, incident);
        stores.checks.record("node/A", &result).await.unwrap();
    }

    stores.tokens.insert("ci", "hash-1", at(2)).await.unwrap();
    assert!(stores.tokens.revoke("ci", at(3)).await.unwrap());
    stores.tokens.insert("ci", "hash-2", at(4)).await.unwrap();
    stores.tokens.insert("bot", "hash-3", at(5)).await.unwrap();

    // Alert history: more than a batch, every state and source.
    let rows: Vec<NewTransition> = (0..1200usize)
        .map(|i| {
            let labels: portal_types::Labels =
                [("alertname".to_string(), format!("A{}", i % 7))].into();
            let state = TransitionState::ALL[i % TransitionState::ALL.len()];
            let webhook = i % 2 == 1;
            NewTransition {
                at: at(6) + chrono::Duration::milliseconds(i as i64),
                alertname: "Down".into(),
                fingerprint: fingerprint(&labels),
                upstream: "prom".into(),
                state,
                source: [TransitionSource::Poll, TransitionSource::Webhook][usize::from(webhook)],
                labels,
                starts_at: (i % 3 == 0).then(|| at(5)),
                ends_at: (state == TransitionState::Resolved).then(|| at(7)),
                unless_since: None,
            }
        })
        .collect();
    assert_eq!(stores.history.record(&rows).await.unwrap(), 1200);
}

/// Every row of every table, read through the store's transfer source.
async fn dump(stores: &Stores) -> Vec<Batch> {
    let mut source = stores.transfer.source().await.unwrap();
    let mut all = Vec::new();
    for table in Table::ALL {
        let rows = source.count(table).await.unwrap();
        let batch = source
            .read(table, &After::Start, u32::MAX >> 1)
            .await
            .unwrap();
        assert_eq!(batch.len() as u64, rows, "{}", table.name());
        all.push(batch);
    }
    all
}

/// PostgreSQL keeps times to the microsecond.
fn micros(batches: &mut [Batch]) {
    let t = |at: &mut DateTime<Utc>| *at = at.trunc_subsecs(6);
    let o = |at: &mut Option<DateTime<Utc>>| *at = at.map(|at| at.trunc_subsecs(6));
    for batch in batches {
        match batch {
            Batch::Incidents(rows) => rows.iter_mut().for_each(|r| {
                t(&mut r.opened_at);
                o(&mut r.acknowledged_at);
                o(&mut r.resolved_at);
            }),
            Batch::IncidentEvents(rows) => rows.iter_mut().for_each(|r| t(&mut r.at)),
            Batch::RunbookRevisions(rows) => rows.iter_mut().for_each(|r| t(&mut r.created_at)),
            Batch::RunbookFilesSeen(rows) => rows.iter_mut().for_each(|r| t(&mut r.seen_at)),
            Batch::CheckRuns(rows) => rows.iter_mut().for_each(|r| t(&mut r.started_at)),
            Batch::ApiTokens(rows) => rows.iter_mut().for_each(|r| {
                t(&mut r.created_at);
                o(&mut r.revoked_at);
            }),
            // SQLite keeps alert history to the millisecond, as written.
            Batch::AlertTransitions(_) => {}
        }
    }
}

fn max_id(batches: &[Batch], table: Table) -> i64 {
    let ids: Vec<i64> = match &batches[Table::ALL.iter().position(|t| *t == table).unwrap()] {
        Batch::Incidents(rows) => rows.iter().map(|r| r.id).collect(),
        Batch::IncidentEvents(rows) => rows.iter().map(|r| r.id).collect(),
        Batch::RunbookRevisions(rows) => rows.iter().map(|r| r.id).collect(),
        Batch::CheckRuns(rows) => rows.iter().map(|r| r.id).collect(),
        Batch::ApiTokens(rows) => rows.iter().map(|r| r.id).collect(),
        Batch::AlertTransitions(rows) => rows.iter().map(|r| r.id).collect(),
        Batch::RunbookFilesSeen(_) => unreachable!("keyed by text"),
    };
    ids.into_iter().max().unwrap()
}

async fn sqlite_file(dir: &tempfile::TempDir, name: &str) -> Stores {
    let path = dir.path().join(name);
    sqlite::open(path.to_str().unwrap(), sqlite::Durability::Normal)
        .await
        .unwrap()
}

#[tokio::test]
async fn transfer_sqlite_to_postgres_keeps_every_row_and_leaves_fresh_ids() {
    let dir = tempfile::tempdir().unwrap();
    let old = sqlite_file(&dir, "old.db").await;
    fill(&old).await;
    let cluster = Cluster::start();
    let url = cluster.fresh_database().await;
    let new = crate::store::open(&url).await.unwrap();

    let report = transfer::copy(&old, &new).await.unwrap();
    let mut expected = dump(&old).await;
    let counts: Vec<(Table, u64)> = expected
        .iter()
        .map(|b| (b.table(), b.len() as u64))
        .collect();
    assert_eq!(report.tables, counts);
    assert_eq!(counts[1], (Table::IncidentEvents, 1500 + 5 + 4));
    micros(&mut expected);
    let copied = dump(&new).await;
    for (want, got) in expected.iter().zip(&copied) {
        assert_eq!(want, got, "{}", want.table().name());
    }
    // The ordinary reads agree too.
    for id in 1..=3 {
        let (a, b) = (
            old.incidents.get(id).await.unwrap(),
            new.incidents.get(id).await.unwrap(),
        );
        assert_eq!(a.map(|r| r.summary().title), b.map(|r| r.summary().title));
        let (a, b) = (
            old.incidents.events(id).await.unwrap(),
            new.incidents.events(id).await.unwrap(),
        );
        let ids = |events: &[crate::store::EventRecord]| {
            events
                .iter()
                .map(|e| (e.id, e.kind.clone(), e.payload.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
    }
    assert_eq!(
        old.tokens.list().await.unwrap(),
        new.tokens.list().await.unwrap()
    );
    assert_eq!(
        new.tokens.lookup("hash-2").await.unwrap().as_deref(),
        Some("ci")
    );
    assert_eq!(
        new.tokens.lookup("hash-1").await.unwrap(),
        None,
        "still revoked"
    );
    assert_eq!(
        old.checks.latest("node/A").await.unwrap(),
        new.checks.latest("node/A").await.unwrap()
    );
    assert_eq!(
        old.revisions.current_files().await.unwrap(),
        new.revisions.current_files().await.unwrap()
    );

    // New rows after the copy take the next ids.
    let timeline = Timeline::from_stores(&new);
    let incident = timeline
        .open(
            NewIncident {
                title: "After the move".into(),
                ..Default::default()
            },
            "carol",
        )
        .await
        .unwrap();
    assert_eq!(incident.id, max_id(&copied, Table::Incidents) + 1);
    let event = timeline
        .act(incident.id, IncidentAction::Ack, "carol")
        .await
        .unwrap();
    assert!(
        event.id > max_id(&copied, Table::IncidentEvents),
        "{event:?}"
    );
    let mut tx = new.revisions.begin().await.unwrap();
    let revision = tx
        .append(&NewRevision {
            key: "node/C.md",
            parent: None,
            source: "# C\n",
            author: "carol",
            message: "new",
            origin: Origin::Web,
            deleted: false,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(revision.id, max_id(&copied, Table::RunbookRevisions) + 1);
    let run = new
        .checks
        .record("node/A", &check_result("up", CheckStatus::Pass, None))
        .await
        .unwrap();
    assert_eq!(run, max_id(&copied, Table::CheckRuns) + 1);
    new.tokens.insert("carol", "hash-4", at(6)).await.unwrap();

    // The ledgers still refuse to be rewritten.
    let raw = PgPool::connect(&url).await.unwrap();
    for (table, column) in [
        ("incident_events", "actor"),
        ("runbook_revisions", "author"),
        ("check_runs", "actor"),
    ] {
        let error = sqlx::query(&format!("UPDATE {table} SET {column} = 'mallory'"))
            .execute(&raw)
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("append-only"), "{table}: {error}");
    }
    raw.close().await;

    // And back: PostgreSQL into a fresh SQLite file, in small batches.
    let back = sqlite_file(&dir, "back.db").await;
    transfer::copy_in_batches(&new, &back, 7).await.unwrap();
    for (want, got) in dump(&new).await.iter().zip(&dump(&back).await) {
        assert_eq!(want, got, "{}", want.table().name());
    }
    for stores in [old, new, back] {
        stores.close().await;
    }
}

#[tokio::test]
async fn transfer_into_a_non_empty_target_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let old = sqlite_file(&dir, "old.db").await;
    fill(&old).await;
    let cluster = Cluster::start();
    let new = crate::store::open(&cluster.fresh_database().await)
        .await
        .unwrap();
    new.tokens.insert("already", "hash-x", at(9)).await.unwrap();
    let before = dump(&new).await;

    let error = transfer::copy(&old, &new).await.unwrap_err();
    assert!(
        matches!(
            error,
            TransferError::TargetNotEmpty {
                table: "api_tokens",
                rows: 1
            }
        ),
        "{error}"
    );
    assert!(
        error.to_string().contains("table api_tokens has 1 rows"),
        "{error}"
    );
    assert_eq!(dump(&new).await, before, "nothing written");
    // A second try after the refusal is refused the same way (no lock left).
    assert!(transfer::copy(&old, &new).await.is_err());
    old.close().await;
    new.close().await;
}
