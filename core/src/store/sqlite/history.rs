//! Alert transitions in SQLite (`alert_transitions`, append-only by trigger
//! except for pruning). Times are integer milliseconds, so the aggregates
//! are integer arithmetic over the `(alertname, state, at)` index.

use chrono::{DateTime, Duration, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::{Db, store_error};
use crate::store::history::{
    HistoryFacts, HistoryStore, LastFired, NewTransition, OPEN_SERIES_SQL, OpenSeries,
    TransitionRecord, TransitionSource, TransitionState, series_name,
};
use crate::store::{StoreError, StoreResult};

pub(super) struct SqliteHistory(pub(super) Db);

const DAY_MS: i64 = 86_400_000;

pub(super) fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(super) fn from_millis(ms: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Other(format!("stored time {ms} ms is out of range")))
}

/// One guarded insert: the row goes in unless its series already has a row
/// of the same state at or after `unless_since` (NULL: no guard).
const INSERT: &str = "INSERT INTO alert_transitions
       (at, alertname, fingerprint, upstream, state, source, instance, labels, starts_at, ends_at)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
     WHERE $11 IS NULL OR NOT EXISTS (
         SELECT 1 FROM alert_transitions
         WHERE fingerprint = $3 AND state = $5 AND at >= $11)";

pub(super) async fn insert(conn: &mut SqliteConnection, row: &NewTransition) -> StoreResult<u64> {
    let labels =
        serde_json::to_string(&row.labels).map_err(|e| StoreError::Other(e.to_string()))?;
    let done = sqlx::query(INSERT)
        .bind(millis(row.at))
        .bind(&row.alertname)
        .bind(&row.fingerprint)
        .bind(&row.upstream)
        .bind(row.state.as_str())
        .bind(row.source.as_str())
        .bind(series_name(&row.labels))
        .bind(labels)
        .bind(row.starts_at.map(millis))
        .bind(row.ends_at.map(millis))
        .bind(row.unless_since.map(millis))
        .execute(&mut *conn)
        .await
        .map_err(store_error)?;
    Ok(done.rows_affected())
}

fn get<'r, T>(row: &'r SqliteRow, column: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(column).map_err(store_error)
}

fn state(text: &str) -> StoreResult<TransitionState> {
    TransitionState::parse(text)
        .ok_or_else(|| StoreError::Other(format!("stored transition state {text:?}")))
}

fn labels(text: &str) -> StoreResult<portal_types::Labels> {
    serde_json::from_str(text).map_err(|e| StoreError::Other(format!("stored labels: {e}")))
}

fn optional_time(ms: Option<i64>) -> StoreResult<Option<DateTime<Utc>>> {
    ms.map(from_millis).transpose()
}

/// A whole row (`migrate-data` and tests).
pub(super) fn record_from_row(row: &SqliteRow) -> StoreResult<TransitionRecord> {
    let source: String = get(row, "source")?;
    Ok(TransitionRecord {
        id: get(row, "id")?,
        at: from_millis(get(row, "at")?)?,
        alertname: get(row, "alertname")?,
        fingerprint: get(row, "fingerprint")?,
        upstream: get(row, "upstream")?,
        state: state(&get::<String>(row, "state")?)?,
        source: TransitionSource::parse(&source)
            .ok_or_else(|| StoreError::Other(format!("stored transition source {source:?}")))?,
        instance: get(row, "instance")?,
        labels: labels(&get::<String>(row, "labels")?)?,
        starts_at: optional_time(get(row, "starts_at")?)?,
        ends_at: optional_time(get(row, "ends_at")?)?,
    })
}

fn count(n: i64) -> u64 {
    n.max(0).unsigned_abs()
}

#[async_trait::async_trait]
impl HistoryStore for SqliteHistory {
    async fn record(&self, rows: &[NewTransition]) -> StoreResult<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let mut write = self.0.gate.begin(&self.0.pool).await?;
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
        let ago = |d: i64| millis(now - Duration::days(d));
        let since = ago(i64::from(days));
        let (h24, d7, d30, d90): (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(at >= $2), 0), COALESCE(SUM(at >= $3), 0),
                    COALESCE(SUM(at >= $4), 0), COUNT(*)
             FROM alert_transitions
             WHERE alertname = $1 AND state = 'firing' AND at >= $5",
        )
        .bind(alertname)
        .bind(millis(now - Duration::hours(24)))
        .bind(ago(7))
        .bind(ago(30))
        .bind(ago(90))
        .fetch_one(&mut *conn)
        .await
        .map_err(store_error)?;
        let per_day: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT at / $3 AS day, COUNT(*) FROM alert_transitions
             WHERE alertname = $1 AND state = 'firing' AND at >= $2
             GROUP BY day ORDER BY day",
        )
        .bind(alertname)
        .bind(since)
        .bind(DAY_MS)
        .fetch_all(&mut *conn)
        .await
        .map_err(store_error)?;
        let top_instances: Vec<(String, i64)> = sqlx::query_as(
            "SELECT instance, COUNT(*) AS n FROM alert_transitions
             WHERE alertname = $1 AND state = 'firing' AND at >= $2
             GROUP BY instance ORDER BY n DESC, instance LIMIT $3",
        )
        .bind(alertname)
        .bind(since)
        .bind(i64::from(top))
        .fetch_all(&mut *conn)
        .await
        .map_err(store_error)?;
        let durations: Vec<i64> = sqlx::query_scalar(
            "SELECT ends_at - starts_at FROM alert_transitions
             WHERE alertname = $1 AND state = 'resolved' AND at >= $2
               AND starts_at IS NOT NULL AND ends_at >= starts_at",
        )
        .bind(alertname)
        .bind(since)
        .fetch_all(&mut *conn)
        .await
        .map_err(store_error)?;
        let newest: Option<(String, i64, String)> = sqlx::query_as(
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
                let resolved: Option<i64> = sqlx::query_scalar(
                    "SELECT MIN(COALESCE(ends_at, at)) FROM alert_transitions
                     WHERE fingerprint = $1 AND state = 'resolved' AND at >= $2",
                )
                .bind(&fingerprint)
                .bind(at)
                .fetch_one(&mut *conn)
                .await
                .map_err(store_error)?;
                Some(LastFired {
                    at: from_millis(at)?,
                    instance,
                    resolved_at: optional_time(resolved)?,
                })
            }
        };
        Ok(HistoryFacts {
            fired_24h: count(h24),
            fired_7d: count(d7),
            fired_30d: count(d30),
            fired_90d: count(d90),
            last_fired,
            durations_secs: durations.into_iter().map(|ms| ms as f64 / 1000.0).collect(),
            per_day: per_day.into_iter().map(|(d, n)| (d, count(n))).collect(),
            top_instances: top_instances
                .into_iter()
                .map(|(i, n)| (i, count(n)))
                .collect(),
        })
    }

    async fn prune(&self, before: DateTime<Utc>, limit: u32) -> StoreResult<u64> {
        let mut write = self.0.gate.begin(&self.0.pool).await?;
        // By id, the order rows were recorded in, which is their time order
        // but for a webhook's backdated rows: the scan stops at `limit`.
        let done = sqlx::query(
            "DELETE FROM alert_transitions WHERE id IN (
                 SELECT id FROM alert_transitions WHERE at < $1 ORDER BY id LIMIT $2)",
        )
        .bind(millis(before))
        .bind(i64::from(limit))
        .execute(&mut *write.tx)
        .await
        .map_err(store_error)?;
        write.commit().await?;
        Ok(done.rows_affected())
    }
}
