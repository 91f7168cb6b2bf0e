//! One store test suite for every backend: what the schema promises
//! (append-only ledgers, one open incident per fingerprint, tokens as
//! hashes), what the write discipline promises (a `Conflict` leaves the
//! transaction usable, concurrent writers of one runbook or incident
//! serialise), and a round trip through the engines. Each backend's tests
//! call [`run_all`] with a way to make a fresh, empty database.

use std::future::Future;

use chrono::{TimeZone, Utc};
use portal_types::{
    CheckResult, CheckStatus, IncidentAction, IncidentPage, IncidentQuery, IncidentStatus,
};
use portal_types::{Origin, SaveOutcome};

mod engines;
mod history;
mod writers;

use super::{NewEvent, NewIncidentRecord, NewRevision, StoreError, Stores};

/// Raw SQL on a backend's database, for the promises only the schema keeps
/// (the stores never issue an UPDATE on a ledger). Errors as text.
#[async_trait::async_trait]
pub(crate) trait RawSql: Send + Sync {
    async fn execute(&self, sql: &str) -> Result<u64, String>;
    /// The first column of every row, as text.
    async fn texts(&self, sql: &str) -> Result<Vec<String>, String>;
}

/// A fresh database: its stores, its URL (a second `store::open` of it is
/// another portal process), raw SQL on it, and whatever must live as long as
/// it (a temporary directory).
pub(crate) struct Harness {
    pub stores: Stores,
    pub url: String,
    pub raw: Box<dyn RawSql>,
    pub keep: Box<dyn std::any::Any + Send + Sync>,
}

/// Every case, each on a fresh database from `fresh`, in order; the case's
/// name goes to stderr first so a failure names it.
pub(crate) async fn run_all<F, Fut>(backend: &str, fresh: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Harness>,
{
    macro_rules! run {
        ($($case:ident),* $(,)?) => {
            $(
                eprintln!("{backend}: store case {}", stringify!($case));
                let harness = fresh().await;
                $case(&harness).await;
                harness.stores.close().await;
                drop(harness.keep);
            )*
        };
    }
    use engines::{revisions_round_trip, timeline_round_trip, two_portals_on_one_database};
    use history::{
        history_aggregates_are_counted_in_sql, history_guard_records_one_firing_once,
        history_is_append_only_but_for_pruning, history_open_series_are_the_unresolved_ones,
    };
    use writers::{
        concurrent_actions_on_an_incident_serialise, concurrent_revision_saves_serialise,
        event_ids_are_committed_in_order, revision_ids_are_committed_in_order,
    };
    run!(
        ping_then_close,
        ledgers_refuse_update_and_delete,
        open_fingerprint_is_a_conflict_that_leaves_the_transaction_usable,
        reopen_conflict_leaves_the_transaction_usable,
        one_incident_per_runbook_when_asked,
        concurrent_revision_saves_serialise,
        revision_ids_are_committed_in_order,
        event_ids_are_committed_in_order,
        concurrent_actions_on_an_incident_serialise,
        a_dropped_transaction_writes_nothing,
        tokens_are_stored_as_hashes_and_live_names_are_unique,
        check_runs_keep_the_latest_per_check,
        timeline_round_trip,
        revisions_round_trip,
        two_portals_on_one_database,
        history_aggregates_are_counted_in_sql,
        history_guard_records_one_firing_once,
        history_open_series_are_the_unresolved_ones,
        history_is_append_only_but_for_pruning,
    );
}

fn at(minute: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, minute, 0).unwrap()
}

fn incident<'a>(
    fingerprint: Option<&'a str>,
    labels: &'a portal_types::Labels,
) -> NewIncidentRecord<'a> {
    NewIncidentRecord {
        title: "Disk full",
        severity: Some("high"),
        runbook_key: Some("node/Disk"),
        alertname: Some("Disk"),
        labels,
        fingerprint,
        opened_at: at(0),
        opened_by: "alice",
        one_per_runbook: false,
    }
}

fn event<'a>(incident_id: i64, kind: &'a str, payload: &'a serde_json::Value) -> NewEvent<'a> {
    NewEvent {
        incident_id,
        at: at(1),
        actor: "alice",
        kind,
        payload,
    }
}

