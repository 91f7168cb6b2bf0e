//! The PostgreSQL backend: a connection pool, its migrations (`migrations/`
//! beside this file, in PostgreSQL's dialect) embedded and applied at open,
//! and the write discipline of a database several portals may share:
//!
//! - every multi-statement write is one `READ COMMITTED` transaction
//!   ([`Write`]); what it must hold until commit it locks: the incident row
//!   (`SELECT … FOR UPDATE` in [`crate::store::IncidentTx::state`]), the
//!   runbook key (a transaction-scoped advisory lock in
//!   [`crate::store::RevisionTx::current`] and for a one-per-runbook insert);
//! - a statement that may fail with `Conflict` runs under a savepoint, so
//!   the transaction (a whole group commit) stays usable after it;
//! - the append-only ledgers are enforced by a trigger, the one open
//!   incident per fingerprint by a partial unique index.

mod checks;
mod feed;
#[cfg(test)]
mod feed_tests;
mod history;
mod incidents;
mod leader;
#[cfg(test)]
mod leader_tests;
mod listen;
mod revisions;
#[cfg(any(test, feature = "testdb"))]
pub mod testdb;
#[cfg(test)]
mod tests;
mod tokens;
mod transfer;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgPool, Postgres, Transaction};

use super::{Backend, Changes, StoreError, StoreResult, Stores, Topic};

/// This backend's migrations, compiled into the binary.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("src/store/postgres/migrations");

/// Open the database at `url` (`postgres://` or `postgresql://`), bring its
/// schema up to date, and bundle its stores. Replicas starting together are
/// safe: sqlx serialises migrations with an advisory lock.
pub async fn open(url: &str) -> StoreResult<Stores> {
    let db = connect(url).await?;
    let listener = listen::Listener::start(&db.pool).await?;
    let feed = feed::PgFeed::start(db.clone(), listener.follow(Topic::Timeline)).await?;
    Ok(Stores {
        incidents: Arc::new(incidents::PgIncidents(db.clone())),
        feed: Arc::new(feed),
        revisions: Arc::new(revisions::PgRevisions(db.clone())),
        checks: Arc::new(checks::PgCheckRuns(db.clone())),
        tokens: Arc::new(tokens::PgTokens(db.clone())),
        history: Arc::new(history::PgHistory(db.clone())),
        changes: Arc::new(listener),
        snapshots: Some(Arc::new(leader::PgSnapshots::new(db.clone()))),
        transfer: Arc::new(transfer::PgTransfer(db.clone())),
        backend: Arc::new(db),
    })
}

async fn connect(url: &str) -> StoreResult<Db> {
    let options = PgConnectOptions::from_str(url).map_err(store_error)?;
    // One connection first, so a server that is down or refuses us is a
    // clear error at once (the pool would retry a refused connection until
    // its acquire timeout and then only say "timed out").
    let probe = sqlx::PgConnection::connect_with(&options)
        .await
        .map_err(|e| {
            StoreError::Other(format!(
                "cannot connect to PostgreSQL at {}:{} (database {:?}, user {:?}): {e}",
                options.get_host(),
                options.get_port(),
                options.get_database().unwrap_or(options.get_username()),
                options.get_username(),
            ))
        })?;
    probe.close().await.map_err(store_error)?;
    let pool = PgPoolOptions::new()
        .max_connections(8)
        // Past it, a request is a 503. Short, because it is also how long
        // a request waits while the server is unreachable (the pool keeps
        // trying to connect until then): a responder should get the error
        // (and the page its other parts) in seconds. Queries take
        // milliseconds, so a healthy pool never waits this long.
        .acquire_timeout(Duration::from_secs(3))
        .connect_with(options)
        .await
        .map_err(store_error)?;
    MIGRATOR
        .run(&pool)
        .await
        .map_err(|e| StoreError::Other(format!("migrations failed: {e}")))?;
    Ok(Db { pool })
}

/// The pool, shared by every store of one database.
#[derive(Clone)]
struct Db {
    pool: PgPool,
}

/// One write transaction; dropping it rolls back.
struct Write {
    tx: Transaction<'static, Postgres>,
}

impl Db {
    async fn begin(&self) -> StoreResult<Write> {
        let tx = self.pool.begin().await.map_err(store_error)?;
        Ok(Write { tx })
    }
}

/// Advisory-lock namespaces, so a runbook key locked for a revision save and
/// the same key locked for an incident insert do not wait on each other (a
/// hash collision only makes two writers queue).
const REVISION_LOCK: &str = "revision:";
const INCIDENT_LOCK: &str = "incident:";
const FINGERPRINT_LOCK: &str = "fingerprint:";
/// Held by every incidents transaction: timeline commits take turns.
const TIMELINE_LOCK: &str = "timeline";

impl Write {
    async fn commit(self) -> StoreResult<()> {
        self.tx.commit().await.map_err(store_error)
    }

    /// Hold `namespace` + `key` until this transaction ends; another
    /// transaction (in any process) asking for it waits until then.
    async fn lock_key(&mut self, namespace: &str, key: &str) -> StoreResult<()> {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1 || $2, 0))")
            .bind(namespace)
            .bind(key)
            .execute(&mut *self.tx)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// Start a savepoint before a write that may fail with `Conflict`;
    /// [`Write::settle`] its result.
    async fn savepoint(&mut self) -> StoreResult<()> {
        sqlx::query("SAVEPOINT portal_statement")
            .execute(&mut *self.tx)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// Release the savepoint after a success; after a failure roll back to
    /// it, so only the failed statement is undone and the transaction
    /// carries on (PostgreSQL refuses every later statement of a
    /// transaction aborted by an error).
    async fn settle<T>(&mut self, result: sqlx::Result<T>) -> StoreResult<T> {
        let end = if result.is_ok() {
            "RELEASE SAVEPOINT portal_statement"
        } else {
            "ROLLBACK TO SAVEPOINT portal_statement"
        };
        sqlx::query(end)
            .execute(&mut *self.tx)
            .await
            .map_err(store_error)?;
        result.map_err(store_error)
    }
}

#[async_trait::async_trait]
impl Backend for Db {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query_scalar::<_, i32>("SELECT 1")
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// SQLSTATEs that mean "try again later": serialization_failure,
/// deadlock_detected, lock_not_available, too_many_connections, and the
/// server going away (admin_shutdown, crash_shutdown, cannot_connect_now).
/// Class 08 (connection exceptions) too.
const BUSY_STATES: &[&str] = &[
    "40001", "40P01", "55P03", "53300", "57P01", "57P02", "57P03",
];

/// sqlx's errors by kind; the driver's types stop here.
fn store_error(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::RowNotFound => StoreError::NotFound(error.to_string()),
        sqlx::Error::PoolTimedOut => StoreError::Busy(error.to_string()),
        // The server went away mid-connection: nothing was committed, and
        // the pool reconnects once it is back.
        sqlx::Error::Io(_) => StoreError::Busy(format!("database unreachable: {error}")),
        sqlx::Error::Database(e) if e.is_unique_violation() => {
            StoreError::Conflict(e.message().to_string())
        }
        sqlx::Error::Database(e)
            if e.code()
                .is_some_and(|c| c.starts_with("08") || BUSY_STATES.contains(&&*c)) =>
        {
            StoreError::Busy(e.message().to_string())
        }
        _ => StoreError::Other(error.to_string()),
    }
}
