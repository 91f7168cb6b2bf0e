//! Server-rendered pages, in process: what the HTML carries for a
//! responder (filled commands, navigation, readable dates).

use crate::support::App;
use http::StatusCode;

/// Labels from the alert link fill the commands a responder copies, in
/// highlighted code blocks too (the highlighter used to split the
/// placeholder over several spans, and it stayed unfilled).
#[tokio::test]
async fn labels_fill_highlighted_code_blocks_on_the_page() {
    let app = App::new().await;
    let page = app
        .get("/runbooks/node-exporter/HostOutOfDiskSpace?instance=db1:9100&mountpoint=/var")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let block = page
        .text
        .split("<code class=\"language-bash\">")
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .expect("the bash block");
    assert!(!block.contains("$labels"), "unfilled: {block}");
    assert_eq!(block.matches(">/var</mark>").count(), 3, "{block}");
}

/// Every page names its icon and links the responder's places; the icon is
/// served at both addresses browsers ask for (it used to be a 404 on every
/// page load).
#[tokio::test]
async fn pages_link_the_site_and_the_icon_is_served() {
    let app = App::new().await;
    let page = app.get("/runbooks").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("rel=\"icon\" href=\"/favicon.svg\""));
    for href in ["/#firing-now", "/incidents", "/runbooks", "/coverage"] {
        assert!(
            page.text.contains(&format!("<a href=\"{href}\">")),
            "{href} in the header"
        );
    }
    for path in ["/favicon.svg", "/favicon.ico"] {
        let icon = app.get(path).await;
        assert_eq!(icon.status, StatusCode::OK, "{path}");
        assert_eq!(icon.headers[http::header::CONTENT_TYPE], "image/svg+xml");
        assert!(icon.text.starts_with("<svg"), "{path}");
    }
}

/// A runbook's front-matter date reads as a day, the full value on hover.
#[tokio::test]
async fn the_last_change_date_reads_as_a_day() {
    let app = App::new().await;
    let page = app.get("/runbooks/node-exporter/HostHighCpuLoad").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains(">15 Jan 2025</time>"), "{}", page.text);
    assert!(
        page.text
            .contains("title=\"last change: 2025-01-15T09:00:00.000Z\"")
    );
}
