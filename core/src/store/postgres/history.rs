//! Alert transitions in PostgreSQL (`alert_transitions`, append-only by
//! trigger except for pruning rows older than a day).

use chrono::{DateTime, Duration, Utc};
use portal_types::Labels;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{PgConnection, Row};

use super::{Db, store_error};
use crate::store::history::{
    HistoryFacts, HistoryStore, LastFired, NewTransition, OPEN_SERIES_SQL, OpenSeries,
    TransitionRecord, TransitionSource, TransitionState, series_name,
};
use crate::store::{StoreError, StoreResult};

pub(super) struct PgHistory(pub(super) Db);

/// One guarded insert: the row goes in unless its series already has a row
/// of the same state at or after `unless_since` (NULL: no guard).
const INSERT: &str = "INSERT INTO alert_transitions
       (at, alertname, fingerprint, upstream, state, source, instance, labels, starts_at, ends_at)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
     WHERE $11::timestamptz IS NULL OR NOT EXISTS (
         SELECT 1 FROM alert_transitions
         WHERE fingerprint = $3 AND state = $5 AND at >= $11)";

async fn insert(conn: &mut PgConnection, row: &NewTransition) -> StoreResult<u64> {
    let done = sqlx::query(INSERT)
        .bind(row.at)
        .bind(&row.alertname)
        .bind(&row.fingerprint)
        .bind(&row.upstream)
        .bind(row.state.as_str())
        .bind(row.source.as_str())
        .bind(series_name(&row.labels))
        .bind(Json(&row.labels))
        .bind(row.starts_at)
        .bind(row.ends_at)
        .bind(row.unless_since)
        .execute(&mut *conn)
        .await
        .map_err(store_error)?;
    Ok(done.rows_affected())
}

fn get<'r, T>(row: &'r PgRow, column: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(column).map_err(store_error)
}

/// A whole row (`migrate-data` and tests).
pub(super) fn record_from_row(row: &PgRow) -> StoreResult<TransitionRecord> {
    let state: String = get(row, "state")?;
    let source: String = get(row, "source")?;
    let Json(labels) = get::<Json<Labels>>(row, "labels")?;
    Ok(TransitionRecord {
        id: get(row, "id")?,
        at: get(row, "at")?,
        alertname: get(row, "alertname")?,
        fingerprint: get(row, "fingerprint")?,
        upstream: get(row, "upstream")?,
        state: TransitionState::parse(&state)
            .ok_or_else(|| StoreError::Other(format!("stored transition state {state:?}")))?,
        source: TransitionSource::parse(&source)
            .ok_or_else(|| StoreError::Other(format!("stored transition source {source:?}")))?,
        instance: get(row, "instance")?,
        labels,
        starts_at: get(row, "starts_at")?,
        ends_at: get(row, "ends_at")?,
    })
}

fn count(n: i64) -> u64 {
    n.max(0).unsigned_abs()
}

#[async_trait::async_trait]
impl HistoryStore for PgHistory {
    async fn record(&self, rows: &[NewTransition]) -> StoreResult<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let mut write = self.0.begin().await?;
        let mut written = 0;
        for row in rows {
            written += insert(&mut write.tx, row).await?;
        }
        write.commit().await?;
        Ok(written)
    }

    async fn open_series(&self) -> StoreResult<Vec<OpenSeries>> {
        let rows = sqlx::query(OPEN_SERIES_SQL)
            .fetch_all(&self.0.pool)
            .await
            .map_err(store_error)?;
        rows.iter()
            .map(|row| record_from_row(row).map(OpenSeries::from))
            .collect()
    }

    async fn facts(
        &self,
        alertname: &str,
        now: DateTime<Utc>,
        days: u32,
        top: u32,
    ) -> StoreResult<HistoryFacts> {
        let mut conn = self.0.pool.acquire().await.map_err(store_error)?;
        let since = now - Duration::days(i64::from(days));
        let (h24, d7, d30, d90): (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT COUNT(*) FILTER (WHERE at >= $2), COUNT(*) FILTER (WHERE at >= $3),
                    COUNT(*) FILTER (WHERE at >= $4), COUNT(*)
             FROM alert_transitions
             WHERE alertname = $1 AND state = 'firing' AND at >= $5",
        )
        .bind(alertname)
        .bind(now - Duration::hours(24))
        .bind(now - Duration::days(7))
        .bind(now - Duration::days(30))
        .bind(now - Duration::days(90))
        .fetch_one(&mut *conn)
        .await
        .map_err(store_error)?;
        let per_day: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT floor(extract(epoch FROM at) / 86400)::bigint AS day, COUNT(*)
             FROM alert_transitions
             WHERE alertname = $1 AND state = 'firing' AND at >= $2
             GROUP BY day ORDER BY day",
        )
        .bind(alertname)
        .bind(since)
        .fetch_all(&mut *conn)
        .await
        .map_err(store_error)?;
        let top_instances: Vec<(String, i64)> = sqlx::query_as(
            "SELECT instance, COUNT(*) AS n FROM alert_transitions
             WHERE alertname = $1 AND state = 'firing' AND at >= $2
             GROUP BY instance ORDER BY n DESC, instance COLLATE \"C\" LIMIT $3",
        )
        .bind(alertname)
        .bind(since)
        .bind(i64::from(top))
        .fetch_all(&mut *conn)
        .await
        .map_err(store_error)?;
        let durations: Vec<f64> = sqlx::query_scalar(
            "SELECT extract(epoch FROM ends_at - starts_at)::float8 FROM alert_transitions
             WHERE alertname = $1 AND state = 'resolved' AND at >= $2
               AND starts_at IS NOT NULL AND ends_at >= starts_at",
        )
        .bind(alertname)
        .bind(since)
        .fetch_all(&mut *conn)
        .await
        .map_err(store_error)?;
        let newest: Option<(String, DateTime<Utc>, String)> = sqlx::query_as(
            "SELECT fingerprint, at, instance FROM alert_transitions
             WHERE alertname = $1 AND state = 'firing' ORDER BY at DESC LIMIT 1",
        )
        .bind(alertname)
        .fetch_optional(&mut *conn)
        .await
        .map_err(store_error)?;
        let last_fired = match newest {
            None => None,
            Some((fingerprint, at, instance)) => {
                let resolved_at: Option<DateTime<Utc>> = sqlx::query_scalar(
                    "SELECT MIN(COALESCE(ends_at, at)) FROM alert_transitions
                     WHERE fingerprint = $1 AND state = 'resolved' AND at >= $2",
                )
                .bind(&fingerprint)
                .bind(at)
                .fetch_one(&mut *conn)
                .await
                .map_err(store_error)?;
                Some(LastFired {
                    at,
                    instance,
                    resolved_at,
                })
            }
        };
        Ok(HistoryFacts {
            fired_24h: count(h24),
            fired_7d: count(d7),
            fired_30d: count(d30),
            fired_90d: count(d90),
            last_fired,
            durations_secs: durations,
            per_day: per_day.into_iter().map(|(d, n)| (d, count(n))).collect(),
            top_instances: top_instances
                .into_iter()
                .map(|(i, n)| (i, count(n)))
                .collect(),
        })
    }

    async fn prune(&self, before: DateTime<Utc>, limit: u32) -> StoreResult<u64> {
        let done = sqlx::query(
            "DELETE FROM alert_transitions WHERE id IN (
                 SELECT id FROM alert_transitions WHERE at < $1 ORDER BY id LIMIT $2)",
        )
        .bind(before)
        .bind(i64::from(limit))
        .execute(&self.0.pool)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected())
    }
}
