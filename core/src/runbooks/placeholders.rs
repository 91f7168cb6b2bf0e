//! Go-template placeholders in a rendered runbook (`{{ $labels.instance }}`,
//! `{{ $value | printf "%.2f" }}`, Helm-escaped `{{ printf "{{ $labels.x }}" }}`),
//! filled per request from the labels in the page URL. The HTML is split once
//! at load time, so a request only concatenates.

use std::fmt::Write;
use std::sync::LazyLock;

use html_escape::{
    decode_html_entities, encode_double_quoted_attribute as attr, encode_text as esc,
};
use portal_types::Labels;
use regex::Regex;

/// What a placeholder refers to.
#[derive(Debug, Clone, PartialEq)]
enum Reference {
    Label(String),
    AllLabels,
    /// `$value`, with an optional `printf "%.Nf"` precision.
    Value(Option<usize>),
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Html(String),
    Placeholder {
        original: String,
        reference: Reference,
    },
}

/// Rendered HTML with its placeholders located.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Template {
    parts: Vec<Part>,
}

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"\{\{-?\s*printf\s+(?:"|&quot;)\{\{(?P<inner>.*?)\}\}(?:"|&quot;)\s*-?\}\}|\{\{-?(?P<expr>[^{}]*?)-?\}\}"#,
    )
    .expect("placeholder regex")
});
static LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$labels\.([A-Za-z_][A-Za-z0-9_]*)").expect("label regex"));
static PRECISION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"%\.(\d)f").expect("precision regex"));

impl Template {
    pub fn parse(html: &str) -> Template {
        let mut parts = Vec::new();
        let mut last = 0;
        let mut markup = Markup::Text;
        let mut scanned = 0;
        for captures in PLACEHOLDER.captures_iter(html) {
            let Some(whole) = captures.get(0) else {
                continue;
            };
            markup = markup.after(&html[scanned..whole.start()]);
            scanned = whole.start();
            if markup != Markup::Text {
                // Inside a tag (an attribute): a label value there could make
                // a `javascript:` URL the sanitiser never saw, and a `<mark>`
                // would break the tag. Left as written.
                continue;
            }
            let expr = captures
                .name("inner")
                .or(captures.name("expr"))
                .map_or("", |m| m.as_str());
            let Some(reference) = reference(&decode_html_entities(expr)) else {
                continue;
            };
            if whole.start() > last {
                parts.push(Part::Html(html[last..whole.start()].to_string()));
            }
            parts.push(Part::Placeholder {
                original: whole.as_str().to_string(),
                reference,
            });
            last = whole.end();
        }
        if last < html.len() {
            parts.push(Part::Html(html[last..].to_string()));
        }
        Template { parts }
    }

    pub fn has_placeholders(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Placeholder { .. }))
    }

    /// The HTML with every placeholder filled from `labels` (escaped) or, when
    /// not given, kept visibly marked as a placeholder.
    pub fn fill(&self, labels: &Labels, value: Option<&str>) -> String {
        let mut out = String::with_capacity(
            self.parts
                .iter()
                .map(|p| match p {
                    Part::Html(h) => h.len(),
                    Part::Placeholder { original, .. } => original.len() + 48,
                })
                .sum(),
        );
        for part in &self.parts {
            match part {
                Part::Html(html) => out.push_str(html),
                Part::Placeholder {
                    original,
                    reference,
                } => {
                    let filled = match reference {
                        Reference::Label(name) => labels.get(name).cloned(),
                        Reference::AllLabels => (!labels.is_empty()).then(|| {
                            let pairs: Vec<String> =
                                labels.iter().map(|(k, v)| format!("{k}:{v}")).collect();
                            format!("map[{}]", pairs.join(" "))
                        }),
                        Reference::Value(precision) => value.map(|v| format_value(v, *precision)),
                    };
                    let _ = match filled {
                        Some(text) => write!(
                            out,
                            "<mark class=\"filled\" title=\"{}\">{}</mark>",
                            attr(&describe(reference)),
                            esc(&text)
                        ),
                        None => write!(
                            out,
                            "<mark class=\"placeholder\" title=\"{} not given\">{original}</mark>",
                            attr(&describe(reference))
                        ),
                    };
                }
            }
        }
        out
    }
}

