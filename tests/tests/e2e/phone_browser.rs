//! The responder's pages on a phone: in a 390 px wide viewport no page
//! scrolls sideways (code blocks and tables scroll inside themselves).

use portal_tests::{Browser, Portal};

const PAGES: &[&str] = &[
    "/",
    "/runbooks",
    "/runbooks/node-exporter",
    "/runbooks/node-exporter/HostOutOfDiskSpace?instance=db1:9100&mountpoint=/var&device=/dev/sda1",
    "/runbooks/node-exporter/HostOutOfDiskSpace/history",
    "/incidents",
    "/coverage",
    "/search?q=disk",
    "/alerts/NoRunbookForThis",
];

/// The page's width beyond the viewport, and for the failure message the
/// first elements whose content is wider than the viewport, with their
/// `overflow-x` (a scroll container there is fine; `visible` is the culprit).
const MEASURE: &str = r#"
const width = window.innerWidth;
const wide = [...document.querySelectorAll('body *')]
  .filter(e => e.scrollWidth > width + 1)
  .slice(0, 6)
  .map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' + getComputedStyle(e).overflowX + ' ' + e.scrollWidth)
  .join('; ');
return [document.documentElement.scrollWidth - width, wide];
"#;

#[tokio::test]
async fn no_page_scrolls_sideways_on_a_phone() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let incident = serde_json::json!({
        "runbook": "node-exporter/HostOutOfDiskSpace",
        "labels": {"instance": "db1:9100", "mountpoint": "/var/lib/a-rather-long-mount-point-name"},
    });
    let (status, incident) = portal.post_json("/api/v1/incidents", &incident).await;
    assert!(status.is_success(), "{incident}");
    let mut pages: Vec<String> = PAGES.iter().map(|p| p.to_string()).collect();
    pages.push(format!("/incidents/{}", incident["id"]));
    let phone = Browser::start().await.unwrap();
    phone.client.set_window_size(390, 844).await.unwrap();
    let mut failures = Vec::new();
    for page in &pages {
        phone
            .client
            .goto(&format!("{}{page}", portal.url))
            .await
            .unwrap();
        phone.wait_hydrated().await.unwrap();
        let measured = phone.client.execute(MEASURE, vec![]).await.unwrap();
        let overflow = measured[0].as_i64().unwrap_or(i64::MAX);
        if overflow > 0 {
            failures.push(format!("{page}: {overflow} px too wide ({})", measured[1]));
        }
        if page.contains("HostOutOfDiskSpace?") {
            // The README's phone-sized picture of a runbook page.
            let shot = phone.client.screenshot().await.unwrap();
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("screenshots/runbook-page-phone.png");
            std::fs::write(path, shot).unwrap();
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
