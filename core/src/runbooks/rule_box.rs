//! The box that shows a runbook's alert rule: from the rule file when it has
//! the alert, else from the copy in the runbook's `comment` block (saying so),
//! and noting where the copy has drifted from the file.

use html_escape::encode_text as esc;

use super::rules::{Rule, RuleSet, parse_rule_copy};

/// Where a runbook's rule was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSource {
    RuleFile,
    /// The copy in the runbook's `comment` block: the file or alert is missing.
    CommentCopy,
}

/// The rule box for `{{% rule file alert %}}`: the rule file's version if it
/// has the alert, else the runbook's own copy, saying so.
pub fn rule_box(
    file: &str,
    alert: &str,
    rules: &RuleSet,
    comments: &[String],
) -> (String, Option<(Rule, RuleSource)>) {
    let from_file = rules
        .file(file)
        .and_then(|rules| rules.iter().find(|r| r.alert == alert));
    let copy = comments
        .iter()
        .filter_map(|yaml| parse_rule_copy(yaml).ok())
        .find(|r| r.alert == alert);
    let (rule, source, note) = match (from_file, copy) {
        (Some(rule), copy) => {
            let mut note = format!("From rule file <code>{}</code>", esc(file));
            let differences = copy.map(|c| differences(rule, &c)).unwrap_or_default();
            if !differences.is_empty() {
                note.push_str(&format!(
                    "; <span class=\"rule-drift\">the copy kept in this runbook differs in: {}</span>",
                    esc(&differences.join(", "))
                ));
            }
            (rule.clone(), RuleSource::RuleFile, note)
        }
        (None, Some(copy)) => {
            let why = if rules.file(file).is_some() {
                format!(
                    "Rule file <code>{}</code> has no alert <code>{}</code>",
                    esc(file),
                    esc(alert)
                )
            } else {
                format!("Rule file <code>{}</code> not found", esc(file))
            };
            (
                copy,
                RuleSource::CommentCopy,
                format!("{why}; showing the copy kept in this runbook"),
            )
        }
        (None, None) => {
            let html = format!(
                "<div class=\"rule-box missing\"><p class=\"rule-source\">Rule <code>{}</code> not found in <code>{}</code> and the runbook keeps no copy</p></div>",
                esc(alert),
                esc(file)
            );
            return (html, None);
        }
    };
    let html = rule_html(&rule, source, &note);
    (html, Some((rule, source)))
}

/// Which parts of the runbook's copy of a rule no longer match the rule file.
fn differences(file: &Rule, copy: &Rule) -> Vec<&'static str> {
    let normal = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    if normal(&file.expr) != normal(&copy.expr) {
        out.push("expr");
    }
    if file.for_.as_deref().unwrap_or("0m") != copy.for_.as_deref().unwrap_or("0m") {
        out.push("for");
    }
    if file.labels != copy.labels {
        out.push("labels");
    }
    let annotations = |r: &Rule| {
        r.annotations
            .iter()
            .map(|(k, v)| (k.clone(), normal(v)))
            .collect::<Vec<_>>()
    };
    if annotations(file) != annotations(copy) {
        out.push("annotations");
    }
    out
}

fn rule_html(rule: &Rule, source: RuleSource, note: &str) -> String {
    let source_attr = match source {
        RuleSource::RuleFile => "rule-file",
        RuleSource::CommentCopy => "comment-copy",
    };
    let mut html = format!(
        "<div class=\"rule-box\" data-source=\"{source_attr}\"><p class=\"rule-source\">{note}</p><dl><dt>alert</dt><dd><code>{}</code></dd><dt>expr</dt><dd>{}</dd>",
        esc(&rule.alert),
        super::highlight::code_block("promql", rule.expr.trim_end())
    );
    if let Some(for_) = &rule.for_ {
        html.push_str(&format!("<dt>for</dt><dd><code>{}</code></dd>", esc(for_)));
    }
    for (title, map) in [("labels", &rule.labels), ("annotations", &rule.annotations)] {
        if map.is_empty() {
            continue;
        }
        html.push_str(&format!("<dt>{title}</dt><dd><table>"));
        for (k, v) in map {
            html.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v)));
        }
        html.push_str("</table></dd>");
    }
    html.push_str("</dl></div>");
    html
}
