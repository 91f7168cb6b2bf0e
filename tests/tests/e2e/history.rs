//! Alert history against a real Prometheus: a rule fires and clears twice
//! (rule file rewritten and reloaded), the poller leader records each
//! transition, the history API shows two firings with their durations and
//! the runbook page shows them; an incident resolved with a note and a
//! ticked step is "Last time" on the page when the alert fires again. Two
//! portals on one PostgreSQL record each transition once: only the poller
//! leader records.

use std::time::Duration;

use portal_core::store::postgres::testdb::Cluster;
use portal_tests::process::eventually;
use portal_tests::{Portal, Prometheus};
use serde_json::{Value, json};

const ALERT: &str = "HostHighCpuLoad";
const PAGE: &str = "/runbooks/node-exporter/HostHighCpuLoad";

/// The rule stays, its expression switches: Prometheus resolves the alert
/// rather than forgetting a deleted rule.
fn rules(on: bool) -> String {
    let expr = if on { "vector(1)" } else { "vector(1) < 0" };
    format!(
        "groups:\n  - name: history\n    rules:\n      - alert: {ALERT}\n        expr: {expr}\n        labels:\n          severity: warning\n          instance: web1:9100\n"
    )
}

async fn history(portal: &Portal) -> Value {
    portal
        .get_json(&format!("/api/v1/alerts/{ALERT}/history?days=7"))
        .await
}

/// Fire, hold for `hold`, clear; wait for the portal to see each.
async fn fire_and_clear(prometheus: &Prometheus, portal: &Portal, hold: Duration) {
    prometheus.set_rules(&rules(true)).await.unwrap();
    portal.wait_alert_state(ALERT, "firing").await.unwrap();
    tokio::time::sleep(hold).await;
    prometheus.set_rules(&rules(false)).await.unwrap();
    portal.wait_alert_state(ALERT, "inactive").await.unwrap();
}

