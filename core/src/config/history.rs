//! `[history]`: how long alert history is kept and when an alert counts as
//! flapping.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HistoryConfig {
    /// Days of alert transitions kept; older rows are pruned in the
    /// background. At least 1 (the schema refuses to delete younger rows).
    pub retention_days: u32,
    /// More firings than this in 24 hours shows the "flapping" banner.
    pub flapping_threshold_24h: u32,
}

impl Default for HistoryConfig {
    fn default() -> Self {
        HistoryConfig {
            retention_days: 400,
            flapping_threshold_24h: 5,
        }
    }
}
