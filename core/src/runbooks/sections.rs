//! Pieces of a runbook's Markdown that other engines need as data, not HTML.
//! Pure functions over the source text, so they are cheap to test.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

/// The list items under the `## Mitigation` heading, in order, as plain
/// text. They become an incident's checklist. Only top-level items count:
/// a nested list belongs to its parent step. The section ends at the next
/// heading of the same or a higher level.
pub fn mitigation_items(markdown: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut in_heading: Option<HeadingLevel> = None;
    let mut heading_text = String::new();
    // Level of the Mitigation heading while inside its section.
    let mut section: Option<HeadingLevel> = None;
    let mut list_depth = 0usize;
    let mut current: Option<String> = None;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                if section.is_some_and(|s| level <= s) {
                    section = None;
                }
                in_heading = Some(level);
                heading_text.clear();
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(level) = in_heading.take()
                    && section.is_none()
                    && heading_text.trim().eq_ignore_ascii_case("mitigation")
                {
                    section = Some(level);
                }
            }
            Event::Start(Tag::List(_)) if section.is_some() => list_depth += 1,
            Event::End(TagEnd::List(_)) if section.is_some() => {
                list_depth = list_depth.saturating_sub(1)
            }
            Event::Start(Tag::Item) if section.is_some() && list_depth == 1 => {
                current = Some(String::new());
            }
            Event::End(TagEnd::Item) if section.is_some() && list_depth == 1 => {
                if let Some(text) = current.take() {
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    if !text.is_empty() {
                        items.push(text);
                    }
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if in_heading.is_some() {
                    heading_text.push_str(&text);
                } else if list_depth == 1
                    && let Some(current) = current.as_mut()
                {
                    current.push_str(&text);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(current) = current.as_mut() {
                    current.push(' ');
                }
            }
            _ => {}
        }
    }
    items
}

/// The standard sections a runbook has (Meaning, Impact, Diagnosis,
/// Mitigation), in file order, each with its plain text. A section runs to the
/// next heading of the same or a higher level.
pub fn standard_sections(markdown: &str) -> Vec<(String, String)> {
    const NAMES: [&str; 4] = ["Meaning", "Impact", "Diagnosis", "Mitigation"];
    let mut sections: Vec<(String, String)> = Vec::new();
    let mut open: Option<HeadingLevel> = None;
    let mut heading: Option<(HeadingLevel, String)> = None;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                if open.is_some_and(|l| level <= l) {
                    open = None;
                }
                heading = Some((level, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = heading.take() {
                    let name = NAMES.iter().find(|n| text.trim().eq_ignore_ascii_case(n));
                    if let (None, Some(name)) = (open, name) {
                        open = Some(level);
                        sections.push((name.to_string(), String::new()));
                    } else if let Some(section) = sections.last_mut().filter(|_| open.is_some()) {
                        section.1.push_str(&text);
                        section.1.push('\n');
                    }
                }
            }
            Event::Text(text) | Event::Code(text) => match (&mut heading, sections.last_mut()) {
                (Some((_, h)), _) => h.push_str(&text),
                (None, Some(section)) if open.is_some() => section.1.push_str(&text),
                _ => {}
            },
            Event::SoftBreak | Event::HardBreak | Event::End(_) => {
                if let (None, Some(section)) = (&heading, sections.last_mut())
                    && open.is_some()
                    && !section.1.ends_with('\n')
                {
                    section.1.push('\n');
                }
            }
            _ => {}
        }
    }
    for section in &mut sections {
        section.1 = section.1.trim().to_string();
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_under_mitigation_only_in_order() {
        let text = "# Alert\n\n## Diagnosis\n\n- look at logs\n\n## Mitigation\n\n1. Restart the **service** with `systemctl restart x`\n2. Scale up\n   - nested detail\n3. Tell the\n   team\n\n## Escalation\n\n- call bob\n";
        assert_eq!(
            mitigation_items(text),
            vec![
                "Restart the service with systemctl restart x",
                "Scale up",
                "Tell the team"
            ]
        );
    }

    #[test]
    fn standard_sections_in_order_with_text() {
        let text = "# A\n\nintro\n\n## Meaning\n\nIt means `x`.\n\n## Impact\n\nUsers wait.\n\n### Detail\n\nmore\n\n## Other\n\nnot a section\n";
        let sections = standard_sections(text);
        let names: Vec<&str> = sections.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Meaning", "Impact"]);
        assert_eq!(sections[0].1, "It means x.");
        assert!(sections[1].1.contains("Users wait.") && sections[1].1.contains("more"));
        assert!(!sections[1].1.contains("not a section"));
    }

    #[test]
    fn unordered_lists_subsections_and_missing_section() {
        let text = "## mitigation\n\n* a\n\n### Details\n\n* b\n\n## Next\n\n* c\n";
        assert_eq!(mitigation_items(text), vec!["a", "b"]);
        assert!(mitigation_items("## Meaning\n\n- x\n").is_empty());
        assert!(mitigation_items("").is_empty());
    }
}
