//! "Has this fired before, and what did we do?": an alert's history from
//! the recorded transitions (counted in SQL by the store) and its past
//! incidents (MTTA, MTTR, and the last one's notes, reason and ticked steps).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use portal_types::{
    AlertHistory, DayCount, DurationStats, FiredCounts, IncidentStatus, IncidentView,
    InstanceCount, LastFiring, LastTime, MAX_HISTORY_DAYS, PastIncident, PastNote, percentile,
};

use crate::config::HistoryConfig;
use crate::error::{Error, Result};
use crate::incidents::Timeline;
use crate::store::{HistoryStore, IncidentFilter, IncidentRecord, IncidentStore, StatusFilter};

/// Past incidents listed with their MTTA and MTTR.
const PAST_INCIDENTS: u32 = 10;
/// Instances listed as firing most.
const TOP_INSTANCES: u32 = 10;
/// Longest alert name asked about (Prometheus has no limit; a URL has).
const MAX_ALERTNAME: usize = 512;

#[derive(Clone)]
pub struct History {
    store: Arc<dyn HistoryStore>,
    incidents: Arc<dyn IncidentStore>,
    timeline: Timeline,
    config: HistoryConfig,
}

impl History {
    pub fn new(
        store: Arc<dyn HistoryStore>,
        incidents: Arc<dyn IncidentStore>,
        timeline: Timeline,
        config: HistoryConfig,
    ) -> History {
        History {
            store,
            incidents,
            timeline,
            config,
        }
    }

    pub fn config(&self) -> &HistoryConfig {
        &self.config
    }

    /// The history of `alertname`; `days` (1..=400, default 30) is the
    /// window of the per-day counts, durations and instances.
    pub async fn alert(&self, alertname: &str, days: Option<u32>) -> Result<AlertHistory> {
        let days = days.unwrap_or(portal_types::DEFAULT_HISTORY_DAYS);
        if !(1..=MAX_HISTORY_DAYS).contains(&days) {
            return Err(Error::BadRequest(format!(
                "days must be between 1 and {MAX_HISTORY_DAYS}, not {days}"
            )));
        }
        if alertname.trim().is_empty() || alertname.len() > MAX_ALERTNAME {
            return Err(Error::BadRequest(format!(
                "an alert name must be 1 to {MAX_ALERTNAME} bytes"
            )));
        }
        let now = Utc::now();
        let facts = self
            .store
            .facts(alertname, now, days, TOP_INSTANCES)
            .await?;
        let mut durations = facts.durations_secs;
        let (past, total) = self.past_incidents(alertname).await?;
        let last_time = match past.first() {
            Some(newest) => Some(self.last_time(newest.id).await?),
            None => None,
        };
        Ok(AlertHistory {
            alertname: alertname.to_string(),
            days,
            generated_at: now,
            fired: FiredCounts {
                last_24h: facts.fired_24h,
                last_7d: facts.fired_7d,
                last_30d: facts.fired_30d,
                last_90d: facts.fired_90d,
            },
            flapping: facts.fired_24h > u64::from(self.config.flapping_threshold_24h),
            flapping_threshold: self.config.flapping_threshold_24h,
            last_fired: facts.last_fired.map(|last| LastFiring {
                at: last.at,
                instance: last.instance,
                resolved_at: last.resolved_at,
                duration_secs: last.resolved_at.map(|end| secs(last.at, end)),
            }),
            durations: DurationStats {
                resolved: durations.len() as u64,
                p50_secs: percentile(&mut durations, 50.0),
                p90_secs: percentile(&mut durations, 90.0),
            },
            per_day: every_day(&facts.per_day, now, days),
            top_instances: facts
                .top_instances
                .into_iter()
                .map(|(instance, firings)| InstanceCount { instance, firings })
                .collect(),
            last_time,
            past_incidents: past,
            past_incidents_total: total,
        })
    }

