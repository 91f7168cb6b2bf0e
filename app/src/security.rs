//! The Content-Security-Policy, in one place. A page's policy names the nonce
//! of its render, so the page shell sets it as a response header while it
//! renders (through leptos_axum's `ResponseOptions`): the body and the header
//! are made together and cached together. Every other response gets the
//! strict [`FALLBACK_POLICY`] from the server's header layer.

/// Directives shared by every page: nothing from elsewhere, no plugins, no
/// `<base>` rewriting, forms only to the portal, never framed (framed clicks
/// would be same-origin and pass the cross-site write guard).
const PAGE_COMMON: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; style-src 'self'; img-src 'self' https:";

/// The policy of a page rendered with `nonce`: scripts from the portal, the
/// inline scripts carrying the nonce (the boot script and Leptos' hydration
/// data), and WebAssembly compilation; never `unsafe-inline`.
pub fn page_policy(nonce: Option<&str>) -> String {
    match nonce {
        Some(nonce) => {
            format!("{PAGE_COMMON}; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'")
        }
        None => format!("{PAGE_COMMON}; script-src 'self' 'wasm-unsafe-eval'"),
    }
}

/// For responses that are not pages (JSON, assets, SVG, Markdown): nothing
/// may run or load in them, and nothing may frame them.
pub const FALLBACK_POLICY: &str =
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Set this render's page policy on the response (server only).
#[cfg(feature = "ssr")]
pub fn set_page_policy(nonce: Option<&str>) {
    use leptos::prelude::use_context;
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    // A nonce is base64 and the rest is ASCII, so this cannot fail in practice.
    if let Ok(value) = http::HeaderValue::from_str(&page_policy(nonce)) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The text of `<title>`. leptos_meta writes the server's `<title>` element
/// unescaped (0.8.7, `inject_meta_context`), so on the server the text is
/// escaped for that element here, where every page's title passes; in the
/// browser it becomes `document.title`, which is plain text.
pub fn title_text(title: String) -> String {
    let title = if title.is_empty() {
        "Runbook portal".to_string()
    } else {
        format!("{title} · Runbook portal")
    };
    #[cfg(feature = "ssr")]
    let title = html_escape::encode_text(&title).into_owned();
    title
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn title_cannot_close_its_element() {
        let text = title_text("T </title><script>x()</script> & co".into());
        assert_eq!(
            text,
            "T &lt;/title&gt;&lt;script&gt;x()&lt;/script&gt; &amp; co · Runbook portal"
        );
        assert_eq!(title_text(String::new()), "Runbook portal");
    }

    #[test]
    fn page_policy_has_the_nonce_and_no_inline_scripts() {
        let policy = page_policy(Some("abc"));
        assert!(policy.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(policy.contains("frame-ancestors 'none'"));
    }
}
