//! Runbook revisions: every version of every runbook file as an append-only
//! row (the schema refuses UPDATE and DELETE). The runbook index is built from
//! the current revision of each file; web and API saves, restores and the
//! directory import all append here.
//!
//! Writes follow the incidents pattern: an in-process mutex (writers queue in
//! Tokio, not in SQLite's busy handler) around a `BEGIN IMMEDIATE`
//! transaction, so a save's check-then-insert cannot interleave with another
//! process sharing the file.

pub mod diff;
pub mod export;
mod import;
pub mod merge;
pub(crate) mod save;
pub mod sync;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use portal_types::RevisionInfo;
use sqlx::{Sqlite, SqlitePool, Transaction};
use tokio::sync::{Mutex, MutexGuard};

pub use import::ImportReport;
pub use save::SaveRequest;

use crate::error::Result;
use crate::runbooks::source::SourceFile;

/// Who made a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Filesystem,
    Web,
    Api,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Filesystem => "filesystem",
            Origin::Web => "web",
            Origin::Api => "api",
        }
    }
}

/// The author recorded for imported files.
pub const FILESYSTEM: &str = "filesystem";

/// A stored revision with its text.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Revision {
    pub id: i64,
    pub runbook_key: String,
    pub parent_id: Option<i64>,
    pub source: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub message: String,
    pub origin: String,
    pub deleted: bool,
}

impl Revision {
    pub fn info(&self) -> RevisionInfo {
        RevisionInfo {
            id: self.id,
            path: self.runbook_key.clone(),
            parent: self.parent_id,
            author: self.author.clone(),
            at: self.created_at,
            message: self.message.clone(),
            origin: self.origin.clone(),
            deleted: self.deleted,
        }
    }
}

const COLUMNS: &str =
    "id, runbook_key, parent_id, source, author, created_at, message, origin, deleted";

#[derive(Clone)]
pub struct Revisions {
    pool: SqlitePool,
    writer: Arc<Mutex<()>>,
    /// Turns for the three-way merges of saves (never under `writer`).
    merges: merge::Merges,
}

/// A write transaction and the in-process write turn that goes with it.
struct WriteTx<'a> {
    tx: Transaction<'static, Sqlite>,
    _turn: MutexGuard<'a, ()>,
}

/// A revision to append.
struct NewRevision<'a> {
    key: &'a str,
    parent: Option<i64>,
    source: &'a str,
    author: &'a str,
    message: &'a str,
    origin: Origin,
    deleted: bool,
}

impl Revisions {
    pub fn new(pool: SqlitePool) -> Revisions {
        Revisions {
            pool,
            writer: Arc::new(Mutex::new(())),
            merges: merge::Merges::default(),
        }
    }

    async fn write(&self) -> Result<WriteTx<'_>> {
        let turn = self.writer.lock().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx { tx, _turn: turn })
    }

    /// The newest revision id: a cheap "did anything change" probe for
    /// replicas sharing the database.
    pub async fn max_id(&self) -> Result<i64> {
        let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM runbook_revisions")
            .fetch_one(&self.pool)
            .await?;
        Ok(id.unwrap_or(0))
    }

    /// The current (newest) revision of a file, deleted or not.
    pub async fn current(&self, key: &str) -> Result<Option<Revision>> {
        current_in(&self.pool, key).await
    }

    pub async fn get(&self, id: i64) -> Result<Option<Revision>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM runbook_revisions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A file's revisions, newest first, one page, with the total.
    pub async fn history(
        &self,
        key: &str,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<Revision>, i64)> {
        let rows = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM runbook_revisions WHERE runbook_key = $1 ORDER BY id DESC LIMIT $2 OFFSET $3"
        ))
        .bind(key)
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&self.pool)
        .await?;
        let total =
            sqlx::query_scalar("SELECT COUNT(*) FROM runbook_revisions WHERE runbook_key = $1")
                .bind(key)
                .fetch_one(&self.pool)
                .await?;
        Ok((rows, total))
    }

    /// The current text of every file that is not deleted, sorted by path,
    /// and the newest revision id they reflect.
    pub async fn current_files(&self) -> Result<(Vec<SourceFile>, i64)> {
        let mut tx = self.pool.begin().await?;
        let max: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM runbook_revisions")
            .fetch_one(&mut *tx)
            .await?;
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT r.runbook_key, r.source FROM runbook_revisions r
             JOIN (SELECT runbook_key, MAX(id) AS id FROM runbook_revisions GROUP BY runbook_key) c
               ON c.id = r.id
             WHERE r.deleted = 0
             ORDER BY r.runbook_key",
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let files = rows
            .into_iter()
            .map(|(path, text)| SourceFile { path, text })
            .collect();
        Ok((files, max.unwrap_or(0)))
    }
}

async fn current_in<'e, E>(executor: E, key: &str) -> Result<Option<Revision>>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM runbook_revisions WHERE runbook_key = $1 ORDER BY id DESC LIMIT 1"
    ))
    .bind(key)
    .fetch_optional(executor)
    .await?)
}

/// Append one revision inside the caller's transaction.
async fn append(tx: &mut sqlx::SqliteConnection, new: NewRevision<'_>) -> Result<Revision> {
    let now = Utc::now();
    let id = sqlx::query_scalar(
        "INSERT INTO runbook_revisions (runbook_key, parent_id, source, author, created_at, message, origin, deleted)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(new.key)
    .bind(new.parent)
    .bind(new.source)
    .bind(new.author)
    .bind(now)
    .bind(new.message)
    .bind(new.origin.as_str())
    .bind(new.deleted)
    .fetch_one(tx)
    .await?;
    Ok(Revision {
        id,
        runbook_key: new.key.to_string(),
        parent_id: new.parent,
        source: new.source.to_string(),
        author: new.author.to_string(),
        created_at: now,
        message: new.message.to_string(),
        origin: new.origin.as_str().to_string(),
        deleted: new.deleted,
    })
}
