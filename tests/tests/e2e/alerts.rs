//! Live alert state against a real Prometheus and a real Alertmanager: the
//! snapshot, the SSE stream, fan-out cost and upstream outages.

use std::time::{Duration, Instant};

use portal_tests::measure::rss_kb;
use portal_tests::process::eventually;
use portal_tests::sse::SseClient;
use portal_tests::{Alertmanager, Portal, Prometheus};
use serde_json::Value;

/// Always firing, pending for an hour, and one to silence.
const BASE: &str = r#"
groups:
  - name: live
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels:
          severity: critical
          instance: db1:9100
        annotations:
          summary: always firing
      - alert: LongPending
        expr: vector(1)
        for: 1h
        labels:
          severity: warning
      - alert: ToSilence
        expr: vector(1)
        labels:
          severity: info
"#;

/// `BASE` plus the alert the tests switch on and off. Switching keeps the
/// rule and changes its expression, so Prometheus resolves the alert (and
/// tells Alertmanager) rather than forgetting it.
fn switch(on: bool) -> String {
    let expr = if on { "vector(42)" } else { "vector(42) < 0" };
    format!(
        "{BASE}      - alert: PrometheusTargetMissing\n        expr: {expr}\n        labels:\n          severity: critical\n          instance: web1:9100\n"
    )
}

const INTERVAL: Duration = Duration::from_secs(1);

async fn snapshot(http: &reqwest::Client, portal: &Portal) -> Option<Value> {
    http.get(format!("{}/api/v1/alerts", portal.url))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()
}

fn group<'a>(snapshot: &'a Value, name: &str) -> Option<&'a Value> {
    snapshot["groups"].get(name)
}

async fn start_all() -> (Alertmanager, Prometheus, Portal) {
    let am = Alertmanager::start().await.unwrap();
    let prometheus = Prometheus::start_with(&switch(false), Some(&am.url))
        .await
        .unwrap();
    let portal = Portal::start(
        &["--prometheus", &prometheus.url, "--alertmanager", &am.url],
        &[
            ("RUNBOOK_PORTAL_POLL_INTERVAL_SECS", "1"),
            // The fan-out test opens 1,000 streams, all from 127.0.0.1.
            ("RUNBOOK_PORTAL_HTTP__MAX_STREAMS_PER_CLIENT", "1100"),
        ],
    )
    .await
    .unwrap();
    (am, prometheus, portal)
}

