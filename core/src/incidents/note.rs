//! A timeline note as HTML: responders write Markdown (a command in
//! backticks, a list of what they tried, a link to a dashboard). The note is
//! stored as typed; this is how viewers see it.

use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, html};

/// Markdown → HTML that is safe to place in a page. Raw HTML in the note is
/// shown as text (a responder pasting `<div>` meant the characters), then
/// ammonia keeps only inline formatting, lists, code, quotes and links, and
/// links get `rel="noopener noreferrer nofollow"`.
pub fn html(text: &str) -> String {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES;
    let events = Parser::new_ext(text, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut out, events);
    SANITIZER.clean(&out).to_string()
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .add_tags([
            "p",
            "br",
            "em",
            "strong",
            "del",
            "code",
            "pre",
            "ul",
            "ol",
            "li",
            "blockquote",
            "a",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
        ])
        .add_tag_attributes("a", ["href"])
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow"));
    builder
});

#[cfg(test)]
mod tests {
    use super::html;

    #[test]
    fn markdown_becomes_formatting() {
        assert_eq!(
            html("Restarted `nginx`, **fixed**"),
            "<p>Restarted <code>nginx</code>, <strong>fixed</strong></p>\n"
        );
        assert!(html("- one\n- two").contains("<ul>\n<li>one</li>"));
        assert!(html("[dash](https://grafana.example/d/1)").contains(
            "<a href=\"https://grafana.example/d/1\" rel=\"noopener noreferrer nofollow\">dash</a>"
        ));
    }

    #[test]
    fn hostile_notes_stay_text() {
        let out = html("<script>alert(1)</script> <img src=x onerror=alert(1)>");
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<img"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
        let link = html("[x](javascript:alert(1)) ![i](https://e/i.png)");
        assert!(!link.contains("javascript:"), "{link}");
        assert!(!link.contains("<img"), "{link}");
        // Not a link to Markdown, so it stays text: no tag carries it.
        let attr = html("[x](https://e/\" onmouseover=\"alert(1))");
        assert_eq!(attr, "<p>[x](https://e/\" onmouseover=\"alert(1))</p>\n");
    }
}
