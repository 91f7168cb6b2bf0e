//! The one placeholder syntax, for pages, incident checklists and checks.
//!
//! A placeholder is a Go-template action as alert templates write them:
//! - `{{` EXPR `}}`, EXPR holding no brace. The trim markers `{{-` and
//!   `-}}` are accepted everywhere and mean nothing here: the value takes
//!   the placeholder's place and the whitespace around it stays.
//! - The Helm-escaped `{{ printf "{{ EXPR }}" }}` (quotes also as
//!   `&quot;`, as in HTML) is one placeholder for EXPR.
//! - EXPR refers to `$labels.NAME`, to `$labels` (all labels, Go's
//!   `map[k:v …]`) or to `$value` (with an optional `printf "%.Nf"`);
//!   anything after it in a pipeline is tolerated. Any other action
//!   (`{{ .Values.x }}`, `{{% comment %}}`) is not a placeholder.
//!
//! Filling depends on where the value goes: [`Template`] puts it into
//! rendered HTML as escaped text, or into an attribute encoded for it (a
//! URL's host must be `host[:port]`, its path, query and fragment take the
//! value percent-encoded, and a label never picks a URL's scheme: see
//! [`url`]); [`fill_text`] into
//! plain text (checklist steps); checks accept only a bare
//! `{{ $labels.NAME }}` ([`labels_only`]) and encode each value for its
//! destination (PromQL string, URL component, host:port, DNS name) in
//! `checks::template`. Unknown references stay as written, except in
//! checks, which refuse them: a half-filled check would answer another
//! question.

mod attribute;
pub mod hold;
pub mod url;

use attribute::{AttributeFill, attribute_fill};

use std::fmt::Write;
use std::ops::Range;
use std::sync::LazyLock;

use html_escape::{
    decode_html_entities, encode_double_quoted_attribute as attr, encode_text as esc,
};
use portal_types::Labels;
use regex::Regex;

/// What a placeholder refers to.
#[derive(Debug, Clone, PartialEq)]
pub enum Reference {
    Label(String),
    AllLabels,
    /// `$value`, with an optional `printf "%.Nf"` precision.
    Value(Option<usize>),
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Html(String),
    /// In text: filled as escaped text inside a `<mark>`.
    Placeholder {
        original: String,
        reference: Reference,
    },
    /// Inside an attribute value: filled without markup, encoded for it.
    InAttribute {
        original: String,
        reference: Reference,
        fill: AttributeFill,
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
static BARE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*\$labels\.([A-Za-z_][A-Za-z0-9_]*)\s*$").expect("bare label regex")
});
static PRECISION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"%\.(\d)f").expect("precision regex"));

/// One `{{ … }}` action in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Found<'a> {
    /// The whole action, `{{` to `}}`.
    pub range: Range<usize>,
    pub text: &'a str,
    /// EXPR, trim markers off (for the Helm form, the inner one).
    pub expr: &'a str,
    /// Written as `{{ printf "{{ EXPR }}" }}`.
    pub helm: bool,
}

impl Found<'_> {
    /// What it refers to, if it is a placeholder at all.
    pub fn reference(&self) -> Option<Reference> {
        reference(&decode_html_entities(self.expr))
    }

    /// The label of a bare `{{ $labels.NAME }}`, the one form checks take.
    pub fn bare_label(&self) -> Option<&str> {
        let c = BARE_LABEL.captures(self.expr).filter(|_| !self.helm)?;
        c.get(1).map(|m| m.as_str())
    }
}

/// Every action in `text`, in order.
pub fn find(text: &str) -> impl Iterator<Item = Found<'_>> {
    PLACEHOLDER.captures_iter(text).filter_map(|c| {
        let whole = c.get(0)?;
        let (expr, helm) = match c.name("inner") {
            Some(inner) => (inner.as_str(), true),
            None => (c.name("expr").map_or("", |m| m.as_str()), false),
        };
        Some(Found {
            range: whole.range(),
            text: whole.as_str(),
            expr,
            helm,
        })
    })
}

