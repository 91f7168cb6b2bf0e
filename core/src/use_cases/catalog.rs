//! Reading runbooks and the alert state around them: listings, search, a
//! page with its labels filled, coverage and an alert's graph.

use std::sync::Arc;

use portal_types::{
    AlertBadge, BodyPart, Catalog as CatalogView, GroupSummary, Labels, RuleBody, RunbookDetail,
    RunbookPath, RunbookSummary, RunbookView, SearchResult, TocEntry,
};

use super::checks::Checks;
use crate::alerts::AlertHub;
use crate::error::{Error, Result};
use crate::runbooks::render::RuleSource;
use crate::runbooks::segments::Segment;
use crate::runbooks::{Runbook, RunbookStore};

/// The longest search query accepted: a query is typed by a person.
pub const MAX_QUERY_BYTES: usize = 500;

/// The reading use cases and what they need.
#[derive(Clone)]
pub struct Catalog {
    runbooks: Arc<RunbookStore>,
    alerts: Arc<AlertHub>,
    checks: Checks,
}

pub fn summary(runbook: &Runbook) -> RunbookSummary {
    RunbookSummary {
        key: runbook.key.clone(),
        group: runbook.group.clone(),
        alert: runbook.alert.clone(),
        title: runbook.title().to_string(),
        tags: runbook.front.tags.clone(),
        broken: runbook.error.is_some(),
    }
}

/// The page's view of a runbook with `labels` filled in. Its checks are
/// added by [`Checks::views`], which knows the allow-list.
pub fn view(runbook: &Runbook, labels: &Labels, value: Option<&str>) -> RunbookView {
    let body = runbook
        .body
        .iter()
        .map(|segment| match segment {
            Segment::Html(template) => BodyPart::Html(template.fill(labels, value)),
            Segment::Check(i) => BodyPart::Check(
                runbook
                    .checks
                    .get(*i)
                    .map_or_else(String::new, |c| c.id.clone()),
            ),
        })
        .collect();
    RunbookView {
        key: runbook.key.clone(),
        group: runbook.group.clone(),
        alert: runbook.alert.clone(),
        title: runbook.title().to_string(),
        description: runbook.front.description.clone(),
        tags: runbook.front.tags.clone(),
        source_path: runbook.source_path.clone(),
        date: runbook.front.date.clone(),
        toc: runbook
            .headings
            .iter()
            .map(|h| TocEntry {
                level: h.level,
                id: h.id.clone(),
                text: h.text.clone(),
            })
            .collect(),
        error: runbook
            .error
            .as_ref()
            .map(|e| format!("This runbook could not be read: {e}")),
        raw: runbook.raw.clone(),
        body,
        checks: Vec::new(),
        last_results: Vec::new(),
    }
}

/// The body as one HTML string, checks as static cards (for API clients).
pub fn body_html(runbook: &Runbook, view: &RunbookView) -> String {
    view.body
        .iter()
        .map(|part| match part {
            BodyPart::Html(html) => html.clone(),
            BodyPart::Check(id) => runbook
                .checks
                .iter()
                .find(|c| c.id == *id)
                .map_or_else(String::new, crate::checks::views::static_card),
        })
        .collect()
}

impl Catalog {
    pub fn new(runbooks: Arc<RunbookStore>, alerts: Arc<AlertHub>, checks: Checks) -> Catalog {
        Catalog {
            runbooks,
            alerts,
            checks,
        }
    }

    /// `/runbooks/{path}` as its page shows it: [`Catalog::resolve`], plus
    /// the last results of the runbook's checks.
    pub async fn page(&self, path: &str, labels: &Labels) -> Result<RunbookPath> {
        let mut resolved = self.resolve(path, labels);
        if let RunbookPath::Runbook(view) = &mut resolved
            && view.error.is_none()
            && !view.checks.is_empty()
        {
            view.last_results = self.checks.latest(&view.key).await.unwrap_or_default();
        }
        Ok(resolved)
    }
    /// `{{ $value }}` for a page: the value of the one live instance of the
    /// alert that matches the page's labels (none when several differ).
    fn live_value(&self, alertname: &str, labels: &Labels) -> Option<String> {
        let snapshot = self.alerts.snapshot();
        let group = snapshot.groups.get(alertname)?;
        let mut values = group
            .instances
            .iter()
            .filter(|i| labels.iter().all(|(k, v)| i.labels.get(k) == Some(v)))
            .filter_map(|i| i.value.as_deref())
            // Prometheus writes `4.2e+01`; Go's templates (and people) say `42`.
            .map(portal_types::format::sample_text);
        let first = values.next()?;
        values.all(|v| v == first).then_some(first)
    }

    pub fn catalog(&self) -> CatalogView {
        let index = self.runbooks.index();
        let runbooks: Vec<RunbookSummary> = index.runbooks().iter().map(|r| summary(r)).collect();
        let groups = index
            .groups()
            .iter()
            .map(|(name, info)| GroupSummary {
                name: name.clone(),
                title: info.title.clone(),
                count: runbooks.iter().filter(|r| r.group == *name).count(),
            })
            .collect();
        let tags = index.tags().map(|(tag, n)| (tag.to_string(), n)).collect();
        CatalogView {
            runbooks,
            groups,
            tags,
        }
    }

    pub fn tagged(&self, tag: &str) -> Vec<RunbookSummary> {
        self.runbooks
            .index()
            .tagged(tag)
            .into_iter()
            .map(|r| summary(r))
            .collect()
    }

