//! Each upstream's slot (its health and its last good data), and gathering
//! the slots into one picture: alerts merged by label set across upstreams
//! (HA pairs, Alertmanager joined on), silences once per id, rules by name.

use std::collections::BTreeMap;

use chrono::Utc;
use serde::{Deserialize, Serialize};

use portal_types::Labels;
use portal_types::{AlertInstance, LiveRule, SilenceView, UpstreamHealth};

use super::alertmanager::{AmAlert, AmSilence};
use super::prometheus::{PromAlert, PromRuleGroup};

/// What one upstream's poller last fetched successfully.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
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
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Slot {
    pub health: UpstreamHealth,
    pub data: SlotData,
}

/// Prometheus alerts merged by label set (HA pairs report the same alert),
/// then Alertmanager alerts joined on: exact label set, or a superset (an
/// Alertmanager sees Prometheus' external labels too). Alertmanager alerts
/// that no configured Prometheus reports are kept as firing.
pub(super) fn merge_alerts(slots: &[Slot]) -> Vec<AlertInstance> {
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
        .filter(|s| s.health.kind == portal_types::UpstreamKind::Prometheus && s.health.healthy())
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
pub(super) fn collect_silences(slots: &[Slot]) -> Vec<SilenceView> {
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
pub(super) fn collect_rules(slots: &[Slot]) -> BTreeMap<String, Vec<LiveRule>> {
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
