//! The responder's pages (issue #16) in headless Chromium against a real
//! Prometheus: the incident command view (live state of the incident's
//! series, times with a live "open for", labels, checks, checklist
//! progress, severity, a Markdown note shown sanitised, the timeline's kinds
//! told apart), the keyboard shortcuts (`?`, `a`, `n`, `/`), the incident
//! list (open ones first, with durations) and the page of an alert that has
//! no runbook.

use fantoccini::Locator;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use portal_tests::browser::{enabled, js, wait_for};
use portal_tests::process::eventually;
use portal_tests::{Browser, Portal, Prometheus};
use reqwest::StatusCode;
use serde_json::json;

const RULES: &str = r#"groups:
- name: disk
  rules:
  - alert: HostOutOfDiskSpace
    expr: label_replace(label_replace(vector(3), "instance", "db1:9100", "", ""), "mountpoint", "/var", "", "")
    labels:
      severity: critical
  - alert: HostDiskAlmostFull
    expr: label_replace(vector(7), "instance", "db2:9100", "", "")
    labels:
      severity: warning
    annotations:
      summary: Disk almost full on {{ $labels.instance }}
"#;

async fn start() -> (Prometheus, Portal) {
    let prometheus = Prometheus::start(RULES).await.unwrap();
    let portal = Portal::start(
        &["--prometheus", &prometheus.url],
        &[("RUNBOOK_PORTAL_POLL_INTERVAL_SECS", "1")],
    )
    .await
    .unwrap();
    for alert in ["HostOutOfDiskSpace", "HostDiskAlmostFull"] {
        portal.wait_alert_state(alert, "firing").await.unwrap();
    }
    (prometheus, portal)
}

/// Press one key on whatever has the focus, as a person would.
async fn press(client: &fantoccini::Client, key: char) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    client.perform_actions(keys).await.unwrap();
}

const ESCAPE: char = '\u{e00c}';

/// A README picture, taken by the test run against a real Prometheus, of a
/// page that must fit a desktop window without scrolling sideways.
async fn screenshot(client: &fantoccini::Client, name: &str) {
    client.set_window_size(1280, 1000).await.unwrap();
    client
        .execute("window.scrollTo(0, 0)", vec![])
        .await
        .unwrap();
    let overflow = js(
        client,
        "return String(document.documentElement.scrollWidth - window.innerWidth)",
    )
    .await;
    let overflow: i64 = overflow.parse().unwrap();
    assert!(
        overflow <= 0,
        "{name}: the page is {overflow} px wider than the window"
    );
    let shot = client.screenshot().await.unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("screenshots")
        .join(name);
    std::fs::write(path, shot).unwrap();
}

async fn text(client: &fantoccini::Client, css: &str) -> String {
    wait_for(client, css).await.text().await.unwrap()
}

