//! Live alert state as pages and the SSE stream see it, shared by the server
//! (which builds it from the poller's snapshot) and the browser (which keeps
//! it up to date from `GET /api/v1/alerts/stream`).

use crate::Labels;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Whether an alert fires, as last seen by the server's poller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    Firing,
    Pending,
    Inactive,
    /// Firing, but every firing instance is silenced or inhibited.
    Silenced,
    /// No Prometheus is configured.
    NotConfigured,
    /// The poller has no successful answer yet, or the last one failed.
    Unreachable,
}

impl AlertState {
    pub fn label(self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Pending => "pending",
            AlertState::Inactive => "inactive",
            AlertState::Silenced => "silenced",
            AlertState::NotConfigured => "no Prometheus configured",
            AlertState::Unreachable => "Prometheus unreachable",
        }
    }

    /// CSS class suffix.
    pub fn css(self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Pending => "pending",
            AlertState::Inactive => "inactive",
            AlertState::Silenced => "silenced",
            AlertState::NotConfigured | AlertState::Unreachable => "unknown",
        }
    }
}

/// The alert badge of a runbook page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertBadge {
    pub alertname: String,
    pub state: AlertState,
    /// Number of firing instances.
    pub firing: usize,
    /// Number of pending instances.
    pub pending: usize,
    /// When the poller last heard from Prometheus.
    pub updated_at: Option<DateTime<Utc>>,
}

/// One firing or pending alert instance, merged over every upstream that
/// reports the same label set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertInstance {
    pub labels: Labels,
    pub annotations: Labels,
    /// `firing` or `pending`, as Prometheus evaluates it.
    pub state: String,
    pub active_at: Option<DateTime<Utc>>,
    /// The expression's value when last evaluated (Prometheus only).
    pub value: Option<String>,
    /// Ids of the silences that mute it in Alertmanager.
    pub silenced_by: Vec<String>,
    /// Fingerprints of the alerts that inhibit it.
    pub inhibited_by: Vec<String>,
    /// Names of the upstreams that report it.
    pub sources: Vec<String>,
}

impl AlertInstance {
    pub fn alertname(&self) -> &str {
        self.labels.get("alertname").map_or("", String::as_str)
    }

    pub fn muted(&self) -> bool {
        !self.silenced_by.is_empty() || !self.inhibited_by.is_empty()
    }

    /// Whether every label in `filter` has the same value here.
    pub fn matches(&self, filter: &Labels) -> bool {
        filter
            .iter()
            .all(|(k, v)| self.labels.get(k).is_some_and(|have| have == v))
    }
}

/// An Alertmanager silence that mutes one of the alerts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SilenceView {
    pub id: String,
    /// `active` or `pending`.
    pub state: String,
    pub matchers: Vec<String>,
    pub comment: String,
    pub created_by: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The Alertmanager it came from.
    pub upstream: String,
}

/// An alerting rule as a Prometheus evaluates it right now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveRule {
    pub upstream: String,
    pub group: String,
    /// Rule file on the Prometheus server.
    pub file: String,
    pub name: String,
    pub query: String,
    /// The `for` duration, in seconds.
    pub for_secs: f64,
    pub labels: Labels,
    pub annotations: Labels,
    /// `firing`, `pending` or `inactive`.
    pub state: String,
    /// `ok`, `err` or `unknown`.
    pub health: String,
    pub last_error: Option<String>,
    pub last_evaluation: Option<DateTime<Utc>>,
    pub evaluation_secs: f64,
}

/// What an upstream is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UpstreamKind {
    Prometheus,
    Alertmanager,
}

crate::names!(UpstreamKind {
    Prometheus => "prometheus",
    Alertmanager => "alertmanager",
});

/// Health of one upstream, as its poller last saw it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpstreamHealth {
    pub name: String,
    pub kind: UpstreamKind,
    pub url: String,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Set while polls fail: since when the data shown is old.
    pub stale_since: Option<DateTime<Utc>>,
}

impl UpstreamHealth {
    pub fn healthy(&self) -> bool {
        self.stale_since.is_none() && self.last_success.is_some()
    }

    /// Same health, ignoring the time of the last success (which moves on
    /// every poll and must not cause an event by itself).
    pub fn same_health(&self, other: &UpstreamHealth) -> bool {
        self.name == other.name
            && self.last_error == other.last_error
            && self.stale_since == other.stale_since
            && self.last_success.is_some() == other.last_success.is_some()
    }
}

/// Everything about one alert name: the unit of SSE change events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertGroup {
    pub alertname: String,
    pub state: AlertState,
    /// Key of the runbook this alert joins to (`group/Alert`), if any.
    pub runbook: Option<String>,
    /// The alert's `runbook_url` / `runbook` annotation, when it has one.
    pub runbook_url: Option<String>,
    /// `severity` label of the first instance or rule.
    pub severity: Option<String>,
    pub instances: Vec<AlertInstance>,
    pub silences: Vec<SilenceView>,
    pub rules: Vec<LiveRule>,
}

impl AlertGroup {
    /// Whether `other` differs in anything a viewer would see change; rule
    /// evaluation times move every cycle and are left out.
    pub fn differs(&self, other: &AlertGroup) -> bool {
        let strip = |rules: &[LiveRule]| -> Vec<LiveRule> {
            rules
                .iter()
                .map(|r| LiveRule {
                    last_evaluation: None,
                    evaluation_secs: 0.0,
                    ..r.clone()
                })
                .collect()
        };
        self.alertname != other.alertname
            || self.state != other.state
            || self.runbook != other.runbook
            || self.runbook_url != other.runbook_url
            || self.severity != other.severity
            || self.instances != other.instances
            || self.silences != other.silences
            || strip(&self.rules) != strip(&other.rules)
    }
}

