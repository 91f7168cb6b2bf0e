//! The recorder's state machine and the webhook's rows, without a database.

use chrono::{DateTime, Duration, TimeZone, Utc};
use portal_types::{AlertInstance, Labels};

use super::recorder::Series;
use super::webhook_rows;
use crate::store::history::{OpenSeries, TransitionSource, TransitionState, fingerprint};

fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap() + Duration::seconds(secs)
}

fn labels(instance: &str) -> Labels {
    [
        ("alertname".to_string(), "Down".to_string()),
        ("instance".to_string(), instance.to_string()),
    ]
    .into()
}

fn alert(instance: &str, state: &str) -> AlertInstance {
    AlertInstance {
        labels: labels(instance),
        annotations: Labels::new(),
        state: state.into(),
        active_at: Some(t(0)),
        value: None,
        silenced_by: Vec::new(),
        inhibited_by: Vec::new(),
        sources: vec!["prom".into()],
    }
}

fn states(rows: &[crate::store::history::NewTransition]) -> Vec<&'static str> {
    rows.iter().map(|r| r.state.as_str()).collect()
}

#[test]
fn pending_then_firing_then_resolved_with_its_duration() {
    let empty = Series::default();
    let (rows, s1) = empty.diff(&[alert("a", "pending")], t(10));
    assert_eq!(states(&rows), ["pending"]);
    assert_eq!(rows[0].starts_at, Some(t(0)));
    let (rows, s2) = s1.diff(&[alert("a", "firing")], t(70));
    assert_eq!(states(&rows), ["firing"]);
    assert_eq!(rows[0].source, TransitionSource::Poll);
    assert_eq!(rows[0].unless_since, Some(t(0)), "guarded from activation");
    assert_eq!(rows[0].upstream, "prom");
    let (rows, s3) = s2.diff(&[alert("a", "firing")], t(100));
    assert!(rows.is_empty(), "no change, no row");
    let (rows, s4) = s3.diff(&[], t(370));
    assert_eq!(states(&rows), ["resolved"]);
    assert_eq!(rows[0].starts_at, Some(t(70)));
    assert_eq!(rows[0].ends_at, Some(t(370)));
    assert!(s4.0.is_empty());
}

#[test]
fn only_changed_series_are_written() {
    let many: Vec<AlertInstance> = (0..100)
        .map(|i| alert(&format!("h{i}"), "firing"))
        .collect();
    let (rows, s1) = Series::default().diff(&many, t(1));
    assert_eq!(rows.len(), 100);
    let mut next = many.clone();
    next[7].silenced_by = vec!["s1".into()];
    next.remove(3);
    let (rows, s2) = s1.diff(&next, t(2));
    let mut got = states(&rows);
    got.sort_unstable();
    assert_eq!(got, ["resolved", "silenced"]);
    next[6].silenced_by.clear(); // h7, after the removal
    next[8].inhibited_by = vec!["x".into()];
    let (rows, _) = s2.diff(&next, t(3));
    let mut got = states(&rows);
    got.sort_unstable();
    assert_eq!(got, ["inhibited", "unsilenced"]);
}

#[test]
fn a_pending_series_that_never_fired_has_no_duration() {
    let (_, s1) = Series::default().diff(&[alert("a", "pending")], t(1));
    let (rows, _) = s1.diff(&[], t(30));
    assert_eq!(states(&rows), ["resolved"]);
    assert_eq!(rows[0].starts_at, None);
}

#[test]
fn series_of_an_upstream_not_heard_from_yet_do_not_resolve() {
    let mut from_am = alert("b", "firing");
    from_am.sources = vec!["am".into()];
    let (_, s1) = Series::default().diff(&[alert("a", "firing"), from_am], t(1));
    // Both upstreams fall silent from the picture; only "am" was never heard.
    let (rows, s2) = s1.diff_heard(&[], t(30), &["am"]);
    assert_eq!(states(&rows), ["resolved"]);
    assert_eq!(rows[0].labels, labels("a"));
    assert_eq!(s2.0.len(), 1, "the series only am reported is kept");
    // Once am answers without it, it resolved.
    let (rows, _) = s2.diff_heard(&[], t(60), &[]);
    assert_eq!(states(&rows), ["resolved"]);
    assert_eq!(rows[0].labels, labels("b"));
}

#[test]
fn a_new_leader_starts_from_the_open_series() {
    let open = vec![OpenSeries {
        fingerprint: fingerprint(&labels("a")),
        alertname: "Down".into(),
        upstream: "prom".into(),
        state: TransitionState::Firing,
        labels: labels("a"),
        at: t(50),
        starts_at: Some(t(50)),
    }];
    let series = Series::from_open(open);
    let (rows, s1) = series.diff(&[alert("a", "firing")], t(100));
    assert!(rows.is_empty(), "still firing: nothing new");
    let (rows, _) = s1.diff(&[], t(200));
    assert_eq!(rows[0].starts_at, Some(t(50)));
}

#[test]
fn webhook_rows_fill_what_the_poll_missed() {
    let l = labels("a");
    let firing = webhook_rows(true, &l, Some(t(10)), None, t(20));
    assert_eq!(states(&firing), ["firing"]);
    assert_eq!(firing[0].at, t(10));
    assert_eq!(firing[0].source, TransitionSource::Webhook);
    let resolved = webhook_rows(false, &l, Some(t(10)), Some(t(25)), t(40));
    assert_eq!(states(&resolved), ["firing", "resolved"]);
    assert_eq!(resolved[1].at, t(25));
    assert_eq!(resolved[1].starts_at, Some(t(10)));
    assert_eq!(resolved[1].unless_since, Some(t(10)));
    assert!(webhook_rows(true, &Labels::new(), None, None, t(0)).is_empty());
    // Alertmanager's zero time for "no end yet" and a start in the future.
    let zero = DateTime::from_timestamp(-62_135_596_800, 0).unwrap();
    let odd = webhook_rows(false, &l, Some(t(100)), Some(zero), t(50));
    assert_eq!(odd[0].at, t(50));
    assert_eq!(odd[1].at, t(50));
}
