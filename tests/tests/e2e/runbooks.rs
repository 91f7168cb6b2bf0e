//! The runbook engine over HTTP with our own fixtures: odd names, nesting,
//! duplicates, broken and empty files, unknown shortcodes, XSS, search and
//! live reload. The real binary serves `tests/fixtures`.

use std::time::Duration;

use portal_tests::Portal;
use portal_tests::portal::Tree;
use portal_tests::process::eventually;
use reqwest::StatusCode;
use reqwest::redirect::Policy;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn fixture_portal() -> Portal {
    Portal::serving(&Tree::fixtures(), &[], &[]).await.unwrap()
}

/// Every real start tag in a piece of HTML.
static TAG: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"<[a-zA-Z][^>]*>").unwrap());
/// What must never be in a tag: script-capable elements, event handlers,
/// script URLs.
static DANGEROUS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r#"^<(script|iframe|svg|object|embed)\b|\son[a-z]+\s*=|javascript:"#).unwrap()
});

/// The part of a page that comes from content: `<main>` (the shell around it
/// has our own module script).
fn article(page: &str) -> &str {
    let start = page.find("<main>").expect("page has <main>");
    let end = page.rfind("</main>").map_or(page.len(), |e| e + 7);
    &page[start..end]
}

#[tokio::test]
async fn odd_names_nesting_and_url_forms_resolve() {
    let portal = fixture_portal().await;
    for (path, marker) in [
        (
            "/runbooks/names/SslCertificateExpiry%28%3C7Days%29",
            "SslCertificateExpiry(&lt;7Days)",
        ),
        (
            "/runbooks/names/sslcertificateexpiry(%3C7days).md",
            "SslCertificateExpiry(&lt;7Days)",
        ),
        ("/runbooks/names/Disk100%25Full", "Disk100%Full"),
        ("/runbooks/names/disk100%25full/", "Disk100%Full"),
        ("/runbooks/nested/deeper/NestedAlert", "NestedAlert"),
        ("/runbooks/NESTED/DEEPER/nestedalert.md", "NestedAlert"),
    ] {
        let (status, page) = portal.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(page.contains(marker), "{path} lacks {marker}");
    }
    let (status, group) = portal.get("/runbooks/nested/deeper").await;
    assert_eq!(status, StatusCode::OK);
    assert!(group.contains("NestedAlert"));

    // The same alert in two groups: a choice page; one group: a redirect.
    let (status, choice) = portal.get("/alerts/HostHighCpuLoad").await;
    assert_eq!(status, StatusCode::MULTIPLE_CHOICES);
    assert!(
        choice.contains("/runbooks/dupes/HostHighCpuLoad")
            && choice.contains("/runbooks/node-exporter/HostHighCpuLoad")
    );
    let response = client()
        .get(format!(
            "{}/alerts/SslCertificateExpiry(%3C7Days)?instance=a",
            portal.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()["location"],
        "/runbooks/names/SslCertificateExpiry%28%3C7Days%29?instance=a"
    );
    let response = client()
        .get(format!("{}/alerts/Disk100%25Full", portal.url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["location"],
        "/runbooks/names/Disk100%25Full"
    );
}

#[tokio::test]
async fn groups_tags_empty_broken_and_unknown_shortcodes() {
    let portal = fixture_portal().await;
    let (status, group) = portal.get("/runbooks/node-exporter").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        group.contains("Node exporter (fixture)"),
        "_index.md title on the group page"
    );
    let (_, list) = portal.get("/runbooks").await;
    assert!(!list.contains(">_index<"), "_index.md is not a runbook");
    assert!(
        list.contains("broken"),
        "/runbooks marks the broken runbook"
    );

    let (status, empty) = portal.get("/runbooks/empty/EmptyRunbook").await;
    assert_eq!(status, StatusCode::OK);
    assert!(empty.contains("<h1>EmptyRunbook</h1>"));

    let (status, broken) = portal.get("/runbooks/broken/BrokenFrontMatter").await;
    assert_eq!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "a broken runbook is flagged"
    );
    assert!(
        broken.contains("could not be read") && broken.contains("line "),
        "says what and where"
    );
    assert!(
        broken.contains("BODY-STILL-RENDERS"),
        "the text is still shown"
    );
    let (status, _) = portal.get("/runbooks/node-exporter/HostHighCpuLoad").await;
    assert_eq!(status, StatusCode::OK, "other runbooks unaffected");

    let (_, unknown) = portal.get("/runbooks/unknown/UnknownShortcode").await;
    assert!(unknown.contains("Unsupported shortcode"));
    assert!(unknown.contains("TEXT-AFTER-UNKNOWN-SHORTCODES"));
    assert!(unknown.contains("data-source=\"comment-copy\"") && unknown.contains("not found"));

    let (status, tag) = portal.get("/tags/fixture").await;
    assert_eq!(status, StatusCode::OK);
    assert!(tag.contains("ScriptInFrontMatter"));
}

