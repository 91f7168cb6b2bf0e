//! An alert's history as the runbook page's History panel and
//! `GET /api/v1/alerts/{alertname}/history` show it: how often and how long
//! it fired, where, and what was done about it last time.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::IncidentStatus;

/// Days of history a request may ask for (the default retention).
pub const MAX_HISTORY_DAYS: u32 = 400;
/// The window when a request names none: the page's 30-day strip.
pub const DEFAULT_HISTORY_DAYS: u32 = 30;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertHistory {
    pub alertname: String,
    /// The window of `per_day`, `durations`, `top_instances`, in days.
    pub days: u32,
    pub generated_at: DateTime<Utc>,
    pub fired: FiredCounts,
    /// Fired more than `flapping_threshold` times in the last 24 hours.
    pub flapping: bool,
    pub flapping_threshold: u32,
    pub last_fired: Option<LastFiring>,
    pub durations: DurationStats,
    /// Every day of the window, oldest first, zeros included.
    pub per_day: Vec<DayCount>,
    /// The series that fired most in the window.
    pub top_instances: Vec<InstanceCount>,
    /// The most recent resolved incident of this alert.
    pub last_time: Option<LastTime>,
    /// The newest resolved incidents of this alert, newest first.
    pub past_incidents: Vec<PastIncident>,
    /// Resolved incidents of this alert in all (`past_incidents` is a page).
    pub past_incidents_total: i64,
}

/// Firings (a series going to `firing`) before `generated_at`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FiredCounts {
    pub last_24h: u64,
    pub last_7d: u64,
    pub last_30d: u64,
    pub last_90d: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LastFiring {
    pub at: DateTime<Utc>,
    /// The series, by its `instance` label (else its other labels).
    pub instance: String,
    /// `None` while it still fires.
    pub resolved_at: Option<DateTime<Utc>>,
    pub duration_secs: Option<f64>,
}

/// How long the episodes that resolved in the window fired.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DurationStats {
    pub resolved: u64,
    pub p50_secs: Option<f64>,
    pub p90_secs: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayCount {
    /// A UTC day.
    pub day: NaiveDate,
    pub firings: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstanceCount {
    pub instance: String,
    pub firings: u64,
}

/// What responders did the last time: the newest resolved incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LastTime {
    pub incident: PastIncident,
    pub resolve_reason: Option<String>,
    pub notes: Vec<PastNote>,
    /// The checklist steps ticked when it was resolved.
    pub steps_done: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PastNote {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub text: String,
    /// The note's Markdown as sanitised HTML, as the incident's timeline
    /// shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PastIncident {
    pub id: i64,
    pub title: String,
    pub status: IncidentStatus,
    pub opened_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
    /// Seconds from opening to the acknowledgement (`None`: never acknowledged).
    pub mtta_secs: Option<f64>,
    /// Seconds from opening to resolution.
    pub mttr_secs: Option<f64>,
}

/// The `p`-th percentile (0..=100) of `values`, nearest-rank, which sorts
/// `values`; `None` when there are none. Nearest-rank, so a p50 is a
/// duration that happened, not an average of two.
pub fn percentile(values: &mut [f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    values.get(rank.clamp(1, values.len()) - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(percentile(&mut [], 50.0), None);
        assert_eq!(percentile(&mut [7.0], 90.0), Some(7.0));
        let mut v: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        assert_eq!(percentile(&mut v, 50.0), Some(5.0));
        assert_eq!(percentile(&mut v, 90.0), Some(9.0));
        assert_eq!(percentile(&mut v, 100.0), Some(10.0));
        assert_eq!(percentile(&mut v, 0.0), Some(1.0));
        assert_eq!(percentile(&mut [3.0, 1.0], 50.0), Some(1.0));
    }
}
