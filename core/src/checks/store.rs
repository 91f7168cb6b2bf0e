//! The record of every check run (`check_runs`, append-only): what the
//! runbook page shows as each check's last result.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use portal_types::CheckResult;

use crate::error::Result;
use crate::store::CheckRunStore;

#[derive(Clone)]
pub struct CheckStore {
    store: Arc<dyn CheckRunStore>,
    /// Runs recorded by this process; pages cached before one are stale.
    recorded: Arc<AtomicU64>,
}

impl CheckStore {
    pub fn new(store: Arc<dyn CheckRunStore>) -> CheckStore {
        CheckStore {
            store,
            recorded: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn version(&self) -> u64 {
        self.recorded.load(Ordering::Acquire)
    }

    /// Record one run; returns its row id.
    pub async fn record(&self, runbook_key: &str, result: &CheckResult) -> Result<i64> {
        let id = self.store.record(runbook_key, result).await?;
        self.recorded.fetch_add(1, Ordering::AcqRel);
        Ok(id)
    }

    /// The newest result of each check of a runbook.
    pub async fn latest(&self, runbook_key: &str) -> Result<Vec<CheckResult>> {
        Ok(self.store.latest(runbook_key).await?)
    }
}
