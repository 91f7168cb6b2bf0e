//! Against a real Prometheus: the home page lists what fires now with its
//! runbook (or "write one"), coverage finds alerts without runbooks (firing
//! first) and runbooks without alerts, and a runbook page fills
//! `{{ $value }}` from the live instance matching its labels.

use std::time::{Duration, Instant};

use portal_tests::{Portal, Prometheus};
use serde_json::Value;

const RULES: &str = r#"groups:
- name: coverage
  rules:
  - alert: HostHighCpuLoad
    expr: label_replace(vector(42), "instance", "web1:9100", "", "")
    labels:
      severity: critical
  - alert: NoRunbookYet
    expr: vector(1)
    labels:
      severity: warning
  - alert: QuietNoRunbook
    expr: vector(1) < 0
"#;

async fn eventually<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(Instant::now() < deadline, "{what} never happened");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn home_coverage_and_live_value() {
    let prometheus = Prometheus::start(RULES).await.unwrap();
    let fixtures = portal_tests::fixtures();
    let (runbooks, rules) = (fixtures.join("runbooks"), fixtures.join("rules"));
    let portal = Portal::start(
        &[
            "--runbooks",
            runbooks.to_str().unwrap(),
            "--rules",
            rules.to_str().unwrap(),
            "--prometheus",
            &prometheus.url,
        ],
        &[("RUNBOOK_PORTAL_POLL_INTERVAL_SECS", "1")],
    )
    .await
    .unwrap();

    let coverage: Value = eventually("both alerts firing in coverage", async || {
        let (_, body) = portal.get("/api/v1/coverage").await;
        let coverage: Value = serde_json::from_str(&body).ok()?;
        let firing = coverage["uncovered"]
            .as_array()?
            .iter()
            .any(|a| a["alertname"] == "NoRunbookYet" && a["firing"] == true);
        firing.then_some(coverage)
    })
    .await;
    let uncovered: Vec<&str> = coverage["uncovered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["alertname"].as_str().unwrap())
        .collect();
    assert_eq!(
        uncovered.first(),
        Some(&"NoRunbookYet"),
        "firing first: {uncovered:?}"
    );
    assert!(uncovered.contains(&"QuietNoRunbook"), "{uncovered:?}");
    assert!(!uncovered.contains(&"HostHighCpuLoad"), "it has a runbook");
    let orphans: Vec<&str> = coverage["orphans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap())
        .collect();
    assert!(orphans.contains(&"checks/AllCheckKinds"), "{orphans:?}");
    assert!(
        !orphans.contains(&"node-exporter/HostHighCpuLoad"),
        "{orphans:?}"
    );
    let (_, page) = portal.get("/coverage").await;
    assert!(page.contains("NoRunbookYet") && page.contains("checks/AllCheckKinds"));

    let home = eventually("home page lists the firing alerts", async || {
        let (_, home) = portal.get("/").await;
        (home.contains("NoRunbookYet") && home.contains("HostHighCpuLoad")).then_some(home)
    })
    .await;
    assert!(
        home.contains("no runbook — write one"),
        "uncovered alert offers to write one"
    );
    assert!(
        home.contains("href=\"/alerts/NoRunbookYet\""),
        "the write link resolves the alert name"
    );
    // HostHighCpuLoad has runbooks in two groups: both are joined by name.
    assert!(
        home.contains("/runbooks/"),
        "firing alert links its runbook"
    );

    let (_, page) = portal
        .get("/runbooks/node-exporter/HostHighCpuLoad?instance=web1:9100")
        .await;
    assert!(
        page.contains(">42</mark>%"),
        "{{ $value }} filled from the live alert"
    );
    let (_, other) = portal
        .get("/runbooks/node-exporter/HostHighCpuLoad?instance=other:9100")
        .await;
    assert!(
        !other.contains(">42</mark>"),
        "no live instance matches these labels"
    );
}
