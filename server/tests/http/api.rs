//! The JSON API in process: incidents, errors and their shape, identity
//! policy, editing. Each test builds the real router over a fresh store.

use crate::support::App;
use http::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn incident_lifecycle() {
    let app = App::new().await;
    let created = app
        .post(
            "/api/v1/incidents",
            &json!({"runbook": "node-exporter/hosthighcpuload", "labels": {"instance": "web1:9100"}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let incident = created.json;
    let id = incident["id"].as_i64().expect("id");
    assert_eq!(incident["title"], "HostHighCpuLoad on web1:9100");
    assert_eq!(incident["runbook_key"], "node-exporter/HostHighCpuLoad");
    assert_eq!(incident["opened_by"], "anonymous");
    assert_eq!(incident["checklist"].as_array().map(Vec::len), Some(5));

    let events = format!("/api/v1/incidents/{id}/events");
    for body in [
        json!({"kind": "ack"}),
        json!({"kind": "checklist", "step": 0, "done": true}),
        json!({"kind": "note", "text": "top shows java"}),
        json!({"kind": "severity", "severity": "critical"}),
        json!({"kind": "link_runbook", "runbook": "node-exporter/HostOutOfDiskSpace"}),
        json!({"kind": "check_result", "check": "cpu", "outcome": "fail", "detail": {"value": 0.97}}),
        json!({"kind": "resolve", "reason": "killed the runaway job"}),
    ] {
        let reply = app.post(&events, &body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{body} → {}", reply.text);
    }
    let refusals = [
        (json!({"kind": "resolve"}), StatusCode::CONFLICT),
        (json!({"kind": "ack"}), StatusCode::CONFLICT),
        (json!({"kind": "note", "text": ""}), StatusCode::BAD_REQUEST),
        (json!({"kind": "dance"}), StatusCode::BAD_REQUEST),
        (
            json!({"kind": "check_result", "check": "cpu", "outcome": "meh"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"kind": "link_runbook", "runbook": "no/SuchRunbook"}),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (body, expected) in refusals {
        let reply = app.post(&events, &body).await;
        assert_eq!(reply.status, expected, "{body} → {}", reply.text);
        assert_eq!(reply.json["status"], expected.as_u16(), "{}", reply.text);
        assert!(
            reply.json["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{}",
            reply.text
        );
    }
    let missing = app
        .post(
            "/api/v1/incidents/9999/events",
            &json!({"kind": "note", "text": "x"}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let read = app.get(&format!("/api/v1/incidents/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    let kinds: Vec<&str> = read.json["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "acknowledged",
            "step_done",
            "note",
            "severity_changed",
            "runbook_linked",
            "check_result",
            "resolved"
        ]
    );
    let page = app
        .get("/api/v1/incidents?status=resolved&alertname=HostHighCpuLoad")
        .await;
    assert_eq!(page.json["total"], 1);
    assert_eq!(
        app.get("/api/v1/incidents?status=open").await.json["total"],
        0
    );
    for bad in [
        "/api/v1/incidents?status=weird",
        "/api/v1/incidents?limit=0",
    ] {
        assert_eq!(app.get(bad).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }

    let postmortem = app.get(&format!("/incidents/{id}/postmortem.md")).await;
    assert_eq!(postmortem.status, StatusCode::OK);
    let at = |s: &str| {
        postmortem
            .text
            .find(s)
            .unwrap_or_else(|| panic!("{s:?} missing from\n{}", postmortem.text))
    };
    assert!(at("acknowledged") < at("done: Identify the top CPU consumers"));
    assert!(at("top shows java") < at("resolved: killed the runaway job"));
}

#[tokio::test]
async fn a_bad_body_is_a_400_with_the_reason_and_writes_nothing() {
    let app = App::new().await;
    let broken = app
        .send(
            http::Request::post("/api/v1/incidents"),
            axum::body::Body::from("{\"title\": "),
        )
        .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert!(
        broken.json["error"]
            .as_str()
            .is_some_and(|e| e.contains("invalid JSON body")),
        "{}",
        broken.text
    );
    let unknown = app
        .post("/api/v1/incidents", &json!({"title": "x", "colour": "red"}))
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "{}", unknown.text);
    let nothing = app.post("/api/v1/incidents", &json!({})).await;
    assert_eq!(nothing.status, StatusCode::BAD_REQUEST, "{}", nothing.text);
    assert_eq!(app.get("/api/v1/incidents").await.json["total"], 0);

    let huge = "x".repeat(4 << 20);
    let too_large = app
        .post("/api/v1/incidents", &json!({ "title": huge }))
        .await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn writes_need_an_identity_when_anonymous_writes_are_off() {
    let app = App::with(|config| {
        config.auth.anonymous_writes = Some(false);
        config.auth.proxy_header = Some("X-Forwarded-User".into());
        config.auth.trusted_proxies = vec!["10.0.0.0/8".parse().expect("network")];
    })
    .await;
    let create = json!({"title": "db slow"});
    let anonymous = app.post("/api/v1/incidents", &create).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let spoofed = app
        .send_json(
            Method::POST,
            "/api/v1/incidents",
            &create,
            &[("X-Forwarded-User", "mallory")],
        )
        .await;
    assert_eq!(
        spoofed.status,
        StatusCode::UNAUTHORIZED,
        "a proxy header from 127.0.0.1 (not a trusted proxy) is ignored"
    );
    let twice = app
        .send(
            http::Request::post("/api/v1/incidents")
                .header("X-Forwarded-User", "mallory")
                .header("X-Forwarded-User", "alice"),
            axum::body::Body::from(create.to_string()),
        )
        .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST, "{}", twice.text);
    let unknown_token = app
        .send_json(
            Method::POST,
            "/api/v1/incidents",
            &create,
            &[("Authorization", "Bearer rbp_0000")],
        )
        .await;
    assert_eq!(unknown_token.status, StatusCode::UNAUTHORIZED);
    // The same refusal for a page's server function.
    let open = app
        .send(
            http::Request::post("/sf/open_incident")
                .header("content-type", "application/x-www-form-urlencoded"),
            axum::body::Body::from("runbook_key=node-exporter%2FHostHighCpuLoad"),
        )
        .await;
    assert_eq!(open.status, StatusCode::UNAUTHORIZED, "{}", open.text);
    assert_eq!(app.get("/api/v1/incidents").await.json["total"], 0);
}

#[tokio::test]
async fn cross_site_writes_are_refused() {
    let app = App::new().await;
    let reply = app
        .send_json(
            Method::POST,
            "/api/v1/incidents",
            &json!({"title": "x"}),
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/incidents").await.json["total"], 0);
}

#[tokio::test]
async fn reads_need_an_identity_when_configured() {
    let app = App::with(|config| config.auth.require_for_reads = true).await;
    assert_eq!(
        app.get("/api/v1/incidents").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get("/incidents").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn editing_over_the_api_with_etags() {
    let app = App::new().await;
    let key = "node-exporter/HostHighCpuLoad";
    let raw = app.get(&format!("/api/v1/runbooks/{key}/raw")).await;
    assert_eq!(raw.status, StatusCode::OK);
    let etag = raw.headers[http::header::ETAG]
        .to_str()
        .expect("ETag")
        .to_string();
    let edited = raw
        .text
        .replacen("## Meaning", "## Meaning\n\nEdited in process.", 1);
    let saved = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/runbooks/{key}"),
            &json!({"source": edited, "message": "clarify"}),
            &[("If-Match", &etag)],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    assert_eq!(saved.json["outcome"], "saved");
    let page = app.get(&format!("/api/v1/runbooks/{key}")).await;
    assert!(page.text.contains("Edited in process."), "{}", page.text);

    // A second save on the old base that overlaps the first is a 409 with
    // the diff; nothing is written.
    let overlapping = raw
        .text
        .replacen("## Meaning", "## Meaning\n\nA rival edit.", 1);
    let conflict = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/runbooks/{key}"),
            &json!({"source": overlapping}),
            &[("If-Match", &etag)],
        )
        .await;
    assert_eq!(conflict.status, StatusCode::CONFLICT, "{}", conflict.text);
    let history = app.get(&format!("/api/v1/runbooks/{key}/history")).await;
    assert_eq!(history.status, StatusCode::OK);
    assert_eq!(history.json["total"], 2, "{}", history.text);

    let bad_base = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/runbooks/{key}"),
            &json!({"source": "x"}),
            &[("If-Match", "yesterday")],
        )
        .await;
    assert_eq!(bad_base.status, StatusCode::BAD_REQUEST);
    let reserved = app
        .send_json(
            Method::PUT,
            "/api/v1/runbooks/node-exporter/edit",
            &json!({"source": "---\ntitle: x\n---\n"}),
            &[],
        )
        .await;
    assert_eq!(
        reserved.status,
        StatusCode::BAD_REQUEST,
        "{}",
        reserved.text
    );
}

#[tokio::test]
async fn the_openapi_document_names_every_route() {
    let app = App::new().await;
    let doc = app.get("/api/v1/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    for path in [
        "/api/v1/incidents",
        "/api/v1/incidents/{id}",
        "/api/v1/incidents/{id}/events",
        "/api/v1/webhooks/alertmanager",
        "/api/v1/runbooks",
        "/api/v1/search",
        "/api/v1/coverage",
    ] {
        assert!(
            doc.json["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
}

fn notification(status: &str, fingerprint: &str) -> serde_json::Value {
    json!({
        "version": "4",
        "receiver": "portal",
        "alerts": [{
            "status": status,
            "labels": {"alertname": "HostHighCpuLoad", "instance": "web1:9100", "severity": "warning"},
            "annotations": {},
            "fingerprint": fingerprint,
        }],
    })
}

#[tokio::test]
async fn the_alertmanager_webhook_opens_and_resolves_by_fingerprint() {
    let app = App::with(|config| {
        config.webhook.token = Some("s3cret".into());
        config.webhook.resolve_incidents = true;
    })
    .await;
    let path = "/api/v1/webhooks/alertmanager";
    let without = app.post(path, &notification("firing", "abc")).await;
    assert_eq!(without.status, StatusCode::UNAUTHORIZED, "{}", without.text);
    let bearer = [("Authorization", "Bearer s3cret")];
    let old = json!({"version": "3", "alerts": []});
    let refused = app.send_json(Method::POST, path, &old, &bearer).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    let mut bad = notification("firing", "abc");
    bad["alerts"][0]["status"] = json!("exploded");
    let refused = app.send_json(Method::POST, path, &bad, &bearer).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);

    let fired = app
        .send_json(Method::POST, path, &notification("firing", "abc"), &bearer)
        .await;
    assert_eq!(fired.status, StatusCode::OK, "{}", fired.text);
    let opened = fired.json["opened"].as_array().expect("opened").clone();
    assert_eq!(opened.len(), 1);
    let again = app
        .send_json(Method::POST, path, &notification("firing", "abc"), &bearer)
        .await;
    assert_eq!(
        again.json["opened"],
        json!([]),
        "one incident per fingerprint"
    );

    let resolved = app
        .send_json(
            Method::POST,
            path,
            &notification("resolved", "abc"),
            &bearer,
        )
        .await;
    assert_eq!(resolved.status, StatusCode::OK, "{}", resolved.text);
    let incident = app.get(&format!("/api/v1/incidents/{}", opened[0])).await;
    assert_eq!(incident.json["status"], "resolved", "{}", incident.text);
    assert_eq!(incident.json["opened_by"], "alertmanager");
    assert_eq!(
        incident.json["runbook_key"],
        "node-exporter/HostHighCpuLoad"
    );
}
