//! Alert history figures (`cargo bench -p runbook-portal --bench history`):
//! the history query's p50/p99 over 1,000,000 recorded transitions (SQLite,
//! then PostgreSQL on a throwaway cluster when Debian's `initdb` is there;
//! `HISTORY_BENCH_PG=0` skips it), the runbook page rendered with its
//! History panel on that database, and the recorder's cost per poll with
//! 10,000 firing series.
//!
//! The million rows: 400 days, 200 alert names, 50 instances each, firing +
//! resolved pairs; the alert the page shows (`HostHighCpuLoad`) is the hot
//! one with a tenth of all rows (~125 firings a day), the others share the
//! rest (~6 a day each), recorded in time order as a portal records them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use chrono::Utc;
use http::Request;
use portal_core::history::recorder::Series;
use portal_core::store::history::{NewTransition, TransitionSource, TransitionState, fingerprint};
use portal_core::store::{HistoryStore, Stores};
use portal_types::{AlertInstance, Labels};
use runbook_portal::config::{Config, FlagOverrides};
use tower::ServiceExt;

const ROWS: usize = 1_000_000;
const HOT: &str = "HostHighCpuLoad";
const QUERIES: usize = 200;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{what}: n={}, p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        samples.len(),
        percentile(&samples, 0.5),
        percentile(&samples, 0.99),
        samples[samples.len() - 1]
    );
}

/// xorshift64*: reproducible rows without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn labels(alert: &str, instance: u64) -> Labels {
    [
        ("alertname".to_string(), alert.to_string()),
        ("instance".to_string(), format!("host{instance}:9100")),
        ("job".to_string(), "node".to_string()),
        ("severity".to_string(), "warning".to_string()),
    ]
    .into()
}

/// Record `ROWS` transitions through the store, 10,000 per transaction, in
/// time order as a portal appends them (so a window's rows sit together).
async fn fill(history: &dyn HistoryStore) -> Duration {
    let started = Instant::now();
    let now = Utc::now();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let names: Vec<String> = (0..199).map(|i| format!("Alert{i:03}")).collect();
    // Episodes (alert, instance, start, end), then their two rows by time.
    let episodes: Vec<(usize, u64, i64, i64)> = (0..ROWS / 2)
        .map(|_| {
            let alert = if rng.below(10) == 0 {
                names.len()
            } else {
                rng.below(names.len() as u64) as usize
            };
            let start = now.timestamp() - rng.below(400 * 86_400) as i64;
            let end = (start + 30 + rng.below(3600) as i64).min(now.timestamp());
            (alert, rng.below(50), start, end)
        })
        .collect();
    let mut events: Vec<(i64, usize, bool)> = episodes
        .iter()
        .enumerate()
        .flat_map(|(i, e)| [(e.2, i, false), (e.3, i, true)])
        .collect();
    events.sort_unstable();
    let mut batch = Vec::with_capacity(10_000);
    for (at, i, resolved) in events {
        let (alert, instance, start, _) = episodes[i];
        let alert = names.get(alert).map_or(HOT, String::as_str);
        let labels = labels(alert, instance);
        let time = |secs| chrono::DateTime::from_timestamp(secs, 0).unwrap_or(now);
        batch.push(NewTransition {
            at: time(at),
            alertname: alert.to_string(),
            fingerprint: fingerprint(&labels),
            upstream: "prom".into(),
            state: if resolved {
                TransitionState::Resolved
            } else {
                TransitionState::Firing
            },
            source: TransitionSource::Poll,
            labels,
            starts_at: Some(time(start)),
            ends_at: resolved.then(|| time(at)),
            unless_since: None,
        });
        if batch.len() >= 10_000 {
            history.record(&batch).await.expect("record");
            batch.clear();
        }
    }
    history.record(&batch).await.expect("record");
    started.elapsed()
}

async fn query_figures(backend: &str, stores: &Stores) {
    let history = &*stores.history;
    let filled = fill(history).await;
    println!("{backend}: recorded {ROWS} transitions in {filled:.2?}");
    for (alert, label) in [
        (HOT, "hot alert, ~100k rows"),
        ("Alert007", "typical alert, ~4.5k rows"),
    ] {
        let mut samples = Vec::with_capacity(QUERIES);
        for _ in 0..QUERIES {
            let started = Instant::now();
            let facts = history
                .facts(alert, Utc::now(), 30, 10)
                .await
                .expect("facts");
            samples.push(started.elapsed());
            assert!(facts.fired_90d > 0, "{alert} fired");
        }
        report(
            &format!("{backend}: history query, 30 days, {label}"),
            samples,
        );
    }
    let mut samples = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        history
            .facts(HOT, Utc::now(), 400, 10)
            .await
            .expect("facts");
        samples.push(started.elapsed());
    }
    report(
        &format!("{backend}: history query, 400 days, hot alert"),
        samples,
    );
    let started = Instant::now();
    let open = history.open_series().await.expect("open series");
    println!(
        "{backend}: open series at election ({} open): {:.2?}",
        open.len(),
        started.elapsed()
    );
}

