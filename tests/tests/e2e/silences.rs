//! Silences through the real binary on a real HA pair: two Alertmanagers
//! clustered on loopback, one Prometheus firing to both. A silence made
//! through the portal is on both peers and mutes the alert on the API; with
//! the first peer killed, writes fall over to the second; broad or
//! comment-less silences are refused; expiring is recorded on the incident.

use std::time::Duration;

use portal_tests::process::eventually;
use portal_tests::{Alertmanager, Portal, Prometheus};
use reqwest::StatusCode;
use serde_json::{Value, json};

const RULES: &str = "groups:\n  - name: live\n    rules:\n      - alert: PrometheusTargetMissing\n        expr: vector(1)\n        labels:\n          instance: web1:9100\n      - alert: PrometheusTargetMissing\n        expr: vector(2)\n        labels:\n          instance: web2:9100\n";

const RUNBOOK: &str = "prometheus-self-monitoring/PrometheusTargetMissing";

/// Writes as `ana`, through the trusted-proxy header.
async fn send(
    portal: &Portal,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", portal.url))
        .header("X-Forwarded-User", "ana");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn silence(instance: Option<&str>, comment: &str, incident: Option<i64>) -> Value {
    let mut matchers = vec![json!({"name": "alertname", "value": "PrometheusTargetMissing"})];
    if let Some(i) = instance {
        matchers.push(json!({"name": "instance", "value": i}));
    }
    json!({"matchers": matchers, "duration_minutes": 30, "comment": comment, "incident_id": incident})
}

/// The ids of the silences a peer holds in `state`.
async fn ids_on(am: &Alertmanager, state: &str) -> Vec<String> {
    am.silences()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|s| s["status"]["state"] == state)
        .filter_map(|s| s["id"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn silences_reach_the_cluster_fall_over_and_are_bounded() {
    let mut cluster = Alertmanager::start_cluster(2).await.unwrap();
    let owned: Vec<String> = cluster.iter().map(|am| am.url.clone()).collect();
    let urls: Vec<&str> = owned.iter().map(String::as_str).collect();
    let prometheus = Prometheus::start_sending(RULES, &urls).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("portal.toml");
    std::fs::write(
        &config,
        format!(
            "poll_interval_secs = 1\nprometheus = \"{}\"\nalertmanager = \"{}, {}\"\n[auth]\nproxy_header = \"X-Forwarded-User\"\ntrusted_proxies = [\"127.0.0.0/8\"]\n[silences]\nmax_matched_alerts = 1\n",
            prometheus.url, urls[0], urls[1]
        ),
    )
    .unwrap();
    let portal = Portal::start_in(dir, &["--config", config.to_str().unwrap()], &[])
        .await
        .unwrap();
    let firing = || async {
        let s = portal.get_json("/api/v1/alerts").await;
        let group = &s["groups"]["PrometheusTargetMissing"];
        let instances = group["instances"].as_array()?;
        let from_both = instances
            .iter()
            .all(|i| i["sources"].as_array().is_some_and(|s| s.len() == 3));
        (instances.len() == 2 && from_both).then(|| group.clone())
    };
    eventually(
        "both instances firing on every upstream",
        Duration::from_secs(60),
        firing,
    )
    .await
    .unwrap();

    // Refusals, each with its reason.
    let (status, body) = send(
        &portal,
        reqwest::Method::POST,
        "/api/v1/silences",
        Some(silence(None, "all of it", None)),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("would hide 2 alerts"),
        "{body}"
    );
    let (status, body) = send(
        &portal,
        reqwest::Method::POST,
        "/api/v1/silences",
        Some(silence(Some("web1:9100"), " ", None)),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("comment"),
        "{body}"
    );
    let no_alertname = json!({"matchers": [{"name": "instance", "value": "web1:9100"}], "duration_minutes": 30, "comment": "x"});
    let (status, body) = send(
        &portal,
        reqwest::Method::POST,
        "/api/v1/silences",
        Some(no_alertname),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("alertname"),
        "{body}"
    );
    let (status, preview) = send(
        &portal,
        reqwest::Method::POST,
        "/api/v1/silences/preview",
        Some(json!({"matchers": silence(None, "", None)["matchers"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(preview["count"], 2);
    assert!(preview["refusal"].is_string(), "{preview}");

    // One instance, tied to an incident: on both peers, and muting it.
    let (status, incident) = send(
        &portal,
        reqwest::Method::POST,
        "/api/v1/incidents",
        Some(json!({"runbook": RUNBOOK})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    let incident = incident["id"].as_i64().unwrap();
    let (status, created) = send(
        &portal,
        reqwest::Method::POST,
        "/api/v1/silences",
        Some(silence(Some("web1:9100"), "rebooting web1", Some(incident))),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let first = created["silence"]["id"].as_str().unwrap().to_string();
    assert_eq!(created["silence"]["created_by"], "ana");
    assert_eq!(
        created["silence"]["upstream"], urls[0],
        "written to the first peer"
    );
    for am in &cluster {
        eventually(
            "the silence on every peer",
            Duration::from_secs(20),
            || async { ids_on(am, "active").await.contains(&first).then_some(()) },
        )
        .await
        .unwrap();
    }
    eventually(
        "the portal shows web1 silenced",
        Duration::from_secs(30),
        || async {
            let group = firing().await?;
            let web1 = group["instances"]
                .as_array()?
                .iter()
                .find(|i| i["labels"]["instance"] == "web1:9100")?
                .clone();
            let silenced = web1["silenced_by"]
                .as_array()?
                .iter()
                .any(|s| s == first.as_str());
            let listed = group["silences"]
                .as_array()?
                .iter()
                .any(|s| s["id"] == first.as_str() && s["created_by"] == "ana");
            (silenced && listed).then_some(())
        },
    )
    .await
    .unwrap();

    // The first peer dies: the next write and the expiry go to the second.
    cluster[0].child.kill();
    let (status, second) = send(
        &portal,
        reqwest::Method::POST,
        "/api/v1/silences",
        Some(silence(Some("web2:9100"), "web2 too", None)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(
        second["silence"]["upstream"], urls[1],
        "fell over to the second peer"
    );
    let second = second["silence"]["id"].as_str().unwrap().to_string();
    assert!(ids_on(&cluster[1], "active").await.contains(&second));

    let (status, expired) = send(
        &portal,
        reqwest::Method::DELETE,
        &format!("/api/v1/silences/{first}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{expired}");
    assert_eq!(
        expired["incident_id"], incident,
        "found the incident it was made for"
    );
    assert!(ids_on(&cluster[1], "expired").await.contains(&first));
    let (status, again) = send(
        &portal,
        reqwest::Method::DELETE,
        &format!("/api/v1/silences/{first}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");

    let timeline = portal
        .get_json(&format!("/api/v1/incidents/{incident}"))
        .await;
    let kinds: Vec<&str> = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"silenced") && kinds.contains(&"unsilenced"),
        "{kinds:?}"
    );
    let silenced = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "silenced")
        .unwrap();
    assert_eq!(silenced["actor"], "ana");
    assert_eq!(silenced["payload"]["comment"], "rebooting web1");
}
