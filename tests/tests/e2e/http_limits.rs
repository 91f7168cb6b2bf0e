//! What the HTTP layer refuses and bounds, against the real binary: slow and
//! silent connections, the connection and stream caps, shutdown with open
//! streams, DNS-rebinding hosts and absurd URIs.

use std::time::{Duration, Instant};

use portal_tests::Portal;
use portal_tests::process::eventually;
use portal_tests::raw_http::{Ended, connect, exchange, wait_closed};
use portal_tests::sse::SseClient;
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::AsyncWriteExt;

const HALF_SENT: &str = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ";

fn port(portal: &Portal) -> &str {
    portal.url.rsplit(':').next().unwrap()
}

#[tokio::test]
async fn half_sent_requests_are_closed_after_the_header_timeout() {
    // The default timeout (10 s): the one a fresh install runs with.
    let portal = Portal::start(&[], &[]).await.unwrap();
    let mut sockets = Vec::new();
    for _ in 0..20 {
        let mut socket = connect(&portal.url).await.unwrap();
        socket.write_all(HALF_SENT.as_bytes()).await.unwrap();
        sockets.push(socket);
    }
    // A silent one too: not a byte, not even the HTTP version.
    sockets.push(connect(&portal.url).await.unwrap());
    let started = Instant::now();
    for socket in &mut sockets {
        let left = Duration::from_secs(14).saturating_sub(started.elapsed());
        let (ended, _) = wait_closed(socket, left).await;
        assert_ne!(ended, Ended::Open, "a half-sent request is still open");
    }
    assert!(
        started.elapsed() >= Duration::from_secs(8),
        "closed too early"
    );
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let mut socket = connect(&portal.url).await.unwrap();
    let request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let answer = exchange(&mut socket, request, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Between requests the header clock runs: 10 s by default.
    let (ended, _) = wait_closed(&mut socket, Duration::from_secs(14)).await;
    assert!(
        matches!(ended, Ended::Closed(after) if after >= Duration::from_secs(8)),
        "{ended:?}"
    );
}

#[tokio::test]
async fn a_stalled_body_is_closed_after_the_idle_timeout() {
    let portal = Portal::start(
        &[],
        &[
            ("RUNBOOK_PORTAL_HTTP__IDLE_TIMEOUT_SECS", "2"),
            ("RUNBOOK_PORTAL_SSE_KEEPALIVE_SECS", "1"),
        ],
    )
    .await
    .unwrap();
    let mut socket = connect(&portal.url).await.unwrap();
    let head = format!(
        "POST /api/v1/incidents HTTP/1.1\r\nHost: localhost:{}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"title\":",
        port(&portal)
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    // The request timeout (30 s) would answer 408 much later.
    let (ended, answer) = wait_closed(&mut socket, Duration::from_secs(8)).await;
    assert!(
        matches!(ended, Ended::Closed(after) if after >= Duration::from_millis(1500)),
        "{ended:?} {answer}"
    );
    assert_eq!(answer, "", "closed without an answer");
}

#[tokio::test]
async fn the_connection_cap_answers_503_with_retry_after() {
    let portal = Portal::start(&[], &[("RUNBOOK_PORTAL_HTTP__MAX_CONNECTIONS", "3")])
        .await
        .unwrap();
    // The harness's readiness probe closed its connection; let the portal see it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut socket = connect(&portal.url).await.unwrap();
        let answer = exchange(&mut socket, request, Duration::from_secs(2))
            .await
            .unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        held.push(socket);
    }
    let mut over = connect(&portal.url).await.unwrap();
    let answer = exchange(&mut over, request, Duration::from_secs(3))
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("retry-after: "),
        "{answer}"
    );
    let (ended, _) = wait_closed(&mut over, Duration::from_secs(3)).await;
    assert_ne!(ended, Ended::Open, "a refused connection is closed");
    // A closed connection gives its slot back.
    drop(held.pop());
    eventually("the freed slot", Duration::from_secs(5), || async {
        let mut socket = connect(&portal.url).await.ok()?;
        let answer = exchange(&mut socket, request, Duration::from_secs(2))
            .await
            .ok()?;
        answer.starts_with("HTTP/1.1 200").then_some(())
    })
    .await
    .unwrap();
    drop(held);
    let metrics = eventually("the metrics", Duration::from_secs(5), || async {
        let text = portal.get("/metrics").await.1;
        text.contains("runbook_portal_connections_refused_total")
            .then_some(text)
    })
    .await
    .unwrap();
    assert!(
        portal_tests::measure::metric(&metrics, "runbook_portal_connections_refused_total") >= 1.0,
        "{metrics}"
    );
}