    /// The newest resolved incidents of the alert, with the rows' times
    /// (the list's summaries carry no acknowledgement).
    async fn past_incidents(&self, alertname: &str) -> Result<(Vec<PastIncident>, i64)> {
        let filter = IncidentFilter {
            status: Some(StatusFilter::Is(IncidentStatus::Resolved)),
            alertname: Some(alertname),
            since: None,
            until: None,
            active_first: false,
        };
        let (items, total) = self.incidents.list(&filter, PAST_INCIDENTS, 0).await?;
        let mut past = Vec::with_capacity(items.len());
        for item in items {
            if let Some(record) = self.incidents.get(item.id).await? {
                past.push(past_incident(&record));
            }
        }
        Ok((past, total))
    }

    async fn last_time(&self, id: i64) -> Result<LastTime> {
        let view = self.timeline.get(id).await?;
        Ok(last_time_of(&view))
    }
}

fn secs(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_milliseconds().max(0) as f64 / 1000.0
}

fn past_incident(r: &IncidentRecord) -> PastIncident {
    PastIncident {
        id: r.id,
        title: r.title.clone(),
        status: r.status,
        opened_at: r.opened_at,
        resolved_at: r.resolved_at,
        resolved_by: r.resolved_by.clone(),
        mtta_secs: r.acknowledged_at.map(|at| secs(r.opened_at, at)),
        mttr_secs: r.resolved_at.map(|at| secs(r.opened_at, at)),
    }
}

/// What the timeline says was done: the last resolve's reason, every note,
/// the steps still ticked.
pub fn last_time_of(view: &IncidentView) -> LastTime {
    let text = |e: &portal_types::TimelineEvent, key: &str| {
        e.payload
            .get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
    };
    let resolve_reason = view
        .events
        .iter()
        .rev()
        .find(|e| e.kind == "resolved")
        .and_then(|e| text(e, "reason"))
        .filter(|r| !r.trim().is_empty());
    let notes = view
        .events
        .iter()
        .filter(|e| e.kind == "note")
        .filter_map(|e| {
            Some(PastNote {
                at: e.at,
                actor: e.actor.clone(),
                text: text(e, "text")?,
                html: e.html.clone(),
            })
        })
        .collect();
    let steps_done = view
        .checklist
        .iter()
        .filter(|s| s.done)
        .map(|s| s.text.clone())
        .collect();
    LastTime {
        incident: PastIncident {
            id: view.id,
            title: view.title.clone(),
            status: view.status,
            opened_at: view.opened_at,
            resolved_at: view.resolved_at,
            resolved_by: view.resolved_by.clone(),
            mtta_secs: view.acknowledged_at.map(|at| secs(view.opened_at, at)),
            mttr_secs: view.resolved_at.map(|at| secs(view.opened_at, at)),
        },
        resolve_reason,
        notes,
        steps_done,
    }
}

/// Every UTC day of the window ending today, zeros filled in.
fn every_day(counts: &[(i64, u64)], now: DateTime<Utc>, days: u32) -> Vec<DayCount> {
    let today = now.date_naive();
    (0..i64::from(days))
        .rev()
        .map(|back| {
            let day = today - Duration::days(back);
            // `NaiveDate::default()` is 1970-01-01, the store's day zero.
            let number = day
                .signed_duration_since(chrono::NaiveDate::default())
                .num_days();
            let firings = counts
                .iter()
                .find(|(d, _)| *d == number)
                .map_or(0, |(_, n)| *n);
            DayCount { day, firings }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_day_of_the_window_is_listed_oldest_first() {
        let now = Utc.with_ymd_and_hms(1970, 1, 11, 12, 0, 0).unwrap();
        let days = every_day(&[(10, 3), (8, 1)], now, 3);
        let firings: Vec<u64> = days.iter().map(|d| d.firings).collect();
        assert_eq!(firings, [1, 0, 3]);
        assert_eq!(days[2].day, now.date_naive());
    }
}