fn revision<'a>(key: &'a str, parent: Option<i64>, source: &'a str) -> NewRevision<'a> {
    NewRevision {
        key,
        parent,
        source,
        author: "alice",
        message: "m",
        origin: Origin::Web,
        deleted: false,
    }
}

fn check_result(check: &str, status: CheckStatus, minute: u32) -> CheckResult {
    CheckResult {
        check: check.into(),
        kind: "http".into(),
        status,
        message: format!("run at {minute}"),
        value: None,
        target: "http://x".into(),
        started_at: at(minute),
        duration_ms: 3,
        excerpt: None,
        series: Vec::new(),
        more_series: 0,
        actor: "alice".into(),
        labels: Default::default(),
        incident_id: None,
    }
}

async fn ping_then_close(h: &Harness) {
    h.stores.ping().await.unwrap();
    h.stores.close().await;
    assert!(h.stores.ping().await.is_err(), "a closed store answers");
}

async fn ledgers_refuse_update_and_delete(h: &Harness) {
    let labels = Default::default();
    let mut tx = h.stores.incidents.begin().await.unwrap();
    let id = tx.insert(&incident(None, &labels)).await.unwrap().unwrap();
    tx.append(&event(id, "opened", &serde_json::json!({})))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = h.stores.revisions.begin().await.unwrap();
    tx.append(&revision("g/A.md", None, "a")).await.unwrap();
    tx.commit().await.unwrap();
    h.stores
        .checks
        .record("g/A", &check_result("c", CheckStatus::Pass, 2))
        .await
        .unwrap();
    for (table, column) in [
        ("incident_events", "kind"),
        ("runbook_revisions", "author"),
        ("check_runs", "actor"),
    ] {
        let update = h
            .raw
            .execute(&format!("UPDATE {table} SET {column} = {column}"))
            .await
            .unwrap_err();
        assert!(update.contains("append-only"), "{table}: {update}");
        let delete = h
            .raw
            .execute(&format!("DELETE FROM {table}"))
            .await
            .unwrap_err();
        assert!(delete.contains("append-only"), "{table}: {delete}");
        let rows = h
            .raw
            .texts(&format!("SELECT {column} FROM {table}"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "{table} kept its row");
    }
}

async fn open_fingerprint_is_a_conflict_that_leaves_the_transaction_usable(h: &Harness) {
    let labels = Default::default();
    let mut tx = h.stores.incidents.begin().await.unwrap();
    let id = tx
        .insert(&incident(Some("f1"), &labels))
        .await
        .unwrap()
        .unwrap();
    let again = tx.insert(&incident(Some("f1"), &labels)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    // The batch carries on: reads and writes after the refusal work, and
    // the commit keeps what came before and after it.
    assert_eq!(tx.open_for_fingerprint("f1").await.unwrap(), Some(id));
    tx.append(&event(id, "opened", &serde_json::json!({"n": 1})))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let events = h.stores.incidents.events(id).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].payload, serde_json::json!({"n": 1}));
    let (page, total) = h
        .stores
        .incidents
        .list(&Default::default(), 10, 0)
        .await
        .unwrap();
    assert_eq!(
        (page.len(), total),
        (1, 1),
        "the refused insert wrote nothing"
    );
}

async fn reopen_conflict_leaves_the_transaction_usable(h: &Harness) {
    let labels = Default::default();
    let mut tx = h.stores.incidents.begin().await.unwrap();
    let first = tx
        .insert(&incident(Some("f1"), &labels))
        .await
        .unwrap()
        .unwrap();
    tx.resolve(first, at(5), "bob").await.unwrap();
    let second = tx
        .insert(&incident(Some("f1"), &labels))
        .await
        .unwrap()
        .unwrap();
    let reopened = tx.reopen(first).await;
    assert!(
        matches!(reopened, Err(StoreError::Conflict(_))),
        "{reopened:?}"
    );
    tx.acknowledge(second, at(6), "carol").await.unwrap();
    tx.commit().await.unwrap();
    let first = h.stores.incidents.get(first).await.unwrap().unwrap();
    assert_eq!(first.status, IncidentStatus::Resolved);
    assert_eq!(first.resolved_at, Some(at(5)));
    let second = h.stores.incidents.get(second).await.unwrap().unwrap();
    assert_eq!(second.status, IncidentStatus::Acknowledged);
    assert_eq!(second.acknowledged_by.as_deref(), Some("carol"));
}

