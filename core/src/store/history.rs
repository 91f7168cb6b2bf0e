//! The alert history aggregate: every state change of every alert series
//! the poller leader saw, and the webhook notifications that add to it.
//! Append-only like the other ledgers, except that retention pruning
//! deletes rows older than a day (the schema refuses younger ones).
//!
//! The questions a runbook page asks ("how often, how long, which
//! instances") are answered by the backend in SQL over the `(alertname,
//! at)` index, returning counts and a narrow column of durations, so a
//! page never decodes a million label sets.

use chrono::{DateTime, Utc};
use portal_types::Labels;

use super::StoreResult;

/// What happened to a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransitionState {
    Pending,
    Firing,
    Resolved,
    Silenced,
    Unsilenced,
    Inhibited,
}

impl TransitionState {
    pub const ALL: [TransitionState; 6] = [
        TransitionState::Pending,
        TransitionState::Firing,
        TransitionState::Resolved,
        TransitionState::Silenced,
        TransitionState::Unsilenced,
        TransitionState::Inhibited,
    ];

    /// The name in both schemas.
    pub fn as_str(self) -> &'static str {
        match self {
            TransitionState::Pending => "pending",
            TransitionState::Firing => "firing",
            TransitionState::Resolved => "resolved",
            TransitionState::Silenced => "silenced",
            TransitionState::Unsilenced => "unsilenced",
            TransitionState::Inhibited => "inhibited",
        }
    }

    pub fn parse(text: &str) -> Option<TransitionState> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Who saw it: the poller (the leader's diff of two snapshots) or an
/// Alertmanager notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionSource {
    Poll,
    Webhook,
}

impl TransitionSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TransitionSource::Poll => "poll",
            TransitionSource::Webhook => "webhook",
        }
    }

    pub fn parse(text: &str) -> Option<TransitionSource> {
        match text {
            "poll" => Some(TransitionSource::Poll),
            "webhook" => Some(TransitionSource::Webhook),
            _ => None,
        }
    }
}

/// One row to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTransition {
    pub at: DateTime<Utc>,
    pub alertname: String,
    pub fingerprint: String,
    pub upstream: String,
    pub state: TransitionState,
    pub source: TransitionSource,
    pub labels: Labels,
    /// When the episode began: for a pending row its activation, for every
    /// later row (firing, muted, resolved) when it started firing, so a
    /// resolved row's duration is `ends_at - starts_at`, no pairing.
    pub starts_at: Option<DateTime<Utc>>,
    /// When it ended (resolved rows).
    pub ends_at: Option<DateTime<Utc>>,
    /// Write nothing if this series already has a row of the same state
    /// at or after this time: the poller and the webhook both see one
    /// firing, and Alertmanager repeats its notifications; the first to
    /// record an episode wins, the others add nothing.
    pub unless_since: Option<DateTime<Utc>>,
}

/// A stored row (tests and `migrate-data`).
#[derive(Debug, Clone, PartialEq)]
pub struct TransitionRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub alertname: String,
    pub fingerprint: String,
    pub upstream: String,
    pub state: TransitionState,
    pub source: TransitionSource,
    /// What the page names the series by (see [`series_name`]).
    pub instance: String,
    pub labels: Labels,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
}

/// The newest row of a series that has not resolved: what a new poller
/// leader starts its diff from, so a restart records no duplicate firing.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenSeries {
    pub fingerprint: String,
    pub alertname: String,
    pub upstream: String,
    pub state: TransitionState,
    pub labels: Labels,
    pub at: DateTime<Utc>,
    pub starts_at: Option<DateTime<Utc>>,
}

impl From<TransitionRecord> for OpenSeries {
    fn from(r: TransitionRecord) -> OpenSeries {
        OpenSeries {
            fingerprint: r.fingerprint,
            alertname: r.alertname,
            upstream: r.upstream,
            state: r.state,
            labels: r.labels,
            at: r.at,
            starts_at: r.starts_at,
        }
    }
}

/// The newest row of every series whose newest row is not `resolved`; the
/// same SQL on every backend.
pub const OPEN_SERIES_SQL: &str = "SELECT t.* FROM alert_transitions t
     JOIN (SELECT MAX(id) AS id FROM alert_transitions GROUP BY fingerprint) newest
       ON newest.id = t.id
     WHERE t.state <> 'resolved'";

