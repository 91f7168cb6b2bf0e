//! Benchmark of live alert state, against real Prometheus and Alertmanager:
//! SSE fan-out (events/s delivered to 1,000 subscribers, portal RSS),
//! upstream requests per poll interval at 1 and 1,000 viewers, and runbook
//! page latency with the live panel and graph on.
//!
//! Run: `cargo bench -p portal-tests --bench alerts` after
//! building the portal (`cargo build -p runbook-portal --release`; set
//! `RUNBOOK_PORTAL_BIN` to its path).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use portal_tests::measure::rss_kb;
use portal_tests::sse::SseClient;
use portal_tests::{Alertmanager, Portal, Prometheus};

const ALERTS: usize = 50;
const SUBSCRIBERS: usize = 1000;

/// `ALERTS` rules, all on or all off.
fn rules(on: bool) -> String {
    let mut s = String::from("groups:\n  - name: bench\n    rules:\n");
    for i in 0..ALERTS {
        let expr = if on { "vector(1)" } else { "vector(1) < 0" };
        s.push_str(&format!(
            "      - alert: Bench{i}\n        expr: {expr}\n        labels:\n          severity: warning\n"
        ));
    }
    s.push_str("      - alert: PrometheusTargetMissing\n        expr: vector(1)\n");
    s
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let am = Alertmanager::start().await?;
    let prometheus = Prometheus::start_with(&rules(false), Some(&am.url)).await?;
    let portal = Portal::start(
        &["--prometheus", &prometheus.url, "--alertmanager", &am.url],
        &[
            ("RUNBOOK_PORTAL_POLL_INTERVAL_SECS", "1"),
            // Every subscriber comes from 127.0.0.1: lift the per-client cap.
            ("RUNBOOK_PORTAL_HTTP__MAX_STREAMS_PER_CLIENT", "1100"),
        ],
    )
    .await?;
    let pid = portal.child.id();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let window = Duration::from_secs(10);

    // Upstream requests with one viewer.
    let http = reqwest::Client::new();
    let stream = format!("{}/api/v1/alerts/stream", portal.url);
    let one = SseClient::connect(&http, &stream, None).await?;
    let before = prometheus.handler_requests("/api/v1/alerts").await?;
    tokio::time::sleep(window).await;
    let with_one = prometheus.handler_requests("/api/v1/alerts").await? - before;
    drop(one);

    // 1,000 subscribers, each counting the events it receives.
    let rss_idle = rss_kb(pid);
    let events = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    let connect_started = Instant::now();
    for _ in 0..SUBSCRIBERS {
        let client = reqwest::Client::new();
        let mut sub = SseClient::connect(&client, &stream, None).await?;
        let events = events.clone();
        tasks.push(tokio::spawn(async move {
            while let Ok(Some(e)) = sub.next(Duration::from_secs(60)).await {
                if e.event == "alert" {
                    events.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let connect_time = connect_started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_connected = rss_kb(pid);

    let before = prometheus.handler_requests("/api/v1/alerts").await?;
    let started = Instant::now();
    let flips = 10;
    let mut peak_rss = rss_connected;
    for i in 0..flips {
        prometheus.set_rules(&rules(i % 2 == 0)).await?;
        tokio::time::sleep(window / 5).await;
        peak_rss = peak_rss.max(rss_kb(pid));
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let elapsed = started.elapsed();
    let with_many = prometheus.handler_requests("/api/v1/alerts").await? - before;
    let delivered = events.load(Ordering::Relaxed);

    // Page latency with the panel (and graph) rendered server-side.
    let page = format!(
        "{}/runbooks/prometheus-self-monitoring/PrometheusTargetMissing?instance=x",
        portal.url
    );
    let mut times = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        let body = http.get(&page).send().await?.text().await?;
        times.push(t.elapsed());
        anyhow::ensure!(body.contains("alert-panel"), "panel missing");
    }
    times.sort();
    for task in &tasks {
        task.abort();
    }

    let secs = elapsed.as_secs_f64();
    println!(
        "== alerts bench ({SUBSCRIBERS} SSE subscribers, {ALERTS} alerts flipped {flips} times) =="
    );
    println!("connect {SUBSCRIBERS} subscribers: {connect_time:?}");
    println!(
        "SSE fan-out: {delivered} alert events delivered in {secs:.1} s = {:.0} events/s (expected {} = subscribers x alerts x flips)",
        delivered as f64 / secs,
        SUBSCRIBERS * ALERTS * flips
    );
    println!(
        "portal RSS: {rss_idle} kB idle, {rss_connected} kB with {SUBSCRIBERS} streams, {peak_rss} kB peak while flipping"
    );
    println!(
        "upstream /api/v1/alerts requests per 1 s interval: {:.2} with 1 viewer, {:.2} with {SUBSCRIBERS}",
        with_one / window.as_secs_f64(),
        with_many / secs
    );
    println!(
        "runbook page latency (panel + graph, 100 sequential GETs while {SUBSCRIBERS} streams are open): p50 {:?}, p95 {:?}, max {:?}",
        times[50], times[95], times[99]
    );
    Ok(())
}
