//! Incidents and their timeline in SQLite. The open-fingerprint partial
//! unique index and the append-only triggers are in the migrations.

use chrono::{DateTime, Utc};
use portal_types::{IncidentStatus, IncidentSummary};
use serde_json::Value;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{Db, Write, store_error};
use crate::store::{
    EventRecord, IncidentFilter, IncidentRecord, IncidentState, IncidentStore, IncidentTx,
    NewEvent, NewIncidentRecord, StatusFilter, StoreError, StoreResult,
};

pub(super) struct SqliteIncidents(pub(super) Db);

const EVENT_COLUMNS: &str = "id, incident_id, at, actor, kind, payload";

#[async_trait::async_trait]
impl IncidentStore for SqliteIncidents {
    async fn get(&self, id: i64) -> StoreResult<Option<IncidentRecord>> {
        sqlx::query("SELECT * FROM incidents WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.0.pool)
            .await
            .map_err(store_error)?
            .map(|row| incident_from_row(&row))
            .transpose()
    }

    async fn events(&self, id: i64) -> StoreResult<Vec<EventRecord>> {
        sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM incident_events WHERE incident_id = $1 ORDER BY id"
        ))
        .bind(id)
        .fetch_all(&self.0.pool)
        .await
        .map_err(store_error)?
        .iter()
        .map(event_from_row)
        .collect()
    }

    async fn current_for_runbook(&self, runbook_key: &str) -> StoreResult<Option<i64>> {
        sqlx::query_scalar(
            "SELECT id FROM incidents WHERE runbook_key = $1 AND status <> 'resolved' ORDER BY id DESC LIMIT 1",
        )
        .bind(runbook_key)
        .fetch_optional(&self.0.pool)
        .await
        .map_err(store_error)
    }

    async fn list(
        &self,
        query: &IncidentFilter<'_>,
        limit: u32,
        offset: u32,
    ) -> StoreResult<(Vec<IncidentSummary>, i64)> {
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM incidents");
        filter(&mut count, query);
        let total: i64 = count
            .build_query_scalar()
            .fetch_one(&self.0.pool)
            .await
            .map_err(store_error)?;
        let mut select = QueryBuilder::<Sqlite>::new("SELECT * FROM incidents");
        filter(&mut select, query);
        select
            .push(query.order_by())
            .push_bind(i64::from(limit))
            .push(" OFFSET ")
            .push_bind(i64::from(offset));
        let items = select
            .build()
            .fetch_all(&self.0.pool)
            .await
            .map_err(store_error)?
            .iter()
            .map(|row| incident_from_row(row).map(|record| record.summary()))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((items, total))
    }

    async fn begin(&self) -> StoreResult<Box<dyn IncidentTx>> {
        Ok(Box::new(self.0.gate.begin(&self.0.pool).await?))
    }
}

/// The WHERE clause shared by the count and the page.
fn filter<'a>(builder: &mut QueryBuilder<'a, Sqlite>, query: &IncidentFilter<'a>) {
    let mut word = " WHERE ";
    match query.status {
        Some(StatusFilter::Active) => {
            builder.push(word).push("status <> 'resolved'");
            word = " AND ";
        }
        Some(StatusFilter::Is(status)) => {
            builder
                .push(word)
                .push("status = ")
                .push_bind(status.as_str());
            word = " AND ";
        }
        None => {}
    }
    if let Some(alertname) = query.alertname {
        builder.push(word).push("alertname = ").push_bind(alertname);
        word = " AND ";
    }
    if let Some(since) = query.since {
        builder.push(word).push("opened_at >= ").push_bind(since);
        word = " AND ";
    }
    if let Some(until) = query.until {
        builder.push(word).push("opened_at < ").push_bind(until);
    }
}

