//! Scale-out figures, SQLite and PostgreSQL in the same run: timeline
//! appends per second through one portal and through three portals sharing
//! one PostgreSQL database, and how long an event committed on one portal
//! takes to reach another portal's live feed (the `LISTEN/NOTIFY` path).
//! `cargo bench -p runbook-portal --bench replicas` (starts a throwaway
//! PostgreSQL cluster with Debian's binaries, as the tests do).

use std::sync::Arc;
use std::time::{Duration, Instant};

use portal_core::incidents::{NewIncident, Timeline};
use portal_core::store::postgres::testdb::Cluster;
use portal_core::store::sqlite::{self, Durability};
use portal_types::IncidentAction;
use tokio::sync::Mutex;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn note(n: usize) -> IncidentAction {
    IncidentAction::Note {
        text: format!("note {n}"),
    }
}

/// `writers` tasks per portal, each appending `per_writer` notes to its own
/// incident, spread over `portals`; appends per second and latencies.
async fn appends(what: &str, portals: &[Timeline], writers: usize, per_writer: usize) {
    let mut jobs = Vec::new();
    for (p, portal) in portals.iter().enumerate() {
        for w in 0..writers {
            let new = NewIncident {
                title: format!("bench {p}/{w}"),
                ..Default::default()
            };
            jobs.push((portal.clone(), portal.open(new, "bench").await.unwrap().id));
        }
    }
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let tasks: Vec<_> = jobs
        .into_iter()
        .map(|(portal, id)| {
            let latencies = latencies.clone();
            tokio::spawn(async move {
                let mut mine = Vec::with_capacity(per_writer);
                for n in 0..per_writer {
                    let t = Instant::now();
                    portal.act(id, note(n), "bench").await.unwrap();
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
    let mut latencies = latencies.lock().await.clone();
    latencies.sort();
    let count = latencies.len();
    println!(
        "{what}, {} portal(s) x {writers} writers: {count} appends in {elapsed:.2?} = {:.0}/s, p50 {:.2?}, p99 {:.2?}",
        portals.len(),
        count as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
    );
}

/// Commit on `from`, wait for the event on `to`'s feed: one at a time.
async fn lag(from: &Timeline, to: &Timeline, events: usize) {
    let id = from
        .open(
            NewIncident {
                title: "lag".into(),
                ..Default::default()
            },
            "bench",
        )
        .await
        .unwrap()
        .id;
    let mut feed = to.subscribe();
    let mut lags = Vec::with_capacity(events);
    for n in 0..events {
        let committed = from.act(id, note(n), "bench").await.unwrap();
        let answered = Instant::now();
        loop {
            let event = tokio::time::timeout(Duration::from_secs(10), feed.recv())
                .await
                .expect("the event arrived")
                .expect("feed open");
            if event.id == committed.id {
                break;
            }
        }
        lags.push(answered.elapsed());
    }
    lags.sort();
    println!(
        "cross-replica lag (commit answered on one portal -> event on the other's feed), {events} events: p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        percentile(&lags, 0.5),
        percentile(&lags, 0.99),
        lags[lags.len() - 1],
    );
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let sqlite = sqlite::open(path.to_str().unwrap(), Durability::Full)
        .await
        .unwrap();
    let local = [Timeline::from_stores(&sqlite)];
    appends("SQLite (synchronous=FULL)", &local, 1, 1000).await;
    appends("SQLite (synchronous=FULL)", &local, 64, 100).await;

    // fsync on, as in production: the same durability as SQLite's FULL.
    let cluster = Cluster::start_durable();
    let url = cluster.fresh_database().await;
    let mut stores = Vec::new();
    for _ in 0..3 {
        stores.push(portal_core::store::open(&url).await.unwrap());
    }
    let three: Vec<Timeline> = stores.iter().map(Timeline::from_stores).collect();
    appends("PostgreSQL", &three[..1], 1, 1000).await;
    appends("PostgreSQL", &three[..1], 64, 100).await;
    appends("PostgreSQL", &three, 22, 100).await;
    lag(&three[0], &three[1], 500).await;
    for store in stores {
        store.close().await;
    }
}
