//! A runbook file taken apart: YAML front matter, then the Markdown body with
//! Hugo shortcodes lifted out and replaced by tokens that the renderer fills
//! in after sanitising.

use std::sync::LazyLock;

use regex::Regex;
use serde_yaml_ng::Value;

/// Front matter keys the portal uses; the rest is kept by the file only.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub date: Option<String>,
}

/// A shortcode found in the body.
#[derive(Debug, Clone, PartialEq)]
pub enum Shortcode {
    /// `{{% rule "file.yml" "Alert" %}}`.
    Rule { file: String, alert: String },
    /// Anything else, shown as a notice rather than dropped.
    Unknown { raw: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub front: FrontMatter,
    /// Markdown with every shortcode replaced by [`token`]`(i)`.
    pub body: String,
    pub shortcodes: Vec<Shortcode>,
    /// YAML of the rule copies inside `{{% comment %}}` blocks.
    pub comment_yaml: Vec<String>,
    /// Line of the body's first line in the file (after front matter).
    pub body_line: usize,
}

/// Why a file is not a usable runbook.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Placeholder for shortcode `i`: private-use characters that neither
/// Markdown nor the sanitiser touch and no real text contains.
pub fn token(i: usize) -> String {
    format!("\u{F8F0}sc{i}\u{F8F1}")
}

/// Where check `i` of a runbook stands in its rendered HTML, until the page
/// puts a live card (or a static one) there.
pub fn check_marker(i: usize) -> String {
    format!("\u{F8F2}check{i}\u{F8F3}")
}

pub fn parse(text: &str) -> Result<Document, ParseError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let (front, body, body_line) = split_front_matter(text)?;
    let (body, shortcodes, comment_yaml) = lift_shortcodes(body);
    Ok(Document {
        front,
        body,
        shortcodes,
        comment_yaml,
        body_line,
    })
}

fn split_front_matter(text: &str) -> Result<(FrontMatter, &str, usize), ParseError> {
    let mut lines = text.split_inclusive('\n');
    match lines.next() {
        Some(first) if first.trim_end() == "---" => {}
        _ => return Ok((FrontMatter::default(), text, 1)),
    }
    let start = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = start;
    for (line_no, line) in (2..).zip(lines) {
        if line.trim_end() == "---" {
            let yaml = &text[start..offset];
            let front = parse_front_matter(yaml)?;
            return Ok((front, &text[offset + line.len()..], line_no + 1));
        }
        offset += line.len();
    }
    Err(ParseError {
        line: 1,
        message: "front matter starts with `---` but is never closed".into(),
    })
}

