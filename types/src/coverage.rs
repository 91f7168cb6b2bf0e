//! Which alerts have runbooks and which runbooks have alerts: for the team
//! lead's `/coverage` page and `GET /api/v1/coverage`.

use serde::{Deserialize, Serialize};

/// An alert with no runbook, and where it is defined.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UncoveredAlert {
    pub alertname: String,
    /// `prometheus <name>` for a live rule, `file <path>` for a rule file.
    pub defined_in: Vec<String>,
    /// Firing right now.
    pub firing: bool,
    pub severity: Option<String>,
}

/// A runbook whose alert no rule defines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrphanRunbook {
    pub key: String,
    pub alertname: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coverage {
    /// Alerts in Prometheus' rules, in the rule files or firing, with no
    /// runbook; firing ones first.
    pub uncovered: Vec<UncoveredAlert>,
    /// Runbooks whose alert exists in no rule.
    pub orphans: Vec<OrphanRunbook>,
    /// Alert names known from any source.
    pub alerts_total: usize,
    /// Of those, how many have a runbook.
    pub alerts_covered: usize,
}
