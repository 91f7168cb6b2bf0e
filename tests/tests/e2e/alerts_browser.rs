//! The runbook page in headless Chromium follows the alert live: inactive →
//! firing → silenced → inactive without a reload, and shows the graph.

use std::time::Duration;

use fantoccini::Locator;
use portal_tests::browser::click_then;
use portal_tests::process::eventually;
use portal_tests::{Alertmanager, Browser, Portal, Prometheus};

fn rules(on: bool) -> String {
    let expr = if on { "vector(3)" } else { "vector(3) < 0" };
    format!(
        "groups:\n  - name: live\n    rules:\n      - alert: PrometheusTargetMissing\n        expr: {expr}\n        labels:\n          severity: critical\n          instance: web1:9100\n"
    )
}

#[tokio::test]
async fn runbook_page_flips_live_and_shows_silence_and_graph() {
    let am = Alertmanager::start().await.unwrap();
    let prometheus = Prometheus::start_with(&rules(false), Some(&am.url))
        .await
        .unwrap();
    let portal = Portal::start(
        &["--prometheus", &prometheus.url, "--alertmanager", &am.url],
        &[("RUNBOOK_PORTAL_POLL_INTERVAL_SECS", "1")],
    )
    .await
    .unwrap();
    // Wait for a first successful poll, so the page starts "inactive".
    portal
        .wait_alert_state("PrometheusTargetMissing", "inactive")
        .await
        .unwrap();

    let browser = Browser::start().await.unwrap();
    let client = &browser.client;
    client
        .goto(&format!(
            "{}/runbooks/prometheus-self-monitoring/PrometheusTargetMissing",
            portal.url
        ))
        .await
        .unwrap();
    browser.wait_hydrated().await.unwrap();
    let state = || async {
        client
            .find(Locator::Css(".alert-panel .badge"))
            .await
            .ok()?
            .attr("data-state")
            .await
            .ok()?
    };
    // Read once the panel has settled: one run in a dozen under a loaded CI
    // found no badge right after hydration (not reproduced alone); a miss
    // prints the panel's markup so the next one can be diagnosed.
    let settled = eventually(
        "the panel's first state",
        Duration::from_secs(5),
        || async { state().await },
    )
    .await;
    if settled.is_err() {
        let html = client
            .execute(
                "return (document.querySelector('.alert-panel') || document.body).outerHTML.slice(0, 4000);",
                vec![],
            )
            .await;
        eprintln!("no badge on the panel: {html:?}");
    }
    assert_eq!(settled.ok().as_deref(), Some("inactive"));
    // A marker the server never renders: survives only if the page is not reloaded.
    client
        .execute("window.__same_page = true;", vec![])
        .await
        .unwrap();

    prometheus.set_rules(&rules(true)).await.unwrap();
    eventually(
        "the badge to turn firing",
        Duration::from_secs(15),
        || async { (state().await.as_deref() == Some("firing")).then_some(()) },
    )
    .await
    .unwrap();
    let row = client
        .find(Locator::Css(".alert-panel tr.instance"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(row.contains("instance=\"web1:9100\""), "{row}");
    // Prometheus says `3e+00`; the page says it as people do.
    let value = client
        .find(Locator::Css(".alert-panel tr.instance td.value"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(value, "3");

    am.silence(
        &[("alertname", "PrometheusTargetMissing")],
        "rolling restart",
        "ops-bob",
        Duration::from_secs(1800),
    )
    .await
    .unwrap();
    eventually("the silence to show", Duration::from_secs(20), || async {
        let text = client
            .find(Locator::Css(".alert-panel .silence"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (text.contains("rolling restart") && text.contains("ops-bob")).then_some(())
    })
    .await
    .unwrap();
    assert_eq!(state().await.as_deref(), Some("silenced"));

    prometheus.set_rules(&rules(false)).await.unwrap();
    eventually(
        "the badge to turn inactive",
        Duration::from_secs(15),
        || async { (state().await.as_deref() == Some("inactive")).then_some(()) },
    )
    .await
    .unwrap();
    let same = client
        .execute("return window.__same_page === true;", vec![])
        .await
        .unwrap();
    assert_eq!(
        same,
        serde_json::Value::Bool(true),
        "the page was not reloaded"
    );

    // The graph: an SVG with the series and the firing interval.
    let svg = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(".alert-graph svg path.series"))
        .await
        .unwrap();
    assert!(
        svg.attr("d")
            .await
            .unwrap()
            .unwrap_or_default()
            .starts_with('M')
    );
    // Switching the range re-queries without a reload.
    click_then(
        client,
        ".alert-graph button[data-hours='6']",
        ".alert-graph .graph[data-hours='6'] svg",
    )
    .await;
    let shot = client.screenshot().await.unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots/alert-panel.png");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, shot).unwrap();
    client.clone().close().await.unwrap();
}
