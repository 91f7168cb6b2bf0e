//! Two responders in headless Chromium: one opens an incident from the
//! runbook page, ticks two mitigation steps, adds a note and resolves; the
//! other tab sees each event appear live (SSE, no reload). The postmortem
//! export then lists the events in order.

use fantoccini::Locator;
use portal_tests::browser::{enabled, wait_for};
use portal_tests::{Browser, Portal};

const PAGE: &str = "/runbooks/node-exporter/HostHighCpuLoad?instance=web1:9100";

#[tokio::test]
async fn responders_work_an_incident_and_watch_it_live() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let alice = Browser::start().await.unwrap();
    let bob = Browser::start().await.unwrap();
    let (a, b) = (&alice.client, &bob.client);
    for browser in [&alice, &bob] {
        browser
            .client
            .goto(&format!("{}{PAGE}", portal.url))
            .await
            .unwrap();
        browser.wait_hydrated().await.unwrap();
    }

    enabled(a, "button.open-incident")
        .await
        .click()
        .await
        .unwrap();
    wait_for(a, ".incident li.event[data-kind='opened']").await;
    wait_for(b, ".incident li.event[data-kind='opened']").await;

    for step in [0, 2] {
        enabled(a, &format!("li.step[data-step='{step}'] input"))
            .await
            .click()
            .await
            .unwrap();
        let done = format!("li.step[data-step='{step}'][data-done='true']");
        wait_for(a, &done).await;
        wait_for(b, &done).await;
    }
    let note = enabled(a, "form.note textarea").await;
    note.send_keys("java is spinning on web1").await.unwrap();
    enabled(a, "button.add-note").await.click().await.unwrap();
    wait_for(b, "li.event[data-kind='note']").await;
    let text = b
        .find(Locator::Css("li.event[data-kind='note'] .summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, "java is spinning on web1");

    let id = a
        .find(Locator::Css(".incident"))
        .await
        .unwrap()
        .attr("data-incident-id")
        .await
        .unwrap()
        .unwrap();
    enabled(a, "button.resolve").await.click().await.unwrap();
    // The runbook page shows open incidents only: both tabs fall back to the button.
    wait_for(a, "button.open-incident").await;
    wait_for(b, "button.open-incident").await;

    bob.client
        .goto(&format!("{}/incidents/{id}", portal.url))
        .await
        .unwrap();
    wait_for(b, ".incident[data-status='resolved']").await;
    bob.client
        .goto(&format!("{}/incidents?status=resolved", portal.url))
        .await
        .unwrap();
    wait_for(b, "tr.incident-row[data-status='resolved']").await;

    let postmortem = reqwest::get(format!("{}/incidents/{id}/postmortem.md", portal.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let order = [
        "opened the incident for instance=web1:9100",
        "done: Identify the top CPU consumers",
        "done: If iowait dominates",
        "java is spinning on web1",
        "| resolved |",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|s| {
            postmortem
                .find(s)
                .unwrap_or_else(|| panic!("{s:?} missing from\n{postmortem}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "out of order:\n{postmortem}"
    );
    assert!(postmortem.contains("- [x] Identify the top CPU consumers"));
    assert!(postmortem.contains("- [ ] If a single process is runaway"));
}