/// Open an event stream as client `client` (behind the trusted proxy).
async fn open_stream(portal: &Portal, path: &str, client: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", portal.url))
        .header("accept", "text/event-stream")
        .header("x-forwarded-for", format!("203.0.113.99, {client}"))
        .send()
        .await
        .unwrap()
}

fn assert_refused(response: &reqwest::Response) {
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn stream_caps_per_client_and_global_answer_503_and_free_their_slots() {
    let portal = Portal::start(
        &[],
        &[
            ("RUNBOOK_PORTAL_HTTP__MAX_STREAMS", "4"),
            ("RUNBOOK_PORTAL_HTTP__MAX_STREAMS_PER_CLIENT", "2"),
            ("RUNBOOK_PORTAL_AUTH__TRUSTED_PROXIES", "[\"127.0.0.1/32\"]"),
            ("RUNBOOK_PORTAL_SSE_KEEPALIVE_SECS", "1"),
        ],
    )
    .await
    .unwrap();
    let (alerts, incidents) = ("/api/v1/alerts/stream", "/api/v1/incidents/stream");
    let a1 = open_stream(&portal, alerts, "198.51.100.1").await;
    let a2 = open_stream(&portal, incidents, "198.51.100.1").await;
    assert!(a1.status().is_success() && a2.status().is_success());
    assert_refused(&open_stream(&portal, alerts, "198.51.100.1").await);
    let b1 = open_stream(&portal, alerts, "198.51.100.2").await;
    let b2 = open_stream(&portal, alerts, "198.51.100.2").await;
    assert!(b1.status().is_success() && b2.status().is_success());
    assert_refused(&open_stream(&portal, incidents, "198.51.100.3").await);
    // Ordinary requests are not streams.
    assert_eq!(portal.get("/api/v1/incidents").await.0, StatusCode::OK);
    drop(a1);
    let again = eventually("the freed stream slot", Duration::from_secs(5), || async {
        let response = open_stream(&portal, alerts, "198.51.100.1").await;
        response.status().is_success().then_some(response)
    })
    .await
    .unwrap();
    assert_refused(&open_stream(&portal, alerts, "198.51.100.3").await);
    drop((again, a2, b1, b2));
}

fn terminate(portal: &Portal) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &portal.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

async fn exited_within(portal: &mut Portal, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if portal.child.exited().is_some() {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

#[tokio::test]
async fn sigterm_with_open_incident_and_alert_streams_exits_promptly() {
    let mut portal = Portal::start(&[], &[]).await.unwrap();
    let (status, incident) = portal
        .post_json("/api/v1/incidents", &json!({"title": "disk full"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", portal.url);
    let path = format!("/api/v1/incidents/{}/stream", incident["id"]);
    let mut timeline = SseClient::connect(&http, &url(&path), None).await.unwrap();
    let mut alerts = SseClient::connect(&http, &url("/api/v1/alerts/stream"), None)
        .await
        .unwrap();
    terminate(&portal);
    let exited = exited_within(&mut portal, Duration::from_secs(5)).await;
    assert!(exited.is_some(), "still running 5 s after SIGTERM");
    assert!(
        timeline.next(Duration::from_secs(1)).await.is_err(),
        "stream ended"
    );
    while let Ok(Some(_)) = alerts.next(Duration::from_secs(1)).await {}
    assert!(portal.log().contains("stopped"), "{}", portal.log());
}

#[tokio::test]
async fn shutdown_closes_held_connections_after_the_grace_period() {
    let mut portal = Portal::start(
        &[],
        &[
            ("RUNBOOK_PORTAL_HTTP__SHUTDOWN_GRACE_SECS", "1"),
            ("RUNBOOK_PORTAL_HTTP__HEADER_READ_TIMEOUT_SECS", "60"),
        ],
    )
    .await
    .unwrap();
    let mut held = connect(&portal.url).await.unwrap();
    held.write_all(HALF_SENT.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    terminate(&portal);
    let exited = exited_within(&mut portal, Duration::from_secs(5)).await;
    assert!(
        exited.is_some_and(|after| after >= Duration::from_millis(900)),
        "exit after {exited:?}: the grace period is 1 s"
    );
    assert!(
        portal.log().contains("grace period over"),
        "{}",
        portal.log()
    );
}

async fn request_as(portal: &Portal, method: &str, path: &str, host: &str) -> StatusCode {
    let request = reqwest::Client::new()
        .request(method.parse().unwrap(), format!("{}{path}", portal.url))
        .header("host", host)
        .header("origin", format!("http://{host}"));
    let request = if method == "POST" {
        request.json(&json!({"title": "from a web page"}))
    } else {
        request
    };
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn requests_for_other_hosts_get_421_and_probes_answer_any_host() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let evil = "rebind.attacker.example";
    let write = request_as(&portal, "POST", "/api/v1/incidents", evil).await;
    assert_eq!(write, StatusCode::MISDIRECTED_REQUEST);
    for path in [
        "/api/v1/incidents",
        "/",
        "/runbooks/node-exporter/HostHighCpuLoad",
    ] {
        assert_eq!(
            request_as(&portal, "GET", path, evil).await,
            StatusCode::MISDIRECTED_REQUEST,
            "{path}"
        );
    }
    let port = port(&portal);
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        assert_eq!(request_as(&portal, "GET", "/", &host).await, StatusCode::OK);
        let created = request_as(&portal, "POST", "/api/v1/incidents", &host).await;
        assert_eq!(created, StatusCode::CREATED, "{host}");
    }
    assert_eq!(
        request_as(&portal, "GET", "/", &format!("LOCALHOST:{port}")).await,
        StatusCode::OK,
        "hosts compare case-insensitively"
    );
    for probe in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(
            request_as(&portal, "GET", probe, "10.1.2.3:3000").await,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn the_public_url_host_is_allowed() {
    let portal = Portal::start(
        &[],
        &[("RUNBOOK_PORTAL_PUBLIC_URL", "https://portal.example.com")],
    )
    .await
    .unwrap();
    let ok = request_as(&portal, "GET", "/api/v1/incidents", "portal.example.com").await;
    assert_eq!(ok, StatusCode::OK);
    let evil = request_as(
        &portal,
        "GET",
        "/api/v1/incidents",
        "rebind.attacker.example",
    )
    .await;
    assert_eq!(evil, StatusCode::MISDIRECTED_REQUEST);
}

#[tokio::test]
async fn long_uris_get_414_while_an_8_kb_query_renders() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let page = "/runbooks/node-exporter/HostHighCpuLoad?instance=";
    let eight_kb = format!("{page}web-{}", "a".repeat(8 * 1024));
    let (status, body) = portal.get(&eight_kb).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("web-aaaa"), "the label is rendered");
    let (status, body) = portal
        .get(&format!("{page}{}", "a".repeat(20 * 1024)))
        .await;
    assert_eq!(status, StatusCode::URI_TOO_LONG, "{body}");
    assert!(body.contains("http.max_uri_bytes"), "{body}");
}
