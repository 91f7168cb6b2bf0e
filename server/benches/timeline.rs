//! Timeline figures: concurrent appends per second with p50/p99 latency,
//! webhook notifications per second, and incident page latency with 1,000
//! events. `cargo bench -p runbook-portal --bench timeline`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use portal_core::incidents::{AlertSignal, NewIncident, Timeline};
use portal_core::store::Stores;
use portal_core::store::sqlite::{self, Durability};
use portal_types::IncidentAction;
use tokio::sync::Mutex;
use tower::ServiceExt;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn report(what: &str, count: usize, elapsed: Duration, latencies: &mut [Duration]) {
    latencies.sort();
    println!(
        "{what}: {count} in {elapsed:.2?} = {:.0}/s, p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        count as f64 / elapsed.as_secs_f64(),
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
        latencies[latencies.len() - 1],
    );
}

async fn appends(timeline: &Timeline, writers: usize, per_writer: usize) {
    let mut ids = Vec::new();
    for w in 0..writers {
        let new = NewIncident {
            title: format!("bench {w}"),
            ..Default::default()
        };
        ids.push(timeline.open(new, "bench").await.unwrap().id);
    }
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(writers * per_writer)));
    let started = Instant::now();
    let tasks: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let (timeline, latencies) = (timeline.clone(), latencies.clone());
            tokio::spawn(async move {
                let mut mine = Vec::with_capacity(per_writer);
                for n in 0..per_writer {
                    let t = Instant::now();
                    let action = IncidentAction::Note {
                        text: format!("note {n}"),
                    };
                    timeline.act(id, action, "bench").await.unwrap();
                    mine.push(t.elapsed());
                }
                latencies.lock().await.extend(mine);
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed();
    let mut latencies = latencies.lock().await;
    report(
        &format!("appends, {writers} concurrent writers"),
        writers * per_writer,
        elapsed,
        &mut latencies,
    );
}

async fn notifications(timeline: &Timeline, count: usize, alerts: usize) {
    let started = Instant::now();
    let tasks: Vec<_> = (0..count)
        .map(|n| {
            let timeline = timeline.clone();
            tokio::spawn(async move {
                let signals = (0..alerts)
                    .map(|k| AlertSignal {
                        firing: true,
                        fingerprint: format!("{n}-{k}"),
                        alertname: Some("Bench".into()),
                        labels: [("instance".to_string(), format!("{n}-{k}"))].into(),
                        title: "bench".into(),
                        severity: None,
                        runbook_key: None,
                        checklist: vec![],
                        starts_at: None,
                        ends_at: None,
                        generator_url: None,
                    })
                    .collect();
                let t = Instant::now();
                timeline
                    .ingest(signals, "alertmanager", false)
                    .await
                    .unwrap();
                t.elapsed()
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.push(task.await.unwrap());
    }
    report(
        &format!("webhook notifications of {alerts} new alerts"),
        count,
        started.elapsed(),
        &mut latencies,
    );
}

async fn page(dir: &std::path::Path) {
    let config = runbook_portal::config::Config {
        database: dir.join("page.db").display().to_string(),
        ..Default::default()
    };
    let engines = runbook_portal::serve::build_core(&config).await.unwrap();
    let new = NewIncident {
        title: "page".into(),
        runbook_key: Some("node-exporter/HostHighCpuLoad".into()),
        ..Default::default()
    };
    let id = engines
        .incidents
        .timeline()
        .open(new, "bench")
        .await
        .unwrap()
        .id;
    for n in 0..999 {
        let action = IncidentAction::Note {
            text: format!("event {n}"),
        };
        engines
            .incidents
            .timeline()
            .act(id, action, "bench")
            .await
            .unwrap();
    }
    let router = runbook_portal::http::router(engines.clone(), &config, Default::default());
    for (what, path) in [
        (
            "incident page (SSR) with 1,000 events",
            format!("/incidents/{id}"),
        ),
        (
            "runbook page with its open incident of 1,000 events",
            "/runbooks/node-exporter/HostHighCpuLoad".to_string(),
        ),
        (
            "GET /api/v1/incidents/{id} with 1,000 events",
            format!("/api/v1/incidents/{id}"),
        ),
    ] {
        let mut latencies = Vec::new();
        let started = Instant::now();
        for _ in 0..50 {
            let request = http::Request::get(&path)
                .body(axum::body::Body::empty())
                .unwrap();
            let t = Instant::now();
            let response = router.clone().oneshot(request).await.unwrap();
            assert!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            latencies.push(t.elapsed());
        }
        report(what, 50, started.elapsed(), &mut latencies);
    }
}

async fn open(path: &std::path::Path, durability: Durability) -> Stores {
    sqlite::open(path.to_str().unwrap(), durability)
        .await
        .unwrap()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    println!("-- synchronous = FULL (the portal's setting: durable across power loss)");
    let timeline =
        Timeline::from_stores(&open(&dir.path().join("bench.db"), Durability::Full).await);
    appends(&timeline, 1, 2000).await;
    appends(&timeline, 8, 1500).await;
    appends(&timeline, 16, 1000).await;
    appends(&timeline, 64, 300).await;
    notifications(&timeline, 200, 50).await;
    println!("-- synchronous = NORMAL (before: durable across a process crash only)");
    // The same schema with `synchronous = NORMAL` (what the portal used
    // before it chose FULL): the price of durability, measured in the same run.
    let normal = open(&dir.path().join("normal.db"), Durability::Normal).await;
    let normal = Timeline::from_stores(&normal);
    appends(&normal, 1, 2000).await;
    appends(&normal, 8, 1500).await;
    page(dir.path()).await;
}
