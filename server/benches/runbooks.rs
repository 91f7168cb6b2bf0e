//! Runbook engine figures (`cargo bench -p runbook-portal --bench runbooks`),
//! on `RUNBOOK_CORPUS_DIR` when set, else on the embedded examples:
//! load + parse + render + index time, search latency, page throughput at 64
//! connections against the same bytes served as a static page, and RSS.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use portal_core::runbooks::RunbookStore;
use runbook_portal::config::{Config, FlagOverrides};

const QUERIES: &[&str] = &[
    "trafik down",
    "Traef",
    "disk full",
    "HostOutOfDiskSpace",
    "hostoutofdisk",
    "memory",
    "kafka lag",
    "postgres replication",
    "ssl expiry",
    "certificate",
    "cpu",
    "node down",
    "redis",
    "mysql slow",
    "elasticsearch heap",
    "prometheus target",
    "alertmanager",
    "rabbitmq queue",
    "nginx 5xx",
    "latency",
    "etcd leader",
    "kube pod crash",
    "oom",
    "swap",
    "network errors",
];

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let corpus = std::env::var_os("RUNBOOK_CORPUS_DIR").map(PathBuf::from);
    let (runbooks, rules) = match &corpus {
        Some(dir) => (Some(dir.join("runbooks")), Some(dir.join("rules"))),
        None => (None, None),
    };
    println!(
        "corpus: {}",
        corpus
            .as_ref()
            .map_or("embedded examples".into(), |d| d.display().to_string())
    );

    let mut loads = Vec::new();
    let mut store = None;
    for _ in 0..5 {
        let started = Instant::now();
        store = Some(RunbookStore::load(runbooks.as_deref(), rules.as_deref()).expect("load"));
        loads.push(started.elapsed());
    }
    loads.sort();
    let store = store.expect("loaded");
    let index = store.index();
    println!(
        "load+parse+render+index {} runbooks: median {:?}, min {:?}",
        index.len(),
        loads[2],
        loads[0]
    );
    println!("RSS after load: {:.1} MiB", rss_mib());

    let mut latencies = Vec::new();
    for round in 0..4 {
        for query in QUERIES {
            let started = Instant::now();
            let hits = index.search().search(query, 10).expect("search");
            latencies.push(started.elapsed());
            if round == 0 && hits.is_empty() {
                println!("  (no hit for {query:?})");
            }
        }
    }
    latencies.sort();
    println!(
        "search ({} queries): p50 {:?}, p99 {:?}",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99)
    );
    drop(index);
    drop(store);

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(http_figures(runbooks, rules));
}

async fn http_figures(runbooks: Option<PathBuf>, rules: Option<PathBuf>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let flags = FlagOverrides {
        database: Some(dir.path().join("bench.db").display().to_string()),
        runbooks,
        rules,
        ..FlagOverrides::default()
    };
    let config: Config = runbook_portal::config::load(None, flags).expect("config");
    let engines = runbook_portal::serve::build_core(&config)
        .await
        .expect("engines");
    let key = engines
        .runbooks
        .index()
        .runbooks()
        .first()
        .map(|r| r.key.clone())
        .expect("a runbook");
    let router = runbook_portal::http::router(engines, &config, Default::default());
    let portal = serve(router.into_make_service_with_connect_info::<SocketAddr>()).await;
    let page_url = format!("http://{portal}/runbooks/{key}");
    let html = reqwest::get(&page_url)
        .await
        .expect("page")
        .text()
        .await
        .expect("body");

    let static_html = Arc::new(html.clone());
    let static_router = axum::Router::new().route(
        "/page",
        axum::routing::get(move || {
            let html = static_html.clone();
            async move { axum::response::Html(html.as_str().to_owned()) }
        }),
    );
    let static_addr =
        serve(static_router.into_make_service_with_connect_info::<SocketAddr>()).await;

    let (page_rps, page_p99) = load(&page_url, 64, Duration::from_secs(5)).await;
    let (static_rps, static_p99) = load(
        &format!("http://{static_addr}/page"),
        64,
        Duration::from_secs(5),
    )
    .await;
    println!(
        "runbook page ({} bytes) at 64 connections: {page_rps:.0} req/s, p99 {page_p99:?}",
        html.len()
    );
    println!("same bytes as a static page:             {static_rps:.0} req/s, p99 {static_p99:?}");
    println!("ratio page/static: {:.2}", page_rps / static_rps);
    println!("RSS after HTTP load: {:.1} MiB", rss_mib());
}

async fn serve(
    service: axum::extract::connect_info::IntoMakeServiceWithConnectInfo<axum::Router, SocketAddr>,
) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, service).await });
    addr
}

/// `connections` clients in a closed loop for `duration`: requests/s and p99.
async fn load(url: &str, connections: usize, duration: Duration) -> (f64, Duration) {
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    let started = Instant::now();
    for _ in 0..connections {
        let (url, stop, count) = (url.to_string(), stop.clone(), count.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let ok = match client.get(&url).send().await {
                    Ok(response) => response.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if ok {
                    latencies.push(t.elapsed());
                    count.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap_or_default());
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let p99 = if all.is_empty() {
        Duration::ZERO
    } else {
        percentile(&all, 0.99)
    };
    (count.load(Ordering::Relaxed) as f64 / elapsed, p99)
}
