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

impl HistoryConfig {
    /// Why this configuration cannot run, if it cannot.
    pub fn problem(&self) -> Option<String> {
        (!(1..=100_000).contains(&self.retention_days))
            .then(|| "history.retention_days must be between 1 and 100000".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::HistoryConfig;

    #[test]
    fn defaults_and_bounds() {
        let config = HistoryConfig::default();
        assert_eq!(
            (config.retention_days, config.flapping_threshold_24h),
            (400, 5)
        );
        assert_eq!(config.problem(), None);
        let zero: HistoryConfig = serde_json::from_str(r#"{"retention_days": 0}"#).unwrap();
        assert!(zero.problem().is_some());
        let unknown = serde_json::from_str::<HistoryConfig>(r#"{"retention": 3}"#);
        assert!(unknown.is_err(), "unknown keys are refused");
    }
}
