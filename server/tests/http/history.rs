//! The alert history in process: webhook notifications recorded (a short
//! alert the poll never saw, its repeats adding nothing), the JSON shape of
//! `GET /api/v1/alerts/{alertname}/history`, its 400s, its OpenAPI entry,
//! "Last time" from a resolved incident, and the runbook page's panel.
//! A real Prometheus firing and clearing is in `tests/tests/e2e/history.rs`.

use crate::support::App;
use chrono::{Duration, SecondsFormat, Utc};
use http::{Method, StatusCode};
use serde_json::{Value, json};

const ALERT: &str = "HostHighCpuLoad";

fn notification(status: &str, instance: &str, minutes_ago: i64, lasted: i64) -> Value {
    let starts = Utc::now() - Duration::minutes(minutes_ago);
    let ends = starts + Duration::minutes(lasted);
    let time = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    json!({
        "version": "4",
        "receiver": "portal",
        "status": status,
        "alerts": [{
            "status": status,
            "labels": {"alertname": ALERT, "instance": instance, "severity": "warning"},
            "annotations": {},
            "startsAt": time(starts),
            "endsAt": if status == "resolved" { time(ends) } else { "0001-01-01T00:00:00Z".into() },
            "generatorURL": "http://prometheus/graph",
            "fingerprint": format!("fp-{instance}"),
        }],
    })
}

