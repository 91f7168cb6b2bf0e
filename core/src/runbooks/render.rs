//! Markdown to safe HTML, in small passes (as mdBook does): parse with
//! pulldown-cmark, give headings ids, render, sanitise with ammonia, then put
//! the server-made HTML for shortcodes where their tokens stand.

use std::collections::HashSet;
use std::sync::LazyLock;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as esc};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::document::{Document, Shortcode, check_marker, token};
pub use super::rule_box::RuleSource;
use super::rule_box::rule_box;
use super::rules::{Rule, RuleSet};
use super::{fragments, highlight, limits};
use crate::checks::CheckSpec;
use crate::placeholders::{self, hold::Held};

/// A heading of the body, for the table of contents.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
    /// The rule the page shows, and where it came from.
    pub rule: Option<(Rule, RuleSource)>,
    /// Plain text of the body, for the search index.
    pub text: String,
    /// Valid ```` ```check ```` blocks, in order; the HTML holds a
    /// [`check_marker`] where each one stands.
    pub checks: Vec<CheckSpec>,
}

const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_HEADING_ATTRIBUTES)
    .union(Options::ENABLE_DEFINITION_LIST);

pub fn render(doc: &Document, rules: &RuleSet) -> Rendered {
    // Placeholders are held out while Markdown is parsed, so a link target
    // may hold `{{ $labels.instance }}` (spaces and braces included); every
    // text comes back at once, and what stays held (link and image targets
    // and titles) comes back into its attribute after sanitising.
    let (source, held) = placeholders::hold::hold(&doc.body);
    let events: Vec<Event<'_>> = Parser::new_ext(&source, OPTIONS)
        .map(|event| released(event, &held))
        .collect();
    let text = plain_text(&events);
    // Before any HTML is made: deep nesting costs the sanitiser quadratic time.
    let (events, too_deep) = limits::bound_nesting(events);
    let events = without_leading_title(events);
    let (events, headings) = with_heading_ids(events);
    let first_code_token = doc.shortcodes.len();
    let (events, code_blocks) = lift_code_blocks(events, first_code_token);
    let mut html = String::with_capacity(doc.body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    let html = SANITIZER.clean(&html).to_string();
    let html = held.release(&html, attr).into_owned();
    let mut shown_rule = None;
    let mut pieces = Vec::with_capacity(first_code_token + code_blocks.len());
    for shortcode in &doc.shortcodes {
        pieces.push(match shortcode {
            Shortcode::Rule { file, alert } => {
                let (box_html, rule) = rule_box(file, alert, rules, &doc.comment_yaml);
                if shown_rule.is_none() {
                    shown_rule = rule;
                }
                box_html
            }
            Shortcode::Unknown { raw } => format!(
                "<div class=\"notice shortcode-unknown\">Unsupported shortcode <code>{}</code> (not rendered)</div>",
                esc(raw)
            ),
        });
    }
    let mut checks = Vec::new();
    let mut check_ids = HashSet::new();
    for block in &code_blocks {
        pieces.push(if block.lang == "check" {
            match crate::checks::spec::parse(&block.code, &mut check_ids) {
                Ok(spec) => {
                    checks.push(spec);
                    check_marker(checks.len() - 1)
                }
                Err(problem) => check_error(&problem.0, &block.code),
            }
        } else {
            highlight::code_block(&block.lang, &block.code)
        });
    }
    let boxes: Vec<String> = too_deep.iter().map(|d| limits::error_box(*d)).collect();
    let html = fragments::put(&html, &pieces, &boxes);
    Rendered {
        html,
        headings,
        rule: shown_rule,
        text,
        checks,
    }
}

/// A malformed check block, shown where it stands; the rest of the page renders.
fn check_error(problem: &str, code: &str) -> String {
    format!(
        "<div class=\"check-error\" role=\"alert\"><strong>This check block cannot be used:</strong> {}{}</div>",
        esc(problem),
        highlight::code_block("", code)
    )
}

/// The event with the placeholders of its text released.
fn released<'a>(event: Event<'a>, held: &Held) -> Event<'a> {
    let release = |text: CowStr<'a>| match held.release(&text, placeholders::hold::verbatim) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(owned) => CowStr::from(owned),
    };
    match event {
        Event::Text(text) => Event::Text(release(text)),
        Event::Code(text) => Event::Code(release(text)),
        Event::Html(text) => Event::Html(release(text)),
        Event::InlineHtml(text) => Event::InlineHtml(release(text)),
        other => other,
    }
}