/// The aggregates of one alert name, as of `now`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryFacts {
    /// Firings in the last 24 hours, 7, 30 and 90 days.
    pub fired_24h: u64,
    pub fired_7d: u64,
    pub fired_30d: u64,
    pub fired_90d: u64,
    /// The newest firing: when, its series, and when it resolved (`None`
    /// while it still fires).
    pub last_fired: Option<LastFired>,
    /// Seconds each episode resolved in the window lasted.
    pub durations_secs: Vec<f64>,
    /// Firings per UTC day in the window (days without any left out), as
    /// days since 1970-01-01.
    pub per_day: Vec<(i64, u64)>,
    /// The series that fired most in the window, most first.
    pub top_instances: Vec<(String, u64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LastFired {
    pub at: DateTime<Utc>,
    pub instance: String,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// Alert transitions, append-only except for retention.
#[async_trait::async_trait]
pub trait HistoryStore: Send + Sync {
    /// Record rows in one transaction (each subject to its
    /// `unless_since`); returns how many were written.
    async fn record(&self, rows: &[NewTransition]) -> StoreResult<u64>;
    /// The newest row of every series whose newest firing, pending or
    /// muting row has no resolved row after it.
    async fn open_series(&self) -> StoreResult<Vec<OpenSeries>>;
    /// Aggregates of `alertname`: fixed windows before `now`, and the
    /// per-day counts, durations and instances of the last `days` days.
    async fn facts(
        &self,
        alertname: &str,
        now: DateTime<Utc>,
        days: u32,
        top: u32,
    ) -> StoreResult<HistoryFacts>;
    /// Delete up to `limit` rows older than `before`, oldest first;
    /// returns how many.
    async fn prune(&self, before: DateTime<Utc>, limit: u32) -> StoreResult<u64>;
}

/// What a page names a series by: its `instance` label, else its other
/// labels (`job=x, path=/`), cut to 200 bytes. Kept in its own column so
/// the top-instances count groups a short text, not JSON.
pub fn series_name(labels: &Labels) -> String {
    if let Some(instance) = labels.get("instance") {
        return cut(instance);
    }
    let rest: Vec<String> = labels
        .iter()
        .filter(|(k, _)| *k != "alertname")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    cut(&rest.join(", "))
}

fn cut(text: &str) -> String {
    let mut end = text.len().min(200);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// The series' fingerprint as Prometheus and Alertmanager compute it
/// (FNV-1a 64 over the sorted label names and values, each followed by
/// 0xff), so the poller's rows and the webhook's name the same series.
pub fn fingerprint(labels: &Labels) -> String {
    const OFFSET: u64 = 14_695_981_039_346_656_037;
    const PRIME: u64 = 1_099_511_628_211;
    let mut hash = OFFSET;
    let mut add = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    // `Labels` is a BTreeMap: already sorted by name.
    for (name, value) in labels {
        add(name.as_bytes());
        add(&[0xff]);
        add(value.as_bytes());
        add(&[0xff]);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn fingerprints_match_prometheus() {
        // Prometheus' model: an empty label set hashes to the FNV offset.
        assert_eq!(fingerprint(&Labels::new()), "cbf29ce484222325");
        let a = labels(&[("alertname", "Up"), ("instance", "a")]);
        let b = labels(&[("instance", "a"), ("alertname", "Up")]);
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(
            fingerprint(&a),
            fingerprint(&labels(&[("alertname", "Up"), ("instance", "b")]))
        );
        assert_eq!(fingerprint(&a).len(), 16);
    }

    #[test]
    fn series_are_named_by_instance_or_their_labels() {
        assert_eq!(
            series_name(&labels(&[("alertname", "Up"), ("instance", "db1:9100")])),
            "db1:9100"
        );
        assert_eq!(
            series_name(&labels(&[("alertname", "Up"), ("job", "x"), ("path", "/")])),
            "job=x, path=/"
        );
        let long = "é".repeat(150);
        assert!(series_name(&labels(&[("instance", &long)])).len() <= 200);
    }

    #[test]
    fn states_round_trip() {
        for state in TransitionState::ALL {
            assert_eq!(TransitionState::parse(state.as_str()), Some(state));
        }
        assert_eq!(
            TransitionSource::parse("webhook"),
            Some(TransitionSource::Webhook)
        );
        assert_eq!(TransitionState::parse("nope"), None);
    }
}
