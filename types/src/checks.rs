//! Diagnosis checks as the pages and the JSON API see them: what a check is
//! (declared in the runbook) and what one run of it found.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Labels;

/// The id of the check every runbook with a known rule gets: evaluate the
/// alert's own expression now.
pub const ALERT_EXPR: &str = "alert-expr";

/// One check of a runbook, prepared for the page's labels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckView {
    /// Stable id from the runbook (`id:`), what a run names.
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// `promql`, `http`, `tcp`, `dns` or `alert-expr`.
    pub kind: String,
    /// What will be queried or reached, with the page's labels filled in
    /// (placeholders left as written when a label is missing).
    pub target: String,
    /// The expectation, e.g. `> 0`, `status 200`.
    pub expect: Option<String>,
    /// Why this check cannot run with these labels or this configuration
    /// (missing label, target outside the allow-list); the Run button is
    /// then disabled and this is shown instead.
    pub blocked: Option<String>,
}

/// pass / fail / error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// The expectation held.
    Pass,
    /// The target answered and the expectation did not hold.
    Fail,
    /// The check could not be evaluated (timeout, bad query, refused).
    Error,
}

crate::names!(CheckStatus {
    Pass => "pass",
    Fail => "fail",
    Error => "error",
});

/// One series of a PromQL check's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesValue {
    pub labels: Labels,
    pub value: f64,
}

/// What one run of a check found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckResult {
    pub check: String,
    pub kind: String,
    pub status: CheckStatus,
    /// One line for a human: "3 series, all > 0", "HTTP 503", "timed out".
    pub message: String,
    /// The headline value (a number, a status code, an address).
    pub value: Option<String>,
    /// What was run, labels filled in.
    pub target: String,
    pub started_at: DateTime<Utc>,
    pub duration_ms: u64,
    /// Start of the output (response body, DNS answers), size-limited.
    pub excerpt: Option<String>,
    /// PromQL series (at most 20).
    #[serde(default)]
    pub series: Vec<SeriesValue>,
    /// Series left out of `series`.
    #[serde(default)]
    pub more_series: usize,
    pub actor: String,
    #[serde(default)]
    pub labels: Labels,
    /// The incident whose timeline recorded this run.
    pub incident_id: Option<i64>,
}
