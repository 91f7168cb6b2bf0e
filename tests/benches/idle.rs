//! What the portal costs when nobody uses it: CPU time, index rebuilds and
//! memory over an idle minute, serving a real runbook tree (the sample
//! corpus) from disk with the file watcher on, and with real Prometheus
//! polled every 5 s (the default).
//!
//! Run: `cargo build -p runbook-portal --release
//! && RUNBOOK_CORPUS_DIR=../shared/corpus cargo bench -p portal-tests --bench idle`

use std::time::Duration;

use portal_tests::measure::{cpu_time, metric, rss_kb};
use portal_tests::portal::Tree;
use portal_tests::{Portal, Prometheus};

const WINDOW: Duration = Duration::from_secs(60);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let tree = Tree::corpus_or_fixtures();
    let prometheus = Prometheus::start_with("groups: []\n", None).await?;
    let portal = Portal::serving(&tree, &["--prometheus", &prometheus.url], &[]).await?;
    let pid = portal.child.id();
    let builds = |text: &str| metric(text, "runbook_portal_runbook_index_builds_total");
    let loaded = metric(
        &portal.get("/metrics").await.1,
        "runbook_portal_runbooks_loaded",
    );
    // Let start-up work (the first polls, the first index) settle.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let before = builds(&portal.get("/metrics").await.1);
    let cpu_before = cpu_time(pid);
    tokio::time::sleep(WINDOW).await;
    let cpu = cpu_time(pid) - cpu_before;
    let after = builds(&portal.get("/metrics").await.1);
    println!(
        "tree: {}, {loaded} runbooks, watched; Prometheus polled every 5 s",
        tree.name
    );
    println!(
        "idle {WINDOW:?}: CPU {cpu:?} ({:.2}% of one core), index rebuilds {}, RSS {} MiB",
        cpu.as_secs_f64() / WINDOW.as_secs_f64() * 100.0,
        after - before,
        rss_kb(pid) / 1024
    );
    Ok(())
}
