//! The real binary on a real PostgreSQL (Debian's, started by the harness on
//! loopback): two portals on one database see each other's writes, an edit
//! saved through one is served by the other, overlapping edits on two give
//! one save and one 409, and everything survives both processes' end.

use std::time::{Duration, Instant};

use portal_core::store::postgres::testdb::Cluster;
use portal_tests::Portal;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn post(portal: &Portal, path: &str, body: Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", portal.url))
        .json(&body)
        .send()
        .await
        .expect("POST");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get_json(portal: &Portal, path: &str) -> Value {
    reqwest::get(format!("{}{path}", portal.url))
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON")
}

/// The current source and its ETag.
async fn raw(portal: &Portal, key: &str) -> (String, String) {
    let response = reqwest::get(format!("{}/api/v1/runbooks/{key}/raw", portal.url))
        .await
        .expect("GET raw");
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()["etag"]
        .to_str()
        .expect("ETag")
        .to_string();
    (response.text().await.expect("text"), etag)
}

async fn put(portal: &Portal, key: &str, source: &str, etag: &str) -> StatusCode {
    reqwest::Client::new()
        .put(format!("{}/api/v1/runbooks/{key}", portal.url))
        .header("If-Match", etag)
        .json(&json!({ "source": source, "message": "from the postgres test" }))
        .send()
        .await
        .expect("PUT")
        .status()
}

#[tokio::test]
async fn two_portals_share_one_postgresql_database() {
    let cluster = Cluster::start();
    let url = cluster.fresh_database().await;
    let a = Portal::start_on(&url, &[], &[]).await.expect("portal a");
    let b = Portal::start_on(&url, &[], &[]).await.expect("portal b");

    // An incident opened on one portal is acted on through the other.
    let (status, incident) = post(
        &a,
        "/api/v1/incidents",
        json!({"runbook": "node-exporter/HostHighCpuLoad", "labels": {"instance": "web1:9100"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    let id = incident["id"].as_i64().expect("id");
    let events = format!("/api/v1/incidents/{id}/events");
    // b's incident stream carries a note posted through a.
    let mut stream = reqwest::get(format!("{}/api/v1/incidents/{id}/stream", b.url))
        .await
        .expect("b's stream");
    assert_eq!(stream.status(), StatusCode::OK);
    let (status, _) = post(&a, &events, json!({"kind": "note", "text": "posted on a"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let mut streamed = String::new();
    while !streamed.contains("posted on a") {
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.chunk())
            .await
            .expect("the note reached b's stream")
            .expect("stream open")
            .expect("a chunk");
        streamed.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(streamed.contains("event: timeline"), "{streamed}");
    drop(stream);
    let (status, _) = post(&b, &events, json!({"kind": "note", "text": "seen from b"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = post(&b, &events, json!({"kind": "ack"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = post(&a, &events, json!({"kind": "ack"})).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "already acknowledged through b"
    );
    let seen = get_json(&a, &format!("/api/v1/incidents/{id}")).await;
    assert_eq!(seen["status"], "acknowledged", "{seen}");
    assert_eq!(seen["events"].as_array().map(Vec::len), Some(4), "{seen}");

    // An edit saved on a is served by b: the revisions notification wakes
    // b's index sync (its safety poll is 30 s away, past this deadline).
    let key = "node-exporter/HostHighCpuLoad";
    let (source, etag) = raw(&a, key).await;
    let edited = source.replacen("## Meaning", "## Meaning\n\nEdited through portal a.", 1);
    assert_eq!(put(&a, key, &edited, &etag).await, StatusCode::OK);
    let saved = Instant::now();
    let deadline = saved + Duration::from_secs(10);
    loop {
        let page = get_json(&b, &format!("/api/v1/runbooks/{key}")).await;
        if page["html"]
            .as_str()
            .is_some_and(|h| h.contains("Edited through portal a."))
        {
            break;
        }
        assert!(Instant::now() < deadline, "b never served a's edit");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!("a's edit served by b after {:?}", saved.elapsed());

    // Two overlapping edits on one base, one through each portal: one is
    // saved, the other is a 409 with nothing written.
    let (source, etag) = raw(&b, key).await;
    let mine = source.replacen("Edited through portal a.", "Rewritten by a.", 1);
    let theirs = source.replacen("Edited through portal a.", "Rewritten by b.", 1);
    let (first, second) = tokio::join!(put(&a, key, &mine, &etag), put(&b, key, &theirs, &etag));
    let mut outcomes = [first, second];
    outcomes.sort();
    assert_eq!(outcomes, [StatusCode::OK, StatusCode::CONFLICT]);

    // Both processes end; a third portal finds everything in the database.
    drop(a);
    drop(b);
    let c = Portal::start_on(&url, &[], &[]).await.expect("portal c");
    let seen = get_json(&c, &format!("/api/v1/incidents/{id}")).await;
    assert_eq!(seen["events"].as_array().map(Vec::len), Some(4), "{seen}");
    let history = get_json(&c, &format!("/api/v1/runbooks/{key}/history")).await;
    assert_eq!(
        history["total"], 3,
        "import, a's edit, one of the two: {history}"
    );
}

/// PostgreSQL stops while the portal runs: readiness fails, a write is a
/// 503 with a reason and leaves nothing behind, runbook pages still render
/// from memory, and everything works again once the database is back.
#[tokio::test]
async fn a_database_outage_is_a_503_and_the_portal_recovers() {
    let cluster = Cluster::start();
    let url = cluster.fresh_database().await;
    let portal = Portal::start_on(&url, &[], &[]).await.expect("portal");
    let (status, incident) = post(
        &portal,
        "/api/v1/incidents",
        json!({"runbook": "node-exporter/HostHighCpuLoad"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    let events = format!("/api/v1/incidents/{}/events", incident["id"]);

    cluster.stop();
    let (status, body) = portal.get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.contains("database"), "{body}");
    let started = Instant::now();
    let (status, error) = post(&portal, &events, json!({"kind": "note", "text": "lost?"})).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{error}");
    assert!(
        error["error"].as_str().is_some_and(|e| !e.is_empty()),
        "a reason: {error}"
    );
    println!(
        "a write during the outage answered 503 after {:?}",
        started.elapsed()
    );
    let (status, page) = portal.get("/runbooks/node-exporter/HostHighCpuLoad").await;
    assert_eq!(status, StatusCode::OK, "the runbook is served from memory");
    assert!(page.contains("<h1>"), "{page}");

    cluster.resume();
    let deadline = Instant::now() + Duration::from_secs(30);
    while portal.get("/readyz").await.0 != StatusCode::OK {
        assert!(
            Instant::now() < deadline,
            "never ready again:\n{}",
            portal.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, _) = post(&portal, &events, json!({"kind": "note", "text": "after"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let seen = get_json(&portal, &format!("/api/v1/incidents/{}", incident["id"])).await;
    let kinds: Vec<&str> = seen["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["payload"]["text"].as_str())
        .collect();
    assert_eq!(kinds, ["after"], "the refused note left nothing: {seen}");
}
