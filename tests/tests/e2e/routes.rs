//! Every public route of the foundation, over real HTTP against the real
//! binary with the embedded example runbooks.

use portal_tests::Portal;
use reqwest::StatusCode;
use reqwest::redirect::Policy;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn health_ready_metrics_and_openapi() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    assert_eq!(
        portal.get("/healthz").await,
        (StatusCode::OK, "ok\n".into())
    );
    let (status, body) = portal.get("/readyz").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("6 runbooks"), "{body}");

    portal.get("/runbooks").await;
    let (status, metrics) = portal.get("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        metrics.contains("runbook_portal_runbooks_loaded 6"),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            "runbook_portal_http_requests_total{method=\"GET\",route=\"/runbooks\",status=\"200\"}"
        ),
        "{metrics}"
    );

    let (status, doc) = portal.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/runbooks",
        "/api/v1/runbooks/{path}",
        "/api/v1/alerts",
        "/api/v1/incidents/{id}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "OpenAPI lacks {path}");
    }
}

#[tokio::test]
async fn runbook_pages_and_json() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let (status, list) = portal.get("/runbooks").await;
    assert_eq!(status, StatusCode::OK);
    for alert in [
        "PrometheusTargetMissing",
        "HostOutOfDiskSpace",
        "BlackboxProbeFailed",
    ] {
        assert!(list.contains(alert), "/runbooks lacks {alert}");
    }

    for path in [
        "/runbooks/node-exporter/HostOutOfDiskSpace",
        "/runbooks/node-exporter/HostOutOfDiskSpace.md",
        "/runbooks/node-exporter/hostoutofdiskspace",
        "/runbooks/NODE-EXPORTER/HostOutOfDiskSpace/",
    ] {
        let (status, page) = portal.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            page.contains("<h1>HostOutOfDiskSpace</h1>"),
            "{path}: no title"
        );
        assert!(
            page.contains("## Meaning") || page.contains("id=\"meaning\""),
            "{path}: no Meaning section"
        );
        assert!(!page.contains("{{%"), "{path}: raw shortcode shown");
        assert!(
            page.contains("data-source=\"rule-file\""),
            "{path}: rule not resolved"
        );
        assert!(page.contains("no Prometheus configured"), "{path}: badge");
    }

    let (status, group) = portal.get("/runbooks/node-exporter").await;
    assert_eq!(status, StatusCode::OK);
    assert!(group.contains("HostHighCpuLoad"));

    let (status, _) = portal.get("/runbooks/no-such-group/NoSuchAlert").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = portal.get("/definitely/not/a/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, json) = portal.get("/api/v1/runbooks").await;
    assert_eq!(status, StatusCode::OK);
    let list: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(list.len(), 6);
    let (status, json) = portal
        .get("/api/v1/runbooks/blackbox-exporter/blackboxprobefailed.md")
        .await;
    assert_eq!(status, StatusCode::OK);
    let detail: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(detail["key"], "blackbox-exporter/BlackboxProbeFailed");
    for section in ["Meaning", "Impact", "Diagnosis", "Mitigation"] {
        assert!(
            !detail["sections"][section]
                .as_str()
                .unwrap_or_default()
                .is_empty(),
            "section {section}"
        );
    }
    assert!(
        detail["mitigation"].as_array().unwrap().len() >= 3,
        "mitigation items: {detail}"
    );
    assert_eq!(detail["rule"]["source"], "rule-file");
    let (status, json) = portal.get("/api/v1/runbooks/nope/Nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(json.contains("no runbook"), "{json}");
}

#[tokio::test]
async fn alert_links_redirect_with_labels() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let response = client()
        .get(format!(
            "{}/alerts/HostOutOfDiskSpace?instance=db1:9100&mountpoint=/var",
            portal.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()["location"],
        "/runbooks/node-exporter/HostOutOfDiskSpace?instance=db1:9100&mountpoint=/var"
    );
    let (status, page) = portal.get("/alerts/NoRunbookForThis").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("NoRunbookForThis"));
}

#[tokio::test]
async fn assets_are_hashed_and_cached() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let (_, page) = portal.get("/runbooks").await;
    let wasm = page
        .split('"')
        .find(|s| s.starts_with("/pkg/portal_bg-") && s.ends_with(".wasm"))
        .expect("wasm URL in page");
    let response = client()
        .get(format!("{}{wasm}", portal.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/wasm");
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let etag = response.headers()["etag"].clone();
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..4], b"\0asm");
    let again = client()
        .get(format!("{}{wasm}", portal.url))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let (status, _) = portal.get("/pkg/portal_bg-000000000000.wasm").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn writes_are_recorded_and_cross_site_writes_refused() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let url = format!("{}/sf/open_incident", portal.url);
    let form = [
        ("runbook_key", "node-exporter/HostHighCpuLoad"),
        ("labels[instance]", "web1:9100"),
    ];

    let refused = client()
        .post(&url)
        .header("origin", "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused = client()
        .post(&url)
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let opened = client().post(&url).form(&form).send().await.unwrap();
    assert_eq!(
        opened.status(),
        StatusCode::OK,
        "{}",
        opened.text().await.unwrap()
    );
    let stored = portal.incidents().await.unwrap();
    let [(incident, events)] = &stored[..] else {
        panic!("one incident: {stored:?}");
    };
    assert_eq!(incident.title, "HostHighCpuLoad on web1:9100");
    assert_eq!(incident.opened_by, "anonymous");
    assert_eq!(
        events.len(),
        1,
        "only the refused requests' absence and one event"
    );

    let twice = client().post(&url).form(&form).send().await.unwrap();
    assert_eq!(twice.status(), StatusCode::CONFLICT);
    let (status, json) = portal.get("/api/v1/incidents/1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(json.contains("\"opened\""), "{json}");
}

#[tokio::test]
async fn writes_need_identity_off_loopback_defaults() {
    let portal = Portal::start(&[], &[("RUNBOOK_PORTAL_AUTH__ANONYMOUS_WRITES", "false")])
        .await
        .unwrap();
    let response = client()
        .post(format!("{}/sf/open_incident", portal.url))
        .form(&[("runbook_key", "node-exporter/HostHighCpuLoad")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(portal.incidents().await.unwrap().is_empty());
}

/// Any token is a valid HTTP method; each used to add its own series to
/// `/metrics`, forever (200 methods → 3,800 lines).
#[tokio::test]
async fn unknown_methods_add_no_metric_series() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let client = client();
    let series = |text: &str| {
        text.lines()
            .filter(|l| l.starts_with("runbook_portal_http_request"))
            .count()
    };
    let send = |method: String| {
        let request = client.request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{}/runbooks", portal.url),
        );
        async move { request.send().await.unwrap().status() }
    };
    send("PROBE0".into()).await;
    portal.get("/metrics").await; // its own series exists from now on
    let before = series(&portal.get("/metrics").await.1);
    for i in 1..200 {
        send(format!("PROBE{i}")).await;
    }
    let metrics = portal.get("/metrics").await.1;
    assert_eq!(series(&metrics), before, "{metrics}");
    assert!(metrics.contains("method=\"other\""), "{metrics}");
    assert!(!metrics.contains("PROBE"), "{metrics}");
}
