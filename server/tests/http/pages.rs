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

/// An alert link answers before any page renders: one runbook is a 302
/// with the labels kept; none is the site's own page for the alert (404),
/// with the layout, "write this runbook" and the runbooks its words find.
#[tokio::test]
async fn alert_links_redirect_or_help() {
    let app = App::new().await;
    let one = app
        .get("/alerts/HostOutOfDiskSpace?instance=db1:9100")
        .await;
    assert_eq!(one.status, StatusCode::FOUND);
    assert_eq!(
        one.headers[http::header::LOCATION],
        "/runbooks/node-exporter/HostOutOfDiskSpace?instance=db1:9100"
    );
    let none = app.get("/alerts/HostDiskAlmostFull.md").await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    for part in [
        "class=\"site-header\"",
        "<title>No runbook for HostDiskAlmostFull",
        "class=\"write-runbook button-link\"",
        "Did you mean",
        "class=\"alert-panel\"",
    ] {
        assert!(none.text.contains(part), "{part} missing: {}", none.text);
    }
    // Matching two of the name's words (host, disk), it comes first.
    let first = none
        .text
        .split("class=\"did-you-mean\"")
        .nth(1)
        .and_then(|section| section.split("<li>").nth(1))
        .unwrap_or_default();
    assert!(
        first.starts_with(
            "<a href=\"/runbooks/node-exporter/HostOutOfDiskSpace\">HostOutOfDiskSpace</a>"
        ),
        "{first}"
    );
    let hostile = app.get("/alerts/%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(hostile.status, StatusCode::NOT_FOUND);
    assert!(
        !hostile.text.contains("<script>alert(1)"),
        "{}",
        hostile.text
    );
}

/// The incident page is a command view: times with dates, the alert's
/// labels, controls, checklist progress; a note's Markdown shows formatted.
#[tokio::test]
async fn the_incident_page_is_a_command_view() {
    let app = App::new().await;
    let incident = app
        .post(
            "/api/v1/incidents",
            &serde_json::json!({
                "runbook": "node-exporter/HostOutOfDiskSpace",
                "labels": {"instance": "db1:9100", "mountpoint": "/var"},
            }),
        )
        .await;
    assert_eq!(incident.status, StatusCode::CREATED, "{}", incident.text);
    let id = &incident.json["id"];
    let note = serde_json::json!({"kind": "note", "text": "ran `df -h` <b>now</b>"});
    let noted = app
        .post(&format!("/api/v1/incidents/{id}/events"), &note)
        .await;
    assert!(noted.status.is_success(), "{}", noted.text);
    let page = app.get(&format!("/incidents/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for part in [
        "class=\"incident-times\"",
        "Open for ",
        "<code>instance=db1:9100</code>",
        "class=\"checklist-progress\"",
        "name=\"severity\"",
        "<code>df -h</code>",
        "&lt;b&gt;now&lt;/b&gt;",
        "class=\"kind-symbol\"",
        "href=\"/runbooks/node-exporter/HostOutOfDiskSpace?instance=db1%3A9100&amp;mountpoint=%2Fvar\"",
        "href=\"/runbooks/node-exporter/HostOutOfDiskSpace?instance=db1%3A9100&amp;mountpoint=%2Fvar#alert-history\"",
    ] {
        assert!(page.text.contains(part), "{part} missing: {}", page.text);
    }
}
