//! Both ends of a whole-database copy in SQLite: the source is one read
//! transaction (in WAL mode, one snapshot while a portal keeps writing);
//! the sink is one `BEGIN IMMEDIATE` write through the [`super::Gate`].
//! Ids are inserted as given; SQLite's rowid ids continue past the largest
//! on their own, so there is no sequence to move.

use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, QueryBuilder, Row, Sqlite, Transaction};

use super::incidents::{event_from_row, incident_from_row};
use super::{Db, Write, history, revisions, store_error};
use crate::store::transfer::{
    After, Batch, CheckRunRecord, FileSeen, Table, TokenRecord, Transfer, TransferSink,
    TransferSource,
};
use crate::store::{Revision, StoreError, StoreResult};

pub(super) struct SqliteTransfer(pub(super) Db);

struct Source(Transaction<'static, Sqlite>);

#[async_trait::async_trait]
impl Transfer for SqliteTransfer {
    async fn source(&self) -> StoreResult<Box<dyn TransferSource>> {
        let tx = self.0.pool.begin().await.map_err(store_error)?;
        Ok(Box::new(Source(tx)))
    }

    async fn sink(&self) -> StoreResult<Box<dyn TransferSink>> {
        Ok(Box::new(self.0.gate.begin(&self.0.pool).await?))
    }
}

async fn count(tx: &mut Transaction<'static, Sqlite>, table: Table) -> StoreResult<u64> {
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
        let sql = match table {
            Table::RunbookFilesSeen => "SELECT * FROM runbook_files_seen
                 WHERE $1 IS NULL OR runbook_key > $1 ORDER BY runbook_key LIMIT $2"
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

fn each<T>(rows: &[SqliteRow], convert: fn(&SqliteRow) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.iter().map(convert).collect()
}

fn revision(row: &SqliteRow) -> StoreResult<Revision> {
    Revision::try_from(revisions::Row::from_row(row).map_err(store_error)?)
}

fn get<'r, T>(row: &'r SqliteRow, column: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(column).map_err(store_error)
}

fn file_seen(row: &SqliteRow) -> StoreResult<FileSeen> {
    Ok(FileSeen {
        runbook_key: get(row, "runbook_key")?,
        sha256: get(row, "sha256")?,
        seen_at: get(row, "seen_at")?,
    })
}

/// Strict where the portal's own reads are lenient: a row this build cannot
/// read is an error, not a value silently emptied in the new database.
fn check_run(row: &SqliteRow) -> StoreResult<CheckRunRecord> {
    let id = get(row, "id")?;
    let invalid = |e: String| StoreError::Other(format!("check run {id}: {e}"));
    let status: String = get(row, "status")?;
    let result: String = get(row, "result")?;
    Ok(CheckRunRecord {
        id,
        runbook_key: get(row, "runbook_key")?,
        check_id: get(row, "check_id")?,
        kind: get(row, "kind")?,
        status: status.parse().map_err(|e| invalid(format!("{e}")))?,
        actor: get(row, "actor")?,
        started_at: get(row, "started_at")?,
        duration_ms: get(row, "duration_ms")?,
        incident_id: get(row, "incident_id")?,
        result: serde_json::from_str(&result)
            .map_err(|e| invalid(format!("stored result: {e}")))?,
    })
}

fn token(row: &SqliteRow) -> StoreResult<TokenRecord> {
    Ok(TokenRecord {
        id: get(row, "id")?,
        name: get(row, "name")?,
        hash: get(row, "hash")?,
        created_at: get(row, "created_at")?,
        revoked_at: get(row, "revoked_at")?,
    })
}

fn json(value: &impl serde::Serialize) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(e.to_string()))
}

#[async_trait::async_trait]
impl TransferSink for Write {
    async fn count(&mut self, table: Table) -> StoreResult<u64> {
        count(&mut self.tx, table).await
    }

    async fn write(&mut self, batch: &Batch) -> StoreResult<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut insert = QueryBuilder::<Sqlite>::new("");
        match batch {
            Batch::Incidents(rows) => {
                let labels = rows
                    .iter()
                    .map(|r| json(&r.labels))
                    .collect::<StoreResult<Vec<_>>>()?;
                insert.push(
                    "INSERT INTO incidents (id, title, status, severity, runbook_key, alertname, labels, fingerprint, opened_at, opened_by, acknowledged_at, acknowledged_by, resolved_at, resolved_by) ",
                );
                insert.push_values(rows.iter().zip(labels), |mut b, (r, labels)| {
                    b.push_bind(r.id)
                        .push_bind(&r.title)
                        .push_bind(r.status.as_str())
                        .push_bind(&r.severity)
                        .push_bind(&r.runbook_key)
                        .push_bind(&r.alertname)
                        .push_bind(labels)
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
                    "INSERT INTO incident_events (id, incident_id, at, actor, kind, payload) ",
                );
                insert.push_values(rows, |mut b, r| {
                    b.push_bind(r.id)
                        .push_bind(r.incident_id)
                        .push_bind(r.at)
                        .push_bind(&r.actor)
                        .push_bind(&r.kind)
                        .push_bind(r.payload.to_string());
                });
            }
            Batch::RunbookRevisions(rows) => {
                insert.push(
                    "INSERT INTO runbook_revisions (id, runbook_key, parent_id, source, author, created_at, message, origin, deleted) ",
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
                    "INSERT INTO check_runs (id, runbook_key, check_id, kind, status, actor, started_at, duration_ms, incident_id, result) ",
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
                        .push_bind(r.result.to_string());
                });
            }
            Batch::ApiTokens(rows) => {
                insert.push("INSERT INTO api_tokens (id, name, hash, created_at, revoked_at) ");
                insert.push_values(rows, |mut b, r| {
                    b.push_bind(r.id)
                        .push_bind(&r.name)
                        .push_bind(&r.hash)
                        .push_bind(r.created_at)
                        .push_bind(r.revoked_at);
                });
            }
            Batch::AlertTransitions(rows) => {
                let labels = rows
                    .iter()
                    .map(|r| json(&r.labels))
                    .collect::<StoreResult<Vec<_>>>()?;
                insert.push(
                    "INSERT INTO alert_transitions (id, at, alertname, fingerprint, upstream, state, source, instance, labels, starts_at, ends_at) ",
                );
                insert.push_values(rows.iter().zip(labels), |mut b, (r, labels)| {
                    b.push_bind(r.id)
                        .push_bind(history::millis(r.at))
                        .push_bind(&r.alertname)
                        .push_bind(&r.fingerprint)
                        .push_bind(&r.upstream)
                        .push_bind(r.state.as_str())
                        .push_bind(r.source.as_str())
                        .push_bind(&r.instance)
                        .push_bind(labels)
                        .push_bind(r.starts_at.map(history::millis))
                        .push_bind(r.ends_at.map(history::millis));
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
        Ok(())
    }

    async fn commit(self: Box<Self>) -> StoreResult<()> {
        Write::commit(*self).await
    }
}
