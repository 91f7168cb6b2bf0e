//! Benchmark of the check runner: 200 concurrent runs of an HTTP check
//! against a local target that answers after 2 s, with a concurrency limit
//! of 16. Prints the wall time, run latencies, the portal's RSS, and the
//! latency of unrelated page requests made meanwhile.
//!
//! Run: `cargo build -p runbook-portal --release
//! && cargo bench -p portal-tests --bench checks`.

use std::time::{Duration, Instant};

use portal_tests::check_portal::{RUNBOOK, labels, run, setup_with};
use portal_tests::measure::{percentile, rss_kb};

const RUNS: usize = 200;
const LIMIT: usize = 16;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let checks = format!(
        "max_concurrent = {LIMIT}\nmax_concurrent_per_user = {RUNS}\nmax_timeout_secs = 120\n"
    );
    let setup = setup_with(
        false,
        &[("RUNBOOK_PORTAL_HTTP__REQUEST_TIMEOUT_SECS", "120")],
        &checks,
    )
    .await;
    let portal = &setup.portal;
    let pid = portal.child.id();
    let body = labels(&setup);
    let page = format!("/runbooks/{RUNBOOK}?instance={}", setup.http.addr);
    // Warm up: one run and one page.
    run(portal, RUNBOOK, "http-ok", body.clone()).await;
    portal.get(&page).await;
    let rss_before = rss_kb(pid);

    let started = Instant::now();
    let runs = (0..RUNS).map(|_| {
        let body = body.clone();
        async move {
            let t = Instant::now();
            let (status, result) = run(portal, RUNBOOK, "http-slow", body).await;
            (
                status,
                result["status"].as_str() == Some("pass"),
                t.elapsed(),
            )
        }
    });
    let all = futures_util::future::join_all(runs);
    let pages = async {
        let mut latencies = Vec::new();
        let mut peak = 0;
        while started.elapsed() < Duration::from_secs(20) {
            let t = Instant::now();
            let (status, _) = portal.get(&page).await;
            assert!(status.is_success());
            latencies.push(t.elapsed());
            peak = peak.max(rss_kb(pid));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        (latencies, peak)
    };
    let (results, (mut page_latencies, rss_peak)) = tokio::join!(all, pages);
    let wall = started.elapsed();
    let passed = results
        .iter()
        .filter(|(s, pass, _)| s.is_success() && *pass)
        .count();
    let mut run_latencies: Vec<Duration> = results.iter().map(|(_, _, d)| *d).collect();
    run_latencies.sort();
    page_latencies.sort();
    println!("check runs: {RUNS} concurrent, limit {LIMIT}, target answers after 2 s");
    println!("  passed: {passed}/{RUNS}");
    println!(
        "  wall time: {:.1} s (ideal {:.1} s)",
        wall.as_secs_f64(),
        (RUNS as f64 / LIMIT as f64).ceil() * 2.0
    );
    println!(
        "  run latency p50 {:.2} s, p99 {:.2} s",
        percentile(&run_latencies, 0.5).as_secs_f64(),
        percentile(&run_latencies, 0.99).as_secs_f64()
    );
    println!(
        "  portal RSS: {} KiB before, {} KiB peak",
        rss_before, rss_peak
    );
    println!(
        "  unrelated page requests meanwhile: {} requests, p50 {:.1} ms, p99 {:.1} ms",
        page_latencies.len(),
        percentile(&page_latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&page_latencies, 0.99).as_secs_f64() * 1e3
    );
    Ok(())
}