    /// Every runbook, sorted by key.
    pub fn list(&self) -> Vec<RunbookSummary> {
        self.runbooks
            .index()
            .runbooks()
            .iter()
            .map(|r| summary(r))
            .collect()
    }

    /// Full-text search, best first (at most 100 hits).
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchResult>> {
        if query.len() > MAX_QUERY_BYTES {
            return Err(Error::BadRequest(format!(
                "query longer than {MAX_QUERY_BYTES} characters"
            )));
        }
        self.runbooks.index().search().search(query, limit)
    }

    /// One runbook as the JSON API returns it (no labels filled; checks as
    /// static cards in the body).
    pub fn detail(&self, key: &str) -> Result<RunbookDetail> {
        let index = self.runbooks.index();
        let runbook = index
            .get(key)
            .ok_or_else(|| Error::NotFound(format!("no runbook {key}")))?;
        let view = view(runbook, &Labels::default(), None);
        let html = body_html(runbook, &view);
        Ok(RunbookDetail {
            item: summary(runbook),
            description: view.description,
            source_path: view.source_path,
            html,
            error: view.error,
            date: view.date,
            rule: runbook.rule.as_ref().map(|(rule, source)| RuleBody {
                alert: rule.alert.clone(),
                expr: rule.expr.clone(),
                for_: rule.for_.clone(),
                labels: rule.labels.clone(),
                annotations: rule.annotations.clone(),
                source: match source {
                    RuleSource::RuleFile => "rule-file".into(),
                    RuleSource::CommentCopy => "comment-copy".into(),
                },
            }),
            headings: view.toc,
            sections: runbook.sections.iter().cloned().collect(),
            mitigation: runbook.mitigation.clone(),
            checks: self.checks.views(runbook, &Labels::default()),
        })
    }

    pub fn resolve(&self, path: &str, labels: &Labels) -> RunbookPath {
        let index = self.runbooks.index();
        if let Some(runbook) = index.get(path) {
            let value = self.live_value(&runbook.alert, labels);
            let mut view = view(runbook, labels, value.as_deref());
            view.checks = self.checks.views(runbook, labels);
            return RunbookPath::Runbook(Box::new(view));
        }
        if let Some((group, info, members)) = index.group(path) {
            return RunbookPath::Group {
                group: group.to_string(),
                title: info.title.clone(),
                intro_html: info.intro_html.clone(),
                runbooks: members.into_iter().map(|r| summary(r)).collect(),
            };
        }
        RunbookPath::NotFound {
            path: path.to_string(),
        }
    }

    /// `/alerts/{alertname}` when it does not lead to exactly one runbook.
    pub async fn alert_page(&self, alertname: &str) -> portal_types::AlertPage {
        let runbooks = self
            .runbooks
            .index()
            .by_alert(alertname)
            .into_iter()
            .map(|r| summary(r))
            .collect::<Vec<_>>();
        let similar = match runbooks.is_empty() {
            true => self.similar(alertname, 5),
            false => Vec::new(),
        };
        let graph = self
            .alert_graph(alertname, portal_types::GRAPH_HOURS[0])
            .await;
        portal_types::AlertPage {
            alertname: alertname.to_string(),
            runbooks,
            live: self.live_state(Some(alertname)),
            graph: graph.map_err(|e| e.to_string()),
            similar,
        }
    }

    /// Runbooks close to an alert name: those matching the most of its
    /// words first, then by score (search itself needs every word to match,
    /// and a new alert's name rarely has all its words in one runbook).
    fn similar(&self, alertname: &str, limit: usize) -> Vec<SearchResult> {
        let index = self.runbooks.index();
        let words = crate::search::split_words(alertname);
        let mut found: Vec<(usize, f32, SearchResult)> = Vec::new();
        for word in words.split(' ').filter(|w| w.len() > 2) {
            for hit in index.search().search(word, 20).unwrap_or_default() {
                match found.iter_mut().find(|(_, _, h)| h.key == hit.key) {
                    Some((count, score, _)) => {
                        *count += 1;
                        *score += hit.score;
                    }
                    None => found.push((1, hit.score, hit)),
                }
            }
        }
        found.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)));
        found
            .into_iter()
            .take(limit)
            .map(|(_, _, hit)| hit)
            .collect()
    }

    pub fn alert_badge(&self, alertname: &str) -> AlertBadge {
        self.alerts.badge(alertname)
    }

    pub fn live_state(&self, alertname: Option<&str>) -> portal_types::LiveState {
        self.alerts.snapshot().live_state(alertname)
    }

    pub fn coverage(&self) -> portal_types::Coverage {
        crate::alerts::coverage::coverage(&self.alerts.snapshot(), &self.runbooks.index())
    }

    pub async fn alert_graph(
        &self,
        alertname: &str,
        hours: u32,
    ) -> Result<portal_types::GraphView> {
        if !portal_types::GRAPH_HOURS.contains(&hours) {
            return Err(Error::BadRequest(format!(
                "hours must be one of {:?}",
                portal_types::GRAPH_HOURS
            )));
        }
        // The runbook's rule (rule file or its copy) when Prometheus has none.
        let fallback = self
            .runbooks
            .index()
            .by_alert(alertname)
            .iter()
            .find_map(|r| r.rule.as_ref().map(|(rule, _)| rule.expr.clone()));
        Ok(self.alerts.graph(alertname, fallback, hours).await)
    }
}
