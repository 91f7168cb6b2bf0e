//! The shared store suite on SQLite, and what only this backend promises
//! (WAL, `synchronous = FULL`, a held write lock is Busy), checked with raw
//! SQL (the only place outside the stores that writes any).

use super::*;
use crate::store::conformance::{self, Harness, RawSql};

struct Raw(SqlitePool);

#[async_trait::async_trait]
impl RawSql for Raw {
    async fn execute(&self, sql: &str) -> Result<u64, String> {
        sqlx::query(sql)
            .execute(&self.0)
            .await
            .map(|done| done.rows_affected())
            .map_err(|e| e.to_string())
    }

    async fn texts(&self, sql: &str) -> Result<Vec<String>, String> {
        sqlx::query_scalar(sql)
            .fetch_all(&self.0)
            .await
            .map_err(|e| e.to_string())
    }
}

async fn db(dir: &tempfile::TempDir) -> Db {
    connect(dir.path().join("t.db").to_str().unwrap(), Durability::Full)
        .await
        .unwrap()
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
async fn the_store_suite_passes_on_sqlite() {
    conformance::run_all("sqlite", || async {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("t.db");
        let stores = crate::store::open(url.to_str().unwrap()).await.unwrap();
        let raw = connect(url.to_str().unwrap(), Durability::Full)
            .await
            .unwrap();
        Harness {
            stores,
            url: url.to_str().unwrap().to_string(),
            raw: Box::new(Raw(raw.pool)),
            keep: Box::new(dir),
        }
    })
    .await;
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