/// Why a text's placeholders cannot be filled where only labels may stand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    #[error("only {{{{ $labels.name }}}} placeholders work in checks, not {0}")]
    NotALabel(String),
    #[error("the `{{{{` at byte {0} opens no {{{{ $labels.name }}}} placeholder")]
    Stray(usize),
}

impl From<SyntaxError> for String {
    fn from(error: SyntaxError) -> String {
        error.to_string()
    }
}

/// Each placeholder's position and label, where nothing but bare
/// `{{ $labels.NAME }}` may stand (checks): any other action, and any `{{`
/// that opens none, is an error.
pub fn labels_only(text: &str) -> Result<Vec<(Range<usize>, String)>, SyntaxError> {
    let mut out: Vec<(Range<usize>, String)> = Vec::new();
    for found in find(text) {
        let name = found
            .bare_label()
            .ok_or_else(|| SyntaxError::NotALabel(found.text.to_string()))?;
        out.push((found.range.clone(), name.to_string()));
    }
    let covered = |at: usize| out.iter().any(|(r, _)| r.contains(&at));
    match text.match_indices("{{").find(|(at, _)| !covered(*at)) {
        Some((at, _)) => Err(SyntaxError::Stray(at)),
        None => Ok(out),
    }
}

/// Plain text (a checklist step) with its label placeholders filled from
/// `labels`; `$value`, unknown labels and other actions stay as written.
pub fn fill_text(text: &str, labels: &Labels) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for found in find(text) {
        let value = match found.reference() {
            Some(Reference::Label(name)) => labels.get(&name).cloned(),
            Some(Reference::AllLabels) => all_labels(labels),
            _ => None,
        };
        if let Some(value) = value {
            out.push_str(&text[last..found.range.start]);
            out.push_str(&value);
            last = found.range.end;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// `{{ $labels }}` as Go prints a map; none when there are no labels.
fn all_labels(labels: &Labels) -> Option<String> {
    (!labels.is_empty()).then(|| {
        let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        format!("map[{}]", pairs.join(" "))
    })
}

impl Template {
    pub fn parse(html: &str) -> Template {
        let mut parts = Vec::new();
        let mut last = 0;
        let mut markup = Markup::Text;
        let mut scanned = 0;
        for found in find(html) {
            let start = found.range.start;
            markup = markup.after(&html[scanned..start]);
            scanned = start;
            let fill = match markup {
                Markup::Text => None,
                Markup::Quoted(quote) => Some(attribute_fill(html, start, quote)),
                // Between attributes: not a value; left as written.
                Markup::Tag => continue,
            };
            let Some(reference) = found.reference() else {
                continue;
            };
            if start > last {
                parts.push(Part::Html(html[last..start].to_string()));
            }
            let original = found.text.to_string();
            parts.push(match fill {
                None => Part::Placeholder {
                    original,
                    reference,
                },
                Some(fill) => Part::InAttribute {
                    original,
                    reference,
                    fill,
                },
            });
            last = found.range.end;
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
                    Part::Placeholder { original, .. } | Part::InAttribute { original, .. } => {
                        original.len() + 48
                    }
                })
                .sum(),
        );
        for part in &self.parts {
            match part {
                Part::Html(html) => out.push_str(html),
                Part::InAttribute {
                    original,
                    reference,
                    fill,
                } => {
                    let filled = filled(reference, labels, value);
                    match filled.as_deref().and_then(|v| fill.encode(v)) {
                        Some(encoded) => out.push_str(&encoded),
                        None => out.push_str(original),
                    }
                }
                Part::Placeholder {
                    original,
                    reference,
                } => {
                    let _ = match filled(reference, labels, value) {
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

/// The value a placeholder stands for, when it is given.
fn filled(reference: &Reference, labels: &Labels, value: Option<&str>) -> Option<String> {
    match reference {
        Reference::Label(name) => labels.get(name).cloned(),
        Reference::AllLabels => all_labels(labels),
        Reference::Value(precision) => value.map(|v| format_value(v, *precision)),
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

/// `$value` as given (already formatted), or with `printf "%.Nf"`.
fn format_value(value: &str, precision: Option<usize>) -> String {
    match precision {
        Some(p) => portal_types::format::fixed(value, p),
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests;
