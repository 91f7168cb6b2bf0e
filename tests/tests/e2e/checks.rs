//! Diagnosis checks through the real binary: network checks against local
//! servers under an allow-list, PromQL checks against a real Prometheus
//! (with injection attempts), recording on an incident, identity, run-all
//! streaming and metrics.

use std::time::{Duration, Instant};

use portal_tests::check_portal::{RUNBOOK, labels, run, setup};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn network_checks_obey_the_allow_list() {
    let setup = setup(false, &[]).await;
    let (portal, body) = (&setup.portal, labels(&setup));
    for (check, expected) in [
        ("http-ok", "pass"),
        ("http-fail", "fail"),
        ("http-redirect-in", "pass"),
        ("tcp-open", "pass"),
        ("tcp-closed", "fail"),
        ("dns-known", "pass"),
        ("dns-unknown", "fail"),
    ] {
        let (status, result) = run(portal, RUNBOOK, check, body.clone()).await;
        assert_eq!(status, StatusCode::OK, "{check}: {result}");
        assert_eq!(result["status"], expected, "{check}: {result}");
        assert_eq!(result["actor"], "anonymous");
    }
    let (_, dns) = run(portal, RUNBOOK, "dns-known", body.clone()).await;
    assert_eq!(dns["value"], "127.0.0.7", "{dns}");

    for (check, why) in [
        ("http-outside", "192.0.2.1"),
        ("http-redirect-out", "redirect"),
        ("http-localhost", "outside the networks"),
    ] {
        let (status, refusal) = run(portal, RUNBOOK, check, body.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{check}: {refusal}");
        let text = refusal["error"].as_str().unwrap_or_default();
        assert!(text.contains(why), "{check}: {text}");
    }

    // A missing label refuses the run; unknown checks and runbooks are 404.
    let (status, refusal) = run(portal, RUNBOOK, "http-ok", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refusal}");
    assert!(refusal["error"].as_str().unwrap().contains("instance"));
    assert_eq!(
        run(portal, RUNBOOK, "nope", body.clone()).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        run(portal, "checks/Nope", "x", body.clone()).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _) = run(portal, RUNBOOK, "http-ok", json!({"query": "vector(1)"})).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the browser can send labels, never a query"
    );

    let metrics = portal.get("/metrics").await.1;
    assert!(
        metrics.contains(r#"runbook_portal_check_runs_total{kind="tcp",status="pass"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"runbook_portal_check_refusals_total{reason="not_allowed"} 3"#));
    assert!(metrics.contains(r#"runbook_portal_check_refusals_total{reason="missing_label"} 1"#));
}

#[tokio::test]
async fn a_silent_target_times_out_while_the_portal_keeps_answering() {
    let setup = setup(false, &[]).await;
    let portal = &setup.portal;
    let started = Instant::now();
    let silent = run(portal, RUNBOOK, "http-silent", labels(&setup));
    let meanwhile = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let asked = Instant::now();
        let (status, _) = portal.get("/runbooks/checks/NetworkChecks").await;
        (status, asked.elapsed())
    };
    let ((status, result), (page, page_took)) = tokio::join!(silent, meanwhile);
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["status"], "error");
    assert!(
        result["message"].as_str().unwrap().contains("timed out"),
        "{result}"
    );
    let took = started.elapsed();
    assert!(
        (Duration::from_secs(2)..Duration::from_secs(5)).contains(&took),
        "{took:?}"
    );
    assert_eq!(page, StatusCode::OK);
    assert!(
        page_took < Duration::from_secs(2),
        "page took {page_took:?}"
    );
}

#[tokio::test]
async fn promql_checks_run_against_real_prometheus_and_resist_injection() {
    let setup = setup(true, &[]).await;
    let portal = &setup.portal;
    let job = |job: &str| json!({ "labels": { "job": job } });
    // The first scrape makes `up{job="prometheus"}` exist.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, result) = run(portal, RUNBOOK, "promql-job", job("prometheus")).await;
        assert_eq!(status, StatusCode::OK, "{result}");
        if result["status"] == "pass" {
            assert_eq!(result["target"], r#"sum(up{job="prometheus"})"#);
            assert_eq!(result["value"], "1");
            break;
        }
        assert!(Instant::now() < deadline, "never passed: {result}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (_, result) = run(portal, RUNBOOK, "promql-job", job("no-such-job")).await;
    assert_eq!(result["status"], "fail", "{result}");
    let (_, result) = run(portal, RUNBOOK, "promql-bad", json!({})).await;
    assert_eq!(result["status"], "error", "{result}");
    assert!(
        result["message"].as_str().unwrap().contains("Prometheus"),
        "{result}"
    );

    // Every expectation form of the fixture holds against constant vectors.
    for check in [
        "promql-ge",
        "promql-lt",
        "promql-le",
        "promql-eq",
        "promql-ne",
        "promql-empty",
        "promql-not-empty",
    ] {
        let (status, result) = run(portal, "checks/AllCheckKinds", check, json!({})).await;
        assert_eq!(
            (status, &result["status"]),
            (StatusCode::OK, &json!("pass")),
            "{check}: {result}"
        );
    }

    // Injection: refused, or harmless (the value stays one label value, so
    // the query matches nothing and cannot pass through `vector(1)`).
    for value in [
        r#"x"}) or vector(1) #"#,
        r#"x"} or on() vector(1)"#,
        r#"prometheus\"} or vector(1) or up{job=\""#,
        "\\",
        "x\n} or vector(1)",
        "x\u{201d}} or vector(1) or up{job=\u{201c}",
        "x\u{0}",
    ] {
        let (status, result) = run(portal, RUNBOOK, "promql-job", job(value)).await;
        match status {
            StatusCode::OK => {
                assert_eq!(
                    result["status"], "fail",
                    "{value:?} was not harmless: {result}"
                );
                assert!(
                    result["message"].as_str().unwrap().contains("no series"),
                    "{result}"
                );
            }
            StatusCode::BAD_REQUEST => {}
            other => panic!("{value:?}: unexpected {other}: {result}"),
        }
    }

    // The implicit check evaluates the alert's live rule (`vector(1) > 0`).
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, result) = run(portal, RUNBOOK, "alert-expr", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{result}");
        if result["target"] == "vector(1) > 0" {
            assert_eq!(result["status"], "fail", "the condition holds: {result}");
            break;
        }
        assert!(Instant::now() < deadline, "live rule never used: {result}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn a_run_lands_on_the_open_incident_with_its_actor() {
    let setup = setup(false, &[]).await;
    let portal = &setup.portal;
    let (_, incident) = portal
        .post_json("/api/v1/incidents", &json!({ "runbook": RUNBOOK }))
        .await;
    let id = incident["id"].as_i64().unwrap();
    let (status, result) = run(portal, RUNBOOK, "tcp-open", labels(&setup)).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["incident_id"], id);
    let incident = portal.get_json(&format!("/api/v1/incidents/{id}")).await;
    let events: Vec<&Value> = incident["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "check_result")
        .collect();
    assert_eq!(events.len(), 1, "{incident}");
    assert_eq!(events[0]["actor"], "anonymous");
    assert_eq!(events[0]["payload"]["check"], "tcp-open");
    assert_eq!(events[0]["payload"]["outcome"], "pass");
    assert_eq!(
        events[0]["payload"]["detail"]["target"],
        setup.http.addr.to_string()
    );

    // The page shows the recorded result as the check's last one.
    let page = portal
        .get(&format!("/runbooks/{RUNBOOK}?instance={}", setup.http.addr))
        .await
        .1;
    assert!(page.contains("data-status=\"pass\""), "last result shown");

    // An explicit, unknown incident is a 404 and runs nothing.
    let mut body = labels(&setup);
    body["incident_id"] = json!(9999);
    assert_eq!(
        run(portal, RUNBOOK, "tcp-open", body).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn runs_need_an_identity_when_writes_do() {
    let setup = setup(false, &[("RUNBOOK_PORTAL_AUTH__ANONYMOUS_WRITES", "false")]).await;
    let (status, refusal) = run(&setup.portal, RUNBOOK, "tcp-open", labels(&setup)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{refusal}");
}

#[tokio::test]
async fn run_all_streams_one_line_per_check() {
    let setup = setup(false, &[]).await;
    let response = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/runbooks/{RUNBOOK}/checks/run",
            setup.portal.url
        ))
        .json(&labels(&setup))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // 14 declared checks (no Prometheus, so no live rule: no alert-expr).
    assert_eq!(lines.len(), 14, "{text}");
    let outcome = |id: &str| {
        lines
            .iter()
            .find(|l| l["check"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    assert_eq!(outcome("http-ok")["result"]["status"], "pass");
    assert_eq!(outcome("http-slow")["result"]["status"], "pass");
    assert_eq!(outcome("http-outside")["status"], 403);
    assert_eq!(
        outcome("promql-job")["result"]["status"],
        "error",
        "no Prometheus configured"
    );
}

/// A label value in the host position used to carry a path and query: the
/// target saw `/admin/users?x=/healthz` and its answer came back.
#[tokio::test]
async fn label_values_cannot_change_a_checks_url_or_address() {
    let setup = setup(false, &[]).await;
    let portal = &setup.portal;
    let addr = setup.http.addr;
    for (check, label, value) in [
        ("http-ok", "instance", format!("{addr}/admin/users?x=")),
        ("http-ok", "instance", format!("{addr}#")),
        ("http-ok", "instance", format!("user@{addr}")),
        ("tcp-open", "instance", format!("{addr}/x")),
    ] {
        let mut body = labels(&setup);
        body["labels"][label] = json!(value);
        let (status, refusal) = run(portal, RUNBOOK, check, body).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{check} {value}: {refusal}"
        );
        let text = refusal["error"].as_str().unwrap_or_default();
        assert!(text.contains("host[:port]"), "{check} {value}: {text}");
    }
    let (status, ok) = run(portal, RUNBOOK, "http-ok", labels(&setup)).await;
    assert_eq!(
        (status, ok["status"].as_str()),
        (StatusCode::OK, Some("pass")),
        "{ok}"
    );
}
