//! An immutable, fully rendered set of runbooks with case-insensitive lookup.
//! A new index is built beside the old one and swapped in whole.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::document::{self, FrontMatter, ParseError};
use super::render::{self, Heading, RuleSource};
use super::rules::{Rule, RuleSet};
use super::source::SourceFile;

/// One runbook, parsed and rendered once at load time.
#[derive(Debug)]
pub struct Runbook {
    /// `group/Alert`: group path plus file stem.
    pub key: String,
    pub group: String,
    pub alert: String,
    pub source_path: String,
    pub front: FrontMatter,
    /// Sanitised HTML of the body.
    pub html: String,
    pub headings: Vec<Heading>,
    pub rule: Option<(Rule, RuleSource)>,
    /// Set when the file could not be parsed.
    pub error: Option<ParseError>,
}

impl Runbook {
    pub fn title(&self) -> &str {
        self.front.title.as_deref().unwrap_or(&self.alert)
    }
}

/// A group's `_index.md`: its title and intro.
#[derive(Debug, Clone, Default)]
pub struct GroupInfo {
    pub title: Option<String>,
    pub intro_html: String,
}

#[derive(Debug, Default)]
pub struct RunbookIndex {
    /// Sorted by key.
    runbooks: Vec<Arc<Runbook>>,
    by_key: HashMap<String, usize>,
    groups: BTreeMap<String, GroupInfo>,
    /// Lower-cased alert name → positions, for `/alerts/{name}`.
    by_alert: HashMap<String, Vec<usize>>,
    /// `(rule file, alert)` of every alerting rule in the rule files (coverage).
    rule_alerts: Vec<(String, String)>,
}

impl RunbookIndex {
    pub fn build(files: &[SourceFile], rules: &RuleSet) -> RunbookIndex {
        let mut index = RunbookIndex {
            rule_alerts: rules.alerts(),
            ..RunbookIndex::default()
        };
        for file in files {
            let Some(stem) = file.path.strip_suffix(".md") else {
                continue;
            };
            let (group, name) = stem.rsplit_once('/').unwrap_or(("", stem));
            if name == "_index" {
                index
                    .groups
                    .insert(group.to_string(), group_info(&file.text, rules));
                continue;
            }
            index.runbooks.push(Arc::new(load_runbook(
                &file.path, group, name, &file.text, rules,
            )));
        }
        index.runbooks.sort_by(|a, b| a.key.cmp(&b.key));
        for (i, runbook) in index.runbooks.iter().enumerate() {
            index.by_key.insert(runbook.key.to_lowercase(), i);
            index
                .by_alert
                .entry(runbook.alert.to_lowercase())
                .or_default()
                .push(i);
            index.groups.entry(runbook.group.clone()).or_default();
        }
        index
    }

    /// `(rule file, alert)` of every alerting rule in the configured rule files.
    pub fn rule_alerts(&self) -> &[(String, String)] {
        &self.rule_alerts
    }

    pub fn runbooks(&self) -> &[Arc<Runbook>] {
        &self.runbooks
    }

    pub fn groups(&self) -> &BTreeMap<String, GroupInfo> {
        &self.groups
    }

    /// Look up `group/Alert`, ignoring case, a trailing `.md` and slashes.
    pub fn get(&self, path: &str) -> Option<&Arc<Runbook>> {
        let key = normalise(path);
        self.by_key.get(&key).map(|&i| &self.runbooks[i])
    }

    /// The group at `path` (case-insensitive) with its runbooks.
    pub fn group(&self, path: &str) -> Option<(&str, &GroupInfo, Vec<&Arc<Runbook>>)> {
        let wanted = normalise(path);
        let (name, info) = self
            .groups
            .iter()
            .find(|(name, _)| name.to_lowercase() == wanted)?;
        let members = self.runbooks.iter().filter(|r| r.group == *name).collect();
        Some((name.as_str(), info, members))
    }

    /// Every runbook for an alert name, whatever its group.
    pub fn by_alert(&self, alertname: &str) -> Vec<&Arc<Runbook>> {
        self.by_alert
            .get(&alertname.to_lowercase())
            .map(|ids| ids.iter().map(|&i| &self.runbooks[i]).collect())
            .unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.runbooks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.runbooks.is_empty()
    }
}

fn normalise(path: &str) -> String {
    let path = path.trim_matches('/');
    let lower = path.to_lowercase();
    lower.strip_suffix(".md").unwrap_or(&lower).to_string()
}

fn load_runbook(path: &str, group: &str, alert: &str, text: &str, rules: &RuleSet) -> Runbook {
    let key = if group.is_empty() {
        alert.to_string()
    } else {
        format!("{group}/{alert}")
    };
    let mut runbook = Runbook {
        key,
        group: group.to_string(),
        alert: alert.to_string(),
        source_path: path.to_string(),
        front: FrontMatter::default(),
        html: String::new(),
        headings: Vec::new(),
        rule: None,
        error: None,
    };
    match document::parse(text) {
        Ok(doc) => {
            let rendered = render::render(&doc, rules);
            runbook.front = doc.front;
            runbook.html = rendered.html;
            runbook.headings = rendered.headings;
            runbook.rule = rendered.rule;
        }
        Err(error) => runbook.error = Some(error),
    }
    runbook
}

fn group_info(text: &str, rules: &RuleSet) -> GroupInfo {
    match document::parse(text) {
        Ok(doc) => GroupInfo {
            title: doc.front.title.clone(),
            intro_html: render::render(&doc, rules).html,
        },
        Err(_) => GroupInfo::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> SourceFile {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    #[test]
    fn lookup_ignores_case_and_md_suffix() {
        let index = RunbookIndex::build(
            &[
                file("traefik/TraefikServiceDown.md", "---\ntitle: Down\n---\nx"),
                file("traefik/_index.md", "---\ntitle: Traefik\n---\nIntro"),
                file("snmptrap/MIB/Trap.md", ""),
                file("other/TraefikServiceDown.md", "y"),
            ],
            &RuleSet::default(),
        );
        assert_eq!(index.len(), 3, "_index.md is not a runbook");
        assert_eq!(
            index.get("traefik/traefikservicedown").unwrap().title(),
            "Down"
        );
        assert!(index.get("/traefik/TraefikServiceDown.md/").is_some());
        assert_eq!(
            index.get("snmptrap/mib/trap").unwrap().group,
            "snmptrap/MIB"
        );
        assert_eq!(index.by_alert("TRAEFIKSERVICEDOWN").len(), 2);
        let (_, info, members) = index.group("Traefik").unwrap();
        assert_eq!(info.title.as_deref(), Some("Traefik"));
        assert_eq!(members.len(), 1);
    }

    #[test]
    fn broken_runbook_is_kept_and_marked() {
        let index = RunbookIndex::build(
            &[file("g/Bad.md", "---\ntags: [\n---\n")],
            &RuleSet::default(),
        );
        assert!(index.get("g/Bad").unwrap().error.is_some());
    }
}
