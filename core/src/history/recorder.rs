//! The diff of two alert pictures: what each series did since the last
//! snapshot, as rows to record. Pure (no I/O, the time passed in), so the
//! state machine is tested without a poller or a database.
//!
//! A series is a label set (its fingerprint). It is pending or firing, and
//! independently silenced and/or inhibited; a series missing from the next
//! picture resolved. Only changes become rows, so a poll in which nothing
//! changed writes nothing, whatever the number of firing series.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use portal_types::{AlertInstance, Labels};

use crate::store::history::{
    NewTransition, OpenSeries, TransitionSource, TransitionState, fingerprint,
};

/// What the recorder remembers of one series between pictures.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub alertname: String,
    pub upstream: String,
    pub labels: Labels,
    pub firing: bool,
    pub silenced: bool,
    pub inhibited: bool,
    /// When the episode began: activation for a pending series, the first
    /// firing for a firing one (a resolved row's `starts_at`).
    pub since: DateTime<Utc>,
}

/// Every series of the last recorded picture, by fingerprint. Shared
/// entries, so carrying an unchanged series into the next picture (the
/// common case: 10,000 firing series, none changed) copies no labels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series(pub HashMap<String, Arc<Seen>>);

impl Series {
    /// Start from what the database says is still open, so a restarted or
    /// newly elected leader records no second firing of an ongoing one.
    pub fn from_open(open: Vec<OpenSeries>) -> Series {
        Series(
            open.into_iter()
                .map(|o| {
                    let firing = !matches!(o.state, TransitionState::Pending);
                    let seen = Seen {
                        alertname: o.alertname,
                        upstream: o.upstream,
                        labels: o.labels,
                        firing,
                        silenced: o.state == TransitionState::Silenced,
                        inhibited: o.state == TransitionState::Inhibited,
                        since: o.starts_at.unwrap_or(o.at),
                    };
                    (o.fingerprint, Arc::new(seen))
                })
                .collect(),
        )
    }

    /// The rows that take this picture to `alerts` at `now`, and the
    /// series after them (kept only once the rows are stored).
    pub fn diff(
        &self,
        alerts: &[AlertInstance],
        now: DateTime<Utc>,
    ) -> (Vec<NewTransition>, Series) {
        self.diff_heard(alerts, now, &[])
    }

    /// [`diff`](Self::diff) while some upstreams have not answered yet
    /// (`unheard`, by name): a series only they reported is missing from
    /// the picture because nobody asked, not because it resolved, so it is
    /// carried over as it was.
    pub fn diff_heard(
        &self,
        alerts: &[AlertInstance],
        now: DateTime<Utc>,
        unheard: &[&str],
    ) -> (Vec<NewTransition>, Series) {
        let mut rows = Vec::new();
        let mut next = HashMap::with_capacity(alerts.len());
        for alert in alerts {
            let key = fingerprint(&alert.labels);
            let firing = alert.state == "firing";
            let silenced = !alert.silenced_by.is_empty();
            let inhibited = !alert.inhibited_by.is_empty();
            let previous = self.0.get(&key);
            if let Some(p) = previous
                && p.firing == firing
                && p.silenced == silenced
                && p.inhibited == inhibited
            {
                // The steady state of a long incident: no allocation but the key.
                next.insert(key, p.clone());
                continue;
            }
            let mut seen = Seen {
                alertname: alert.alertname().to_string(),
                upstream: alert.sources.first().cloned().unwrap_or_default(),
                labels: alert.labels.clone(),
                firing,
                silenced,
                inhibited,
                since: previous.map_or_else(|| alert.active_at.unwrap_or(now), |p| p.since),
            };
            let row = |state, seen: &Seen, unless_since| NewTransition {
                at: now,
                alertname: seen.alertname.clone(),
                fingerprint: key.clone(),
                upstream: seen.upstream.clone(),
                state,
                source: TransitionSource::Poll,
                labels: seen.labels.clone(),
                starts_at: Some(seen.since),
                ends_at: None,
                unless_since,
            };
            let was_firing = previous.is_some_and(|p| p.firing);
            match (previous.is_some(), was_firing, firing) {
                (false, _, false) => rows.push(row(TransitionState::Pending, &seen, None)),
                (_, false, true) => {
                    // Guarded from the activation: a webhook may have
                    // recorded this firing first.
                    let active = alert.active_at.unwrap_or(now).min(seen.since);
                    seen.since = now;
                    rows.push(row(TransitionState::Firing, &seen, Some(active)));
                }
                (true, true, false) => {
                    // Firing back to pending (rare): that episode ended.
                    if let Some(p) = previous {
                        rows.push(resolved(&key, p, now));
                    }
                    seen.since = alert.active_at.unwrap_or(now);
                    rows.push(row(TransitionState::Pending, &seen, None));
                }
                _ => {}
            }
            let (was_silenced, was_inhibited) =
                previous.map_or((false, false), |p| (p.silenced, p.inhibited));
            if silenced && !was_silenced {
                rows.push(row(TransitionState::Silenced, &seen, None));
            } else if inhibited && !was_inhibited && !silenced {
                rows.push(row(TransitionState::Inhibited, &seen, None));
            }
            if !silenced && !inhibited && (was_silenced || was_inhibited) {
                rows.push(row(TransitionState::Unsilenced, &seen, None));
            }
            next.insert(key, Arc::new(seen));
        }
        for (key, seen) in &self.0 {
            if next.contains_key(key) {
                continue;
            }
            if unheard.contains(&seen.upstream.as_str()) {
                next.insert(key.clone(), seen.clone());
            } else {
                rows.push(resolved(key, seen, now));
            }
        }
        (rows, Series(next))
    }
}

/// The end of an episode. A firing one carries its start, so its duration
/// is one subtraction; a pending one that never fired carries none and
/// counts in no duration. Guarded from the start: a webhook's resolved
/// notification may have recorded it first.
fn resolved(key: &str, seen: &Seen, now: DateTime<Utc>) -> NewTransition {
    NewTransition {
        at: now,
        alertname: seen.alertname.clone(),
        fingerprint: key.to_string(),
        upstream: seen.upstream.clone(),
        state: TransitionState::Resolved,
        source: TransitionSource::Poll,
        labels: seen.labels.clone(),
        starts_at: seen.firing.then_some(seen.since),
        ends_at: Some(now),
        unless_since: seen.firing.then_some(seen.since),
    }
}
