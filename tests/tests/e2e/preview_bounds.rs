//! Issue #12, item 6: previews render up to the text limit, so they need a
//! write identity, and a hostile text (deep nesting at the body limit) is
//! answered quickly with an error box instead of minutes of CPU.

use std::time::{Duration, Instant};

use portal_tests::Portal;
use reqwest::StatusCode;
use serde_json::Value;

async fn preview(portal: &Portal, source: &str) -> (StatusCode, Value, Duration) {
    let started = Instant::now();
    let response = reqwest::Client::new()
        .post(format!("{}/sf/preview_runbook", portal.url))
        .form(&[("key", "new-group/Previewed"), ("source", source)])
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, started.elapsed())
}

#[tokio::test]
async fn an_anonymous_preview_is_refused_when_anonymous_writes_are_off() {
    let portal = Portal::start(&[], &[("RUNBOOK_PORTAL_AUTH__ANONYMOUS_WRITES", "false")])
        .await
        .unwrap();
    let (status, body, _) = preview(&portal, "# hello\n").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn the_deepest_preview_at_the_text_limit_is_an_error_box_at_once() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    // 1 MiB: 200k nested `<div>` (40k took 4.7 s in release before the bound).
    let deep = "<div>".repeat(1024 * 1024 / 5 - 20);
    let source = format!("## Meaning\n\nbefore\n\n{deep}\n");
    assert!(source.len() <= 1024 * 1024);
    let (status, body, took) = preview(&portal, &source).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let html: String = body["body"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|part| part["Html"].as_str())
        .collect();
    assert!(html.contains("nested deeper than 100 levels"), "{html}");
    assert!(html.contains("before"), "{html}");
    assert!(took < Duration::from_secs(5), "answered in {took:?}");
}
