//! Benchmark of the page cache's memory bound: portal RSS idle and after
//! 1,000 distinct runbook pages with 8 KB query strings (each a cache miss
//! that is then kept, up to `http.page_cache_bytes`), and page latency for
//! a cache miss against a hit of the same URL.
//!
//! Run: `cargo bench -p portal-tests --bench cache` after
//! building the portal (`cargo build -p runbook-portal --release`; set
//! `RUNBOOK_PORTAL_BIN` to its path).

use std::time::{Duration, Instant};

use portal_tests::Portal;
use portal_tests::measure::{percentile, rss_kb};

const PAGES: usize = 1000;
const QUERY_BYTES: usize = 8 * 1024;
const SAMPLES: usize = 100;
const PAGE: &str = "/runbooks/node-exporter/HostHighCpuLoad";

/// A distinct URL with an `instance` label of about `QUERY_BYTES`.
fn url(portal: &Portal, i: usize, tag: &str) -> String {
    let filler = "a".repeat(QUERY_BYTES - 40);
    format!("{}{PAGE}?instance={tag}-{i}-{filler}", portal.url)
}

async fn timed_get(http: &reqwest::Client, url: &str) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let response = http.get(url).send().await?;
    anyhow::ensure!(response.status().is_success(), "{}", response.status());
    response.bytes().await?;
    Ok(started.elapsed())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let portal = Portal::start(&[], &[]).await?;
    let pid = portal.child.id();
    let http = reqwest::Client::new();
    // Warm up: first renders load templates and the index.
    for i in 0..5 {
        timed_get(&http, &url(&portal, i, "warm")).await?;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_idle = rss_kb(pid);

    let started = Instant::now();
    let mut peak = rss_idle;
    for i in 0..PAGES {
        timed_get(&http, &url(&portal, i, "page")).await?;
        if i % 50 == 0 {
            peak = peak.max(rss_kb(pid));
        }
    }
    let fill_time = started.elapsed();
    let rss_after = rss_kb(pid);
    peak = peak.max(rss_after);

    // Miss then hit of the same URL, well within the 2 s time to live.
    let (mut misses, mut hits) = (Vec::new(), Vec::new());
    for i in 0..SAMPLES {
        let target = url(&portal, i, "latency");
        misses.push(timed_get(&http, &target).await?);
        hits.push(timed_get(&http, &target).await?);
    }
    misses.sort();
    hits.sort();
    let rss_end = rss_kb(pid);

    println!(
        "== page cache bench ({PAGES} distinct pages, {QUERY_BYTES}-byte queries, default http.page_cache_bytes) =="
    );
    println!(
        "portal RSS: {rss_idle} kB idle, {rss_after} kB after {PAGES} pages ({} kB more), {peak} kB peak, {rss_end} kB at the end",
        rss_after.saturating_sub(rss_idle)
    );
    println!(
        "{PAGES} pages in {fill_time:.1?} ({:.0} pages/s, sequential)",
        PAGES as f64 / fill_time.as_secs_f64()
    );
    for (what, times) in [("miss", &misses), ("hit", &hits)] {
        println!(
            "page latency, cache {what} ({SAMPLES} samples): p50 {:?}, p95 {:?}, max {:?}",
            percentile(times, 0.5),
            percentile(times, 0.95),
            percentile(times, 1.0)
        );
    }
    Ok(())
}
