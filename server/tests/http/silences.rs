//! The silence guardrails in process: every refusal the core makes before
//! an Alertmanager is asked (identity, comment, duration, breadth of the
//! matchers), the events endpoint refusing forged silence events, and the
//! OpenAPI entries. Writes to real Alertmanagers are in `tests/tests/e2e/silences.rs`.

use crate::support::App;
use http::{Method, StatusCode};
use serde_json::{Value, json};

fn silence(matchers: Value, minutes: i64, comment: &str) -> Value {
    json!({"matchers": matchers, "duration_minutes": minutes, "comment": comment})
}

fn alert(name: &str) -> Value {
    json!({"name": "alertname", "value": name})
}

#[tokio::test]
async fn anonymous_may_not_silence_by_default() {
    let app = App::new().await;
    let body = silence(json!([alert("HostHighCpuLoad")]), 60, "deploy");
    let reply = app.post("/api/v1/silences", &body).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    assert!(
        reply.json["error"]
            .as_str()
            .unwrap_or_default()
            .contains("named author")
    );
    let expire = app
        .send_json(Method::DELETE, "/api/v1/silences/abc", &Value::Null, &[])
        .await;
    assert_eq!(expire.status, StatusCode::FORBIDDEN, "{}", expire.text);
}

#[tokio::test]
async fn refusals_say_why() {
    let app = App::with(|c| {
        c.silences.allow_anonymous = true;
        c.silences.max_duration_hours = 4;
    })
    .await;
    let cases = [
        (
            silence(json!([{"name": "instance", "value": "web1"}]), 60, "x"),
            "alertname",
        ),
        (
            silence(
                json!([{"name": "alertname", "value": "A", "is_equal": false}]),
                60,
                "x",
            ),
            "alertname",
        ),
        (silence(json!([alert("A")]), 60, "   "), "comment"),
        (silence(json!([alert("A")]), 0, "x"), "1 minute to 4 hours"),
        (
            silence(json!([alert("A")]), 241, "x"),
            "1 minute to 4 hours",
        ),
        (
            silence(
                json!([alert("A"), {"name": "job", "value": "(", "is_regex": true}]),
                60,
                "x",
            ),
            "regex",
        ),
        (
            silence(
                json!([alert("A"), {"name": "bad-name", "value": "x"}]),
                60,
                "x",
            ),
            "label name",
        ),
        // Valid, but nowhere to write it.
        (silence(json!([alert("A")]), 240, "x"), "no Alertmanager"),
    ];
    for (body, reason) in cases {
        let reply = app.post("/api/v1/silences", &body).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body} → {}",
            reply.text
        );
        let error = reply.json["error"].as_str().unwrap_or_default();
        assert!(error.contains(reason), "{body} → {error}");
    }
    let unknown_field = app
        .post(
            "/api/v1/silences",
            &json!({"matchers": [alert("A")], "duration_minutes": 5, "comment": "x", "until": 1}),
        )
        .await;
    assert_eq!(unknown_field.status, StatusCode::BAD_REQUEST);
    let no_incident = app
        .post(
            "/api/v1/silences",
            &json!({"matchers": [alert("A")], "duration_minutes": 5, "comment": "x", "incident_id": 999}),
        )
        .await;
    assert_eq!(
        no_incident.status,
        StatusCode::NOT_FOUND,
        "{}",
        no_incident.text
    );
}

#[tokio::test]
async fn preview_counts_and_reports_the_limits() {
    let app = App::new().await;
    let reply = app
        .post(
            "/api/v1/silences/preview",
            &json!({"matchers": [alert("HostHighCpuLoad"), {"name": "instance", "value": "web.*", "is_regex": true}]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json["count"], 0);
    assert_eq!(reply.json["max_matched_alerts"], 50);
    assert_eq!(reply.json["max_duration_hours"], 24);
    assert!(reply.json["refusal"].is_null());
    let broad = app
        .post(
            "/api/v1/silences/preview",
            &json!({"matchers": [{"name": "job", "value": "x"}]}),
        )
        .await;
    assert_eq!(broad.status, StatusCode::BAD_REQUEST, "{}", broad.text);
}

#[tokio::test]
async fn silence_events_come_only_from_the_silences_api() {
    let app = App::new().await;
    let created = app
        .post(
            "/api/v1/incidents",
            &json!({"runbook": "node-exporter/hosthighcpuload"}),
        )
        .await;
    let id = created.json["id"].as_i64().expect("id");
    let forged = json!({"kind": "silenced", "silence_id": "x", "matchers": [], "ends_at": "2030-01-01T00:00:00Z", "comment": "x"});
    let reply = app
        .post(&format!("/api/v1/incidents/{id}/events"), &forged)
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    let openapi = app.get("/api/v1/openapi.json").await;
    assert_eq!(
        openapi.headers[http::header::CONTENT_TYPE],
        "application/json"
    );
    let doc = openapi.json;
    for path in [
        "/api/v1/silences",
        "/api/v1/silences/preview",
        "/api/v1/silences/{id}",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from OpenAPI"
        );
    }
    assert!(doc["paths"]["/api/v1/silences/{id}"]["delete"].is_object());
}

#[tokio::test]
async fn preview_is_a_read_when_reads_need_identity() {
    let app = App::with(|c| c.auth.require_for_reads = true).await;
    let reply = app
        .post(
            "/api/v1/silences/preview",
            &json!({"matchers": [alert("A")]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
}
