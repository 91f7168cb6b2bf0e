//! An immutable, fully rendered set of runbooks with case-insensitive lookup.
//! A new index is built beside the old one and swapped in whole.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::document::{self, FrontMatter, ParseError};
use super::render::{self, Heading, RuleSource};
use super::rules::{Rule, RuleSet};
use super::segments::{self, Segment};
use super::source::SourceFile;
use crate::error::Result;
use crate::search::{SearchDoc, SearchIndex};

/// One runbook, parsed and rendered once at load time.
#[derive(Debug)]
pub struct Runbook {
    /// `group/Alert`: group path plus file stem.
    pub key: String,
    pub group: String,
    pub alert: String,
    pub source_path: String,
    pub front: FrontMatter,
    /// Sanitised HTML of the body, with its label placeholders located,
    /// cut where top-level checks stand.
    pub body: Vec<Segment>,
    /// The checks the runbook declares, in order.
    pub checks: Vec<crate::checks::CheckSpec>,
    pub headings: Vec<Heading>,
    pub rule: Option<(Rule, RuleSource)>,
    /// Items of the `## Mitigation` list: an incident's checklist.
    pub mitigation: Vec<String>,
    /// The standard sections (Meaning, Impact, Diagnosis, Mitigation) found,
    /// in order, with their plain text.
    pub sections: Vec<(String, String)>,
    /// Set when the file could not be parsed.
    pub error: Option<ParseError>,
    /// The file's text, kept only when it could not be parsed.
    pub raw: Option<String>,
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

/// Source of [`RunbookIndex::generation`].
static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

pub struct RunbookIndex {
    /// Distinct for every index this process builds (caches key on it).
    generation: u64,
    /// Sorted by key.
    runbooks: Vec<Arc<Runbook>>,
    by_key: HashMap<String, usize>,
    groups: BTreeMap<String, GroupInfo>,
    /// Lower-cased alert name → positions, for `/alerts/{name}`.
    by_alert: HashMap<String, Vec<usize>>,
    /// Tag → positions.
    by_tag: BTreeMap<String, Vec<usize>>,
    search: SearchIndex,
    /// `(rule file, alert)` of every alerting rule in the rule files (coverage).
    rule_alerts: Vec<(String, String)>,
}

impl RunbookIndex {
    pub fn build(files: &[SourceFile], rules: &RuleSet) -> Result<RunbookIndex> {
        let mut runbooks = Vec::new();
        let mut texts = Vec::new();
        let mut groups = BTreeMap::new();
        for file in files {
            let Some(stem) = file.path.strip_suffix(".md") else {
                continue;
            };
            let (group, name) = stem.rsplit_once('/').unwrap_or(("", stem));
            if name == "_index" {
                groups.insert(group.to_string(), group_info(&file.text, rules));
                continue;
            }
            let (runbook, text) = load_runbook(&file.path, group, name, &file.text, rules);
            runbooks.push(Arc::new(runbook));
            texts.push(text);
        }
        let mut order: Vec<usize> = (0..runbooks.len()).collect();
        order.sort_by(|&a, &b| runbooks[a].key.cmp(&runbooks[b].key));
        let runbooks: Vec<Arc<Runbook>> = order.iter().map(|&i| runbooks[i].clone()).collect();
        let texts: Vec<String> = order
            .iter()
            .map(|&i| std::mem::take(&mut texts[i]))
            .collect();
        let search = SearchIndex::build(runbooks.iter().zip(&texts).map(|(r, text)| SearchDoc {
            key: &r.key,
            alert: &r.alert,
            group: &r.group,
            title: r.title(),
            tags: &r.front.tags,
            description: r.front.description.as_deref().unwrap_or_default(),
            body: text,
        }))?;
        let mut index = RunbookIndex {
            generation: GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            runbooks,
            by_key: HashMap::new(),
            groups,
            by_alert: HashMap::new(),
            by_tag: BTreeMap::new(),
            search,
            rule_alerts: rules.alerts(),
        };
        for (i, runbook) in index.runbooks.iter().enumerate() {
            index.by_key.insert(runbook.key.to_lowercase(), i);
            index
                .by_alert
                .entry(runbook.alert.to_lowercase())
                .or_default()
                .push(i);
            index.groups.entry(runbook.group.clone()).or_default();
            for tag in &runbook.front.tags {
                index.by_tag.entry(tag.clone()).or_default().push(i);
            }
        }
        Ok(index)
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn search(&self) -> &SearchIndex {
        &self.search
    }

    /// Every tag with its number of runbooks.
    pub fn tags(&self) -> impl Iterator<Item = (&str, usize)> {
        self.by_tag
            .iter()
            .map(|(tag, ids)| (tag.as_str(), ids.len()))
    }

    /// Runbooks carrying `tag` (exact match).
    pub fn tagged(&self, tag: &str) -> Vec<&Arc<Runbook>> {
        self.by_tag
            .get(tag)
            .map(|ids| ids.iter().map(|&i| &self.runbooks[i]).collect())
            .unwrap_or_default()
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

/// Parse and render one file; also returns its plain text for search.
fn load_runbook(
    path: &str,
    group: &str,
    alert: &str,
    text: &str,
    rules: &RuleSet,
) -> (Runbook, String) {
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
        body: Vec::new(),
        checks: Vec::new(),
        headings: Vec::new(),
        rule: None,
        mitigation: Vec::new(),
        sections: Vec::new(),
        error: None,
        raw: None,
    };
    let mut plain = String::new();
    match document::parse(text) {
        Ok(doc) => {
            let rendered = render::render(&doc, rules);
            runbook.mitigation = super::sections::mitigation_items(&doc.body);
            runbook.sections = super::sections::standard_sections(&doc.body);
            runbook.front = doc.front;
            runbook.body = segments::split(&rendered.html, &rendered.checks);
            runbook.checks = rendered.checks;
            runbook.headings = rendered.headings;
            runbook.rule = rendered.rule;
            plain = rendered.text;
        }
        Err(error) => {
            runbook.error = Some(error);
            runbook.raw = Some(text.to_string());
        }
    }
    (runbook, plain)
}

fn group_info(text: &str, rules: &RuleSet) -> GroupInfo {
    match document::parse(text) {
        Ok(doc) => {
            let rendered = render::render(&doc, rules);
            GroupInfo {
                title: doc.front.title.clone(),
                intro_html: segments::flatten(&rendered.html, &rendered.checks),
            }
        }
        Err(_) => GroupInfo::default(),
    }
}

/// Parse and render one runbook file on its own, exactly as an index build
/// would: the editor's preview.
pub fn render_one(path: &str, text: &str, rules: &RuleSet) -> Runbook {
    let stem = path.strip_suffix(".md").unwrap_or(path);
    let (group, name) = stem.rsplit_once('/').unwrap_or(("", stem));
    load_runbook(path, group, name, text, rules).0
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
        )
        .unwrap();
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
        )
        .unwrap();
        assert!(index.get("g/Bad").unwrap().error.is_some());
    }
}