async fn one_incident_per_runbook_when_asked(h: &Harness) {
    let labels = [("instance".to_string(), "db1".to_string())].into();
    let new = NewIncidentRecord {
        one_per_runbook: true,
        ..incident(None, &labels)
    };
    let mut tx = h.stores.incidents.begin().await.unwrap();
    let id = tx.insert(&new).await.unwrap().unwrap();
    assert_eq!(tx.insert(&new).await.unwrap(), None);
    tx.commit().await.unwrap();
    assert_eq!(
        h.stores
            .incidents
            .current_for_runbook("node/Disk")
            .await
            .unwrap(),
        Some(id)
    );
    let stored = h.stores.incidents.get(id).await.unwrap().unwrap();
    assert_eq!(stored.labels, labels);
    assert_eq!(stored.opened_at, at(0));
}

async fn a_dropped_transaction_writes_nothing(h: &Harness) {
    let labels = Default::default();
    let mut tx = h.stores.incidents.begin().await.unwrap();
    tx.insert(&incident(Some("f1"), &labels))
        .await
        .unwrap()
        .unwrap();
    drop(tx);
    let mut tx = h.stores.revisions.begin().await.unwrap();
    tx.append(&revision("g/A.md", None, "a")).await.unwrap();
    tx.mark_seen("g/A.md", "abc", at(1)).await.unwrap();
    drop(tx);
    let (_, total) = h
        .stores
        .incidents
        .list(&Default::default(), 10, 0)
        .await
        .unwrap();
    assert_eq!(total, 0);
    assert_eq!(h.stores.revisions.max_id().await.unwrap(), 0);
    let mut tx = h.stores.revisions.begin().await.unwrap();
    assert!(tx.files_seen().await.unwrap().is_empty());
    tx.mark_seen("g/A.md", "abc", at(1)).await.unwrap();
    tx.mark_seen("g/A.md", "def", at(2)).await.unwrap();
    assert_eq!(tx.files_seen().await.unwrap()["g/A.md"], "def");
    tx.forget_seen("g/A.md").await.unwrap();
    assert!(tx.files_seen().await.unwrap().is_empty());
    tx.commit().await.unwrap();
}

async fn tokens_are_stored_as_hashes_and_live_names_are_unique(h: &Harness) {
    let tokens = crate::tokens::Tokens::new(h.stores.tokens.clone());
    let secret = tokens.create("ci-bot").await.unwrap();
    let stored = h.raw.texts("SELECT hash FROM api_tokens").await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&secret["rbp_".len()..]), "{stored:?}");
    assert_eq!(
        tokens.lookup(&secret).await.unwrap().as_deref(),
        Some("ci-bot")
    );
    let store = &h.stores.tokens;
    let taken = store.insert("ci-bot", "other-hash", at(1)).await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    assert!(store.revoke("ci-bot", at(2)).await.unwrap());
    assert!(!store.revoke("ci-bot", at(3)).await.unwrap());
    assert_eq!(tokens.lookup(&secret).await.unwrap(), None);
    store.insert("ci-bot", "other-hash", at(4)).await.unwrap();
    let listed = store.list().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].revoked_at, Some(at(2)));
    assert_eq!(listed[1].created_at, at(4));
}

async fn check_runs_keep_the_latest_per_check(h: &Harness) {
    let checks = &h.stores.checks;
    checks
        .record("g/A", &check_result("b", CheckStatus::Fail, 1))
        .await
        .unwrap();
    checks
        .record("g/A", &check_result("a", CheckStatus::Pass, 2))
        .await
        .unwrap();
    checks
        .record("g/A", &check_result("b", CheckStatus::Error, 3))
        .await
        .unwrap();
    checks
        .record("g/B", &check_result("a", CheckStatus::Fail, 4))
        .await
        .unwrap();
    let latest = checks.latest("g/A").await.unwrap();
    let seen: Vec<_> = latest
        .iter()
        .map(|r| (r.check.as_str(), r.status))
        .collect();
    assert_eq!(seen, [("a", CheckStatus::Pass), ("b", CheckStatus::Error)]);
    assert_eq!(latest[1].started_at, at(3));
}
