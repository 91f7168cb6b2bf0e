//! One poller leader among portals on one PostgreSQL, against a real
//! Prometheus: exactly one portal leads, every portal serves the firing
//! alert, Prometheus sees the same request rate from three portals as from
//! one, a frozen leader makes the others' pages say their state is stale,
//! and a killed leader is replaced within two poll intervals.

use std::time::{Duration, Instant};

use portal_core::store::postgres::testdb::Cluster;
use portal_tests::process::eventually;
use portal_tests::{Portal, Prometheus};
use serde_json::Value;

const INTERVAL: Duration = Duration::from_secs(1);

fn rules(alert: &str) -> String {
    format!(
        "groups:\n  - name: leader\n    rules:\n      - alert: {alert}\n        expr: vector(1)\n        labels:\n          severity: critical\n"
    )
}

/// This portal's `runbook_portal_alerts_leader` gauge.
async fn leads(portal: &Portal) -> Option<bool> {
    let (_, text) = portal.get("/metrics").await;
    text.lines()
        .find_map(|l| l.strip_prefix("runbook_portal_alerts_leader "))
        .map(|v| v.trim() == "1")
}

async fn leaders(portals: &[&Portal]) -> Vec<usize> {
    let mut found = Vec::new();
    for (i, portal) in portals.iter().enumerate() {
        if leads(portal).await == Some(true) {
            found.push(i);
        }
    }
    found
}

async fn alerts(portal: &Portal) -> Value {
    portal.get_json("/api/v1/alerts").await
}

fn fires(snapshot: &Value, alert: &str) -> bool {
    snapshot["alerts"].as_array().is_some_and(|all| {
        all.iter()
            .any(|a| a["labels"]["alertname"] == alert && a["state"] == "firing")
    })
}

fn healthy(snapshot: &Value) -> bool {
    snapshot["upstreams"].as_array().is_some_and(|ups| {
        !ups.is_empty()
            && ups
                .iter()
                .all(|u| u["stale_since"].is_null() && !u["last_success"].is_null())
    })
}

/// Requests Prometheus answered on `/api/v1/alerts` and `/api/v1/rules`
/// during `window`.
async fn requests_in(prometheus: &Prometheus, window: Duration) -> (f64, f64) {
    let alerts = prometheus.handler_requests("/api/v1/alerts").await.unwrap();
    let rules = prometheus.handler_requests("/api/v1/rules").await.unwrap();
    tokio::time::sleep(window).await;
    (
        prometheus.handler_requests("/api/v1/alerts").await.unwrap() - alerts,
        prometheus.handler_requests("/api/v1/rules").await.unwrap() - rules,
    )
}

fn signal(portal: &Portal, name: &str) {
    let status = std::process::Command::new("kill")
        .arg(format!("-{name}"))
        .arg(portal.child.id().to_string())
        .status()
        .expect("kill");
    assert!(status.success(), "kill -{name}");
}

