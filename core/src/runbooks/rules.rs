//! Prometheus rule files, as named by `{{% rule "file.yml" "Alert" %}}`.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::source::SourceFile;

/// One alerting rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub alert: String,
    pub expr: String,
    #[serde(default, rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// Every alerting rule, by rule file path.
#[derive(Debug, Default, PartialEq)]
pub struct RuleSet {
    files: HashMap<String, Vec<Rule>>,
    /// Files that did not parse, with the reason.
    pub problems: Vec<String>,
}

impl RuleSet {
    pub fn parse(files: &[SourceFile]) -> RuleSet {
        let mut set = RuleSet::default();
        for file in files {
            match parse_rule_file(&file.text) {
                Ok(rules) => {
                    set.files.insert(file.path.clone(), rules);
                }
                Err(e) => set.problems.push(format!("{}: {e}", file.path)),
            }
        }
        set
    }

    /// The rule file, if it exists; `None` when no such file.
    pub fn file(&self, path: &str) -> Option<&[Rule]> {
        self.files
            .get(path.trim_start_matches('/'))
            .map(Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }

    /// Every `(rule file, alert name)`, sorted.
    pub fn alerts(&self) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = self
            .files
            .iter()
            .flat_map(|(file, rules)| rules.iter().map(|r| (file.clone(), r.alert.clone())))
            .collect();
        all.sort();
        all
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Deserialize)]
struct RuleFile {
    #[serde(default)]
    groups: Vec<RuleGroup>,
}

#[derive(Deserialize)]
struct RuleGroup {
    #[serde(default)]
    rules: Vec<RawRule>,
}

/// A rule as written: recording rules have no `alert`; scalar values may be
/// numbers or booleans in YAML.
#[derive(Deserialize)]
struct RawRule {
    alert: Option<String>,
    expr: serde_yaml_ng::Value,
    #[serde(rename = "for")]
    for_: Option<serde_yaml_ng::Value>,
    #[serde(default)]
    labels: BTreeMap<String, serde_yaml_ng::Value>,
    #[serde(default)]
    annotations: BTreeMap<String, serde_yaml_ng::Value>,
}

fn parse_rule_file(text: &str) -> Result<Vec<Rule>, serde_yaml_ng::Error> {
    let file: RuleFile = serde_yaml_ng::from_str(text)?;
    Ok(file
        .groups
        .into_iter()
        .flat_map(|g| g.rules)
        .filter_map(|raw| {
            raw.alert
                .map(|alert| (alert, raw.expr, raw.for_, raw.labels, raw.annotations))
        })
        .map(|(alert, expr, for_, labels, annotations)| Rule {
            alert,
            expr: scalar(&expr),
            for_: for_.as_ref().map(scalar),
            labels: labels.iter().map(|(k, v)| (k.clone(), scalar(v))).collect(),
            annotations: annotations
                .iter()
                .map(|(k, v)| (k.clone(), scalar(v)))
                .collect(),
        })
        .collect())
}

/// Parse the YAML copy of a rule kept inside a `comment` shortcode.
pub fn parse_rule_copy(yaml: &str) -> Result<Rule, serde_yaml_ng::Error> {
    let raw: RawRule = serde_yaml_ng::from_str(yaml)?;
    Ok(Rule {
        alert: raw.alert.unwrap_or_default(),
        expr: scalar(&raw.expr),
        for_: raw.for_.as_ref().map(scalar),
        labels: raw
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), scalar(v)))
            .collect(),
        annotations: raw
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), scalar(v)))
            .collect(),
    })
}

fn scalar(value: &serde_yaml_ng::Value) -> String {
    match value {
        serde_yaml_ng::Value::String(s) => s.clone(),
        serde_yaml_ng::Value::Null => String::new(),
        other => serde_yaml_ng::to_string(other)
            .map(|s| s.trim_end().to_string())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_alerts_and_skips_recording_rules() {
        let text = "groups:\n- name: g\n  rules:\n  - record: x\n    expr: sum(up)\n  - alert: Down\n    expr: up == 0\n    for: 5m\n    labels:\n      severity: critical\n      page: true\n";
        let set = RuleSet::parse(&[SourceFile {
            path: "a/b.yml".into(),
            text: text.into(),
        }]);
        let rules = set.file("a/b.yml").unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].alert, "Down");
        assert_eq!(rules[0].for_.as_deref(), Some("5m"));
        assert_eq!(rules[0].labels["page"], "true");
    }

    #[test]
    fn bad_file_is_a_problem_not_a_panic() {
        let set = RuleSet::parse(&[SourceFile {
            path: "x.yml".into(),
            text: "groups: [".into(),
        }]);
        assert!(set.file("x.yml").is_none());
        assert_eq!(set.problems.len(), 1);
    }
}
