//! Check runs in PostgreSQL (`check_runs`, append-only by trigger).

use portal_types::CheckResult;
use serde_json::Value;
use sqlx::types::Json;

use super::{Db, store_error};
use crate::store::{CheckRunStore, StoreError, StoreResult};

pub(super) struct PgCheckRuns(pub(super) Db);

#[async_trait::async_trait]
impl CheckRunStore for PgCheckRuns {
    async fn record(&self, runbook_key: &str, result: &CheckResult) -> StoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO check_runs (runbook_key, check_id, kind, status, actor, started_at, duration_ms, incident_id, result)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(runbook_key)
        .bind(&result.check)
        .bind(&result.kind)
        .bind(result.status.as_str())
        .bind(&result.actor)
        .bind(result.started_at)
        .bind(i64::try_from(result.duration_ms).unwrap_or(i64::MAX))
        .bind(result.incident_id)
        .bind(Json(result))
        .fetch_one(&self.0.pool)
        .await
        .map_err(store_error)
    }

    async fn latest(&self, runbook_key: &str) -> StoreResult<Vec<CheckResult>> {
        let rows: Vec<Value> = sqlx::query_scalar(
            "SELECT result FROM check_runs WHERE id IN (
                 SELECT MAX(id) FROM check_runs WHERE runbook_key = $1 GROUP BY check_id)
             ORDER BY check_id",
        )
        .bind(runbook_key)
        .fetch_all(&self.0.pool)
        .await
        .map_err(store_error)?;
        rows.into_iter()
            .map(|json| {
                serde_json::from_value(json)
                    .map_err(|e| StoreError::Other(format!("stored check result: {e}")))
            })
            .collect()
    }
}
