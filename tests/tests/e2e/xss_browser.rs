//! Issue #12, item 3: text that closes the element it is written into
//! (`</title><script>…`) in a runbook's title, description, tags and headings,
//! and in label values from the query string, never runs in Chromium; the
//! page still hydrates, and the console shows no panic and no
//! Content-Security-Policy violation. Also: every page's CSP names the nonce
//! its inline scripts carry.

use portal_tests::browser::{click_then, driver_command};
use portal_tests::portal::Tree;
use portal_tests::{Browser, Portal};
use regex::Regex;

/// `?instance=` payloads: a script, and a quote that would leave an attribute.
const LABEL: &str = "%3C%2Ftitle%3E%3Cscript%3Ewindow.__xss%3D5%3C%2Fscript%3E%22%3E%3Cimg%20src%3Dx%20onerror%3Dwindow.__xss%3D5%3E";

async fn fixture_portal() -> Portal {
    Portal::serving(&Tree::fixtures(), &[], &[]).await.unwrap()
}

/// chromedriver's console log (`POST /session/{id}/se/log`); each call
/// returns the entries since the previous one. SEVERE entries are kept by
/// default, which is what console errors and CSP reports are.
async fn console(client: &fantoccini::Client) -> Vec<String> {
    let log = driver_command(client, "se/log", serde_json::json!({ "type": "browser" }))
        .await
        .unwrap();
    log.as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry["message"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn payloads_in_head_text_and_labels_never_run_and_pages_hydrate() {
    let portal = fixture_portal().await;
    let browser = Browser::start().await.unwrap();
    let client = &browser.client;
    // Clear what the new session logged before the first page.
    console(client).await;
    let pages = [
        format!("/runbooks/xss/ScriptClosesTitle?instance={LABEL}"),
        "/runbooks/xss/ScriptInFrontMatter".to_string(),
        "/tags/%3C%2Ftitle%3E%3Cscript%3Ewindow.__xss%3D6%3C%2Fscript%3E".to_string(),
        format!("/search?q={LABEL}"),
        // Every other kind of page, for CSP reports about the portal's own scripts.
        "/runbooks/xss/ScriptClosesTitle/edit".to_string(),
        "/runbooks/xss/ScriptClosesTitle/history".to_string(),
        "/runbooks/xss".to_string(),
        "/incidents".to_string(),
        "/coverage".to_string(),
        "/new-runbook".to_string(),
        "/".to_string(),
    ];
    for page in &pages {
        client.goto(&format!("{}{page}", portal.url)).await.unwrap();
        browser.wait_hydrated().await.unwrap();
        let state = client
            .execute(
                "return [window.__xss === undefined ? null : window.__xss, document.title];",
                vec![],
            )
            .await
            .unwrap();
        assert!(state[0].is_null(), "{page}: a payload ran: {state}");
        let title = state[1].as_str().unwrap();
        assert!(
            title != "pwned" && title.ends_with("Runbook portal"),
            "{page}: title {title:?}"
        );
        // Hydrated and interactive: a click re-renders through a signal.
        if page.starts_with("/runbooks/xss/ScriptClosesTitle?") {
            assert!(
                title.starts_with("T </title><script>"),
                "shown as text: {title:?}"
            );
            // The range button reacts: the page hydrated.
            click_then(
                client,
                "button.range[data-hours='6']",
                "button.range.active[data-hours='6']",
            )
            .await;
        }
        let problems: Vec<String> = console(client)
            .await
            .into_iter()
            .filter(|m| {
                m.contains("Content Security Policy")
                    || m.contains("panicked")
                    || m.contains("RuntimeError")
            })
            .collect();
        assert!(problems.is_empty(), "{page}: console: {problems:#?}");
    }
    client.clone().close().await.unwrap();
}

/// Any inline script the portal did not write would be refused: the policy
/// allows only scripts from the portal and those with this render's nonce.
#[tokio::test]
async fn an_injected_inline_script_is_refused_by_the_policy() {
    let portal = fixture_portal().await;
    let browser = Browser::start().await.unwrap();
    let client = &browser.client;
    client
        .goto(&format!("{}/runbooks/xss/ScriptClosesTitle", portal.url))
        .await
        .unwrap();
    browser.wait_hydrated().await.unwrap();
    console(client).await;
    let ran = client
        .execute(
            "var s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.head.appendChild(s); return window.__inline === undefined ? null : window.__inline;",
            vec![],
        )
        .await
        .unwrap();
    assert!(ran.is_null(), "inline script ran: {ran}");
    let log = console(client).await;
    assert!(
        log.iter().any(|m| m.contains("Content Security Policy")),
        "the refusal is reported: {log:#?}"
    );
    client.clone().close().await.unwrap();
}

#[tokio::test]
async fn every_response_has_security_headers_and_pages_name_their_nonce() {
    let portal = fixture_portal().await;
    let http = reqwest::Client::new();
    let nonce_attr = Regex::new(r#"<script[^>]*\snonce="([^"]+)""#).unwrap();
    let script_tag = Regex::new(r"<script[^>]*>").unwrap();
    let policy_nonce =
        Regex::new(r"script-src 'self' 'nonce-([A-Za-z0-9+/=_-]+)' 'wasm-unsafe-eval'").unwrap();
    let boot_nonce = Regex::new(r#"<script type="module" nonce="([^"]+)">"#).unwrap();
    let mut nonces = Vec::new();
    for path in [
        "/runbooks/xss/ScriptClosesTitle",
        "/runbooks",
        "/no/such/page",
    ] {
        let response = http
            .get(format!("{}{path}", portal.url))
            .send()
            .await
            .unwrap();
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert_eq!(response.headers()["x-frame-options"], "DENY");
        assert_eq!(response.headers()["referrer-policy"], "same-origin");
        let body = response.text().await.unwrap();
        let nonce = policy_nonce
            .captures(&csp)
            .unwrap_or_else(|| panic!("{path}: no nonce in {csp}"))[1]
            .to_string();
        for directive in [
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "style-src 'self'",
        ] {
            assert!(
                csp.contains(directive),
                "{path}: {directive} missing: {csp}"
            );
        }
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        let boot = boot_nonce
            .captures(&body)
            .unwrap_or_else(|| panic!("{path}: no boot script with a nonce"));
        assert_eq!(boot[1], nonce, "{path}: boot script nonce");
        // Every inline script (Leptos' hydration data too) carries it.
        for tag in script_tag.find_iter(&body) {
            let tag = tag.as_str();
            let carried = nonce_attr.captures(tag).map(|c| c[1].to_string());
            assert_eq!(carried.as_deref(), Some(nonce.as_str()), "{path}: {tag}");
        }
        assert!(!body.contains(" style=\""), "{path}: no inline style");
        nonces.push(nonce);
    }
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "a fresh nonce per render: {nonces:?}");

    for path in ["/api/v1/runbooks", "/healthz"] {
        let response = http
            .get(format!("{}{path}", portal.url))
            .send()
            .await
            .unwrap();
        let headers = response.headers();
        assert_eq!(
            headers["content-security-policy"],
            "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
    }
}
