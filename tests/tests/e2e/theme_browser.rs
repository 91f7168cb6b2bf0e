//! Night mode (issue #16): pages follow the system's `prefers-color-scheme`,
//! including highlighted code and the server-drawn graph, and the header's
//! toggle overrides it, remembered across pages and reloads.

use portal_tests::browser::{enabled, js, wait_for};
use portal_tests::{Browser, Portal, Prometheus};

const WHITE: &str = "rgb(255, 255, 255)";
/// `--bg` of the dark palette (#0f141a).
const NIGHT: &str = "rgb(15, 20, 26)";

const RULES: &str = "groups:\n  - name: live\n    rules:\n      - alert: PrometheusTargetMissing\n        expr: vector(3)\n        labels:\n          severity: critical\n          instance: web1:9100\n";

async fn page_background(client: &fantoccini::Client) -> String {
    js(
        client,
        "return getComputedStyle(document.documentElement).backgroundColor",
    )
    .await
}

async fn toggle_label(client: &fantoccini::Client) -> String {
    enabled(client, "button.theme-toggle")
        .await
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_toggle_overrides_the_system_and_is_remembered() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let browser = Browser::start().await.unwrap();
    let client = &browser.client;
    let page = format!("{}/runbooks/node-exporter/HostOutOfDiskSpace", portal.url);
    client.goto(&page).await.unwrap();
    browser.wait_hydrated().await.unwrap();
    assert_eq!(
        page_background(client).await,
        WHITE,
        "a light system gets the light theme"
    );
    assert_eq!(toggle_label(client).await, "Theme: auto");

    enabled(client, "button.theme-toggle")
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(toggle_label(client).await, "Theme: dark");
    assert_eq!(page_background(client).await, NIGHT);
    assert_eq!(
        js(client, "return localStorage.getItem('portal-theme')").await,
        "dark"
    );

    // Another page, loaded afresh: the head script applies the choice before
    // the body paints, i.e. before the WASM runs.
    client
        .goto(&format!("{}/incidents", portal.url))
        .await
        .unwrap();
    assert_eq!(
        js(
            client,
            "return document.documentElement.getAttribute('data-theme')"
        )
        .await,
        "dark"
    );
    assert_eq!(page_background(client).await, NIGHT);
    browser.wait_hydrated().await.unwrap();
    assert_eq!(toggle_label(client).await, "Theme: dark");

    // dark → light → auto: the choice is forgotten and the system decides.
    enabled(client, "button.theme-toggle")
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(toggle_label(client).await, "Theme: light");
    assert_eq!(page_background(client).await, WHITE);
    enabled(client, "button.theme-toggle")
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(toggle_label(client).await, "Theme: auto");
    assert_eq!(
        js(
            client,
            "return String(localStorage.getItem('portal-theme'))"
        )
        .await,
        "null"
    );
    assert_eq!(
        js(
            client,
            "return String(document.documentElement.getAttribute('data-theme'))"
        )
        .await,
        "null"
    );
}

#[tokio::test]
async fn a_dark_system_gets_dark_pages_code_and_graphs() {
    let prometheus = Prometheus::start(RULES).await.unwrap();
    let portal = Portal::start(
        &["--prometheus", &prometheus.url],
        &[("RUNBOOK_PORTAL_POLL_INTERVAL_SECS", "1")],
    )
    .await
    .unwrap();
    portal
        .wait_alert_state("PrometheusTargetMissing", "firing")
        .await
        .unwrap();

    let browser = Browser::start().await.unwrap();
    browser.prefer_dark().await.unwrap();
    let client = &browser.client;
    client
        .goto(&format!(
            "{}/runbooks/prometheus-self-monitoring/PrometheusTargetMissing",
            portal.url
        ))
        .await
        .unwrap();
    browser.wait_hydrated().await.unwrap();
    assert_eq!(page_background(client).await, NIGHT);
    assert_eq!(toggle_label(client).await, "Theme: auto");
    // Body text is light on the dark ground.
    assert_eq!(
        js(
            client,
            "return getComputedStyle(document.querySelector('main')).color"
        )
        .await,
        "rgb(227, 231, 237)"
    );
    // The graph's grid and axis labels take the dark palette, overriding the
    // SVG's own light colours.
    wait_for(client, ".alert-graph-svg line.grid").await;
    assert_eq!(
        js(
            client,
            "return getComputedStyle(document.querySelector('.alert-graph-svg line.grid')).stroke"
        )
        .await,
        "rgb(45, 56, 70)"
    );
    assert_eq!(
        js(
            client,
            "return getComputedStyle(document.querySelector('.alert-graph-svg text.axis')).fill"
        )
        .await,
        "rgb(155, 166, 181)"
    );

    // Highlighted code: a bash block's comment in the dark comment colour.
    client
        .goto(&format!(
            "{}/runbooks/node-exporter/HostOutOfDiskSpace?instance=db1:9100&mountpoint=/var",
            portal.url
        ))
        .await
        .unwrap();
    browser.wait_hydrated().await.unwrap();
    let code = js(
        client,
        "const e = document.querySelector('.body pre .hl-comment, .body pre .hl-keyword, .body pre .hl-string'); \
         return e ? e.className + ' ' + getComputedStyle(e).color : 'none'",
    )
    .await;
    let dark_code = [
        "rgb(139, 148, 158)",
        "rgb(255, 123, 114)",
        "rgb(165, 214, 255)",
    ];
    assert!(
        dark_code.iter().any(|c| code.ends_with(c)),
        "highlighted code keeps its light colours: {code}"
    );
    assert_eq!(
        js(
            client,
            "return getComputedStyle(document.querySelector('.body pre')).backgroundColor"
        )
        .await,
        "rgb(24, 32, 42)"
    );
    let shot = client.screenshot().await.unwrap();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots/runbook-page-dark.png");
    std::fs::write(path, shot).unwrap();
}
