//! Both ends of a whole-database copy in PostgreSQL. The source is one
//! `REPEATABLE READ READ ONLY` transaction: every count and batch is of one
//! snapshot while other portals keep writing. The sink is one transaction
//! that first locks every table against other writers (`EXCLUSIVE` still
//! lets them read), inserts the given ids (`OVERRIDING SYSTEM VALUE`, the
//! identity columns being `GENERATED ALWAYS`) and at the end moves each
//! identity sequence past the largest id. The append-only triggers stay as
//! they are: they refuse UPDATE, DELETE and TRUNCATE, never an INSERT.

use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{FromRow, Postgres, QueryBuilder, Row, Transaction};

use super::incidents::{event_from_row, incident_from_row};
use super::{Db, Write, history, revisions, store_error};
use crate::store::transfer::{
    After, Batch, CheckRunRecord, FileSeen, Table, TokenRecord, Transfer, TransferSink,
    TransferSource,
};
use crate::store::{Revision, StoreError, StoreResult};

pub(super) struct PgTransfer(pub(super) Db);

struct Source(Transaction<'static, Postgres>);

#[async_trait::async_trait]
impl Transfer for PgTransfer {
    async fn source(&self) -> StoreResult<Box<dyn TransferSource>> {
        let tx = self
            .0
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(store_error)?;
        Ok(Box::new(Source(tx)))
    }

    async fn sink(&self) -> StoreResult<Box<dyn TransferSink>> {
        let mut write = self.0.begin().await?;
        let tables: Vec<&str> = Table::ALL.iter().map(|t| t.name()).collect();
        // NOWAIT: a portal already running on the target is a clear error
        // now, not a migration that hangs behind its transactions.
        let lock = format!("LOCK TABLE {} IN EXCLUSIVE MODE NOWAIT", tables.join(", "));
        sqlx::query(&lock)
            .execute(&mut *write.tx)
            .await
            .map_err(|e| match store_error(e) {
                StoreError::Busy(why) => StoreError::Busy(format!(
                    "the target database is in use (is a portal running on it?): {why}"
                )),
                other => other,
            })?;
        Ok(Box::new(write))
    }
}

async fn count(tx: &mut Transaction<'static, Postgres>, table: Table) -> StoreResult<u64> {
    let sql = format!("SELECT COUNT(*) FROM {}", table.name());
    let rows: i64 = sqlx::query_scalar(&sql)
        .fetch_one(&mut **tx)
        .await
        .map_err(store_error)?;
    Ok(rows.max(0).unsigned_abs())
}

#[async_trait::async_trait]
impl TransferSource for Source {
    async fn count(&mut self, table: Table) -> StoreResult<u64> {
        count(&mut self.0, table).await
    }

    async fn read(&mut self, table: Table, after: &After, limit: u32) -> StoreResult<Batch> {
        // By id; `runbook_files_seen` by key in byte order (`COLLATE "C"`),
        // SQLite's order, whatever the database's collation.
        let sql = match table {
            Table::RunbookFilesSeen => "SELECT * FROM runbook_files_seen
                 WHERE $1::text IS NULL OR runbook_key COLLATE \"C\" > $1
                 ORDER BY runbook_key COLLATE \"C\" LIMIT $2"
                .to_string(),
            _ => format!(
                "SELECT * FROM {} WHERE id > $1 ORDER BY id LIMIT $2",
                table.name()
            ),
        };
        let query = match table {
            Table::RunbookFilesSeen => sqlx::query(&sql).bind(after.key()),
            _ => sqlx::query(&sql).bind(after.id()),
        };
        let rows = query
            .bind(i64::from(limit))
            .fetch_all(&mut *self.0)
            .await
            .map_err(store_error)?;
        Ok(match table {
            Table::Incidents => Batch::Incidents(each(&rows, incident_from_row)?),
            Table::IncidentEvents => Batch::IncidentEvents(each(&rows, event_from_row)?),
            Table::RunbookRevisions => Batch::RunbookRevisions(each(&rows, revision)?),
            Table::RunbookFilesSeen => Batch::RunbookFilesSeen(each(&rows, file_seen)?),
            Table::CheckRuns => Batch::CheckRuns(each(&rows, check_run)?),
            Table::ApiTokens => Batch::ApiTokens(each(&rows, token)?),
            Table::AlertTransitions => {
                Batch::AlertTransitions(each(&rows, history::record_from_row)?)
            }
        })
    }
}

fn each<T>(rows: &[PgRow], convert: fn(&PgRow) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.iter().map(convert).collect()
}

fn get<'r, T>(row: &'r PgRow, column: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
{
    row.try_get(column).map_err(store_error)
}

fn revision(row: &PgRow) -> StoreResult<Revision> {
    Revision::try_from(revisions::Row::from_row(row).map_err(store_error)?)
}

fn file_seen(row: &PgRow) -> StoreResult<FileSeen> {
    Ok(FileSeen {
        runbook_key: get(row, "runbook_key")?,
        sha256: get(row, "sha256")?,
        seen_at: get(row, "seen_at")?,
    })
}

fn check_run(row: &PgRow) -> StoreResult<CheckRunRecord> {
    let id = get(row, "id")?;
    let status: String = get(row, "status")?;
    Ok(CheckRunRecord {
        id,
        runbook_key: get(row, "runbook_key")?,
        check_id: get(row, "check_id")?,
        kind: get(row, "kind")?,
        status: status
            .parse()
            .map_err(|e| StoreError::Other(format!("check run {id}: {e}")))?,
        actor: get(row, "actor")?,
        started_at: get(row, "started_at")?,
        duration_ms: get(row, "duration_ms")?,
        incident_id: get(row, "incident_id")?,
        result: get::<Value>(row, "result")?,
    })
}

fn token(row: &PgRow) -> StoreResult<TokenRecord> {
    Ok(TokenRecord {
        id: get(row, "id")?,
        name: get(row, "name")?,
        hash: get(row, "hash")?,
        created_at: get(row, "created_at")?,
        revoked_at: get(row, "revoked_at")?,
    })
}

/// The tables with an identity `id`, whose sequence must move past the
/// copied ids.
const IDENTITY_TABLES: [Table; 6] = [
    Table::Incidents,
    Table::IncidentEvents,
    Table::RunbookRevisions,
    Table::CheckRuns,
    Table::ApiTokens,
    Table::AlertTransitions,
];

#[async_trait::async_trait]
impl TransferSink for Write {
    async fn count(&mut self, table: Table) -> StoreResult<u64> {
        count(&mut self.tx, table).await
    }

    async fn write(&mut self, batch: &Batch) -> StoreResult<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut insert = QueryBuilder::<Postgres>::new("");
        match batch {
            Batch::Incidents(rows) => {
                insert.push(
                    "INSERT INTO incidents (id, title, status, severity, runbook_key, alertname, labels, fingerprint, opened_at, opened_by, acknowledged_at, acknowledged_by, resolved_at, resolved_by) OVERRIDING SYSTEM VALUE ",
                );
                insert.push_values(rows, |mut b, r| {
                    b.push_bind(r.id)
                        .push_bind(&r.title)
                        .push_bind(r.status.as_str())
                        .push_bind(&r.severity)
                        .push_bind(&r.runbook_key)
                        .push_bind(&r.alertname)
                        .push_bind(Json(&r.labels))
                        .push_bind(&r.fingerprint)
                        .push_bind(r.opened_at)
                        .push_bind(&r.opened_by)
                        .push_bind(r.acknowledged_at)
                        .push_bind(&r.acknowledged_by)
                        .push_bind(r.resolved_at)
                        .push_bind(&r.resolved_by);
                });
            }
            Batch::IncidentEvents(rows) => {
                insert.push(
                    "INSERT INTO incident_events (id, incident_id, at, actor, kind, payload) OVERRIDING SYSTEM VALUE ",
                );
                insert.push_values(rows, |mut b, r| {
                    b.push_bind(r.id)
                        .push_bind(r.incident_id)
                        .push_bind(r.at)
                        .push_bind(&r.actor)
                        .push_bind(&r.kind)
                        .push_bind(Json(&r.payload));
                });
            }
            Batch::RunbookRevisions(rows) => {
                insert.push(
                    "INSERT INTO runbook_revisions (id, runbook_key, parent_id, source, author, created_at, message, origin, deleted) OVERRIDING SYSTEM VALUE ",
                );
                insert.push_values(rows, |mut b, r| {
                    b.push_bind(r.id)
                        .push_bind(&r.runbook_key)
                        .push_bind(r.parent_id)
                        .push_bind(&r.source)
                        .push_bind(&r.author)
                        .push_bind(r.created_at)
                        .push_bind(&r.message)
                        .push_bind(r.origin.as_str())
                        .push_bind(r.deleted);
                });
            }
            Batch::RunbookFilesSeen(rows) => {
                insert.push("INSERT INTO runbook_files_seen (runbook_key, sha256, seen_at) ");
                insert.push_values(rows, |mut b, r| {
                    b.push_bind(&r.runbook_key)
                        .push_bind(&r.sha256)
                        .push_bind(r.seen_at);
                });
            }
            Batch::CheckRuns(rows) => {
                insert.push(
                    "INSERT INTO check_runs (id, runbook_key, check_id, kind, status, actor, started_at, duration_ms, incident_id, result) OVERRIDING SYSTEM VALUE ",
                );
                insert.push_values(rows, |mut b, r| {
                    b.push_bind(r.id)
                        .push_bind(&r.runbook_key)
                        .push_bind(&r.check_id)
                        .push_bind(&r.kind)
                        .push_bind(r.status.as_str())
                        .push_bind(&r.actor)
                        .push_bind(r.started_at)
                        .push_bind(r.duration_ms)
                        .push_bind(r.incident_id)
                        .push_bind(Json(&r.result));
                });
            }
            Batch::ApiTokens(rows) => {
                insert.push(
                    "INSERT INTO api_tokens (id, name, hash, created_at, revoked_at) OVERRIDING SYSTEM VALUE ",
                );
                insert.push_values(rows, |mut b, r| {
                    b.push_bind(r.id)
                        .push_bind(&r.name)
                        .push_bind(&r.hash)
                        .push_bind(r.created_at)
                        .push_bind(r.revoked_at);
                });
            }
            Batch::AlertTransitions(rows) => {
                insert.push(
                    "INSERT INTO alert_transitions (id, at, alertname, fingerprint, upstream, state, source, instance, labels, starts_at, ends_at) OVERRIDING SYSTEM VALUE ",
                );
                insert.push_values(rows, |mut b, r| {
                    b.push_bind(r.id)
                        .push_bind(r.at)
                        .push_bind(&r.alertname)
                        .push_bind(&r.fingerprint)
                        .push_bind(&r.upstream)
                        .push_bind(r.state.as_str())
                        .push_bind(r.source.as_str())
                        .push_bind(&r.instance)
                        .push_bind(Json(&r.labels))
                        .push_bind(r.starts_at)
                        .push_bind(r.ends_at);
                });
            }
        }
        insert
            .build()
            .execute(&mut *self.tx)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn advance_ids(&mut self) -> StoreResult<()> {
        for table in IDENTITY_TABLES {
            // The next id is one past the largest (1 on an empty table).
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {0}",
                table.name()
            );
            sqlx::query(&sql)
                .execute(&mut *self.tx)
                .await
                .map_err(store_error)?;
        }
        Ok(())
    }

    async fn commit(self: Box<Self>) -> StoreResult<()> {
        Write::commit(*self).await
    }
}

#[cfg(test)]
mod tests;
