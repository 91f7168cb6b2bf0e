//! Runbook revisions and the import's record of files seen, in PostgreSQL.
//! The append-only trigger is in the migrations; a write transaction takes
//! the revision-write turn and holds its runbook with transaction-scoped
//! advisory locks.

use std::collections::HashMap;

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::Postgres;

use super::{Db, REVISION_LOCK, Write, store_error};

use crate::runbooks::source::SourceFile;
use crate::store::{NewRevision, Revision, RevisionStore, RevisionTx, StoreError, StoreResult};

pub(super) struct PgRevisions(pub(super) Db);

const COLUMNS: &str =
    "id, runbook_key, parent_id, source, author, created_at, message, origin, deleted";

/// A row as stored; [`Revision`] is the domain type it becomes.
#[derive(sqlx::FromRow)]
pub(super) struct Row {
    id: i64,
    runbook_key: String,
    parent_id: Option<i64>,
    source: String,
    author: String,
    created_at: DateTime<Utc>,
    message: String,
    origin: String,
    deleted: bool,
}

impl TryFrom<Row> for Revision {
    type Error = StoreError;

    /// The schema's CHECK keeps `origin` to the known names; anything else
    /// is a database this build does not understand.
    fn try_from(row: Row) -> StoreResult<Revision> {
        Ok(Revision {
            id: row.id,
            runbook_key: row.runbook_key,
            parent_id: row.parent_id,
            source: row.source,
            author: row.author,
            created_at: row.created_at,
            message: row.message,
            origin: row
                .origin
                .parse()
                .map_err(|e| StoreError::Other(format!("revision {}: {e}", row.id)))?,
            deleted: row.deleted,
        })
    }
}

async fn current_in<'e, E>(executor: E, key: &str) -> StoreResult<Option<Revision>>
where
    E: sqlx::Executor<'e, Database = Postgres>,
{
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM runbook_revisions WHERE runbook_key = $1 ORDER BY id DESC LIMIT 1"
    ))
    .bind(key)
    .fetch_optional(executor)
    .await
    .map_err(store_error)?;
    row.map(Revision::try_from).transpose()
}

#[async_trait::async_trait]
impl RevisionStore for PgRevisions {
    async fn max_id(&self) -> StoreResult<i64> {
        let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM runbook_revisions")
            .fetch_one(&self.0.pool)
            .await
            .map_err(store_error)?;
        Ok(id.unwrap_or(0))
    }

    async fn current(&self, key: &str) -> StoreResult<Option<Revision>> {
        current_in(&self.0.pool, key).await
    }

    async fn get(&self, id: i64) -> StoreResult<Option<Revision>> {
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM runbook_revisions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.0.pool)
        .await
        .map_err(store_error)?;
        row.map(Revision::try_from).transpose()
    }

    async fn history(
        &self,
        key: &str,
        limit: u32,
        offset: u32,
    ) -> StoreResult<(Vec<Revision>, i64)> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM runbook_revisions WHERE runbook_key = $1 ORDER BY id DESC LIMIT $2 OFFSET $3"
        ))
        .bind(key)
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&self.0.pool)
        .await
        .map_err(store_error)?;
        let total =
            sqlx::query_scalar("SELECT COUNT(*) FROM runbook_revisions WHERE runbook_key = $1")
                .bind(key)
                .fetch_one(&self.0.pool)
                .await
                .map_err(store_error)?;
        let revisions = rows
            .into_iter()
            .map(Revision::try_from)
            .collect::<StoreResult<_>>()?;
        Ok((revisions, total))
    }

    async fn current_files(&self) -> StoreResult<(Vec<SourceFile>, i64)> {
        // One snapshot for the id and the texts (READ COMMITTED would take
        // one per statement).
        let mut tx = self
            .0
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(store_error)?;
        let max: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM runbook_revisions")
            .fetch_one(&mut *tx)
            .await
            .map_err(store_error)?;
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT r.runbook_key, r.source FROM runbook_revisions r
             JOIN (SELECT runbook_key, MAX(id) AS id FROM runbook_revisions GROUP BY runbook_key) c
               ON c.id = r.id
             WHERE NOT r.deleted
             ORDER BY r.runbook_key",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(store_error)?;
        tx.commit().await.map_err(store_error)?;
        let files = rows
            .into_iter()
            .map(|(path, text)| SourceFile { path, text })
            .collect();
        Ok((files, max.unwrap_or(0)))
    }

    async fn begin(&self) -> StoreResult<Box<dyn RevisionTx>> {
        // Revision writes take turns, across processes as SQLite's file
        // lock makes them: ids are then committed in order, which the index
        // sync relies on (`max_id` is a watermark: once the index reflects
        // it, it reflects every revision below). Concurrent writers of two
        // runbooks could otherwise commit 10 before 9, and an index built at
        // 10 would never pick 9 up. Saves are rare; the turn is short.
        let mut write = self.0.begin().await?;
        write.lock_key(REVISION_LOCK, "").await?;
        Ok(Box::new(write))
    }
}

#[async_trait::async_trait]
impl RevisionTx for Write {
    async fn current(&mut self, key: &str) -> StoreResult<Option<Revision>> {
        // The runbook is held until commit: a concurrent save of the same
        // file (in any process) waits here, then reads this one's revision.
        // (Today the turn `begin` takes already holds every runbook; this
        // lock is what keeps a save safe if that turn is ever narrowed.)
        self.lock_key(REVISION_LOCK, key).await?;
        current_in(&mut *self.tx, key).await
    }

    async fn append(&mut self, new: &NewRevision<'_>) -> StoreResult<Revision> {
        // Already held after `current`; taken here too for an append that
        // did not read first (re-entrant within one transaction).
        self.lock_key(REVISION_LOCK, new.key).await?;
        // What timestamptz keeps (microseconds), so the revision returned
        // equals the one read back.
        let now = Utc::now().trunc_subsecs(6);
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
        .fetch_one(&mut *self.tx)
        .await
        .map_err(store_error)?;
        Ok(Revision {
            id,
            runbook_key: new.key.to_string(),
            parent_id: new.parent,
            source: new.source.to_string(),
            author: new.author.to_string(),
            created_at: now,
            message: new.message.to_string(),
            origin: new.origin,
            deleted: new.deleted,
        })
    }

    async fn files_seen(&mut self) -> StoreResult<HashMap<String, String>> {
        let rows = sqlx::query_as::<_, (String, String)>(
            "SELECT runbook_key, sha256 FROM runbook_files_seen",
        )
        .fetch_all(&mut *self.tx)
        .await
        .map_err(store_error)?;
        Ok(rows.into_iter().collect())
    }

    async fn mark_seen(&mut self, key: &str, sha256: &str, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO runbook_files_seen (runbook_key, sha256, seen_at) VALUES ($1, $2, $3)
             ON CONFLICT (runbook_key) DO UPDATE SET sha256 = excluded.sha256, seen_at = excluded.seen_at",
        )
        .bind(key)
        .bind(sha256)
        .bind(at)
        .execute(&mut *self.tx)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn forget_seen(&mut self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM runbook_files_seen WHERE runbook_key = $1")
            .bind(key)
            .execute(&mut *self.tx)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn commit(self: Box<Self>) -> StoreResult<()> {
        Write::commit(*self).await
    }
}
