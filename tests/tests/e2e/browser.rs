//! The walking skeleton in a real browser: a runbook page hydrates, shows
//! that its alert fires in a real Prometheus, opens an incident with a click
//! and shows the event, which is then read back from the SQLite file.

use std::time::Duration;

use fantoccini::Locator;
use portal_tests::process::eventually;
use portal_tests::{Browser, Portal, Prometheus};

/// Always firing, for the example runbook `PrometheusTargetMissing`.
const RULES: &str = r#"
groups:
  - name: test
    rules:
      - alert: PrometheusTargetMissing
        expr: vector(1)
        labels:
          severity: critical
        annotations:
          summary: always firing in tests
"#;

#[tokio::test]
async fn runbook_page_hydrates_shows_firing_and_opens_an_incident() {
    let prometheus = Prometheus::start(RULES).await.unwrap();
    let portal = Portal::start(
        &["--prometheus", &prometheus.url],
        &[("RUNBOOK_PORTAL_POLL_INTERVAL_SECS", "1")],
    )
    .await
    .unwrap();
    // The poller shares one snapshot; wait until it has seen the alert.
    let http = reqwest::Client::new();
    eventually(
        "the poller to see the alert firing",
        Duration::from_secs(30),
        || async {
            let snapshot: serde_json::Value = http
                .get(format!("{}/api/v1/alerts", portal.url))
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            let alerts = snapshot["alerts"].as_array()?;
            alerts
                .iter()
                .any(|a| {
                    a["labels"]["alertname"] == "PrometheusTargetMissing" && a["state"] == "firing"
                })
                .then_some(())
        },
    )
    .await
    .unwrap();

    let browser = Browser::start().await.unwrap();
    let client = &browser.client;
    let page = format!(
        "{}/runbooks/prometheus-self-monitoring/PrometheusTargetMissing?instance=db1:9100",
        portal.url
    );
    client.goto(&page).await.unwrap();
    browser.wait_hydrated().await.unwrap();

    let badge = client
        .wait()
        .for_element(Locator::Css(".badge[data-state='firing']"))
        .await
        .unwrap();
    assert!(badge.text().await.unwrap().contains("firing"));

    // Server-rendered disabled; only the running WASM enables it.
    let button = client
        .find(Locator::Css("button.open-incident"))
        .await
        .unwrap();
    eventually(
        "the Open incident button to be enabled",
        Duration::from_secs(10),
        || async { button.is_enabled().await.ok()?.then_some(()) },
    )
    .await
    .unwrap();
    button.click().await.unwrap();

    let event = client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(".timeline .event[data-kind='opened']"))
        .await
        .unwrap();
    let text = event.text().await.unwrap();
    assert!(
        text.contains("anonymous") && text.contains("instance=db1:9100"),
        "{text}"
    );

    let screenshot = client.screenshot().await.unwrap();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots/runbook-page.png");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, screenshot).unwrap();

    let stored = portal.incidents().await.unwrap();
    let [(incident, events)] = &stored[..] else {
        panic!("one incident: {stored:?}");
    };
    assert_eq!(incident.title, "PrometheusTargetMissing on db1:9100");
    assert_eq!(
        incident.runbook_key.as_deref(),
        Some("prometheus-self-monitoring/PrometheusTargetMissing")
    );
    let labels: std::collections::BTreeMap<_, _> =
        [("instance".to_string(), "db1:9100".to_string())].into();
    assert_eq!(incident.labels, labels);
    let [event] = &events[..] else {
        panic!("one event: {events:?}");
    };
    assert_eq!(
        (event.kind.as_str(), event.actor.as_str()),
        ("opened", "anonymous")
    );

    client.clone().close().await.unwrap();
}

/// In Chromium: no payload of the XSS fixtures runs, and the header search
/// box shows results as you type once the page is hydrated.
#[tokio::test]
async fn xss_payloads_do_not_run_and_search_works_as_you_type() {
    let runbooks = portal_tests::fixtures().join("runbooks");
    let rules = portal_tests::fixtures().join("rules");
    let portal = Portal::start(
        &[
            "--runbooks",
            runbooks.to_str().unwrap(),
            "--rules",
            rules.to_str().unwrap(),
        ],
        &[],
    )
    .await
    .unwrap();
    let browser = Browser::start().await.unwrap();
    let client = &browser.client;
    for page in [
        "/runbooks/xss/ScriptInBody",
        "/runbooks/xss/ScriptInFrontMatter",
        "/runbooks",
    ] {
        client.goto(&format!("{}{page}", portal.url)).await.unwrap();
        browser.wait_hydrated().await.unwrap();
        let ran = client
            .execute(
                "return window.__xss === undefined ? null : window.__xss;",
                vec![],
            )
            .await
            .unwrap();
        assert!(ran.is_null(), "{page}: a payload ran");
    }

    let input = client
        .find(Locator::Css("header input[type='search']"))
        .await
        .unwrap();
    input.send_keys("nestd alrt").await.unwrap();
    let hit = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(
            "header .live-results a[href='/runbooks/nested/deeper/NestedAlert']",
        ))
        .await
        .unwrap();
    assert_eq!(hit.text().await.unwrap(), "NestedAlert");
    // Follow the hit's link (a click can land while the list re-renders for
    // the next keystroke's results, which makes the test flaky).
    let href = hit.attr("href").await.unwrap().unwrap();
    client.goto(&format!("{}{href}", portal.url)).await.unwrap();
    // Generous: on two loaded cores a debug build's first render can be slow.
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(
            "article[data-key='nested/deeper/NestedAlert']",
        ))
        .await
        .unwrap();
    client.clone().close().await.unwrap();
}
