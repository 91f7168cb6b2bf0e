//! Issue #16: a runbook opened with labels shows them filled wherever its
//! placeholders stand — prose, inline code, highlighted bash, yaml and
//! python, a table, link targets and titles — escaped for each place, and a
//! value never breaks a tag.

use portal_tests::browser::js;
use portal_tests::portal::Tree;
use portal_tests::{Browser, Portal};

const PAGE: &str = "/runbooks/placeholders/LabelsEverywhere?instance=db1:9100&mountpoint=/var";

#[tokio::test]
async fn labels_are_filled_in_text_code_tables_and_links() {
    let portal = Portal::serving(&Tree::fixtures(), &[], &[]).await.unwrap();
    let browser = Browser::start().await.unwrap();
    let client = &browser.client;
    client.goto(&format!("{}{PAGE}", portal.url)).await.unwrap();
    browser.wait_hydrated().await.unwrap();

    let body = js(client, "return document.querySelector('.body').innerText").await;
    assert!(
        !body.contains("{{"),
        "a placeholder is left unfilled:\n{body}"
    );
    for shown in [
        "Prose on db1:9100",
        "df -h /var",
        "sudo du -xh /var | sort -h | tail",
        "target: \"db1:9100\"",
        "path: /var",
        "print(\"db1:9100\")  # on /var",
    ] {
        assert!(body.contains(shown), "{shown:?} not shown:\n{body}");
    }
    for lang in ["bash", "yaml", "python"] {
        let spans = js(
            client,
            &format!("return String(document.querySelectorAll('code.language-{lang} [class^=hl-]').length)"),
        )
        .await;
        assert_ne!(spans, "0", "{lang} block is highlighted");
    }
    let cells = js(
        client,
        "return [...document.querySelectorAll('.body td')].map(c => c.innerText).join('|')",
    )
    .await;
    assert_eq!(cells, "db1:9100|/var");

    let link = |selector: &str, attribute: &str| {
        format!(
            "return document.querySelector({}).getAttribute('{attribute}')",
            serde_json::to_string(selector).unwrap()
        )
    };
    assert_eq!(
        js(client, &link(".body a[href^='https://grafana']", "href")).await,
        "https://grafana.example/d/disk?var-instance=db1%3A9100&var-mount=%2Fvar"
    );
    assert_eq!(
        js(client, &link(".body a[href^='https://grafana']", "title")).await,
        "disk of db1:9100"
    );
    assert_eq!(
        js(client, &link(".body a[href$='/metrics']", "href")).await,
        "https://db1:9100/metrics"
    );
    assert_eq!(
        js(client, &link(".body a[href^=\"/search\"]", "href")).await,
        "/search?q=db1%3A9100"
    );
    assert_eq!(
        js(client, &link(".body a[href^=\"/search\"]", "title")).await,
        "search db1:9100"
    );

    // A hostile value stays inside its attribute and its text.
    client
        .goto(&format!(
            "{}/runbooks/placeholders/LabelsEverywhere?instance=%22%3E%3Cb%20id%3Dinjected%3Ex&mountpoint=/var",
            portal.url
        ))
        .await
        .unwrap();
    browser.wait_hydrated().await.unwrap();
    assert_eq!(
        js(client, "return String(document.getElementById('injected'))").await,
        "null"
    );
    assert_eq!(
        js(client, &link(".body a[href^=\"/search\"]", "title")).await,
        "search \"><b id=injected>x"
    );
}
