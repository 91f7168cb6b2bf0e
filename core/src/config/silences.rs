//! `[silences]`: the guardrails of silences made through the portal.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SilencesConfig {
    /// Longest silence, in hours.
    pub max_duration_hours: u32,
    /// Most firing or pending alerts one silence may match when created.
    pub max_matched_alerts: usize,
    /// Let the `anonymous` actor create silences (a single-user laptop);
    /// off by default, since a silence must name who muted the pager.
    pub allow_anonymous: bool,
}

impl Default for SilencesConfig {
    fn default() -> Self {
        SilencesConfig {
            max_duration_hours: 24,
            max_matched_alerts: 50,
            allow_anonymous: false,
        }
    }
}
