//! Editing in headless Chromium: Alice types, the preview follows, she saves
//! and sees her text on the page and her revision (with its diff) in the
//! history; Bob, who opened the editor on the same revision, saves an
//! overlapping change and gets the conflict view with Alice's change.

use std::time::Duration;

use fantoccini::{Client, Locator};
use portal_tests::browser::wait_for;
use portal_tests::process::eventually;
use portal_tests::{Browser, Portal};

const PAGE: &str = "/runbooks/node-exporter/HostHighCpuLoad";

async fn text_of(client: &Client, css: &str) -> String {
    match client.find(Locator::Css(css)).await {
        Ok(element) => element.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn wait_text(client: &Client, css: &str, wanted: &str) {
    eventually(
        &format!("{css} to contain {wanted}"),
        Duration::from_secs(20),
        || async { text_of(client, css).await.contains(wanted).then_some(()) },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn edit_preview_save_history_and_conflict() {
    let portal = Portal::start(&[], &[]).await.unwrap();
    let alice = Browser::start().await.unwrap();
    let bob = Browser::start().await.unwrap();
    let (a, b) = (&alice.client, &bob.client);
    for browser in [&alice, &bob] {
        browser
            .client
            .goto(&format!("{}{PAGE}/edit", portal.url))
            .await
            .unwrap();
        browser.wait_hydrated().await.unwrap();
    }

    // The preview follows the typing (debounced, rendered by the server).
    let textarea = wait_for(a, "textarea.editor-source").await;
    textarea
        .send_keys("\n\nALICE-WAS-HERE typed in the browser\n")
        .await
        .unwrap();
    wait_text(a, ".preview .body", "ALICE-WAS-HERE").await;

    wait_for(a, "input.commit-message")
        .await
        .send_keys("note from alice")
        .await
        .unwrap();
    wait_for(a, "button.save").await.click().await.unwrap();
    eventually(
        "the runbook page after saving",
        Duration::from_secs(20),
        || async {
            let url = a.current_url().await.ok()?;
            (url.path() == PAGE).then_some(())
        },
    )
    .await
    .unwrap();
    wait_text(a, "article.runbook .body", "ALICE-WAS-HERE").await;

    a.goto(&format!("{}{PAGE}/history", portal.url))
        .await
        .unwrap();
    wait_for(a, "tr.revision[data-origin='web']").await;
    wait_text(
        a,
        "tr.revision[data-origin='web'] .message",
        "note from alice",
    )
    .await;
    wait_text(a, "table.diff", "ALICE-WAS-HERE").await;
    assert!(
        a.find(Locator::Css("table.diff tr.diff-insert"))
            .await
            .is_ok()
    );
    // Side by side, with the changed words marked.
    a.find(Locator::Css(".diff-modes a:last-child"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(a, "table.diff.split td.diff-insert").await;

    // Bob still edits the revision Alice started from: an overlapping edit.
    let textarea = wait_for(b, "textarea.editor-source").await;
    textarea.send_keys("\n\nBOB-WAS-HERE\n").await.unwrap();
    wait_for(b, "button.save").await.click().await.unwrap();
    wait_for(b, ".conflict").await;
    wait_text(b, ".conflict table.diff", "ALICE-WAS-HERE").await;
    let merged = wait_for(b, "textarea.editor-source")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        merged.contains("<<<<<<<")
            && merged.contains("BOB-WAS-HERE")
            && merged.contains("ALICE-WAS-HERE"),
        "the editor holds the merge with markers: {merged}"
    );
    let (_, page) = portal.get(PAGE).await;
    assert!(!page.contains("BOB-WAS-HERE"), "nothing was saved for Bob");

    // Alice restores the imported text: a new revision on top.
    a.goto(&format!("{}{PAGE}/history", portal.url))
        .await
        .unwrap();
    alice.wait_hydrated().await.unwrap();
    wait_for(a, "tr.revision[data-origin='filesystem'] button.restore")
        .await
        .click()
        .await
        .unwrap();
    wait_text(a, "tr.revision:first-child .message", "Restore revision").await;
    let (_, page) = portal.get(PAGE).await;
    assert!(
        !page.contains("ALICE-WAS-HERE"),
        "the restored text is served"
    );
}