/// The state a subscriber starts from (SSE `state` event, page render).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveState {
    /// Event id of the snapshot this was taken from (`Last-Event-ID`).
    pub id: String,
    pub generated_at: DateTime<Utc>,
    pub upstreams: Vec<UpstreamHealth>,
    pub groups: Vec<AlertGroup>,
}

impl LiveState {
    /// Apply one change event.
    pub fn apply_group(&mut self, group: AlertGroup) {
        match self
            .groups
            .iter_mut()
            .find(|g| g.alertname == group.alertname)
        {
            Some(slot) => *slot = group,
            None => self.groups.push(group),
        }
    }

    /// Upstreams that fail now, with the oldest time their data is from.
    pub fn stale(&self) -> Vec<&UpstreamHealth> {
        self.upstreams.iter().filter(|u| !u.healthy()).collect()
    }
}

/// The state of an alert name from its instances and the upstreams' health.
pub fn group_state(instances: &[AlertInstance], upstreams: &[UpstreamHealth]) -> AlertState {
    let proms: Vec<&UpstreamHealth> = upstreams
        .iter()
        .filter(|u| u.kind == UpstreamKind::Prometheus)
        .collect();
    let firing = instances.iter().filter(|i| i.state == "firing");
    if upstreams.is_empty() {
        AlertState::NotConfigured
    } else if firing.clone().any(|i| !i.muted()) {
        AlertState::Firing
    } else if firing.clone().next().is_some() {
        AlertState::Silenced
    } else if instances.iter().any(|i| i.state == "pending") {
        AlertState::Pending
    } else if (!proms.is_empty() && proms.iter().all(|u| !u.healthy()))
        || (proms.is_empty() && upstreams.iter().all(|u| !u.healthy()))
    {
        // Every Prometheus is down (or, with none, every Alertmanager).
        AlertState::Unreachable
    } else {
        AlertState::Inactive
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(state: &str, silenced: bool) -> AlertInstance {
        AlertInstance {
            labels: [("alertname".to_string(), "A".to_string())].into(),
            annotations: Labels::new(),
            state: state.into(),
            active_at: None,
            value: None,
            silenced_by: if silenced { vec!["s".into()] } else { vec![] },
            inhibited_by: vec![],
            sources: vec!["p".into()],
        }
    }

    fn upstream(kind: &str, healthy: bool) -> UpstreamHealth {
        UpstreamHealth {
            name: kind.into(),
            kind: match kind {
                "prometheus" => UpstreamKind::Prometheus,
                _ => UpstreamKind::Alertmanager,
            },
            url: String::new(),
            last_success: Some(Utc::now()),
            last_error: None,
            stale_since: (!healthy).then(Utc::now),
        }
    }

    #[test]
    fn state_prefers_unmuted_firing_then_silenced_then_pending() {
        let ups = [upstream("prometheus", true)];
        assert_eq!(group_state(&[], &[]), AlertState::NotConfigured);
        assert_eq!(group_state(&[], &ups), AlertState::Inactive);
        assert_eq!(
            group_state(&[instance("pending", false)], &ups),
            AlertState::Pending
        );
        assert_eq!(
            group_state(&[instance("firing", true)], &ups),
            AlertState::Silenced
        );
        assert_eq!(
            group_state(&[instance("firing", true), instance("firing", false)], &ups),
            AlertState::Firing
        );
        assert_eq!(
            group_state(&[], &[upstream("prometheus", false)]),
            AlertState::Unreachable
        );
        assert_eq!(
            group_state(
                &[],
                &[
                    upstream("prometheus", true),
                    upstream("alertmanager", false)
                ]
            ),
            AlertState::Inactive,
            "a dead Alertmanager does not hide Prometheus' answer"
        );
    }

    #[test]
    fn label_filter_and_rule_timing_do_not_count_as_change() {
        let i = instance("firing", false);
        assert!(i.matches(&[("alertname".into(), "A".into())].into()));
        assert!(!i.matches(&[("instance".into(), "x".into())].into()));
        let rule = LiveRule {
            upstream: "p".into(),
            group: "g".into(),
            file: "f".into(),
            name: "A".into(),
            query: "vector(1)".into(),
            for_secs: 0.0,
            labels: Labels::new(),
            annotations: Labels::new(),
            state: "firing".into(),
            health: "ok".into(),
            last_error: None,
            last_evaluation: Some(Utc::now()),
            evaluation_secs: 0.1,
        };
        let a = AlertGroup {
            alertname: "A".into(),
            state: AlertState::Firing,
            runbook: None,
            runbook_url: None,
            severity: None,
            instances: vec![i],
            silences: vec![],
            rules: vec![rule.clone()],
        };
        let mut b = a.clone();
        b.rules[0].last_evaluation = None;
        assert!(!a.differs(&b));
        b.instances[0].state = "pending".into();
        assert!(a.differs(&b));
    }
}

/// `/alerts/{alertname}` when the name does not lead to exactly one runbook:
/// the runbooks written for it in several groups (a choice), or, with none,
/// what is known of the alert and the runbooks whose names are close to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertPage {
    pub alertname: String,
    pub runbooks: Vec<crate::RunbookSummary>,
    /// The alert's live state (its instances, labels, annotations, rule).
    pub live: LiveState,
    /// Its expression over the first graph range.
    pub graph: Result<crate::GraphView, String>,
    /// "Did you mean": runbooks found by the words of the name.
    pub similar: Vec<crate::SearchResult>,
}
