//! What the schema and the connection settings promise, checked with raw
//! SQL (the only place outside the stores that writes any).

use super::*;

async fn db(dir: &tempfile::TempDir) -> Db {
    connect(dir.path().join("t.db").to_str().unwrap(), Durability::Full)
        .await
        .unwrap()
}

async fn refused(db: &Db, sql: &str) -> String {
    sqlx::query(sql)
        .execute(&db.pool)
        .await
        .unwrap_err()
        .to_string()
}

#[tokio::test]
async fn plain_path_and_url_both_work_and_use_wal() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir).await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    // 2 = FULL: an acknowledged commit survives power loss.
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(synchronous, 2);
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("b.db").display());
    let stores = crate::store::open(&url).await.unwrap();
    stores.ping().await.unwrap();
    stores.close().await;
    assert!(dir.path().join("b.db").exists());
}

#[tokio::test]
async fn ledgers_cannot_be_updated_or_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir).await;
    sqlx::query(
        "INSERT INTO incidents (title, status, opened_at, opened_by) VALUES ('x', 'open', '2026-01-01T00:00:00Z', 'a');
         INSERT INTO incident_events (incident_id, at, actor, kind) VALUES (1, '2026-01-01T00:00:00Z', 'a', 'opened');
         INSERT INTO runbook_revisions (runbook_key, source, author, created_at, origin) VALUES ('g/A.md', 'a', 'a', '2026-01-01T00:00:00Z', 'web');
         INSERT INTO check_runs (runbook_key, check_id, kind, status, actor, started_at, duration_ms, result)
             VALUES ('g/A', 'c', 'http', 'pass', 'a', '2026-01-01T00:00:00Z', 1, '{}');",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    for table in ["incident_events", "runbook_revisions", "check_runs"] {
        let update = refused(&db, &format!("UPDATE {table} SET id = id")).await;
        assert!(update.contains("append-only"), "{update}");
        let delete = refused(&db, &format!("DELETE FROM {table}")).await;
        assert!(delete.contains("append-only"), "{delete}");
    }
}

#[tokio::test]
async fn one_unresolved_incident_per_fingerprint_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir).await;
    let insert = "INSERT INTO incidents (title, status, fingerprint, opened_at, opened_by)
                  VALUES ('x', 'open', 'f1', '2026-01-01T00:00:00Z', 'a')";
    sqlx::query(insert).execute(&db.pool).await.unwrap();
    let error = sqlx::query(insert).execute(&db.pool).await.unwrap_err();
    assert!(matches!(store_error(error), StoreError::Conflict(_)));
}

#[tokio::test]
async fn a_held_write_lock_is_busy_not_internal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let db = db(&dir).await;
    // Another process's writer: its own pool, no shared gate, short wait.
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .busy_timeout(Duration::from_millis(50));
    let other = SqlitePool::connect_with(options).await.unwrap();
    let _held = db.gate.begin(&db.pool).await.unwrap();
    let error = other.begin_with("BEGIN IMMEDIATE").await.err().unwrap();
    assert!(matches!(store_error(error), StoreError::Busy(_)));
}

#[tokio::test]
async fn a_token_is_stored_as_its_hash_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir).await;
    let tokens = crate::tokens::Tokens::new(Arc::new(tokens::SqliteTokens(db.clone())));
    let secret = tokens.create("ci-bot").await.unwrap();
    let stored: String = sqlx::query_scalar("SELECT hash FROM api_tokens")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(!stored.contains(&secret["rbp_".len()..]), "{stored}");
}
