//! Two responders on two replicas of one PostgreSQL database: one opens an
//! incident from the runbook page on replica A and adds a note; the other,
//! on replica B's page, sees both appear live (B's stream is fed by A's
//! commits through `LISTEN/NOTIFY`, no reload).

use fantoccini::Locator;
use portal_core::store::postgres::testdb::Cluster;
use portal_tests::browser::{enabled, wait_for};
use portal_tests::{Browser, Portal};

const PAGE: &str = "/runbooks/node-exporter/HostHighCpuLoad?instance=web1:9100";

#[tokio::test]
async fn a_note_on_one_replica_appears_live_on_another() {
    let cluster = Cluster::start();
    let url = cluster.fresh_database().await;
    let replica_a = Portal::start_on(&url, &[], &[]).await.unwrap();
    let replica_b = Portal::start_on(&url, &[], &[]).await.unwrap();
    let alice = Browser::start().await.unwrap();
    let bob = Browser::start().await.unwrap();
    for (browser, replica) in [(&alice, &replica_a), (&bob, &replica_b)] {
        browser
            .client
            .goto(&format!("{}{PAGE}", replica.url))
            .await
            .unwrap();
        browser.wait_hydrated().await.unwrap();
    }
    let (a, b) = (&alice.client, &bob.client);

    enabled(a, "button.open-incident")
        .await
        .click()
        .await
        .unwrap();
    wait_for(a, ".incident li.event[data-kind='opened']").await;
    wait_for(b, ".incident li.event[data-kind='opened']").await;

    let note = enabled(a, "form.note textarea").await;
    note.send_keys("seen from the other replica").await.unwrap();
    enabled(a, "button.add-note").await.click().await.unwrap();
    wait_for(b, "li.event[data-kind='note']").await;
    let text = b
        .find(Locator::Css("li.event[data-kind='note'] .summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, "seen from the other replica");
}
