//! Tests of snapshot building: merging, joining, staleness and change tracking.

use std::collections::BTreeMap;

use chrono::Utc;
use portal_types::AlertState;
use portal_types::UpstreamHealth;

use super::alertmanager::{AmAlert, AmAlertStatus, AmMatcher, AmSilence, AmSilenceStatus};
use super::join::RunbookLookup;
use super::prometheus::{PromAlert, PromRule, PromRuleGroup};
use super::snapshot::{AlertSnapshot, Slot, SlotData, build};

struct ByName;
impl RunbookLookup for ByName {
    fn runbook_for(&self, alertname: &str, _: Option<&str>) -> Option<String> {
        (alertname == "A").then(|| "g/A".to_string())
    }
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn health(name: &str, kind: &str) -> UpstreamHealth {
    let kind = match kind {
        "prometheus" => portal_types::UpstreamKind::Prometheus,
        _ => portal_types::UpstreamKind::Alertmanager,
    };
    UpstreamHealth {
        name: name.into(),
        kind,
        url: String::new(),
        last_success: Some(Utc::now()),
        last_error: None,
        stale_since: None,
    }
}

fn prom(name: &str, alerts: &[(&str, &str, &str)]) -> Slot {
    Slot {
        health: health(name, "prometheus"),
        data: SlotData::Prometheus {
            alerts: alerts
                .iter()
                .map(|(alert, instance, state)| PromAlert {
                    labels: labels(&[("alertname", alert), ("instance", instance)]),
                    annotations: BTreeMap::new(),
                    state: state.to_string(),
                    active_at: chrono::DateTime::from_timestamp(1_700_000_000, 0),
                    value: "1e+00".into(),
                })
                .collect(),
            rules: vec![PromRuleGroup {
                name: "g".into(),
                file: "/rules.yml".into(),
                rules: vec![PromRule {
                    kind: "alerting".into(),
                    name: "Quiet".into(),
                    query: "up == 0".into(),
                    duration: 60.0,
                    labels: labels(&[("severity", "warning")]),
                    annotations: BTreeMap::new(),
                    state: "inactive".into(),
                    health: "ok".into(),
                    last_error: String::new(),
                    last_evaluation: Some(Utc::now()),
                    evaluation_time: 0.001,
                }],
            }],
        },
    }
}

fn am(name: &str, silenced: &[(&str, &str)]) -> Slot {
    Slot {
        health: health(name, "alertmanager"),
        data: SlotData::Alertmanager {
            alerts: silenced
                .iter()
                .map(|(instance, silence)| AmAlert {
                    // Alertmanager also sees Prometheus' external labels.
                    labels: labels(&[("alertname", "A"), ("instance", instance), ("dc", "eu")]),
                    annotations: BTreeMap::new(),
                    starts_at: Some(Utc::now()),
                    ends_at: None,
                    fingerprint: String::new(),
                    generator_url: String::new(),
                    status: AmAlertStatus {
                        state: "suppressed".into(),
                        silenced_by: vec![silence.to_string()],
                        inhibited_by: vec![],
                    },
                })
                .collect(),
            silences: vec![AmSilence {
                id: "s1".into(),
                status: AmSilenceStatus {
                    state: "active".into(),
                },
                matchers: vec![AmMatcher {
                    name: "instance".into(),
                    value: "a".into(),
                    is_regex: false,
                    is_equal: true,
                }],
                starts_at: Utc::now(),
                ends_at: Utc::now(),
                created_by: "ana".into(),
                comment: "maintenance".into(),
            }],
        },
    }
}

#[test]
fn merges_prometheus_pairs_and_joins_alertmanager_silences() {
    let slots = vec![
        prom("p1", &[("A", "a", "firing"), ("A", "b", "pending")]),
        prom("p2", &[("A", "a", "firing")]),
        am("am1", &[("a", "s1")]),
        am("am2", &[("a", "s1")]),
    ];
    let snap = build(&slots, &ByName, &AlertSnapshot::default(), "b");
    assert_eq!(
        snap.alerts.len(),
        2,
        "HA pair and both Alertmanagers de-duplicated"
    );
    let a = &snap.alerts[0];
    assert_eq!(a.sources, ["p1", "p2", "am1", "am2"]);
    assert_eq!(a.silenced_by, ["s1"]);
    let group = snap.group("A");
    assert_eq!(group.runbook.as_deref(), Some("g/A"));
    assert_eq!(
        group.state,
        AlertState::Silenced,
        "the only firing one is silenced"
    );
    assert_eq!(group.silences[0].comment, "maintenance");
    assert_eq!(snap.group("Quiet").state, AlertState::Inactive);
    assert_eq!(snap.group("Quiet").rules.len(), 2);
    assert_eq!(snap.group("Unknown").state, AlertState::Inactive);
    assert_eq!(snap.id, "b-1");
}

#[test]
fn tracks_changes_per_alertname_and_health() {
    let first = build(
        &[prom("p", &[("A", "a", "firing")])],
        &ByName,
        &AlertSnapshot::default(),
        "b",
    );
    assert_eq!(first.changed_since(0), ["A", "Quiet"]);
    // Same alerts, new evaluation times: nothing a viewer sees changed.
    let second = build(&[prom("p", &[("A", "a", "firing")])], &ByName, &first, "b");
    assert!(second.changed_since(first.version).is_empty());
    // A new alert name starts firing; A resolves.
    let third = build(&[prom("p", &[("B", "x", "firing")])], &ByName, &second, "b");
    assert_eq!(third.changed_since(second.version), ["A", "B"]);
    assert_eq!(third.group("A").state, AlertState::Inactive);
    // The upstream fails: its last data stays, health changes.
    let mut dead = prom("p", &[("B", "x", "firing")]);
    dead.health.stale_since = Some(Utc::now());
    dead.health.last_error = Some("connection refused".into());
    let fourth = build(&[dead], &ByName, &third, "b");
    assert_eq!(fourth.upstreams_changed, fourth.version);
    assert_eq!(
        fourth.group("B").state,
        AlertState::Firing,
        "last known state kept"
    );
    assert_eq!(fourth.group("A").state, AlertState::Unreachable);
}

#[test]
fn alertmanager_copies_of_resolved_alerts_are_dropped() {
    let mut p = prom("p", &[]);
    p.health.url = "http://prom:9090".into();
    let mut a = am("am", &[("a", "s1")]);
    if let SlotData::Alertmanager { alerts, .. } = &mut a.data {
        alerts[0].generator_url = "http://prom:9090/graph?g0.expr=up".into();
    }
    let snap = build(
        &[p.clone(), a.clone()],
        &ByName,
        &AlertSnapshot::default(),
        "b",
    );
    assert!(snap.alerts.is_empty(), "Prometheus resolved it already");
    // From a Prometheus we do not poll: kept as firing.
    p.health.url = "http://other:9090".into();
    let snap = build(&[p, a], &ByName, &AlertSnapshot::default(), "b");
    assert_eq!(snap.alerts.len(), 1);
}

#[test]
fn one_dead_alertmanager_does_not_blank_the_others() {
    let mut dead = am("am1", &[]);
    dead.health.stale_since = Some(Utc::now());
    let slots = vec![
        prom("p", &[("A", "a", "firing")]),
        dead,
        am("am2", &[("a", "s1")]),
    ];
    let snap = build(&slots, &ByName, &AlertSnapshot::default(), "b");
    assert_eq!(snap.group("A").state, AlertState::Silenced);
}
