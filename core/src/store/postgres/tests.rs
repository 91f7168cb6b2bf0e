//! The shared store suite on a throwaway PostgreSQL cluster, and what only
//! this backend has to promise (its error mapping, migrations that a second
//! open finds applied).

use super::*;
use crate::store::conformance::{self, Harness, RawSql};
use testdb::Cluster;

struct Raw(PgPool);

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

async fn harness(cluster: &Cluster) -> Harness {
    let url = cluster.fresh_database().await;
    let stores = crate::store::open(&url).await.unwrap();
    let raw = PgPool::connect(&url).await.unwrap();
    Harness {
        stores,
        url,
        raw: Box::new(Raw(raw)),
        keep: Box::new(()),
    }
}

#[tokio::test]
async fn the_store_suite_passes_on_postgres() {
    let cluster = Cluster::start();
    conformance::run_all("postgres", || harness(&cluster)).await;
}

#[tokio::test]
async fn both_url_schemes_open_and_a_second_open_finds_the_schema() {
    let cluster = Cluster::start();
    let url = cluster.fresh_database().await;
    let first = crate::store::open(&url).await.unwrap();
    let other = url.replacen("postgres://", "postgresql://", 1);
    let second = crate::store::open(&other).await.unwrap();
    second.ping().await.unwrap();
    first.close().await;
    second.close().await;
    assert!(cluster.dir().join("data").is_dir());
}

#[tokio::test]
async fn the_ledgers_refuse_truncate_too() {
    let cluster = Cluster::start();
    let db = connect(&cluster.fresh_database().await).await.unwrap();
    for table in ["incident_events", "runbook_revisions", "check_runs"] {
        let error = sqlx::query(&format!("TRUNCATE {table} CASCADE"))
            .execute(&db.pool)
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("append-only"), "{table}: {error}");
    }
}

#[tokio::test]
async fn a_server_that_is_down_is_a_clear_error_at_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = std::time::Instant::now();
    let url = format!("postgres://portal@127.0.0.1:{port}/portal");
    let error = crate::store::open(&url).await.err().unwrap().to_string();
    assert!(
        error.contains(&format!("cannot connect to PostgreSQL at 127.0.0.1:{port}")),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(5), "it waited");
}

#[tokio::test]
async fn errors_map_to_conflict_busy_and_other() {
    let cluster = Cluster::start();
    let db = connect(&cluster.fresh_database().await).await.unwrap();
    let insert = "INSERT INTO incidents (title, status, fingerprint, opened_at, opened_by)
                  VALUES ('x', 'open', 'f1', now(), 'a')";
    sqlx::query(insert).execute(&db.pool).await.unwrap();
    let error = sqlx::query(insert).execute(&db.pool).await.unwrap_err();
    assert!(matches!(store_error(error), StoreError::Conflict(_)));
    // Another portal holds a row lock longer than this writer waits.
    let mut holder = db.pool.begin().await.unwrap();
    sqlx::query("SELECT id FROM incidents FOR UPDATE")
        .execute(&mut *holder)
        .await
        .unwrap();
    let mut waiter = db.pool.begin().await.unwrap();
    sqlx::query("SET LOCAL lock_timeout = '50ms'")
        .execute(&mut *waiter)
        .await
        .unwrap();
    let error = sqlx::query("SELECT id FROM incidents FOR UPDATE")
        .execute(&mut *waiter)
        .await
        .unwrap_err();
    assert!(matches!(store_error(error), StoreError::Busy(_)));
    let error = sqlx::query("SELECT * FROM no_such_table")
        .execute(&db.pool)
        .await
        .unwrap_err();
    assert!(matches!(store_error(error), StoreError::Other(_)));
}