#[tokio::test]
async fn two_firings_are_history_and_last_time_shows_what_was_done() {
    let prometheus = Prometheus::start(&rules(false)).await.unwrap();
    let portal = Portal::start(
        &["--prometheus", &prometheus.url],
        &[("RUNBOOK_PORTAL_POLL_INTERVAL_SECS", "1")],
    )
    .await
    .unwrap();
    portal.wait_alert_state(ALERT, "inactive").await.unwrap();

    fire_and_clear(&prometheus, &portal, Duration::from_secs(3)).await;
    fire_and_clear(&prometheus, &portal, Duration::from_secs(2)).await;

    let h = eventually("two resolved firings", Duration::from_secs(20), || async {
        let h = history(&portal).await;
        (h["durations"]["resolved"] == 2).then_some(h)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}\nportal log:\n{}", portal.log()));
    assert_eq!(h["fired"]["last_24h"], 2, "{h}");
    assert_eq!(h["fired"]["last_7d"], 2);
    let p50 = h["durations"]["p50_secs"].as_f64().expect("p50");
    let p90 = h["durations"]["p90_secs"].as_f64().expect("p90");
    assert!((1.0..60.0).contains(&p50), "{h}");
    assert!(p90 >= p50, "{h}");
    let last = &h["last_fired"];
    assert_eq!(last["instance"], "web1:9100");
    assert!(last["resolved_at"].is_string(), "{h}");
    assert!(
        last["duration_secs"].as_f64().is_some_and(|d| d > 0.5),
        "{h}"
    );
    assert_eq!(
        h["top_instances"],
        json!([{"instance": "web1:9100", "firings": 2}])
    );
    let today = h["per_day"].as_array().and_then(|d| d.last()).cloned();
    assert_eq!(today.map(|d| d["firings"].clone()), Some(json!(2)), "{h}");

    let (status, html) = portal.get(PAGE).await;
    assert!(status.is_success(), "{status}");
    assert!(
        html.contains("class=\"alert-history\""),
        "panel on the page"
    );
    assert!(
        html.contains("2 times in 7 days"),
        "counts on the page:\n{}",
        excerpt(&html)
    );
    assert!(html.contains("p50 "), "durations on the page");
    assert!(html.contains("web1:9100"));
    assert!(
        html.contains("data-firings=\"2\""),
        "today's bar in the strip"
    );

    // Responders handle it once, then it fires again.
    let (status, incident) = portal
        .post_json(
            "/api/v1/incidents",
            &json!({"runbook": "node-exporter/HostHighCpuLoad", "labels": {"instance": "web1:9100"}}),
        )
        .await;
    assert!(status.is_success(), "{status} {incident}");
    let id = incident["id"].as_i64().expect("incident id");
    let step = incident["checklist"][0]["text"]
        .as_str()
        .expect("a checklist step")
        .to_string();
    for body in [
        json!({"kind": "ack"}),
        json!({"kind": "note", "text": "restarted the batch job on web1"}),
        json!({"kind": "checklist", "step": 0, "done": true}),
        json!({"kind": "resolve", "reason": "runaway batch job"}),
    ] {
        let (status, reply) = portal
            .post_json(&format!("/api/v1/incidents/{id}/events"), &body)
            .await;
        assert!(status.is_success(), "{body}: {status} {reply}");
    }
    prometheus.set_rules(&rules(true)).await.unwrap();
    portal.wait_alert_state(ALERT, "firing").await.unwrap();
    let third = eventually(
        "the third firing on the page",
        Duration::from_secs(20),
        || async {
            let (_, html) = portal.get(PAGE).await;
            html.contains("3 times in 7 days").then_some(html)
        },
    )
    .await;
    let html = match third {
        Ok(html) => html,
        Err(e) => panic!("{e}\n{}", history(&portal).await),
    };
    assert!(html.contains("Last time"));
    assert!(html.contains(&format!("#{id} ")), "links the incident");
    assert!(html.contains("restarted the batch job on web1"), "the note");
    assert!(html.contains("Reason: runaway batch job"), "the reason");
    assert!(
        html.contains(&html_escape(&step)),
        "the ticked step {step:?}"
    );
    assert!(html.contains("MTTA "), "time to acknowledge");
    assert!(html.contains("still firing"), "the newest firing is open");
    let h = history(&portal).await;
    assert_eq!(h["last_time"]["incident"]["id"], id, "{h}");
    assert_eq!(h["last_time"]["steps_done"], json!([step]));
    assert_eq!(h["past_incidents_total"], 1);
}

/// Rows this portal recorded from its polls (`…_recorded_total{source="poll"}`).
async fn recorded_by_poll(portal: &Portal) -> f64 {
    let (_, text) = portal.get("/metrics").await;
    text.lines()
        .filter(|l| {
            l.starts_with("runbook_portal_history_transitions_recorded_total{source=\"poll\"}")
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test]
async fn two_portals_on_postgresql_record_each_change_once() {
    let cluster = Cluster::start();
    let url = cluster.fresh_database().await;
    let prometheus = Prometheus::start(&rules(false)).await.unwrap();
    let args = ["--prometheus", prometheus.url.as_str()];
    let env = [("RUNBOOK_PORTAL_POLL_INTERVAL_SECS", "1")];
    let first = Portal::start_on(&url, &args, &env).await.unwrap();
    let second = Portal::start_on(&url, &args, &env).await.unwrap();
    for portal in [&first, &second] {
        portal.wait_alert_state(ALERT, "inactive").await.unwrap();
    }
    prometheus.set_rules(&rules(true)).await.unwrap();
    for portal in [&first, &second] {
        portal.wait_alert_state(ALERT, "firing").await.unwrap();
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    prometheus.set_rules(&rules(false)).await.unwrap();
    for portal in [&first, &second] {
        portal.wait_alert_state(ALERT, "inactive").await.unwrap();
    }
    for portal in [&first, &second] {
        let h = eventually("the resolved firing", Duration::from_secs(20), || async {
            let h = history(portal).await;
            (h["durations"]["resolved"] == 1).then_some(h)
        })
        .await
        .unwrap_or_else(|e| panic!("{e}\nportal log:\n{}", portal.log()));
        assert_eq!(
            h["fired"]["last_24h"], 1,
            "one firing, not one per portal: {h}"
        );
    }
    let rows = (
        recorded_by_poll(&first).await,
        recorded_by_poll(&second).await,
    );
    assert!(
        rows == (2.0, 0.0) || rows == (0.0, 2.0),
        "the leader alone wrote the firing and the resolved rows: {rows:?}"
    );
}

/// The History panel's part of a page, for a failure message.
fn excerpt(html: &str) -> &str {
    let start = html.find("alert-history").unwrap_or(0);
    let end = (start + 3000).min(html.len());
    html.get(start..end).unwrap_or(html)
}

/// Text as Leptos escapes it in an element.
fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
