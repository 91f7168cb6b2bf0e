//! The record of every check run (`check_runs`, append-only): what the
//! runbook page shows as each check's last result.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use portal_types::CheckResult;
use sqlx::SqlitePool;

use crate::error::{Error, Result};

#[derive(Clone)]
pub struct CheckStore {
    pool: SqlitePool,
    /// Runs recorded by this process; pages cached before one are stale.
    recorded: Arc<AtomicU64>,
}

impl CheckStore {
    pub fn new(pool: SqlitePool) -> CheckStore {
        CheckStore {
            pool,
            recorded: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn version(&self) -> u64 {
        self.recorded.load(Ordering::Acquire)
    }

    /// Record one run; returns its row id.
    pub async fn record(&self, runbook_key: &str, result: &CheckResult) -> Result<i64> {
        let json = serde_json::to_string(result).map_err(|e| Error::Internal(e.to_string()))?;
        let id = sqlx::query_scalar(
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
        .bind(json)
        .fetch_one(&self.pool)
        .await?;
        self.recorded.fetch_add(1, Ordering::AcqRel);
        Ok(id)
    }

    /// The newest result of each check of a runbook.
    pub async fn latest(&self, runbook_key: &str) -> Result<Vec<CheckResult>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT result FROM check_runs WHERE id IN (
                 SELECT MAX(id) FROM check_runs WHERE runbook_key = $1 GROUP BY check_id)
             ORDER BY check_id",
        )
        .bind(runbook_key)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|json| {
                serde_json::from_str(json)
                    .map_err(|e| Error::Internal(format!("stored check result: {e}")))
            })
            .collect()
    }
}
