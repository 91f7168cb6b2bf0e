//! A rendered body cut where its checks stand, so the page can put a live
//! check card (a Leptos component) between pieces of server-made HTML. Only
//! checks at the top level of the document are cut out: splitting inside a
//! list or a `<details>` would break its HTML, so those get a static card.

use super::document::check_marker;
use super::limits::open_after;
use crate::checks::CheckSpec;
use crate::checks::views::static_card;
use crate::placeholders::Template;

#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    Html(Template),
    /// Check `i` of the runbook.
    Check(usize),
}

/// Split `html` at the markers of `checks`, in one pass: the depth at each
/// marker is counted on from the previous one (counting from the start for
/// each marker was quadratic in the number of checks).
pub fn split(html: &str, checks: &[CheckSpec]) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut pending = String::new();
    let mut last = 0;
    let mut open = 0;
    for (i, check) in checks.iter().enumerate() {
        let marker = check_marker(i);
        let Some(found) = html[last..].find(&marker) else {
            continue;
        };
        let at = last + found;
        open = open_after(open, &html[last..at]);
        pending.push_str(&html[last..at]);
        if open == 0 {
            if !pending.is_empty() {
                segments.push(Segment::Html(Template::parse(&pending)));
                pending.clear();
            }
            segments.push(Segment::Check(i));
        } else {
            pending.push_str(&static_card(check));
        }
        last = at + marker.len();
    }
    pending.push_str(&html[last..]);
    if !pending.is_empty() {
        segments.push(Segment::Html(Template::parse(&pending)));
    }
    segments
}

/// `html` with every marker replaced by a static card (group intros), in
/// one pass as `split` does (replacing marker by marker rescanned the page
/// once per check).
pub fn flatten(html: &str, checks: &[CheckSpec]) -> String {
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    for (i, check) in checks.iter().enumerate() {
        let marker = check_marker(i);
        if let Some(found) = html[last..].find(&marker) {
            out.push_str(&html[last..last + found]);
            out.push_str(&static_card(check));
            last += found + marker.len();
        }
    }
    out.push_str(&html[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbooks::document::parse;
    use crate::runbooks::render::render;
    use crate::runbooks::rules::RuleSet;

    #[test]
    fn top_level_checks_are_cut_nested_ones_stay_static() {
        let doc = parse(
            "## Diagnosis\n\n```check\nid: a\npromql: up\n```\n\nBetween.<br>\n\n1. step\n\n   ```check\n   id: b\n   promql: up\n   ```\n\n<details><summary>s</summary>\n\n```check\nid: c\npromql: up\n```\n\n</details>\n",
        )
        .unwrap();
        let rendered = render(&doc, &RuleSet::default());
        assert_eq!(rendered.checks.len(), 3);
        let segments = split(&rendered.html, &rendered.checks);
        let cut: Vec<usize> = segments
            .iter()
            .filter_map(|s| match s {
                Segment::Check(i) => Some(*i),
                Segment::Html(_) => None,
            })
            .collect();
        assert_eq!(cut, [0], "{segments:?}");
        let html: String = segments
            .iter()
            .filter_map(|s| match s {
                Segment::Html(t) => Some(t.fill(&Default::default(), None)),
                Segment::Check(_) => None,
            })
            .collect();
        assert!(
            html.contains("id=\"check-b\"") && html.contains("id=\"check-c\""),
            "{html}"
        );
        assert!(!html.contains('\u{F8F2}'), "no marker left: {html}");
        let flat = flatten(&rendered.html, &rendered.checks);
        for id in ["a", "b", "c"] {
            assert_eq!(
                flat.matches(&format!("id=\"check-{id}\"")).count(),
                1,
                "{flat}"
            );
        }
        assert!(!flat.contains('\u{F8F2}'), "no marker left: {flat}");
    }

    #[test]
    fn malformed_check_is_an_error_box_in_place() {
        let doc = parse("```check\nid: x\nshell: rm -rf /\n```\n\nafter").unwrap();
        let rendered = render(&doc, &RuleSet::default());
        assert!(rendered.checks.is_empty());
        assert!(rendered.html.contains("check-error"), "{}", rendered.html);
        assert!(rendered.html.contains("after"));
    }
}