#[tokio::test]
async fn snapshot_shows_firing_pending_silenced_and_resolved() {
    let (am, prometheus, portal) = start_all().await;
    let http = reqwest::Client::new();
    let snap = eventually(
        "firing and pending alerts",
        Duration::from_secs(20),
        || async {
            let s = snapshot(&http, &portal).await?;
            let firing = group(&s, "AlwaysFiring")?["state"] == "firing";
            let pending = group(&s, "LongPending")?["state"] == "pending";
            (firing && pending).then_some(s)
        },
    )
    .await
    .unwrap();
    let firing = group(&snap, "AlwaysFiring").unwrap();
    let instance = &firing["instances"][0];
    assert_eq!(instance["labels"]["instance"], "db1:9100");
    assert_eq!(instance["labels"]["severity"], "critical");
    assert_eq!(instance["value"], "1e+00");
    assert!(instance["active_at"].is_string());
    assert_eq!(firing["rules"][0]["health"], "ok", "live rule attached");
    assert_eq!(
        firing["runbook"],
        Value::Null,
        "no runbook for a test alert"
    );
    assert_eq!(
        group(&snap, "LongPending").unwrap()["rules"][0]["for_secs"],
        3600.0
    );
    for upstream in snap["upstreams"].as_array().unwrap() {
        assert!(upstream["last_success"].is_string(), "{upstream}");
        assert_eq!(upstream["stale_since"], Value::Null);
    }

    // A silence made through Alertmanager's API shows with its comment.
    let id = am
        .silence(
            &[("alertname", "ToSilence")],
            "planned maintenance",
            "ana",
            Duration::from_secs(3600),
        )
        .await
        .unwrap();
    let silenced = eventually("the silence to show", Duration::from_secs(20), || async {
        let s = snapshot(&http, &portal).await?;
        let g = group(&s, "ToSilence")?.clone();
        (g["state"] == "silenced").then_some(g)
    })
    .await
    .unwrap();
    assert_eq!(silenced["instances"][0]["silenced_by"][0], id.as_str());
    assert_eq!(silenced["silences"][0]["comment"], "planned maintenance");
    assert_eq!(silenced["silences"][0]["created_by"], "ana");

    // Switch an alert on, then off: firing, then resolved.
    prometheus.set_rules(&switch(true)).await.unwrap();
    let on = eventually(
        "the switched alert to fire",
        Duration::from_secs(20),
        || async {
            let s = snapshot(&http, &portal).await?;
            let g = group(&s, "PrometheusTargetMissing")?.clone();
            (g["state"] == "firing").then_some(g)
        },
    )
    .await
    .unwrap();
    assert_eq!(
        on["runbook"], "prometheus-self-monitoring/PrometheusTargetMissing",
        "joined to the embedded runbook by name"
    );
    prometheus.set_rules(&switch(false)).await.unwrap();
    eventually(
        "the switched alert to resolve",
        Duration::from_secs(20),
        || async {
            let s = snapshot(&http, &portal).await?;
            let inactive = group(&s, "PrometheusTargetMissing")?["state"] == "inactive";
            let none = !s["alerts"]
                .as_array()?
                .iter()
                .any(|a| a["labels"]["alertname"] == "PrometheusTargetMissing");
            (inactive && none).then_some(())
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn sse_sends_changes_within_two_intervals_and_resumes() {
    let (_am, prometheus, portal) = start_all().await;
    let http = reqwest::Client::new();
    let url = format!(
        "{}/api/v1/alerts/stream?alertname=PrometheusTargetMissing",
        portal.url
    );
    // Let the first polls land so the initial state is settled.
    eventually("a first poll", Duration::from_secs(20), || async {
        let s = snapshot(&http, &portal).await?;
        s["upstreams"]
            .as_array()?
            .iter()
            .all(|u| u["last_success"].is_string())
            .then_some(())
    })
    .await
    .unwrap();
    let mut sse = SseClient::connect(&http, &url, None).await.unwrap();
    let first = sse.next(Duration::from_secs(5)).await.unwrap().unwrap();
    assert_eq!(first.event, "state");
    assert_eq!(first.data["groups"][0]["state"], "inactive");

    // Rule evaluation (every 1 s) plus at most two poll intervals.
    let budget = 2 * INTERVAL + Duration::from_secs(1) + Duration::from_millis(500);
    prometheus.set_rules(&switch(true)).await.unwrap();
    let started = Instant::now();
    let firing = loop {
        let e = sse
            .next_of("alert", Duration::from_secs(10))
            .await
            .unwrap()
            .expect("an alert event");
        if e.data["state"] == "firing" {
            break e;
        }
    };
    let took = started.elapsed();
    assert!(took <= budget, "firing arrived after {took:?}");
    assert_eq!(
        firing.data["instances"][0]["labels"]["instance"],
        "web1:9100"
    );

    prometheus.set_rules(&switch(false)).await.unwrap();
    let started = Instant::now();
    let resolved = loop {
        let e = sse
            .next_of("alert", Duration::from_secs(10))
            .await
            .unwrap()
            .expect("a resolve event");
        if e.data["state"] == "inactive" {
            break e;
        }
    };
    let took = started.elapsed();
    assert!(took <= budget, "resolve arrived after {took:?}");

    // Nothing changes: no events, only keep-alives (not a dump per interval).
    let quiet = sse.next(3 * INTERVAL).await.unwrap();
    assert!(quiet.is_none(), "unexpected event {quiet:?}");

    // Resume after the last event: nothing changed, so no state is resent.
    drop(sse);
    let mut resumed = SseClient::connect(&http, &url, Some(&resolved.id))
        .await
        .unwrap();
    assert!(resumed.next(2 * INTERVAL).await.unwrap().is_none());
    // Resume from before the resolve: the current state is sent.
    let mut behind = SseClient::connect(&http, &url, Some(&firing.id))
        .await
        .unwrap();
    let state = behind.next(Duration::from_secs(5)).await.unwrap().unwrap();
    assert_eq!(state.event, "state");
    assert_eq!(state.data["groups"][0]["state"], "inactive");
    // A garbage id is treated as a fresh subscription.
    let mut fresh = SseClient::connect(&http, &url, Some("nonsense"))
        .await
        .unwrap();
    assert_eq!(
        fresh
            .next(Duration::from_secs(5))
            .await
            .unwrap()
            .unwrap()
            .event,
        "state"
    );

    let bad = http
        .get(format!(
            "{}/api/v1/alerts/stream?runbook=no/such",
            portal.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 404);
}

/// Portal RSS in kB, from /proc.

#[tokio::test]
async fn a_thousand_subscribers_cause_no_extra_upstream_requests() {
    let (_am, prometheus, portal) = start_all().await;
    let http = reqwest::Client::new();
    tokio::time::sleep(2 * INTERVAL).await;
    let window = Duration::from_secs(5);

    let one = SseClient::connect(&http, &format!("{}/api/v1/alerts/stream", portal.url), None)
        .await
        .unwrap();
    let before = prometheus.handler_requests("/api/v1/alerts").await.unwrap();
    tokio::time::sleep(window).await;
    let with_one = prometheus.handler_requests("/api/v1/alerts").await.unwrap() - before;
    drop(one);

    let rss_before = rss_kb(portal.child.id());
    let mut subscribers = Vec::new();
    for i in 0..1000 {
        // Separate clients: one connection each, as separate browsers.
        let client = reqwest::Client::new();
        let url = if i % 2 == 0 {
            format!("{}/api/v1/alerts/stream", portal.url)
        } else {
            format!("{}/api/v1/alerts/stream?alertname=AlwaysFiring", portal.url)
        };
        subscribers.push(SseClient::connect(&client, &url, None).await.unwrap());
    }
    let before = prometheus.handler_requests("/api/v1/alerts").await.unwrap();
    tokio::time::sleep(window).await;
    let with_many = prometheus.handler_requests("/api/v1/alerts").await.unwrap() - before;
    let rss_after = rss_kb(portal.child.id());
    let metrics = http
        .get(format!("{}/metrics", portal.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    println!(
        "upstream /api/v1/alerts requests in {window:?}: {with_one} with 1 subscriber, {with_many} with 1000; portal RSS {rss_before} kB -> {rss_after} kB"
    );
    assert!(
        metrics.contains("runbook_portal_sse_subscribers 1000"),
        "gauge counts the streams"
    );
    // Polls land on one-second ticks: a window may catch one more or less.
    assert!(
        (with_many - with_one).abs() <= 1.0 && with_many <= window.as_secs_f64() + 1.0,
        "requests grew with viewers: {with_one} vs {with_many}"
    );
    // Memory budget measured on the reference machine: ~10 MB for 1,000 streams.
    let grown_kb = rss_after.saturating_sub(rss_before);
    assert!(grown_kb < 64 * 1024, "1,000 streams cost {grown_kb} kB");
    // Every subscriber got its initial state.
    for sub in subscribers.iter_mut().take(20) {
        let e = sub.next(Duration::from_secs(5)).await.unwrap().unwrap();
        assert_eq!(e.event, "state");
    }
}

#[tokio::test]
async fn pages_survive_an_upstream_outage_with_a_stale_banner() {
    let am = Alertmanager::start().await.unwrap();
    let mut prometheus = Prometheus::start_with(&switch(true), Some(&am.url))
        .await
        .unwrap();
    let portal = Portal::start(
        &["--prometheus", &prometheus.url, "--alertmanager", &am.url],
        &[("RUNBOOK_PORTAL_POLL_INTERVAL_SECS", "1")],
    )
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let page = format!(
        "{}/runbooks/prometheus-self-monitoring/PrometheusTargetMissing",
        portal.url
    );
    let get_page = || async {
        let r = http.get(&page).send().await.ok()?;
        (r.status() == 200).then_some(())?;
        r.text().await.ok()
    };
    eventually(
        "the page to show firing",
        Duration::from_secs(20),
        || async {
            let html = get_page().await?;
            (html.contains("data-state=\"firing\"") && !html.contains("stale-banner")).then_some(())
        },
    )
    .await
    .unwrap();

    prometheus.stop();
    let html = eventually("the stale banner", Duration::from_secs(20), || async {
        let html = get_page().await?;
        html.contains("stale-banner").then_some(html)
    })
    .await
    .unwrap();
    assert!(html.contains("Last updated"), "says how old the data is");
    assert!(
        html.contains("data-state=\"firing\""),
        "last known state is kept"
    );
    let metrics = http
        .get(format!("{}/metrics", portal.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("runbook_portal_upstream_up{upstream=\""));

    prometheus.restart().await.unwrap();
    eventually("the banner to clear", Duration::from_secs(90), || async {
        let html = get_page().await?;
        (!html.contains("stale-banner")).then_some(())
    })
    .await
    .unwrap();
}