#[async_trait::async_trait]
impl IncidentTx for Write {
    async fn state(&mut self, id: i64) -> StoreResult<Option<IncidentState>> {
        let row = sqlx::query("SELECT status, severity FROM incidents WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(store_error)?;
        row.map(|row| -> sqlx::Result<IncidentState> {
            Ok(IncidentState {
                status: status(&row)?,
                severity: row.try_get("severity")?,
            })
        })
        .transpose()
        .map_err(store_error)
    }

    async fn open_for_fingerprint(&mut self, fingerprint: &str) -> StoreResult<Option<i64>> {
        sqlx::query_scalar(
            "SELECT id FROM incidents WHERE fingerprint = $1 AND status <> 'resolved'",
        )
        .bind(fingerprint)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(store_error)
    }

    async fn insert(&mut self, new: &NewIncidentRecord<'_>) -> StoreResult<Option<i64>> {
        let labels =
            serde_json::to_string(new.labels).map_err(|e| StoreError::Other(e.to_string()))?;
        sqlx::query_scalar(
            "INSERT INTO incidents (title, status, severity, runbook_key, alertname, labels, fingerprint, opened_at, opened_by)
             SELECT $1, 'open', $2, $3, $4, $5, $6, $7, $8
             WHERE NOT $9 OR $3 IS NULL OR NOT EXISTS (
                 SELECT 1 FROM incidents WHERE runbook_key = $3 AND status <> 'resolved')
             RETURNING id",
        )
        .bind(new.title)
        .bind(new.severity)
        .bind(new.runbook_key)
        .bind(new.alertname)
        .bind(labels)
        .bind(new.fingerprint)
        .bind(new.opened_at)
        .bind(new.opened_by)
        .bind(new.one_per_runbook)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(store_error)
    }

    async fn acknowledge(&mut self, id: i64, at: DateTime<Utc>, by: &str) -> StoreResult<()> {
        sqlx::query("UPDATE incidents SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1")
            .bind(id).bind(at).bind(by).execute(&mut *self.tx).await.map_err(store_error)?;
        Ok(())
    }

    async fn set_severity(&mut self, id: i64, severity: &str) -> StoreResult<()> {
        sqlx::query("UPDATE incidents SET severity = $2 WHERE id = $1")
            .bind(id)
            .bind(severity)
            .execute(&mut *self.tx)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn resolve(&mut self, id: i64, at: DateTime<Utc>, by: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE incidents SET status = 'resolved', resolved_at = $2, resolved_by = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(at)
        .bind(by)
        .execute(&mut *self.tx)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn reopen(&mut self, id: i64) -> StoreResult<()> {
        // A unique violation aborts this statement only: the transaction
        // (a whole batch) carries on.
        sqlx::query(
            "UPDATE incidents SET status = 'open', acknowledged_at = NULL, acknowledged_by = NULL, resolved_at = NULL, resolved_by = NULL WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *self.tx)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn events_of_kinds(&mut self, id: i64, kinds: &[&str]) -> StoreResult<Vec<EventRecord>> {
        let mut select = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {EVENT_COLUMNS} FROM incident_events WHERE incident_id = "
        ));
        select.push_bind(id);
        kinds_in(&mut select, kinds);
        select.push(" ORDER BY id");
        select
            .build()
            .fetch_all(&mut *self.tx)
            .await
            .map_err(store_error)?
            .iter()
            .map(event_from_row)
            .collect()
    }

    async fn last_kind_of(&mut self, id: i64, kinds: &[&str]) -> StoreResult<Option<String>> {
        let mut select =
            QueryBuilder::<Sqlite>::new("SELECT kind FROM incident_events WHERE incident_id = ");
        select.push_bind(id);
        kinds_in(&mut select, kinds);
        select.push(" ORDER BY id DESC LIMIT 1");
        select
            .build_query_scalar()
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(store_error)
    }

    async fn append(&mut self, event: &NewEvent<'_>) -> StoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO incident_events (incident_id, at, actor, kind, payload) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(event.incident_id)
        .bind(event.at)
        .bind(event.actor)
        .bind(event.kind)
        .bind(event.payload.to_string())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(store_error)
    }

    async fn commit(self: Box<Self>) -> StoreResult<()> {
        Write::commit(*self).await
    }
}

/// ` AND kind IN (…)`, one bound parameter per kind.
fn kinds_in<'a>(builder: &mut QueryBuilder<'a, Sqlite>, kinds: &[&str]) {
    builder.push(" AND kind IN (");
    let mut list = builder.separated(", ");
    for kind in kinds {
        list.push_bind(kind.to_string());
    }
    list.push_unseparated(")");
}

pub(super) fn incident_from_row(row: &SqliteRow) -> StoreResult<IncidentRecord> {
    let record = || -> sqlx::Result<IncidentRecord> {
        let labels: String = row.try_get("labels")?;
        Ok(IncidentRecord {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            status: status(row)?,
            severity: row.try_get("severity")?,
            runbook_key: row.try_get("runbook_key")?,
            alertname: row.try_get("alertname")?,
            labels: serde_json::from_str(&labels).unwrap_or_default(),
            fingerprint: row.try_get("fingerprint")?,
            opened_at: row.try_get("opened_at")?,
            opened_by: row.try_get("opened_by")?,
            acknowledged_at: row.try_get("acknowledged_at")?,
            acknowledged_by: row.try_get("acknowledged_by")?,
            resolved_at: row.try_get("resolved_at")?,
            resolved_by: row.try_get("resolved_by")?,
        })
    };
    record().map_err(store_error)
}

pub(super) fn event_from_row(row: &SqliteRow) -> StoreResult<EventRecord> {
    let record = || -> sqlx::Result<EventRecord> {
        let payload: String = row.try_get("payload")?;
        Ok(EventRecord {
            id: row.try_get("id")?,
            incident_id: row.try_get("incident_id")?,
            at: row.try_get("at")?,
            actor: row.try_get("actor")?,
            kind: row.try_get("kind")?,
            payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
        })
    };
    record().map_err(store_error)
}

/// The `status` column (the schema's CHECK keeps it to the known names).
fn status(row: &SqliteRow) -> sqlx::Result<IncidentStatus> {
    let text: String = row.try_get("status")?;
    text.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))
}