/// Where a position in sanitised HTML is: in text, or inside a tag (and
/// there, inside a quoted attribute value). Scanned on from the previous
/// placeholder, so parsing stays linear.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Markup {
    Text,
    Tag,
    Quoted(u8),
}

impl Markup {
    fn after(mut self, html: &str) -> Markup {
        for byte in html.bytes() {
            self = match (self, byte) {
                (Markup::Text, b'<') => Markup::Tag,
                (Markup::Tag, b'>') => Markup::Text,
                (Markup::Tag, q @ (b'"' | b'\'')) => Markup::Quoted(q),
                (Markup::Quoted(q), b) if b == q => Markup::Tag,
                (state, _) => state,
            };
        }
        self
    }
}

fn reference(expr: &str) -> Option<Reference> {
    if let Some(label) = LABEL.captures(expr) {
        return Some(Reference::Label(label[1].to_string()));
    }
    if expr.contains("$labels") {
        return Some(Reference::AllLabels);
    }
    if expr.contains("$value") {
        let precision = PRECISION.captures(expr).and_then(|c| c[1].parse().ok());
        return Some(Reference::Value(precision));
    }
    None
}

fn describe(reference: &Reference) -> String {
    match reference {
        Reference::Label(name) => format!("label {name}"),
        Reference::AllLabels => "labels".into(),
        Reference::Value(_) => "value".into(),
    }
}

fn format_value(value: &str, precision: Option<usize>) -> String {
    match (precision, value.parse::<f64>()) {
        (Some(p), Ok(number)) => format!("{number:.p$}"),
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::labels;

    #[test]
    fn fills_given_labels_escaped_and_marks_missing_ones() {
        let t = Template::parse("<p>on {{ $labels.instance }} job {{$labels.job}}</p>");
        let html = t.fill(&labels(&[("instance", "<b>db1</b>")]), None);
        assert!(html.contains("&lt;b&gt;db1&lt;/b&gt;"), "{html}");
        assert!(!html.contains("<b>db1"));
        assert!(
            html.contains(
                "class=\"placeholder\" title=\"label job not given\">{{$labels.job}}</mark>"
            ),
            "{html}"
        );
    }

    #[test]
    fn tolerates_go_template_forms() {
        let t = Template::parse(
            "v={{ $value | printf &quot;%.2f&quot;}} h={{ printf &quot;{{ $labels.node }}&quot; }} all={{ $labels }} keep={{ .Values.x }}",
        );
        let html = t.fill(&labels(&[("node", "n1")]), Some("0.12345"));
        assert!(html.contains(">0.12</mark>"), "{html}");
        assert!(html.contains(">n1</mark>"), "{html}");
        assert!(
            !html.contains("&quot; }}"),
            "Helm form consumed whole: {html}"
        );
        assert!(html.contains(">map[node:n1]</mark>"), "{html}");
        assert!(
            html.contains("keep={{ .Values.x }}"),
            "unknown forms stay as text: {html}"
        );
    }

    #[test]
    fn placeholders_inside_tags_stay_as_written() {
        let t = Template::parse(
            "<a href=\"{{ $labels.url }}\" title=\"a > {{ $labels.instance }}\">on {{ $labels.instance }}</a>",
        );
        let html = t.fill(
            &labels(&[("url", "javascript:alert(1)"), ("instance", "\"><script>")]),
            None,
        );
        assert_eq!(
            html,
            "<a href=\"{{ $labels.url }}\" title=\"a > {{ $labels.instance }}\">on <mark class=\"filled\" title=\"label instance\">\"&gt;&lt;script&gt;</mark></a>"
        );
    }

    #[test]
    fn html_without_placeholders_is_one_part() {
        let t = Template::parse("<p>plain</p>");
        assert!(!t.has_placeholders());
        assert_eq!(t.fill(&Labels::new(), None), "<p>plain</p>");
    }
}