#[tokio::test]
async fn labels_fill_placeholders_escaped() {
    let portal = fixture_portal().await;
    let (_, page) = portal
        .get("/runbooks/node-exporter/HostHighCpuLoad?instance=%3Cb%3Eweb1%3C%2Fb%3E:9100")
        .await;
    let body = article(&page);
    assert!(body.contains("class=\"filled\""), "placeholders filled");
    assert!(
        body.contains("&lt;b&gt;web1&lt;/b&gt;:9100"),
        "label value escaped"
    );
    assert!(!body.contains("<b>web1"));
    let (_, page) = portal.get("/runbooks/node-exporter/HostHighCpuLoad").await;
    assert!(
        article(&page).contains("class=\"placeholder\""),
        "missing labels stay marked"
    );
}

#[tokio::test]
async fn xss_never_reaches_the_page() {
    let portal = fixture_portal().await;
    for path in [
        "/runbooks/xss/ScriptInBody",
        "/runbooks/xss/ScriptInFrontMatter",
        "/runbooks",
        "/tags/fixture",
        "/search?q=xss",
    ] {
        let (_, page) = portal.get(path).await;
        // Payloads may appear as escaped text (in code blocks); never as markup.
        for tag in TAG.find_iter(article(&page)) {
            let tag = tag.as_str().to_lowercase();
            assert!(
                !DANGEROUS.is_match(&tag),
                "{path} has a live payload: {tag}"
            );
        }
    }
    let (_, page) = portal.get("/runbooks/xss/ScriptInBody").await;
    assert!(
        page.contains("<details><summary>Safe</summary>kept</details>"),
        "details/summary kept"
    );
    assert!(page.contains("SAFE-TEXT-AFTER-PAYLOADS"));
    let (_, json) = portal.get("/api/v1/runbooks/xss/ScriptInFrontMatter").await;
    let detail: serde_json::Value = serde_json::from_str(&json).unwrap();
    let html = detail["html"].as_str().unwrap().to_lowercase();
    assert!(!html.contains("<script") && !html.contains("onerror="));
}

#[tokio::test]
async fn search_api_and_page() {
    let portal = fixture_portal().await;
    let (status, json) = portal.get("/api/v1/search?q=nestd%20alrt&limit=5").await;
    assert_eq!(status, StatusCode::OK);
    let hits: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(
        hits[0]["key"], "nested/deeper/NestedAlert",
        "typo-tolerant: {hits:?}"
    );
    let (_, json) = portal.get("/api/v1/search?q=HostHigh").await;
    let hits: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(
        hits.len() >= 2 && hits[0]["alert"] == "HostHighCpuLoad",
        "prefix: {hits:?}"
    );
    let (status, page) = portal.get("/search?q=cpu").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("HostHighCpuLoad"));
    let (status, _) = portal
        .get(&format!("/api/v1/search?q={}", "x".repeat(600)))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn edited_file_is_live_within_two_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let runbooks = dir.path().join("runbooks");
    std::fs::create_dir_all(runbooks.join("live")).unwrap();
    std::fs::write(
        runbooks.join("live/Changing.md"),
        "---\ntitle: Changing\n---\nfirst version\n",
    )
    .unwrap();
    let portal = Portal::start(&["--runbooks", runbooks.to_str().unwrap()], &[])
        .await
        .unwrap();
    let (_, page) = portal.get("/runbooks/live/Changing").await;
    assert!(page.contains("first version"));

    let started = std::time::Instant::now();
    std::fs::write(
        runbooks.join("live/Changing.md"),
        "---\ntitle: Changing\n---\nsecond version\n",
    )
    .unwrap();
    std::fs::write(runbooks.join("live/Added.md"), "added runbook\n").unwrap();
    eventually("the edit to be served", Duration::from_secs(2), || async {
        let (_, page) = portal.get("/runbooks/live/Changing").await;
        page.contains("second version").then_some(())
    })
    .await
    .unwrap();
    println!("edit live after {:?}", started.elapsed());
    let (status, _) = portal.get("/runbooks/live/Added").await;
    assert_eq!(status, StatusCode::OK);
    std::fs::remove_file(runbooks.join("live/Added.md")).unwrap();
    eventually(
        "the removed file to disappear",
        Duration::from_secs(2),
        || async {
            (portal.get("/runbooks/live/Added").await.0 == StatusCode::NOT_FOUND).then_some(())
        },
    )
    .await
    .unwrap();
}
