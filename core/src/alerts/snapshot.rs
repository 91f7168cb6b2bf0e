//! The immutable snapshot every page and SSE subscriber reads, and how it is
//! built from the pollers' per-upstream slots: alerts merged by label set
//! across upstreams, Alertmanager state (silences, inhibitions) joined on,
//! live rules attached, and each alert name joined to its runbook.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use portal_types::{AlertGroup, AlertInstance, LiveRule, LiveState, SilenceView, UpstreamHealth};
use serde::Serialize;

use super::join::{RunbookLookup, runbook_annotation};
pub use super::slots::{Slot, SlotData};
use super::slots::{collect_rules, collect_silences, merge_alerts};

/// Every alert, rule and silence at one moment. Never mutated: a new one is
/// built and swapped in.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct AlertSnapshot {
    /// Increases by one with every snapshot this process publishes.
    pub version: u64,
    /// The SSE event id of this snapshot (`Last-Event-ID`).
    pub id: String,
    pub generated_at: DateTime<Utc>,
    pub upstreams: Vec<UpstreamHealth>,
    /// Every firing and pending instance, sorted by label set.
    pub alerts: Vec<AlertInstance>,
    /// Per alert name: instances, silences, live rules, runbook.
    pub groups: BTreeMap<String, AlertGroup>,
    /// Active and pending silences of every Alertmanager.
    pub silences: Vec<SilenceView>,
    /// Alert name → version of the snapshot in which its group last changed.
    #[serde(skip)]
    pub changed: HashMap<String, u64>,
    /// Version in which some upstream's health last changed.
    #[serde(skip)]
    pub upstreams_changed: u64,
    /// Each group's JSON, encoded once here rather than once per subscriber.
    #[serde(skip)]
    group_json: HashMap<String, Arc<str>>,
    /// The unfiltered `state` event's JSON, encoded on first use.
    #[serde(skip)]
    state_json: OnceLock<Arc<str>>,
}

impl AlertSnapshot {
    /// The group of `alertname`, or an empty one (inactive, unreachable, …)
    /// when nothing is known about it.
    pub fn group(&self, alertname: &str) -> AlertGroup {
        self.groups
            .get(alertname)
            .cloned()
            .unwrap_or_else(|| AlertGroup {
                alertname: alertname.to_string(),
                state: portal_types::group_state(&[], &self.upstreams),
                runbook: None,
                runbook_url: None,
                severity: None,
                instances: Vec::new(),
                silences: Vec::new(),
                rules: Vec::new(),
            })
    }

    /// The state a subscriber starts from: one alert name, or all of them.
    pub fn live_state(&self, alertname: Option<&str>) -> LiveState {
        LiveState {
            id: self.id.clone(),
            generated_at: self.generated_at,
            upstreams: self.upstreams.clone(),
            groups: match alertname {
                Some(name) => vec![self.group(name)],
                None => self.groups.values().cloned().collect(),
            },
        }
    }

    /// The JSON of [`group`](Self::group), shared by every subscriber.
    pub fn group_json(&self, alertname: &str) -> Arc<str> {
        match self.group_json.get(alertname) {
            Some(json) => json.clone(),
            None => encode(&self.group(alertname)),
        }
    }

    /// The JSON of [`live_state`](Self::live_state); the unfiltered one is
    /// encoded once per snapshot.
    pub fn live_state_json(&self, alertname: Option<&str>) -> Arc<str> {
        match alertname {
            Some(_) => encode(&self.live_state(alertname)),
            None => self
                .state_json
                .get_or_init(|| encode(&self.live_state(None)))
                .clone(),
        }
    }

    /// Alert names whose group changed after version `since`.
    pub fn changed_since(&self, since: u64) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .changed
            .iter()
            .filter(|&(_, &v)| v > since)
            .map(|(n, _)| n.as_str())
            .collect();
        names.sort_unstable();
        names
    }
}

/// Build the next snapshot from the slots; `previous` supplies the version
/// and the change bookkeeping.
pub fn build(
    slots: &[Slot],
    runbooks: &dyn RunbookLookup,
    previous: &AlertSnapshot,
    boot: &str,
) -> AlertSnapshot {
    let version = previous.version + 1;
    let upstreams: Vec<UpstreamHealth> = slots.iter().map(|s| s.health.clone()).collect();
    let alerts = merge_alerts(slots);
    let silences = collect_silences(slots);
    let rules = collect_rules(slots);
    let names: BTreeSet<&str> = alerts
        .iter()
        .map(AlertInstance::alertname)
        .chain(rules.keys().map(String::as_str))
        .collect();
    let groups: BTreeMap<String, AlertGroup> = names
        .into_iter()
        .map(|name| {
            let instances: Vec<AlertInstance> = alerts
                .iter()
                .filter(|a| a.alertname() == name)
                .cloned()
                .collect();
            let group_rules = rules.get(name).cloned().unwrap_or_default();
            let group = make_group(
                name,
                instances,
                group_rules,
                &silences,
                &upstreams,
                runbooks,
            );
            (name.to_string(), group)
        })
        .collect();
    let group_json = groups
        .iter()
        .map(|(name, group)| (name.clone(), encode(group)))
        .collect();
    let mut next = AlertSnapshot {
        version,
        id: format!("{boot}-{version}"),
        generated_at: Utc::now(),
        upstreams,
        alerts,
        groups,
        silences,
        changed: previous.changed.clone(),
        upstreams_changed: previous.upstreams_changed,
        group_json,
        state_json: OnceLock::new(),
    };
    let health_changed = next.upstreams.len() != previous.upstreams.len()
        || next
            .upstreams
            .iter()
            .zip(&previous.upstreams)
            .any(|(a, b)| !a.same_health(b));
    if health_changed {
        next.upstreams_changed = version;
    }
    let names: BTreeSet<String> = previous
        .groups
        .keys()
        .chain(next.groups.keys())
        .cloned()
        .collect();
    for name in names {
        if previous.group(&name).differs(&next.group(&name)) {
            next.changed.insert(name, version);
        }
    }
    next
}

/// JSON text of a value whose serialisation cannot fail (plain data).
fn encode<T: Serialize>(value: &T) -> Arc<str> {
    serde_json::to_string(value)
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot encode alert state");
            "null".into()
        })
        .into()
}

fn make_group(
    name: &str,
    instances: Vec<AlertInstance>,
    rules: Vec<LiveRule>,
    silences: &[SilenceView],
    upstreams: &[UpstreamHealth],
    runbooks: &dyn RunbookLookup,
) -> AlertGroup {
    let runbook_url = instances
        .iter()
        .map(|i| &i.annotations)
        .chain(rules.iter().map(|r| &r.annotations))
        .find_map(runbook_annotation)
        .map(str::to_string);
    let severity = instances
        .iter()
        .map(|i| &i.labels)
        .chain(rules.iter().map(|r| &r.labels))
        .find_map(|l| l.get("severity").cloned());
    let ids: BTreeSet<&str> = instances
        .iter()
        .flat_map(|i| i.silenced_by.iter().map(String::as_str))
        .collect();
    AlertGroup {
        alertname: name.to_string(),
        state: portal_types::group_state(&instances, upstreams),
        runbook: runbooks.runbook_for(name, runbook_url.as_deref()),
        runbook_url,
        severity,
        silences: silences
            .iter()
            .filter(|s| ids.contains(s.id.as_str()))
            .cloned()
            .collect(),
        instances,
        rules,
    }
}