async fn webhook(app: &App, body: &Value) {
    let reply = app.post("/api/v1/webhooks/alertmanager", body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

#[tokio::test]
async fn webhook_notifications_become_history() {
    let app = App::new().await;
    let empty = app.get(&format!("/api/v1/alerts/{ALERT}/history")).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.text);
    assert_eq!(empty.json["fired"]["last_7d"], 0);
    assert_eq!(empty.json["last_fired"], Value::Null);
    assert_eq!(empty.json["days"], 30);
    assert_eq!(empty.json["per_day"].as_array().map(Vec::len), Some(30));

    // web1: fired 90 minutes ago for 10 minutes, notified twice each way.
    for _ in 0..2 {
        webhook(&app, &notification("firing", "web1:9100", 90, 10)).await;
    }
    for _ in 0..2 {
        webhook(&app, &notification("resolved", "web1:9100", 90, 10)).await;
    }
    // web2: a short one nobody saw fire, only its resolved notification.
    webhook(&app, &notification("resolved", "web2:9100", 30, 2)).await;
    // web1 again, still firing.
    webhook(&app, &notification("firing", "web1:9100", 5, 0)).await;

    let reply = app
        .get(&format!("/api/v1/alerts/{ALERT}/history?days=7"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let h = &reply.json;
    assert_eq!(h["alertname"], ALERT);
    assert_eq!(h["days"], 7);
    assert_eq!(h["fired"]["last_24h"], 3, "{h}");
    assert_eq!(h["fired"]["last_90d"], 3);
    assert_eq!(h["flapping"], false);
    assert_eq!(h["flapping_threshold"], 5);
    assert_eq!(h["durations"]["resolved"], 2, "{h}");
    assert_eq!(h["durations"]["p50_secs"], 120.0);
    assert_eq!(h["durations"]["p90_secs"], 600.0);
    assert_eq!(h["last_fired"]["instance"], "web1:9100");
    assert_eq!(h["last_fired"]["resolved_at"], Value::Null, "still firing");
    assert_eq!(
        h["top_instances"],
        json!([{"instance": "web1:9100", "firings": 2}, {"instance": "web2:9100", "firings": 1}])
    );
    let days = h["per_day"].as_array().expect("per_day");
    assert_eq!(days.len(), 7);
    let total: u64 = days.iter().filter_map(|d| d["firings"].as_u64()).sum();
    assert_eq!(total, 3);

    let flapping = App::with(|c| c.history.flapping_threshold_24h = 2).await;
    for minutes in [50, 40, 30] {
        webhook(
            &flapping,
            &notification("resolved", "web1:9100", minutes, 1),
        )
        .await;
    }
    let reply = flapping
        .get(&format!("/api/v1/alerts/{ALERT}/history"))
        .await;
    assert_eq!(reply.json["flapping"], true, "{}", reply.text);
    let page = flapping
        .get("/runbooks/node-exporter/HostHighCpuLoad")
        .await;
    assert!(page.text.contains("flapping-banner"), "banner on the page");
}

#[tokio::test]
async fn bad_days_are_400_and_the_route_is_documented() {
    let app = App::new().await;
    for days in ["0", "401", "-1", "abc", "7.5"] {
        let reply = app
            .get(&format!("/api/v1/alerts/{ALERT}/history?days={days}"))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "days={days}: {}",
            reply.text
        );
        assert_eq!(reply.json["status"], 400, "{}", reply.text);
        assert!(reply.json["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    let ok = app
        .get(&format!("/api/v1/alerts/{ALERT}/history?days=400"))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    let odd = app.get("/api/v1/alerts/Disk%20%3Cfull%3E/history").await;
    assert_eq!(odd.status, StatusCode::OK, "{}", odd.text);
    assert_eq!(odd.json["alertname"], "Disk <full>");
    let doc = app.get("/api/v1/openapi.json").await;
    let entry = &doc.json["paths"]["/api/v1/alerts/{alertname}/history"]["get"];
    assert!(entry.is_object(), "{}", doc.text);
    assert!(
        doc.json["components"]["schemas"]["AlertHistory"].is_object(),
        "schema documented"
    );
}

#[tokio::test]
async fn a_resolved_incident_is_last_time_on_the_page() {
    let app = App::new().await;
    let created = app
        .post(
            "/api/v1/incidents",
            &json!({"runbook": "node-exporter/HostHighCpuLoad", "labels": {"instance": "web1:9100"}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json["id"].as_i64().expect("id");
    let events = format!("/api/v1/incidents/{id}/events");
    for body in [
        json!({"kind": "ack"}),
        json!({"kind": "note", "text": "<b>top</b> shows `java`"}),
        json!({"kind": "checklist", "step": 1, "done": true}),
        json!({"kind": "resolve", "reason": "killed the runaway job"}),
    ] {
        let reply = app.send_json(Method::POST, &events, &body, &[]).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{body} → {}", reply.text);
    }
    let step = created.json["checklist"][1]["text"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_default();
    let reply = app.get(&format!("/api/v1/alerts/{ALERT}/history")).await;
    let last = &reply.json["last_time"];
    assert_eq!(last["incident"]["id"], id, "{}", reply.text);
    assert_eq!(last["incident"]["resolved_by"], "anonymous");
    assert_eq!(last["resolve_reason"], "killed the runaway job");
    assert_eq!(last["notes"][0]["text"], "<b>top</b> shows `java`");
    assert_eq!(last["steps_done"].as_array().map(Vec::len), Some(1));
    if !step.is_empty() {
        assert_eq!(last["steps_done"][0], step);
    }
    assert!(last["incident"]["mtta_secs"].as_f64().is_some());
    assert!(last["incident"]["mttr_secs"].as_f64().is_some());
    assert_eq!(reply.json["past_incidents_total"], 1);

    let page = app.get("/runbooks/node-exporter/HostHighCpuLoad").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.text;
    assert!(html.contains("class=\"alert-history\""), "panel shown");
    assert!(html.contains("Last time"));
    assert!(html.contains("killed the runaway job"));
    assert!(
        html.contains("&lt;b&gt;top&lt;/b&gt; shows <code>java</code>"),
        "notes are Markdown with their HTML escaped, as on the timeline"
    );
    assert!(!html.contains("<b>top</b>"));
    assert!(html.contains("/incidents?alertname=HostHighCpuLoad&amp;status=resolved"));
}