/// A fenced or indented code block, taken out for highlighting.
struct CodeBlock {
    lang: String,
    code: String,
}

/// Swap each code block for a token paragraph; its highlighted HTML is made
/// by our code (which escapes) and put back after sanitising.
fn lift_code_blocks(
    events: Vec<Event<'_>>,
    first_token: usize,
) -> (Vec<Event<'_>>, Vec<CodeBlock>) {
    let mut out = Vec::with_capacity(events.len());
    let mut blocks = Vec::new();
    let mut current: Option<CodeBlock> = None;
    for event in events {
        match (&mut current, event) {
            (None, Event::Start(Tag::CodeBlock(kind))) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                current = Some(CodeBlock {
                    lang,
                    code: String::new(),
                });
            }
            (Some(block), Event::Text(text)) => block.code.push_str(&text),
            (Some(_), Event::End(TagEnd::CodeBlock)) => {
                if let Some(block) = current.take() {
                    out.push(Event::Start(Tag::Paragraph));
                    out.push(Event::Text(CowStr::from(token(first_token + blocks.len()))));
                    out.push(Event::End(TagEnd::Paragraph));
                    blocks.push(block);
                }
            }
            (Some(_), _) => {}
            (None, event) => out.push(event),
        }
    }
    (out, blocks)
}

/// Drop the body's opening `# Title`: the page shows the title itself.
fn without_leading_title(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let starts_with_h1 = matches!(
        events.first(),
        Some(Event::Start(Tag::Heading {
            level: HeadingLevel::H1,
            ..
        }))
    );
    if !starts_with_h1 {
        return events;
    }
    let end = events
        .iter()
        .position(|e| matches!(e, Event::End(TagEnd::Heading(HeadingLevel::H1))));
    match end {
        Some(end) => events.into_iter().skip(end + 1).collect(),
        None => events,
    }
}

/// The words of the body, for search.
fn plain_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => {
                text.push_str(t);
                text.push(' ');
            }
            Event::SoftBreak | Event::HardBreak | Event::End(_) => text.push(' '),
            _ => {}
        }
    }
    text
}

/// Allow-list sanitiser: ammonia's defaults plus `<details>`, `<summary>` and
/// heading ids. Scripts, event handlers and `javascript:` URLs never pass.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags(["details", "summary"])
        .add_tag_attributes("details", ["open"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tags(["input"])
        .add_generic_attributes(["id"])
        .add_allowed_classes(
            "code",
            [
                "language-yaml",
                "language-bash",
                "language-promql",
                "language-shell",
            ],
        );
    builder
});

/// Give every heading an id (its slug, made unique) unless it has one.
fn with_heading_ids(events: Vec<Event<'_>>) -> (Vec<Event<'_>>, Vec<Heading>) {
    let mut used = HashSet::new();
    let mut headings = Vec::new();
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) = &events[i]
        {
            let end = events[i..]
                .iter()
                .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
                .map_or(i, |p| i + p);
            let text: String = events[i + 1..end]
                .iter()
                .filter_map(|e| match e {
                    Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                    _ => None,
                })
                .collect();
            let base = id.as_ref().map_or_else(|| slug(&text), |id| id.to_string());
            let mut unique = base.clone();
            let mut n = 1;
            while !used.insert(unique.clone()) {
                unique = format!("{base}-{n}");
                n += 1;
            }
            headings.push(Heading {
                level: level_number(*level),
                id: unique.clone(),
                text: text.trim().to_string(),
            });
            out.push(Event::Start(Tag::Heading {
                level: *level,
                id: Some(CowStr::from(unique.clone())),
                classes: classes.clone(),
                attrs: attrs.clone(),
            }));
            out.push(Event::Html(CowStr::from(format!(
                "<a class=\"anchor\" href=\"#{unique}\">#</a> "
            ))));
            i += 1;
            continue;
        }
        out.push(events[i].clone());
        i += 1;
    }
    (out, headings)
}

fn level_number(level: HeadingLevel) -> u8 {
    level as u8
}

/// `Check the disk (sda)` → `check-the-disk-sda`.
pub fn slug(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if (c.is_whitespace() || c == '-' || c == '_') && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-').to_string();
    if slug.is_empty() {
        "section".into()
    } else {
        slug
    }
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
