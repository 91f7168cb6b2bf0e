//! The SQLite backend: one file in WAL mode, foreign keys on, a busy
//! timeout, its migrations (`migrations/` beside this file) embedded and
//! applied at open, and the one write discipline every write transaction
//! follows ([`Gate::begin`]).

mod checks;
mod history;
mod incidents;
mod revisions;
#[cfg(test)]
mod tests;
mod tokens;
mod transfer;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::changes::Unshared;
use super::{Backend, BroadcastFeed, StoreError, StoreResult, Stores};

/// This backend's migrations, compiled into the binary.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("src/store/sqlite/migrations");

/// When a commit returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous = FULL`: the WAL is fsynced before a commit returns, so
    /// an event the portal said it saved survives power loss. The portal's
    /// setting; group commit (`incidents/batch.rs`) pays one fsync a batch.
    Full,
    /// `synchronous = NORMAL`: survives a process crash only. For the
    /// benchmark that measures what FULL costs.
    Normal,
}

/// Open `database` (a `sqlite:` URL or a plain file path, created if
/// missing), bring its schema up to date, and bundle its stores.
pub async fn open(database: &str, durability: Durability) -> StoreResult<Stores> {
    let db = connect(database, durability).await?;
    Ok(Stores {
        incidents: Arc::new(incidents::SqliteIncidents(db.clone())),
        feed: Arc::new(BroadcastFeed::default()),
        revisions: Arc::new(revisions::SqliteRevisions(db.clone())),
        checks: Arc::new(checks::SqliteCheckRuns(db.clone())),
        tokens: Arc::new(tokens::SqliteTokens(db.clone())),
        history: Arc::new(history::SqliteHistory(db.clone())),
        changes: Arc::new(Unshared),
        snapshots: None,
        transfer: Arc::new(transfer::SqliteTransfer(db.clone())),
        backend: Arc::new(db),
    })
}

async fn connect(database: &str, durability: Durability) -> StoreResult<Db> {
    let options = if database.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(database).map_err(store_error)?
    } else {
        SqliteConnectOptions::new()
            .filename(database)
            .create_if_missing(true)
    };
    let synchronous = match durability {
        Durability::Full => SqliteSynchronous::Full,
        Durability::Normal => SqliteSynchronous::Normal,
    };
    let options = options
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(synchronous)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(store_error)?;
    MIGRATOR
        .run(&pool)
        .await
        .map_err(|e| StoreError::Other(format!("migrations failed: {e}")))?;
    Ok(Db {
        pool,
        gate: Gate::default(),
    })
}

/// The pool and the write gate, shared by every store of one file.
#[derive(Clone)]
struct Db {
    pool: SqlitePool,
    gate: Gate,
}

/// The write discipline, for every multi-statement write: an in-process
/// mutex, so writers queue fairly in Tokio instead of spinning in SQLite's
/// busy handler, around a `BEGIN IMMEDIATE` transaction, which takes the
/// file's write lock at once, so another process sharing the file can never
/// make a read-then-write transaction fail half-way. Single-statement
/// writes (check runs, tokens) need neither and go straight to the pool.
#[derive(Clone, Default)]
struct Gate(Arc<Mutex<()>>);

/// A write transaction and the write turn that goes with it; dropping it
/// rolls back and gives the turn to the next writer.
struct Write {
    tx: Transaction<'static, Sqlite>,
    _turn: OwnedMutexGuard<()>,
}

impl Gate {
    async fn begin(&self, pool: &SqlitePool) -> StoreResult<Write> {
        let turn = self.0.clone().lock_owned().await;
        let tx = pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(store_error)?;
        Ok(Write { tx, _turn: turn })
    }
}

impl Write {
    async fn commit(self) -> StoreResult<()> {
        self.tx.commit().await.map_err(store_error)
    }
}

#[async_trait::async_trait]
impl Backend for Db {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query_scalar::<_, i64>("SELECT 1")
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// SQLite's result codes for "someone else holds the lock" (the primary
/// code is the low byte of an extended one).
const SQLITE_BUSY: i64 = 5;
const SQLITE_LOCKED: i64 = 6;

/// sqlx's errors by kind; the driver's types stop here.
fn store_error(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::RowNotFound => StoreError::NotFound(error.to_string()),
        sqlx::Error::PoolTimedOut => StoreError::Busy(error.to_string()),
        sqlx::Error::Database(e) if e.is_unique_violation() => {
            StoreError::Conflict(e.message().to_string())
        }
        sqlx::Error::Database(e)
            if e.code()
                .and_then(|c| c.parse::<i64>().ok())
                .is_some_and(|c| matches!(c & 0xff, SQLITE_BUSY | SQLITE_LOCKED)) =>
        {
            StoreError::Busy(e.message().to_string())
        }
        _ => StoreError::Other(error.to_string()),
    }
}
