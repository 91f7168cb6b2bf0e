//! Server-side syntax highlighting of code blocks with syntect (CSS classes
//! prefixed `hl-`, styled in `style/`). Unknown languages (PromQL among them)
//! are shown escaped, unhighlighted.

use std::sync::LazyLock;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as esc};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// Aliases the bundled syntaxes do not know by these names.
fn syntax_token(lang: &str) -> &str {
    match lang {
        "shell" | "sh" | "console" | "zsh" => "bash",
        "yml" => "yaml",
        other => other,
    }
}

/// A `<pre><code>` block for `code`, highlighted when `lang` is known: the
/// one place the portal writes a code block. A long line scrolls inside the
/// block, so the block takes keyboard focus (`tabindex`) to be scrollable
/// without a mouse.
pub fn code_block(lang: &str, code: &str) -> String {
    let lang_attr = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", attr(lang))
    };
    let highlighted = (!lang.is_empty())
        .then(|| highlight(syntax_token(&lang.to_lowercase()), code))
        .flatten();
    let body = highlighted.unwrap_or_else(|| esc(code).into_owned());
    format!("<pre tabindex=\"0\"><code{lang_attr}>{body}</code></pre>")
}

/// Highlight `code` with each `{{ … }}` placeholder held out as one opaque
/// word, so `Template` still finds and fills it in the page.
fn highlight(lang: &str, code: &str) -> Option<String> {
    let (masked, held) = crate::placeholders::hold::hold(code);
    let html = highlight_raw(lang, &masked)?;
    Some(held.release(&html, esc).into_owned())
}

fn highlight_raw(lang: &str, code: &str) -> Option<String> {
    let syntax = SYNTAXES.find_syntax_by_token(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        &SYNTAXES,
        ClassStyle::SpacedPrefixed { prefix: "hl-" },
    );
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

#[cfg(test)]
mod tests {
    use super::code_block;
    use crate::placeholders::Template;

    /// A highlighted block as a page with these labels shows it.
    fn filled(lang: &str, code: &str) -> String {
        let labels = [
            ("mountpoint".to_string(), "/var".to_string()),
            ("instance".to_string(), "db1:9100".to_string()),
        ]
        .into();
        Template::parse(&code_block(lang, code)).fill(&labels, None)
    }

    #[test]
    fn placeholders_are_filled_in_every_highlighted_language() {
        let cases = [
            (
                "bash",
                "df -h {{ $labels.mountpoint }}\nsudo du -xh {{ $labels.mountpoint }} | sort -h\n",
            ),
            (
                "yaml",
                "path: {{ $labels.mountpoint }}\nhost: \"{{ $labels.instance }}\"\n",
            ),
            (
                "python",
                "print(\"{{ $labels.mountpoint }}\")  # {{ $labels.instance }}\n",
            ),
            (
                "sql",
                "SELECT * FROM t WHERE m = '{{- $labels.mountpoint -}}';\n",
            ),
        ];
        for (lang, code) in cases {
            let html = filled(lang, code);
            assert!(!html.contains("{{"), "{lang}: left unfilled: {html}");
            assert!(!html.contains("zqportalplaceholder"), "{lang}: {html}");
            assert!(html.contains(">/var</mark>"), "{lang}: {html}");
            assert!(html.contains("hl-"), "{lang}: still highlighted: {html}");
        }
    }

    #[test]
    fn a_label_value_stays_text_and_other_actions_stay_as_written() {
        let labels = [("mountpoint".to_string(), "<b>x</b>".to_string())].into();
        let html = Template::parse(&code_block(
            "bash",
            "df {{ $labels.mountpoint }} {{ .Values.x }}\n",
        ))
        .fill(&labels, None);
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"), "{html}");
        assert!(!html.contains("<b>x"), "{html}");
        assert!(html.contains(".Values.x"), "{html}");
    }
}
