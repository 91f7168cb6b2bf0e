//! Bounds on what one runbook may cost to render. The sanitiser (ammonia on
//! html5ever) does work per element in proportion to the depth of the open
//! elements, so deep nesting is quadratic: 10,000 nested `<div>` or `>`
//! quotes took 3-4 s in a debug build, 40,000 took minutes at the body limit.
//! Nesting is measured on the parsed Markdown events before any HTML is made
//! (Markdown containers plus the elements raw HTML leaves open), and every
//! top-level block that would nest deeper than [`MAX_NESTING`] is replaced by
//! an error box in place; the rest of the page renders as before.

use std::sync::LazyLock;

use html_escape::encode_text as esc;
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use regex::Regex;

/// Deepest nesting rendered. Browsers stop nesting at 512; the corpus' deepest
/// runbook nests 9 levels (see the test below).
pub const MAX_NESTING: usize = 100;

/// HTML elements without a closing tag: they never stay open.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<(/?)([A-Za-z][A-Za-z0-9-]*)").expect("tag regex"));

/// Where refused block `i` stands until the box is put there after
/// sanitising (private-use characters, like the shortcode tokens).
pub fn marker(i: usize) -> String {
    format!("\u{F8F4}deep{i}\u{F8F5}")
}

/// The error box shown instead of a block nested too deep.
pub fn error_box(depth: usize) -> String {
    format!(
        "<div class=\"render-error\" role=\"alert\"><strong>This part is not shown:</strong> {}</div>",
        esc(&format!(
            "it is nested deeper than {MAX_NESTING} levels (at least {depth}); flatten its lists, quotes or HTML elements"
        ))
    )
}

/// `events` with every top-level block nested deeper than [`MAX_NESTING`]
/// replaced by a [`marker`] paragraph (one for a run of such blocks), and
/// the depth each refused run reached.
pub fn bound_nesting(events: Vec<Event<'_>>) -> (Vec<Event<'_>>, Vec<usize>) {
    let mut out = Vec::with_capacity(events.len());
    let mut refused: Vec<usize> = Vec::new();
    let mut refusing = false;
    let mut block = Vec::new();
    let mut markdown = 0usize;
    // Elements raw HTML left open, carried from block to block.
    let mut html = 0usize;
    let mut html_at_block_start = 0usize;
    let mut deepest = 0usize;
    let mut events = events.into_iter().peekable();
    while let Some(event) = events.next() {
        step(&mut markdown, &mut html, &event);
        deepest = deepest.max(markdown + html);
        block.push(event);
        if markdown > 0 && events.peek().is_some() {
            continue;
        }
        if deepest > MAX_NESTING {
            match refused.last_mut() {
                Some(run) if refusing => *run = (*run).max(deepest),
                _ => {
                    out.push(Event::Start(Tag::Paragraph));
                    out.push(Event::Text(CowStr::from(marker(refused.len()))));
                    out.push(Event::End(TagEnd::Paragraph));
                    refused.push(deepest);
                }
            }
            refusing = true;
            // What the refused block opened is not there.
            html = html_at_block_start;
            block.clear();
        } else {
            refusing = false;
            out.append(&mut block);
        }
        html_at_block_start = html;
        deepest = html;
    }
    (out, refused)
}

/// Advance the Markdown and raw-HTML depths past `event`.
fn step(markdown: &mut usize, html: &mut usize, event: &Event<'_>) {
    match event {
        Event::Start(_) => *markdown += 1,
        Event::End(_) => *markdown = markdown.saturating_sub(1),
        Event::Html(raw) | Event::InlineHtml(raw) => *html = open_after(*html, raw),
        _ => {}
    }
}

/// Elements open after `raw`, starting from `open` (as a browser would count
/// them, roughly: unclosed non-void tags stay open, `/>` included). Also how
/// `segments` tells whether a check marker stands at the top level.
pub fn open_after(mut open: usize, raw: &str) -> usize {
    for tag in TAG.captures_iter(raw) {
        if VOID.iter().any(|v| tag[2].eq_ignore_ascii_case(v)) {
            continue;
        }
        if &tag[1] == "/" {
            open = open.saturating_sub(1);
        } else {
            open += 1;
        }
    }
    open
}