fn parse_front_matter(yaml: &str) -> Result<FrontMatter, ParseError> {
    let value: Value = serde_yaml_ng::from_str(yaml).map_err(|e| ParseError {
        // +1 for the opening `---` line.
        line: e.location().map_or(1, |l| l.line() + 1),
        message: format!("front matter is not valid YAML: {e}"),
    })?;
    let text = |key: &str| {
        value
            .get(key)
            .and_then(scalar_text)
            .filter(|s| !s.trim().is_empty())
    };
    let tags = match value.get("tags") {
        Some(Value::Sequence(items)) => items.iter().filter_map(scalar_text).collect(),
        Some(Value::String(s)) => s
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        _ => Vec::new(),
    };
    Ok(FrontMatter {
        title: text("title"),
        description: text("description"),
        tags,
        date: text("date"),
    })
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

static SHORTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{\{([%<])\s*(/?)([A-Za-z][\w-]*)((?s:.*?))\s*[%>]\}\}").expect("shortcode regex")
});
static ARGUMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""((?:[^"\\]|\\.)*)"|(\S+)"#).expect("argument regex"));
static YAML_FENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)```ya?ml[^\n]*\n(.*?)```").expect("fence regex"));

/// Replace shortcodes by tokens; drop `comment` blocks, keeping their YAML.
fn lift_shortcodes(body: &str) -> (String, Vec<Shortcode>, Vec<String>) {
    let mut out = String::with_capacity(body.len());
    let mut shortcodes = Vec::new();
    let mut comments = Vec::new();
    let mut rest = body;
    while let Some(m) = SHORTCODE.captures(rest) {
        let (whole, [_, closing, name, args]) = m.extract();
        let at = m.get(0).map_or(0, |g| g.start());
        out.push_str(&rest[..at]);
        let after = &rest[at + whole.len()..];
        if name == "comment" && closing.is_empty() {
            let (inner, remainder) = split_comment(after);
            comments.extend(YAML_FENCE.captures_iter(inner).map(|c| c[1].to_string()));
            rest = remainder;
            continue;
        }
        let shortcode = match (closing, name) {
            ("", "rule") => {
                let args: Vec<String> = ARGUMENT
                    .captures_iter(args)
                    .map(|c| {
                        c.get(1)
                            .or(c.get(2))
                            .map_or(String::new(), |g| g.as_str().to_string())
                    })
                    .collect();
                match args.as_slice() {
                    [file, alert, ..] => Shortcode::Rule {
                        file: file.clone(),
                        alert: alert.clone(),
                    },
                    _ => Shortcode::Unknown {
                        raw: whole.to_string(),
                    },
                }
            }
            _ => Shortcode::Unknown {
                raw: whole.to_string(),
            },
        };
        out.push_str("\n\n");
        out.push_str(&token(shortcodes.len()));
        out.push_str("\n\n");
        shortcodes.push(shortcode);
        rest = after;
    }
    out.push_str(rest);
    (out, shortcodes, comments)
}

/// Split at the matching `{{% /comment %}}`; an unclosed comment runs to the end.
fn split_comment(text: &str) -> (&str, &str) {
    static CLOSE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\{\{[%<]\s*/comment\s*[%>]\}\}").expect("comment close regex")
    });
    match CLOSE.find(text) {
        Some(m) => (&text[..m.start()], &text[m.end()..]),
        None => (text, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "---\ntitle: Disk full\n#published: true\ntags:\n  - disk\n---\n\n# X\n\n<details>\n{{% rule \"node/node.yml\" \"HostOutOfDiskSpace\" %}}\n\n{{% comment %}}\n```yaml\nalert: HostOutOfDiskSpace\nexpr: x < 1\n```\n{{% /comment %}}\n</details>\n\n{{< tabs >}}\n";

    #[test]
    fn splits_front_matter_and_lifts_shortcodes() {
        let doc = parse(SAMPLE).unwrap();
        assert_eq!(doc.front.title.as_deref(), Some("Disk full"));
        assert_eq!(doc.front.tags, vec!["disk"]);
        assert_eq!(
            doc.shortcodes[0],
            Shortcode::Rule {
                file: "node/node.yml".into(),
                alert: "HostOutOfDiskSpace".into()
            }
        );
        assert!(matches!(doc.shortcodes[1], Shortcode::Unknown { .. }));
        assert_eq!(doc.comment_yaml.len(), 1);
        assert!(!doc.body.contains("{{%"));
        assert!(
            !doc.body.contains("alert: HostOutOfDiskSpace"),
            "comment content is hidden"
        );
    }

    #[test]
    fn empty_tags_and_no_front_matter_are_fine() {
        let doc = parse("---\ntitle: T\ntags: \n---\nbody").unwrap();
        assert!(doc.front.tags.is_empty());
        let doc = parse("just markdown").unwrap();
        assert_eq!(doc.front, FrontMatter::default());
        assert_eq!(parse("").unwrap().body, "");
    }

    #[test]
    fn broken_front_matter_reports_the_line() {
        let err = parse("---\ntitle: ok\ntags: [a, b\n---\nbody").unwrap_err();
        assert!(err.message.contains("YAML"), "{err}");
        let err = parse("---\ntitle: never closed\n").unwrap_err();
        assert_eq!(err.line, 1);
    }
}
