//! The text a new runbook starts from: front matter, the alert's rule and
//! the four standard sections of the srerun layout. The rule is the rule
//! file's (a `{{% rule %}}` shortcode the portal keeps current) when a rule
//! file defines the alert; otherwise a copy of the rule the live Prometheus
//! evaluates, so "write this runbook" on an alert's page starts from what is
//! known of it, including its summary as the description.

use portal_types::{Labels, LiveRule};
use serde::Serialize;

/// Where the new runbook's rule comes from.
pub enum RuleOrigin<'a> {
    /// A rule file under the portal's rules directory defines it.
    File {
        file: &'a str,
        name: &'a str,
    },
    /// Only a live Prometheus knows it.
    Live(&'a LiveRule),
    None,
}

pub fn new_runbook(alert: &str, rule: RuleOrigin<'_>) -> String {
    let (description, rule) = match rule {
        RuleOrigin::File { file, name } => (
            String::new(),
            format!("{{{{% rule \"{file}\" \"{name}\" %}}}}\n\n"),
        ),
        RuleOrigin::Live(live) => (description(live), live_rule_block(live)),
        RuleOrigin::None => (String::new(), String::new()),
    };
    format!(
        "---\ntitle: {alert}\ndescription: {description}\ntags: []\n---\n\n{rule}## Meaning\n\n\n## Impact\n\n\n## Diagnosis\n\n\n## Mitigation\n\n1. \n"
    )
}

/// The rule's `summary` (else `description`) annotation as a YAML scalar,
/// quoted where YAML needs it.
fn description(rule: &LiveRule) -> String {
    let text = ["summary", "description"]
        .iter()
        .find_map(|k| rule.annotations.get(*k))
        .map(|t| t.lines().next().unwrap_or_default().trim().to_string())
        .unwrap_or_default();
    if text.is_empty() {
        return text;
    }
    serde_yaml_ng::to_string(&text)
        .map(|yaml| yaml.trim_end().to_string())
        .unwrap_or_default()
}

/// The rule as YAML in a folded block, as a runbook keeps a rule copy.
fn live_rule_block(rule: &LiveRule) -> String {
    #[derive(Serialize)]
    struct Rule<'a> {
        alert: &'a str,
        expr: &'a str,
        #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
        for_: Option<String>,
        #[serde(skip_serializing_if = "Labels::is_empty")]
        labels: &'a Labels,
        #[serde(skip_serializing_if = "Labels::is_empty")]
        annotations: &'a Labels,
    }
    let yaml = serde_yaml_ng::to_string(&Rule {
        alert: &rule.name,
        expr: &rule.query,
        for_: (rule.for_secs > 0.0).then(|| go_duration(rule.for_secs)),
        labels: &rule.labels,
        annotations: &rule.annotations,
    })
    .unwrap_or_default();
    format!(
        "<details>\n  <summary>Alert rule (as Prometheus evaluates it)</summary>\n\n```yaml\n{}\n```\n\n</details>\n\n",
        yaml.trim_end()
    )
}

/// `120` → `2m`, `90` → `90s`, `7200` → `2h`: how rule files spell `for`.
fn go_duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> LiveRule {
        LiveRule {
            name: "HostDiskAlmostFull".into(),
            query: "node_filesystem_avail_bytes < 1e9".into(),
            for_secs: 120.0,
            labels: [("severity".to_string(), "warning".to_string())].into(),
            annotations: [(
                "summary".to_string(),
                "Disk almost full: {{ $labels.instance }}".to_string(),
            )]
            .into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_rule_file_gives_the_shortcode() {
        let text = new_runbook(
            "A",
            RuleOrigin::File {
                file: "n/n.yml",
                name: "A",
            },
        );
        assert!(text.contains("{{% rule \"n/n.yml\" \"A\" %}}"), "{text}");
        assert!(text.contains("## Mitigation"));
    }

    #[test]
    fn a_live_rule_is_copied_with_its_summary() {
        let text = new_runbook("HostDiskAlmostFull", RuleOrigin::Live(&live()));
        assert!(
            text.contains("description: 'Disk almost full: {{ $labels.instance }}'"),
            "{text}"
        );
        assert!(text.contains("```yaml\nalert: HostDiskAlmostFull\nexpr: node_filesystem_avail_bytes < 1e9\nfor: 2m\n"), "{text}");
        let doc = crate::runbooks::document::parse(&text);
        assert!(doc.is_ok(), "the template parses as a runbook: {text}");
    }

    #[test]
    fn durations_are_spelled_as_in_rule_files() {
        assert_eq!(go_duration(120.0), "2m");
        assert_eq!(go_duration(90.0), "90s");
        assert_eq!(go_duration(7200.0), "2h");
    }
}
