//! Three portals on one PostgreSQL behind a real nginx, as a team runs
//! them: a webhook flood spread over the replicas opens one incident per
//! alert and every replica's stream carries every event once; overlapping
//! saves give one save and conflicts; SIGKILL of a replica in the middle of
//! writes loses nothing that was acknowledged and doubles nothing.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use portal_core::store::postgres::testdb::Cluster;
use portal_tests::process::free_port;
use portal_tests::sse::SseClient;
use portal_tests::{Nginx, Portal};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Notification `index` of the flood: 10 alerts of group `index % 15`, so
/// each group arrives twice and the two copies race on different replicas.
fn notification(index: usize) -> Value {
    let group = index % 15;
    let alerts: Vec<Value> = (0..10)
        .map(|k| {
            let n = group * 10 + k;
            json!({
                "status": "firing",
                "labels": {"alertname": "HostOutOfDiskSpace", "instance": format!("host{n}:9100")},
                "annotations": {},
                "startsAt": "2026-12-02T00:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "fingerprint": format!("{n:016x}"),
            })
        })
        .collect();
    json!({
        "version": "4", "groupKey": format!("{{}}:{{group=\"{group}\"}}"), "status": "firing",
        "receiver": "portal", "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
        "externalURL": "http://alertmanager", "truncatedAlerts": 0, "alerts": alerts,
    })
}

/// Every timeline event a stream carries until `quiet` passes without one.
async fn drain(stream: &mut SseClient, quiet: Duration) -> Vec<i64> {
    let mut ids = Vec::new();
    while let Some(event) = stream.next_of("timeline", quiet).await.expect("stream") {
        ids.push(event.data["id"].as_i64().expect("event id"));
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_replicas_behind_nginx() {
    let cluster = Cluster::start();
    let url = cluster.fresh_database().await;
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let mut replicas = Vec::new();
    for _ in 0..3 {
        let replica = Portal::start_on(&url, &["--public-url", &public], &[]).await;
        replicas.push(replica.expect("replica"));
    }
    let urls: Vec<&str> = replicas.iter().map(|p| p.url.as_str()).collect();
    let nginx = Nginx::balance(port, &urls).await.expect("nginx");
    let http = reqwest::Client::new();

    // Each replica's own stream of every incident's events.
    let mut streams = Vec::new();
    for replica in &replicas {
        let stream = format!("{}/api/v1/incidents/stream", replica.url);
        streams.push(
            SseClient::connect(&http, &stream, None)
                .await
                .expect("stream"),
        );
    }

    // The flood, through the balancer: 30 notifications at once.
    let webhook = format!("{}/api/v1/webhooks/alertmanager", nginx.url);
    let sends = (0..30).map(|i| {
        let request = http.post(&webhook).json(&notification(i));
        async move { request.send().await.expect("webhook").status() }
    });
    for status in futures_util::future::join_all(sends).await {
        assert!(status.is_success(), "webhook answered {status}");
    }
    let stored = replicas[0].incidents().await.expect("incidents");
    let fingerprints: HashSet<_> = stored.iter().map(|(i, _)| i.fingerprint.clone()).collect();
    assert_eq!(
        (stored.len(), fingerprints.len()),
        (150, 150),
        "one incident per alert"
    );
    let mut all_events: Vec<i64> = stored
        .iter()
        .flat_map(|(_, events)| events.iter().map(|e| e.id))
        .collect();
    all_events.sort();
    for (n, stream) in streams.iter_mut().enumerate() {
        let seen = drain(stream, Duration::from_secs(2)).await;
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "replica {n}: every event once, in order"
        );
        assert_eq!(seen, all_events, "replica {n}'s stream carries every event");
    }

    // Overlapping saves of one runbook on one base, spread over replicas.
    let key = "node-exporter/HostHighCpuLoad";
    let raw = http
        .get(format!("{}/api/v1/runbooks/{key}/raw", nginx.url))
        .send()
        .await
        .expect("raw");
    let etag = raw.headers()["etag"].to_str().expect("etag").to_string();
    let source = raw.text().await.expect("source");
    let saves = (0..6).map(|n| {
        let body = source.replacen("## Meaning", &format!("## Meaning\n\nEdit {n}."), 1);
        let request = http
            .put(format!("{}/api/v1/runbooks/{key}", nginx.url))
            .header("if-match", &etag)
            .json(&json!({ "source": body, "message": format!("edit {n}") }));
        async move { request.send().await.expect("save").status() }
    });
    let mut outcomes: HashMap<StatusCode, usize> = HashMap::new();
    for status in futures_util::future::join_all(saves).await {
        *outcomes.entry(status).or_default() += 1;
    }
    assert_eq!(
        (
            outcomes.get(&StatusCode::OK),
            outcomes.get(&StatusCode::CONFLICT)
        ),
        (Some(&1), Some(&5)),
        "one save, five conflicts: {outcomes:?}"
    );

    // Notes through the balancer while one replica is killed. nginx gives
    // an error for what was in flight on it, never a second copy; every note
    // acknowledged is stored exactly once.
    let incident = stored[0].0.id;
    let events = format!("{}/api/v1/incidents/{incident}/events", nginx.url);
    let post = |n: usize| {
        let request = http
            .post(&events)
            .json(&json!({"kind": "note", "text": format!("note {n}")}));
        async move { (n, request.send().await.map(|r| r.status())) }
    };
    let first = futures_util::future::join_all((0..60).map(post));
    let kill = async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        replicas[1].child.kill();
    };
    let (mut answers, ()) = tokio::join!(first, kill);
    answers.extend(futures_util::future::join_all((60..120).map(post)).await);
    let acknowledged: HashSet<String> = answers
        .iter()
        .filter(|(_, status)| matches!(status, Ok(s) if *s == StatusCode::CREATED))
        .map(|(n, _)| format!("note {n}"))
        .collect();
    let after_kill = answers[60..]
        .iter()
        .filter(|(_, status)| matches!(status, Ok(s) if s.is_success()))
        .count();
    assert_eq!(after_kill, 60, "the survivors take every later write");
    let stored = replicas[0].incidents().await.expect("incidents");
    let notes: Vec<String> = stored
        .iter()
        .find(|(i, _)| i.id == incident)
        .expect("the incident")
        .1
        .iter()
        .filter(|e| e.kind == "note")
        .filter_map(|e| e.payload["text"].as_str().map(str::to_string))
        .collect();
    let unique: HashSet<String> = notes.iter().cloned().collect();
    assert_eq!(unique.len(), notes.len(), "no note stored twice");
    assert!(
        acknowledged.is_subset(&unique),
        "acknowledged but lost: {:?}\nnginx: {}",
        acknowledged.difference(&unique).collect::<Vec<_>>(),
        nginx.log()
    );
    println!(
        "notes: {} acknowledged, {} stored, {} refused while a replica died",
        acknowledged.len(),
        notes.len(),
        answers.len() - acknowledged.len()
    );
}
