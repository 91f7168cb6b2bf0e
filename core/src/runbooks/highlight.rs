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

/// A `<pre><code>` block for `code`, highlighted when `lang` is known.
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
    format!("<pre><code{lang_attr}>{body}</code></pre>")
}

fn highlight(lang: &str, code: &str) -> Option<String> {
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
