//! The timeline under load: a webhook flood of 10,000 alerts in 200
//! concurrent notifications, and SIGKILL in the middle of concurrent
//! appends. Nothing acknowledged may be lost, nothing may be duplicated.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use portal_tests::Portal;
use serde_json::{Value, json};
use tokio::sync::Mutex;

fn notification(index: usize, status: &str) -> Value {
    // 100 distinct groups of 50 fingerprints, each sent twice (notification
    // i and i + 100), so duplicates race each other.
    let group = index % 100;
    let alerts: Vec<Value> = (0..50)
        .map(|k| {
            let n = group * 50 + k;
            json!({
                "status": status,
                "labels": {"alertname": "HostOutOfDiskSpace", "instance": format!("host{n}:9100"), "severity": "warning"},
                "annotations": {},
                "startsAt": "2026-11-25T00:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus/graph",
                "fingerprint": format!("{n:016x}"),
            })
        })
        .collect();
    json!({
        "version": "4", "groupKey": format!("{{}}:{{group=\"{group}\"}}"), "status": status,
        "receiver": "portal", "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
        "externalURL": "http://alertmanager", "truncatedAlerts": 0, "alerts": alerts,
    })
}

async fn flood(portal: &Portal, status: &str) -> Duration {
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/webhooks/alertmanager", portal.url);
    let started = Instant::now();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let (client, url) = (client.clone(), url.clone());
            let body = notification(i, status);
            tokio::spawn(async move {
                let response = client.post(url).json(&body).send().await.unwrap();
                let status = response.status();
                (status, response.text().await.unwrap())
            })
        })
        .collect();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert!(status.is_success(), "{status}: {body}");
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn webhook_flood_opens_one_incident_per_fingerprint() {
    let portal = Portal::start(
        &[],
        &[("RUNBOOK_PORTAL_WEBHOOK__RESOLVE_INCIDENTS", "true")],
    )
    .await
    .unwrap();
    let firing = flood(&portal, "firing").await;
    let resolved = flood(&portal, "resolved").await;
    println!(
        "10,000 alerts in 200 notifications: firing {:?} ({:.0} notifications/s), resolved {:?}",
        firing,
        200.0 / firing.as_secs_f64(),
        resolved
    );
    let stored = portal.incidents().await.unwrap();
    let fingerprints: std::collections::HashSet<_> =
        stored.iter().map(|(i, _)| i.fingerprint.clone()).collect();
    assert_eq!(
        (stored.len(), fingerprints.len()),
        (5000, 5000),
        "exactly one incident per fingerprint"
    );
    let mut kinds: HashMap<String, i64> = HashMap::new();
    for event in stored.iter().flat_map(|(_, events)| events) {
        *kinds.entry(event.kind.clone()).or_default() += 1;
    }
    assert_eq!(kinds.get("opened"), Some(&5000));
    assert_eq!(
        kinds.get("alert_resolved"),
        Some(&5000),
        "one per incident, repeats add nothing"
    );
    assert_eq!(kinds.get("resolved"), Some(&5000));
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    let open = stored
        .iter()
        .filter(|(i, _)| i.status != portal_types::IncidentStatus::Resolved);
    assert_eq!(open.count(), 0);
    let log = portal.log();
    assert!(
        !log.contains("database is locked"),
        "lock errors in the log"
    );
    assert!(
        !log.contains("database error"),
        "database errors in the log"
    );
}

#[tokio::test]
async fn webhook_refuses_bad_notifications_and_writes_nothing() {
    let portal = Portal::start(
        &[],
        &[
            ("RUNBOOK_PORTAL_WEBHOOK__TOKEN", "hook-secret"),
            ("RUNBOOK_PORTAL_HTTP__BODY_LIMIT_BYTES", "100000"),
        ],
    )
    .await
    .unwrap();
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/webhooks/alertmanager", portal.url);
    let send = |body: String, token: Option<&'static str>| {
        let mut request = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let good = notification(0, "firing").to_string();
    assert_eq!(
        send(good.clone(), None).await.unwrap().status(),
        401,
        "token required"
    );
    assert_eq!(
        send(good.clone(), Some("wrong")).await.unwrap().status(),
        401
    );
    let malformed = send(
        "{\"version\": \"4\", \"alerts\": [".into(),
        Some("hook-secret"),
    )
    .await
    .unwrap();
    assert_eq!(malformed.status(), 400);
    assert!(malformed.text().await.unwrap().contains("invalid JSON"));
    let mut v3 = notification(0, "firing");
    v3["version"] = json!("3");
    let old = send(v3.to_string(), Some("hook-secret")).await.unwrap();
    assert_eq!(old.status(), 400);
    assert!(old.text().await.unwrap().contains("version"));
    // One bad alert among good ones: the whole notification is refused.
    let mut mixed = notification(0, "firing");
    mixed["alerts"][49]["status"] = json!("exploded");
    assert_eq!(
        send(mixed.to_string(), Some("hook-secret"))
            .await
            .unwrap()
            .status(),
        400
    );
    let huge = json!({"version": "4", "alerts": [], "padding": "x".repeat(200_000)});
    assert_eq!(
        send(huge.to_string(), Some("hook-secret"))
            .await
            .unwrap()
            .status(),
        413
    );
    let written = portal.incidents().await.unwrap().len();
    assert_eq!(written, 0, "nothing partially written");
    let accepted = send(good, Some("hook-secret")).await.unwrap();
    assert_eq!(accepted.status(), 200);
    let outcome: Value = accepted.json().await.unwrap();
    assert_eq!(outcome["opened"].as_array().unwrap().len(), 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_events_survive_sigkill() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let client = reqwest::Client::new();
    let incident: Value = client
        .post(format!("{}/api/v1/incidents", portal.url))
        .json(&json!({"title": "durability"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = format!("{}/api/v1/incidents/{}/events", portal.url, incident["id"]);
    let acknowledged: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
    let writers: Vec<_> = (0..16)
        .map(|w| {
            let (client, url, acknowledged) = (client.clone(), url.clone(), acknowledged.clone());
            tokio::spawn(async move {
                for n in 0.. {
                    let text = format!("writer {w} note {n}");
                    let Ok(response) = client
                        .post(&url)
                        .json(&json!({"kind": "note", "text": text}))
                        .send()
                        .await
                    else {
                        return;
                    };
                    if !response.status().is_success() {
                        return;
                    }
                    let Ok(event) = response.json::<Value>().await else {
                        return;
                    };
                    acknowledged
                        .lock()
                        .await
                        .push((event["id"].as_i64().unwrap(), text));
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let Portal { dir, mut child, .. } = portal;
    child.kill();
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().await.clone();
    assert!(
        acknowledged.len() > 50,
        "only {} appends before the kill",
        acknowledged.len()
    );

    let portal = Portal::start_in(dir, &[], &[]).await.unwrap();
    let stored: HashMap<i64, String> = portal
        .incidents()
        .await
        .unwrap()
        .into_iter()
        .flat_map(|(_, events)| events)
        .filter(|event| event.kind == "note")
        .map(|event| {
            (
                event.id,
                event.payload["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (id, text) in &acknowledged {
        assert_eq!(stored.get(id), Some(text), "acknowledged event {id} lost");
    }
    println!(
        "{} acknowledged appends, all present after SIGKILL ({} stored)",
        acknowledged.len(),
        stored.len()
    );
}