#[tokio::test]
async fn the_incident_command_view_follows_the_alert_and_the_keyboard() {
    let (_prometheus, portal) = start().await;
    let (status, incident) = portal
        .post_json(
            "/api/v1/incidents",
            &json!({
                "runbook": "node-exporter/HostOutOfDiskSpace",
                "labels": {"alertname": "HostOutOfDiskSpace", "instance": "db1:9100", "mountpoint": "/var"},
            }),
        )
        .await;
    assert!(status.is_success(), "{incident}");
    let id = incident["id"].as_i64().unwrap();
    let browser = Browser::start().await.unwrap();
    let c = &browser.client;
    c.goto(&format!("{}/incidents/{id}", portal.url))
        .await
        .unwrap();
    browser.wait_hydrated().await.unwrap();

    // Live state of the incident's own series, its labels, times, checks.
    wait_for(c, ".incident-live .badge[data-state='firing']").await;
    let series = text(c, ".incident-live tr.instance").await;
    assert!(series.contains("db1:9100"), "{series}");
    let chips = text(c, ".label-chips").await;
    assert!(chips.contains("mountpoint=/var"), "{chips}");
    assert!(text(c, ".open-for").await.starts_with("Open for "));
    let opened = text(c, ".incident-times").await;
    assert!(
        opened.contains("Opened") && opened.contains(" UTC"),
        "{opened}"
    );
    wait_for(c, ".incident-live .checks-panel .run-all-checks").await;
    let progress = text(c, ".checklist-progress").await;
    assert!(progress.contains("0 of "), "{progress}");
    let runbook = wait_for(c, "a.runbook-link")
        .await
        .attr("href")
        .await
        .unwrap();
    assert_eq!(
        runbook.as_deref(),
        Some("/runbooks/node-exporter/HostOutOfDiskSpace?instance=db1%3A9100&mountpoint=%2Fvar")
    );

    // `?` lists the shortcuts, Escape closes the list.
    press(c, '?').await;
    let help = text(c, "dialog.shortcuts[open]").await;
    assert!(help.contains("Acknowledge"), "{help}");
    press(c, ESCAPE).await;
    eventually(
        "the list closes",
        std::time::Duration::from_secs(5),
        || async {
            (js(c, "return document.querySelector('dialog.shortcuts').open").await == "false")
                .then_some(())
        },
    )
    .await
    .unwrap();

    // `a` acknowledges.
    press(c, 'a').await;
    wait_for(c, ".incident-main[data-status='acknowledged']").await;
    wait_for(c, "li.event[data-kind='acknowledged']").await;
    assert!(text(c, ".incident-times").await.contains("Acknowledged"));

    // `n` goes to the note box without typing an "n"; the note is Markdown,
    // shown formatted, with its HTML left as text.
    press(c, 'n').await;
    let focused = js(c, "return document.activeElement.name").await;
    assert_eq!(focused, "note");
    c.active_element()
        .await
        .unwrap()
        .send_keys(
            "Cleared **old logs** with `journalctl --vacuum-size=1G` <img src=x onerror=alert(1)>",
        )
        .await
        .unwrap();
    let typed = js(c, "return document.activeElement.value").await;
    assert!(typed.starts_with("Cleared"), "{typed}");
    enabled(c, "button.add-note").await.click().await.unwrap();
    wait_for(c, "li.event[data-kind='note'] .note-body strong").await;
    let note = js(
        c,
        "return document.querySelector(\"li.event[data-kind='note'] .note-body\").innerHTML",
    )
    .await;
    assert!(
        note.contains("<code>journalctl --vacuum-size=1G</code>"),
        "{note}"
    );
    assert!(!note.contains("<img"), "{note}");

    // The severity control records a change.
    enabled(c, "select[name=severity]")
        .await
        .select_by_value("warning")
        .await
        .unwrap();
    wait_for(c, "li.event[data-kind='severity_changed']").await;
    screenshot(c, "incident-command.png").await;

    // Each event says its kind in words.
    let kinds = js(
        c,
        "return [...document.querySelectorAll('.timeline .event .kind')].map(k => k.textContent).join('|')",
    )
    .await;
    for kind in ["opened", "acknowledged", "note", "severity"] {
        assert!(kinds.contains(kind), "{kind} missing in {kinds}");
    }

    // `/` goes to the search box.
    c.find(Locator::Css("h1"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    press(c, '/').await;
    assert_eq!(js(c, "return document.activeElement.type").await, "search");

    // The list: the unresolved incident before a newer resolved one, with
    // how long each lasted.
    let (_, newer) = portal
        .post_json(
            "/api/v1/incidents",
            &json!({"runbook": "node-exporter/HostHighCpuLoad"}),
        )
        .await;
    let resolve = json!({"kind": "resolve"});
    let path = format!("/api/v1/incidents/{}/events", newer["id"]);
    let (status, _) = portal.post_json(&path, &resolve).await;
    assert!(status.is_success());
    c.goto(&format!("{}/incidents", portal.url)).await.unwrap();
    let first = wait_for(c, "tr.incident-row").await;
    assert_eq!(
        first.attr("data-status").await.unwrap().as_deref(),
        Some("acknowledged")
    );
    assert!(
        text(c, "tr.incident-row td.duration")
            .await
            .starts_with("open ")
    );
}

#[tokio::test]
async fn an_alert_without_a_runbook_gets_a_page_that_helps() {
    let (_prometheus, portal) = start().await;
    let (status, page) = portal
        .get("/alerts/HostDiskAlmostFull?instance=db2:9100")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for part in [
        "class=\"site-header\"",
        "No runbook for HostDiskAlmostFull",
        // The live series with Prometheus's filled annotation.
        "db2:9100",
        "Disk almost full on db2:9100",
        // Its rule, from the live Prometheus, and its graph.
        "class=\"live-rule",
        "class=\"alert-graph\"",
        // "Did you mean": the words of the name find the disk runbook.
        "/runbooks/node-exporter/HostOutOfDiskSpace?instance=db2%3A9100",
        "alert=HostDiskAlmostFull\"",
    ] {
        assert!(page.contains(part), "{part} missing from the page");
    }

    let browser = Browser::start().await.unwrap();
    let c = &browser.client;
    c.goto(&format!("{}/alerts/HostDiskAlmostFull", portal.url))
        .await
        .unwrap();
    browser.wait_hydrated().await.unwrap();
    wait_for(c, ".alert-panel .badge[data-state='firing']").await;
    screenshot(c, "alert-without-runbook.png").await;
    enabled(c, "a.write-runbook").await.click().await.unwrap();
    let editor = wait_for(c, "textarea").await;
    let source = editor.prop("value").await.unwrap().unwrap_or_default();
    // Prefilled from the rule the live Prometheus evaluates.
    for part in [
        "title: HostDiskAlmostFull",
        "description: Disk almost full on {{ $labels.instance }}",
        "alert: HostDiskAlmostFull",
        "severity: warning",
    ] {
        assert!(source.contains(part), "{part} missing from {source}");
    }
}