#[tokio::test]
async fn one_leader_polls_for_every_replica_and_another_takes_over() {
    let prometheus = Prometheus::start(&rules("LeaderFiring")).await.unwrap();
    let cluster = Cluster::start();
    let url = cluster.fresh_database().await;
    let args = ["--prometheus", prometheus.url.as_str()];
    let env = [("RUNBOOK_PORTAL_POLL_INTERVAL_SECS", "1")];
    let start = || Portal::start_on(&url, &args, &env);

    // One portal: it leads, and sets the request rate to compare with.
    let a = start().await.unwrap();
    eventually(
        "a to lead and serve the alert",
        Duration::from_secs(15),
        || async {
            (leads(&a).await == Some(true) && fires(&alerts(&a).await, "LeaderFiring"))
                .then_some(())
        },
    )
    .await
    .unwrap();
    let window = INTERVAL * 8;
    let one = requests_in(&prometheus, window).await;

    // Three portals: still exactly one leader, all serve the alert, and
    // Prometheus is asked no more often.
    let b = start().await.unwrap();
    let c = start().await.unwrap();
    let all = [&a, &b, &c];
    for portal in all {
        eventually(
            "every portal to serve the alert",
            Duration::from_secs(15),
            || async { fires(&alerts(portal).await, "LeaderFiring").then_some(()) },
        )
        .await
        .unwrap();
        assert!(leads(portal).await.is_some(), "the gauge is exported");
    }
    assert_eq!(leaders(&all).await, vec![0], "a still leads alone");
    let three = requests_in(&prometheus, window).await;
    println!("Prometheus requests in {window:?}: one portal {one:?}, three portals {three:?}");
    assert!(one.0 >= 6.0 && one.1 >= 6.0, "one portal polls: {one:?}");
    assert!(
        (three.0 - one.0).abs() <= 2.0 && (three.1 - one.1).abs() <= 2.0,
        "three portals poll as often as one: {one:?} vs {three:?}"
    );
    assert_eq!(leaders(&all).await, vec![0], "one leader throughout");

    // The leader freezes (its session, and so the lock, stays): past two
    // intervals the followers' pages say their state is stale, and once
    // it thaws they are fresh again.
    let page = "/runbooks/node-exporter/HostHighCpuLoad";
    signal(&a, "STOP");
    let frozen = Instant::now();
    let banner = eventually("the stale banner on b", Duration::from_secs(10), || async {
        let (_, html) = b.get(page).await;
        html.contains("no snapshot from the poller leader since")
            .then_some(html)
    })
    .await;
    let silent_at = frozen.elapsed();
    let on_c = eventually("c to say so too", Duration::from_secs(10), || async {
        let snapshot = alerts(&c).await;
        (!healthy(&snapshot) && fires(&snapshot, "LeaderFiring")).then_some(snapshot)
    })
    .await;
    signal(&a, "CONT");
    let (banner, on_c) = (banner.unwrap(), on_c.unwrap());
    println!("stale banner {silent_at:?} after the leader froze");
    assert!(banner.contains("stale-banner"), "shown as the stale banner");
    // Two intervals after the last publish, which preceded the freeze by
    // at most about one.
    assert!(
        silent_at >= INTERVAL && silent_at <= INTERVAL * 4,
        "{silent_at:?}"
    );
    let error = on_c["upstreams"][0]["last_error"]
        .as_str()
        .unwrap_or_default();
    assert!(
        error.starts_with("no snapshot from the poller leader since"),
        "{error}"
    );
    eventually("b fresh again", Duration::from_secs(10), || async {
        healthy(&alerts(&b).await).then_some(())
    })
    .await
    .unwrap();
    assert_eq!(leaders(&all).await, vec![0], "a kept the lead");

    // The leader dies: another takes over within two intervals (and a
    // margin for this test's own polling), and the survivors keep
    // following Prometheus.
    let mut a = a;
    a.child.kill();
    let killed = Instant::now();
    let survivors = [&b, &c];
    let winner = eventually("a new leader", Duration::from_secs(10), || async {
        let found = leaders(&survivors).await;
        (found.len() == 1).then(|| found[0])
    })
    .await
    .unwrap();
    let failover = killed.elapsed();
    println!("failover after SIGKILL: {failover:?}");
    assert!(
        failover <= INTERVAL * 2 + Duration::from_millis(800),
        "{failover:?}"
    );
    prometheus.set_rules(&rules("AfterFailover")).await.unwrap();
    for portal in survivors {
        eventually(
            "the survivors to follow the new rule",
            Duration::from_secs(15),
            || async {
                let snapshot = alerts(portal).await;
                (fires(&snapshot, "AfterFailover") && healthy(&snapshot)).then_some(())
            },
        )
        .await
        .unwrap();
    }
    assert_eq!(leaders(&survivors).await, vec![winner], "one leader");
    drop(a);
}
