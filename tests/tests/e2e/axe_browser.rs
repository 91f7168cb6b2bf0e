//! Accessibility (issue #16): axe-core's WCAG 2.1 A/AA rules find no serious
//! or critical violation on the responder's pages, in the light theme and in
//! the dark one (contrast is checked against each palette).

use portal_tests::axe;
use portal_tests::{Browser, Portal};
use serde_json::json;

const PAGES: &[&str] = &[
    "/",
    "/runbooks",
    "/runbooks/node-exporter",
    "/runbooks/node-exporter/HostOutOfDiskSpace?instance=db1:9100&mountpoint=/var&device=/dev/sda1",
    "/runbooks/node-exporter/HostOutOfDiskSpace/history",
    "/runbooks/node-exporter/HostOutOfDiskSpace/edit",
    "/incidents",
    "/coverage",
    "/search?q=disk",
    "/tags/disk",
    "/no/such/page",
    "/alerts/NoRunbookForThis",
];

async fn audit_all(portal: &Portal, browser: &Browser, pages: &[String]) -> Vec<String> {
    let mut failures = Vec::new();
    for page in pages {
        browser
            .client
            .goto(&format!("{}{page}", portal.url))
            .await
            .unwrap();
        browser.wait_hydrated().await.unwrap();
        for violation in axe::serious_violations(&browser.client).await.unwrap() {
            failures.push(format!("{page}: {violation}"));
        }
    }
    failures
}

#[tokio::test]
async fn the_main_pages_have_no_serious_accessibility_violations() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let (status, incident) = portal
        .post_json(
            "/api/v1/incidents",
            &json!({ "runbook": "node-exporter/HostOutOfDiskSpace" }),
        )
        .await;
    assert!(status.is_success(), "{incident}");
    let mut pages: Vec<String> = PAGES.iter().map(|p| p.to_string()).collect();
    pages.push(format!("/incidents/{}", incident["id"]));

    let light = Browser::start().await.unwrap();
    let mut failures = audit_all(&portal, &light, &pages).await;
    let dark = Browser::start().await.unwrap();
    dark.prefer_dark().await.unwrap();
    failures.extend(
        audit_all(&portal, &dark, &pages)
            .await
            .into_iter()
            .map(|f| format!("(dark) {f}")),
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
