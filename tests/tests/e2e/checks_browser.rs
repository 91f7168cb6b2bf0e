//! A responder in headless Chromium clicks Run on a check card: the result
//! appears without a reload, and lands on the open incident's timeline.

use fantoccini::Locator;
use portal_tests::Browser;
use portal_tests::browser::{enabled, wait_for};
use portal_tests::check_portal::{RUNBOOK, setup};
use serde_json::json;

#[tokio::test]
async fn run_a_check_from_the_page_and_see_it_on_the_incident() {
    let setup = setup(false, &[]).await;
    let portal = &setup.portal;
    let (opened, _) = portal
        .post_json("/api/v1/incidents", &json!({ "runbook": RUNBOOK }))
        .await;
    assert!(opened.is_success());

    let browser = Browser::start().await.unwrap();
    let client = &browser.client;
    let page = format!(
        "{}/runbooks/{RUNBOOK}?instance={}",
        portal.url, setup.http.addr
    );
    client.goto(&page).await.unwrap();
    browser.wait_hydrated().await.unwrap();
    // Not run yet (waited for: under load the card may still be settling
    // right after hydration).
    wait_for(client, ".check-card[data-check='tcp-open'] .check-never").await;
    // A check whose label is missing from the URL cannot be started.
    let blocked = client
        .find(Locator::Css(
            ".check-card[data-check='tcp-closed'] button.run-check",
        ))
        .await
        .unwrap();
    assert!(blocked.attr("disabled").await.unwrap().is_some());

    enabled(
        client,
        ".check-card[data-check='tcp-open'] button.run-check",
    )
    .await
    .click()
    .await
    .unwrap();
    let result = wait_for(
        client,
        ".check-card[data-check='tcp-open'] .check-result[data-status='pass']",
    )
    .await;
    assert!(result.text().await.unwrap().contains("connected to"));
    // No reload happened: the same document shows the incident's new event.
    let event = wait_for(client, ".incident li.event[data-kind='check_result']").await;
    assert!(
        event.text().await.unwrap().contains("tcp-open"),
        "{}",
        event.text().await.unwrap()
    );
    wait_for(client, ".checks-panel .check-dot-pass").await;

    enabled(
        client,
        ".check-card[data-check='http-fail'] button.run-check",
    )
    .await
    .click()
    .await
    .unwrap();
    wait_for(
        client,
        ".check-card[data-check='http-fail'] .check-result[data-status='fail']",
    )
    .await;
    client
        .execute(
            "document.querySelector(\"[data-check='tcp-open']\").scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    let shot = client.screenshot().await.unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots/checks.png");
    std::fs::write(path, shot).unwrap();
}
