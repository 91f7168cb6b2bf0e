//! The immutable snapshot every page and SSE subscriber reads, and how it is
//! built from the pollers' per-upstream slots: alerts merged by label set
//! across upstreams, Alertmanager state (silences, inhibitions) joined on,
//! live rules attached, and each alert name joined to its runbook.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use portal_types::Labels;
use portal_types::{AlertGroup, AlertInstance, LiveRule, LiveState, SilenceView, UpstreamHealth};
use serde::Serialize;

use super::alertmanager::{AmAlert, AmSilence};
use super::join::{RunbookLookup, runbook_annotation};
use super::prometheus::{PromAlert, PromRuleGroup};

/// What one upstream's poller last fetched successfully.
#[derive(Debug, Clone)]
pub enum SlotData {
    Prometheus {
        alerts: Vec<PromAlert>,
        rules: Vec<PromRuleGroup>,
    },
    Alertmanager {
        alerts: Vec<AmAlert>,
        silences: Vec<AmSilence>,
    },
}

/// One upstream: its health and its last good data (kept while it fails,
/// so a dead upstream shows its last known state instead of nothing).
#[derive(Debug, Clone)]
pub struct Slot {
    pub health: UpstreamHealth,
    pub data: SlotData,
}

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

/// Prometheus alerts merged by label set (HA pairs report the same alert),
/// then Alertmanager alerts joined on: exact label set, or a superset (an
/// Alertmanager sees Prometheus' external labels too). Alertmanager alerts
/// that no configured Prometheus reports are kept as firing.
fn merge_alerts(slots: &[Slot]) -> Vec<AlertInstance> {
    let mut merged: BTreeMap<Labels, AlertInstance> = BTreeMap::new();
    for slot in slots {
        let SlotData::Prometheus { alerts, .. } = &slot.data else {
            continue;
        };
        for alert in alerts {
            let entry = merged
                .entry(alert.labels.clone())
                .or_insert_with(|| AlertInstance {
                    labels: alert.labels.clone(),
                    annotations: alert.annotations.clone(),
                    state: alert.state.clone(),
                    active_at: alert.active_at,
                    value: (!alert.value.is_empty()).then(|| alert.value.clone()),
                    silenced_by: Vec::new(),
                    inhibited_by: Vec::new(),
                    sources: Vec::new(),
                });
            if alert.state == "firing" {
                entry.state = "firing".into();
            }
            entry.active_at = match (entry.active_at, alert.active_at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            push_unique(&mut entry.sources, &slot.health.name);
        }
    }
    let now = Utc::now();
    // Prometheus servers we poll successfully are the authority on their own
    // alerts: an Alertmanager copy of an alert they no longer report is
    // merely waiting to expire there.
    let authorities: Vec<String> = slots
        .iter()
        .filter(|s| s.health.kind == "prometheus" && s.health.healthy())
        .map(|s| s.health.url.trim_end_matches('/').to_string())
        .collect();
    for slot in slots {
        let SlotData::Alertmanager { alerts, .. } = &slot.data else {
            continue;
        };
        for alert in alerts {
            if alert.ends_at.is_some_and(|end| end < now) {
                continue;
            }
            let key = if merged.contains_key(&alert.labels) {
                Some(alert.labels.clone())
            } else {
                merged
                    .keys()
                    .find(|labels| labels.iter().all(|(k, v)| alert.labels.get(k) == Some(v)))
                    .cloned()
            };
            let from_authority = authorities
                .iter()
                .any(|url| alert.generator_url.starts_with(url.as_str()));
            if key.is_none() && from_authority {
                continue;
            }
            let entry = merged
                .entry(key.unwrap_or_else(|| alert.labels.clone()))
                .or_insert_with(|| AlertInstance {
                    labels: alert.labels.clone(),
                    annotations: alert.annotations.clone(),
                    state: "firing".into(),
                    active_at: alert.starts_at,
                    value: None,
                    silenced_by: Vec::new(),
                    inhibited_by: Vec::new(),
                    sources: Vec::new(),
                });
            for id in &alert.status.silenced_by {
                push_unique(&mut entry.silenced_by, id);
            }
            for id in &alert.status.inhibited_by {
                push_unique(&mut entry.inhibited_by, id);
            }
            push_unique(&mut entry.sources, &slot.health.name);
        }
    }
    merged.into_values().collect()
}

fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_string());
    }
}

/// Silences of every Alertmanager, once per id (clustered Alertmanagers
/// share them).
fn collect_silences(slots: &[Slot]) -> Vec<SilenceView> {
    let mut by_id: BTreeMap<String, SilenceView> = BTreeMap::new();
    for slot in slots {
        let SlotData::Alertmanager { silences, .. } = &slot.data else {
            continue;
        };
        for s in silences {
            by_id.entry(s.id.clone()).or_insert_with(|| SilenceView {
                id: s.id.clone(),
                state: s.status.state.clone(),
                matchers: s.matchers.iter().map(|m| m.render()).collect(),
                comment: s.comment.clone(),
                created_by: s.created_by.clone(),
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                upstream: slot.health.name.clone(),
            });
        }
    }
    by_id.into_values().collect()
}

/// Alerting rules of every Prometheus, by alert name.
fn collect_rules(slots: &[Slot]) -> BTreeMap<String, Vec<LiveRule>> {
    let mut by_name: BTreeMap<String, Vec<LiveRule>> = BTreeMap::new();
    for slot in slots {
        let SlotData::Prometheus { rules, .. } = &slot.data else {
            continue;
        };
        for group in rules {
            for rule in &group.rules {
                by_name
                    .entry(rule.name.clone())
                    .or_default()
                    .push(LiveRule {
                        upstream: slot.health.name.clone(),
                        group: group.name.clone(),
                        file: group.file.clone(),
                        name: rule.name.clone(),
                        query: rule.query.clone(),
                        for_secs: rule.duration,
                        labels: rule.labels.clone(),
                        annotations: rule.annotations.clone(),
                        state: rule.state.clone(),
                        health: rule.health.clone(),
                        last_error: (!rule.last_error.is_empty()).then(|| rule.last_error.clone()),
                        last_evaluation: rule.last_evaluation,
                        evaluation_secs: rule.evaluation_time,
                    });
            }
        }
    }
    by_name
}
