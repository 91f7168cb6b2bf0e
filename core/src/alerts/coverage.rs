//! Coverage: the alert names known to Prometheus (live rules), to the
//! configured rule files and to the firing set, against the runbooks.

use std::collections::{BTreeMap, BTreeSet};

use portal_types::AlertState;
use portal_types::{Coverage, OrphanRunbook, UncoveredAlert};

use super::AlertSnapshot;
use crate::runbooks::RunbookIndex;

pub fn coverage(snapshot: &AlertSnapshot, index: &RunbookIndex) -> Coverage {
    // Alert name → where it is defined.
    let mut known: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, group) in &snapshot.groups {
        let entry = known.entry(name.clone()).or_default();
        for rule in &group.rules {
            entry.insert(format!("prometheus {}", rule.upstream));
        }
        if group.rules.is_empty() {
            entry.insert("firing alerts only".to_string());
        }
    }
    for (file, alert) in index.rule_alerts() {
        known
            .entry(alert.clone())
            .or_default()
            .insert(format!("file {file}"));
    }
    let has_runbook = |name: &str| {
        !index.by_alert(name).is_empty()
            || snapshot
                .groups
                .get(name)
                .is_some_and(|g| g.runbook.is_some())
    };
    let mut uncovered: Vec<UncoveredAlert> = known
        .iter()
        .filter(|(name, _)| !has_runbook(name))
        .map(|(name, sources)| {
            let group = snapshot.groups.get(name);
            UncoveredAlert {
                alertname: name.clone(),
                defined_in: sources.iter().cloned().collect(),
                firing: group
                    .is_some_and(|g| matches!(g.state, AlertState::Firing | AlertState::Silenced)),
                severity: group.and_then(|g| g.severity.clone()),
            }
        })
        .collect();
    // Firing first, then by name (the sort is stable).
    uncovered.sort_by_key(|a| !a.firing);
    let lower: BTreeSet<String> = known.keys().map(|k| k.to_lowercase()).collect();
    let orphans = index
        .runbooks()
        .iter()
        .filter(|r| !lower.contains(&r.alert.to_lowercase()))
        .map(|r| OrphanRunbook {
            key: r.key.clone(),
            alertname: r.alert.clone(),
        })
        .collect();
    let alerts_total = known.len();
    Coverage {
        alerts_covered: alerts_total - uncovered.len(),
        alerts_total,
        uncovered,
        orphans,
    }
}
