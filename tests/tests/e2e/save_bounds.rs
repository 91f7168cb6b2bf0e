//! Issue #12, item 5: one save must not freeze every write. A conflicting
//! save of very different texts used to merge under the write lock (a 64k-line
//! save took 18.7 s in release and a concurrent `POST /api/v1/incidents`
//! failed with 500). Now the biggest save is answered at once, the biggest
//! mergeable one merges off the lock, and incidents open quickly meanwhile.

use std::time::{Duration, Instant};

use portal_tests::Portal;
use reqwest::StatusCode;
use serde_json::{Value, json};

const KEY: &str = "node-exporter/HostHighCpuLoad";

/// A text of `lines` lines tagged `tag`, every line different from another tag's.
fn text(tag: &str, lines: usize, width: usize) -> String {
    let pad = "x".repeat(width);
    (0..lines).map(|i| format!("{tag} {i} {pad}\n")).collect()
}

async fn put(portal: &Portal, etag: Option<&str>, source: &str) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .put(format!("{}/api/v1/runbooks/{KEY}", portal.url))
        .json(&json!({ "source": source, "message": "big" }));
    if let Some(etag) = etag {
        request = request.header("if-match", etag);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Alice saves `alice` on the imported text; returns the imported ETag, on
/// which a conflicting save is then based.
async fn diverge(portal: &Portal, alice: &str) -> String {
    let response = reqwest::get(format!("{}/api/v1/runbooks/{KEY}/raw", portal.url))
        .await
        .unwrap();
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    let (status, body) = put(portal, Some(&etag), alice).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    etag
}

/// Open incidents one after another while `save` runs; each must be quick.
async fn incidents_while(
    portal: &Portal,
    save: impl Future<Output = (StatusCode, Value)>,
) -> (StatusCode, Value, Duration) {
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/incidents", portal.url);
    let started = Instant::now();
    let save = async {
        let answer = save.await;
        (answer, started.elapsed())
    };
    let incidents = async {
        let mut slowest = Duration::ZERO;
        for n in 0..8 {
            tokio::time::sleep(Duration::from_millis(150)).await;
            let t = Instant::now();
            let response = client
                .post(&url)
                .json(&json!({"title": format!("during the save {n}")}))
                .send()
                .await
                .unwrap();
            let took = t.elapsed();
            assert_eq!(response.status(), StatusCode::CREATED, "incident {n}");
            slowest = slowest.max(took);
        }
        slowest
    };
    let (((status, body), took), slowest) = tokio::join!(save, incidents);
    assert!(
        slowest < Duration::from_secs(1),
        "an incident waited {slowest:?} on the save"
    );
    (status, body, took)
}

#[tokio::test]
async fn a_maximal_conflicting_save_is_answered_at_once() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    // ~1 MiB each (the largest runbook text), 64k lines, differing everywhere.
    let etag = diverge(&portal, &text("alice", 64_000, 0)).await;
    let bob = text("bob", 64_000, 2);
    assert!(bob.len() <= 1024 * 1024, "{}", bob.len());
    let (status, body, took) = incidents_while(&portal, put(&portal, Some(&etag), &bob)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("too long to merge"),
        "says why and what to do: {body}"
    );
    assert!(took < Duration::from_secs(3), "answered in {took:?}");
}

#[tokio::test]
async fn the_largest_mergeable_save_does_not_hold_up_other_writes() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    // At the merge bound (5,000 lines): seconds of merging in a debug build.
    let etag = diverge(&portal, &text("alice", 5_000, 0)).await;
    let bob = text("bob", 5_000, 0);
    let (status, body, took) = incidents_while(&portal, put(&portal, Some(&etag), &bob)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["outcome"], "conflict", "{body}");
    assert!(took < Duration::from_secs(30), "answered in {took:?}");
}