/// The runbook page of the hot alert, rendered in process (a fresh label
/// per request, so the page cache never answers).
async fn page_figures(database: &str) {
    let flags = FlagOverrides {
        database: Some(database.to_string()),
        ..FlagOverrides::default()
    };
    let config: Config = runbook_portal::config::load(None, flags).expect("config");
    let core = runbook_portal::serve::build_core(&config)
        .await
        .expect("core");
    let mut samples = Vec::new();
    for _ in 0..QUERIES {
        let started = Instant::now();
        core.history.alert(HOT, None).await.expect("history");
        samples.push(started.elapsed());
    }
    report(
        "sqlite: history use case (query + incidents), hot alert",
        samples,
    );
    let router = runbook_portal::http::router(core, &config, Default::default());
    let mut samples = Vec::new();
    let mut bytes = 0;
    for i in 0..QUERIES {
        let mut request = Request::get(format!("/runbooks/node-exporter/{HOT}?n={i}"))
            .header(http::header::HOST, "127.0.0.1:3000")
            .body(Body::empty())
            .expect("request");
        let peer: SocketAddr = "127.0.0.1:40000".parse().expect("address");
        request.extensions_mut().insert(ConnectInfo(peer));
        let started = Instant::now();
        let response = router.clone().oneshot(request).await.expect("response");
        let body = axum::body::to_bytes(response.into_body(), 64 << 20)
            .await
            .expect("body");
        samples.push(started.elapsed());
        bytes = body.len();
        assert!(
            String::from_utf8_lossy(&body).contains("alert-history"),
            "the page has its History panel"
        );
    }
    report(
        &format!("sqlite: runbook page with History panel ({bytes} bytes), sequential"),
        samples,
    );
}

fn instances(n: usize) -> Vec<AlertInstance> {
    (0..n)
        .map(|i| AlertInstance {
            labels: labels(&format!("Alert{:03}", i % 200), i as u64),
            annotations: Labels::new(),
            state: "firing".into(),
            active_at: Some(Utc::now()),
            value: Some("1".into()),
            silenced_by: Vec::new(),
            inhibited_by: Vec::new(),
            sources: vec!["prom".into()],
        })
        .collect()
}

async fn recorder_figures(history: Arc<dyn HistoryStore>) {
    let alerts = instances(10_000);
    let started = Instant::now();
    let (rows, series) = Series::default().diff(&alerts, Utc::now());
    let diffed = started.elapsed();
    let written = history.record(&rows).await.expect("record");
    println!(
        "recorder, first poll of 10,000 firing series: diff {diffed:.2?}, {written} rows recorded in {:.2?} (one transaction)",
        started.elapsed() - diffed
    );
    let mut samples = Vec::new();
    let mut series = series;
    for _ in 0..50 {
        let started = Instant::now();
        let (rows, next) = series.diff(&alerts, Utc::now());
        samples.push(started.elapsed());
        assert!(rows.is_empty());
        series = next;
    }
    report(
        "recorder, steady poll of 10,000 firing series (diff, nothing to write)",
        samples,
    );
    let mut samples = Vec::new();
    for round in 0..20 {
        let mut changed = alerts.clone();
        // 1% of the series change: 50 resolve, 50 get silenced.
        for alert in changed.iter_mut().skip(round * 100).take(50) {
            alert.silenced_by = vec!["s".into()];
        }
        changed.drain(round * 100 + 50..round * 100 + 100);
        let started = Instant::now();
        let (rows, next) = series.diff(&changed, Utc::now());
        history.record(&rows).await.expect("record");
        samples.push(started.elapsed());
        // Back to all firing for the next round (not measured).
        let (rows, back) = next.diff(&alerts, Utc::now());
        history.record(&rows).await.expect("record");
        series = back;
    }
    report(
        "recorder, poll of 10,000 firing series with 100 changes (diff + record)",
        samples,
    );
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("history.db");
        let database = path.display().to_string();
        let stores = portal_core::store::open(&database).await.expect("sqlite");
        query_figures("sqlite", &stores).await;
        stores.close().await;
        page_figures(&database).await;

        let fresh = dir.path().join("recorder.db").display().to_string();
        let stores = portal_core::store::open(&fresh).await.expect("sqlite");
        recorder_figures(stores.history.clone()).await;
        stores.close().await;

        let pg = std::env::var("HISTORY_BENCH_PG").map_or(true, |v| v != "0");
        let initdb = std::path::Path::new("/usr/lib/postgresql").exists();
        if pg && initdb {
            let cluster = portal_core::store::postgres::testdb::Cluster::start();
            let url = cluster.fresh_database().await;
            let stores = portal_core::store::open(&url).await.expect("postgres");
            query_figures("postgres", &stores).await;
            recorder_figures(stores.history.clone()).await;
            stores.close().await;
        } else {
            println!("postgres: skipped (HISTORY_BENCH_PG=0 or no /usr/lib/postgresql)");
        }
    });
}