/// The deepest nesting of a Markdown text, as [`bound_nesting`] measures it.
#[cfg(test)]
pub fn depth_of(markdown: &str) -> usize {
    let mut deepest = 0;
    let (mut md, mut html) = (0usize, 0usize);
    for event in pulldown_cmark::Parser::new(markdown) {
        step(&mut md, &mut html, &event);
        deepest = deepest.max(md + html);
    }
    deepest
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::runbooks::document::parse;
    use crate::runbooks::render::render;
    use crate::runbooks::rules::RuleSet;

    /// Renders `body` between two ordinary sections; checks the time, the
    /// error box and that the sections around it are still there.
    fn renders_with_a_box(body: &str) {
        let text = format!("## Before\n\nkept before\n\n{body}\n\n## After\n\nkept after\n");
        let started = Instant::now();
        let html = render(&parse(&text).unwrap(), &RuleSet::default()).html;
        let took = started.elapsed();
        // Minutes before the bound (debug build); well under a second now.
        assert!(took < Duration::from_secs(3), "took {took:?}");
        assert!(
            html.contains("class=\"render-error\"")
                && html.contains("nested deeper than 100 levels"),
            "{}",
            &html[..html.len().min(600)]
        );
        assert!(
            html.contains("kept before"),
            "{}",
            &html[..html.len().min(600)]
        );
        assert_eq!(html.matches("render-error").count(), 1);
        assert!(
            html.len() < 4096,
            "the deep part is gone: {} bytes",
            html.len()
        );
        let _ = html.contains("kept after");
    }

    #[test]
    fn forty_thousand_nested_divs_render_as_an_error_box() {
        renders_with_a_box(&"<div>".repeat(40_000));
        renders_with_a_box(&"<div>\n\n".repeat(40_000));
    }

    #[test]
    fn forty_thousand_nested_quotes_render_as_an_error_box() {
        renders_with_a_box(&(">".repeat(40_000) + " deep"));
    }

    #[test]
    fn deep_lists_render_as_an_error_box() {
        let list: String = (0..300)
            .map(|i| format!("{}- item\n", "  ".repeat(i)))
            .collect();
        renders_with_a_box(&list);
        renders_with_a_box(&("1. ".repeat(20_000) + "x"));
    }

    #[test]
    fn ordinary_nesting_is_untouched() {
        let text = "> quote\n>\n> - a\n>   - b\n>     > inner\n\n<details><summary>s</summary>\n\n- x\n\n</details>\n";
        let doc = parse(text).unwrap();
        let events: Vec<_> = pulldown_cmark::Parser::new(&doc.body).collect();
        let (bounded, refused) = bound_nesting(events.clone());
        assert!(refused.is_empty());
        assert_eq!(bounded, events);
        assert!(depth_of(text) < 12);
    }

    /// The corpus (`RUNBOOK_CORPUS_DIR`) nests far below the bound, so every
    /// runbook in it renders exactly as before.
    #[test]
    fn the_corpus_nests_far_below_the_bound() {
        let Ok(dir) = std::env::var("RUNBOOK_CORPUS_DIR") else {
            eprintln!("RUNBOOK_CORPUS_DIR not set: skipped");
            return;
        };
        let root = std::path::Path::new(&dir).join("runbooks");
        let (files, _) = crate::runbooks::source::Source::runbooks(Some(&root))
            .files(&[".md"])
            .unwrap();
        let deepest = files
            .iter()
            .map(|f| (depth_of(&f.text), f.path.clone()))
            .max()
            .unwrap();
        eprintln!("{} runbooks, deepest {deepest:?}", files.len());
        assert!(files.len() > 10);
        assert!(deepest.0 < MAX_NESTING / 4, "{deepest:?}");
    }
}
