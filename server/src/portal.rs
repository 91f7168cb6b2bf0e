//! The engines bundled together, and the [`Portal`] implementation that the
//! Leptos pages and server functions call.

use std::sync::Arc;

use app::backend::Portal;
use app::checks::{BodyPart, CheckResult};
use app::error::AppError;
use app::types::{
    AlertBadge, Catalog, GroupSummary, IncidentAction, IncidentPage, IncidentQuery, IncidentView,
    Labels, RunbookPath, RunbookSummary, RunbookView, SearchResult, TimelineEvent, TocEntry,
};
use http::request::Parts;

use crate::alerts::AlertHub;
use crate::auth::Auth;
use crate::checks::CheckEngine;
use crate::config::WebhookConfig;
use crate::incident_ops::{self, CreateIncident};
use crate::incidents::Timeline;
use crate::metrics::Metrics;
use crate::revisions;
use crate::runbooks::segments::Segment;
use crate::runbooks::{Runbook, RunbookStore};

/// Everything a request handler may need; cheap to clone.
#[derive(Clone)]
pub struct Engines {
    pub runbooks: Arc<RunbookStore>,
    pub alerts: Arc<AlertHub>,
    pub timeline: Timeline,
    pub auth: Arc<Auth>,
    pub metrics: Arc<Metrics>,
    pub pool: sqlx::SqlitePool,
    pub webhook: Arc<WebhookConfig>,
    pub checks: Arc<CheckEngine>,
    /// Runbook revisions and the sync that serves the current ones.
    pub revisions: Arc<crate::revisions::sync::RunbookSync>,
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
/// added by [`Engines::check_views`], which knows the allow-list.
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

impl Engines {
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
            .map(|v| {
                v.parse::<f64>()
                    .map_or_else(|_| v.to_string(), |f| f.to_string())
            });
        let first = values.next()?;
        values.all(|v| v == first).then_some(first)
    }
}

#[async_trait::async_trait]
impl Portal for Engines {
    fn catalog(&self) -> Catalog {
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
        Catalog {
            runbooks,
            groups,
            tags,
        }
    }

    fn tagged(&self, tag: &str) -> Vec<RunbookSummary> {
        self.runbooks
            .index()
            .tagged(tag)
            .into_iter()
            .map(|r| summary(r))
            .collect()
    }

    fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchResult>, AppError> {
        let hits = self.runbooks.index().search().search(query, limit)?;
        Ok(hits
            .into_iter()
            .map(|h| SearchResult {
                key: h.key,
                alert: h.alert,
                group: h.group,
                title: h.title,
                snippet_html: h.snippet_html,
            })
            .collect())
    }

    fn resolve(&self, path: &str, labels: &Labels) -> RunbookPath {
        let index = self.runbooks.index();
        if let Some(runbook) = index.get(path) {
            let value = self.live_value(&runbook.alert, labels);
            let mut view = view(runbook, labels, value.as_deref());
            view.checks = self.check_views(runbook, labels);
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

    fn alert_badge(&self, alertname: &str) -> AlertBadge {
        self.alerts.badge(alertname)
    }

    fn live_state(&self, alertname: Option<&str>) -> app::live::LiveState {
        self.alerts.snapshot().live_state(alertname)
    }

    fn coverage(&self) -> app::coverage::Coverage {
        crate::alerts::coverage::coverage(&self.alerts.snapshot(), &self.runbooks.index())
    }

    async fn alert_graph(
        &self,
        alertname: &str,
        hours: u32,
    ) -> Result<app::live::GraphView, AppError> {
        if !app::live::GRAPH_HOURS.contains(&hours) {
            return Err(AppError::BadRequest(format!(
                "hours must be one of {:?}",
                app::live::GRAPH_HOURS
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

    async fn open_incident(
        &self,
        request: &Parts,
        runbook_key: &str,
        labels: Labels,
    ) -> Result<IncidentView, AppError> {
        let actor = self.auth.writer(request).await?;
        let create = CreateIncident {
            runbook: Some(runbook_key.to_string()),
            labels,
            ..Default::default()
        };
        Ok(incident_ops::open(self, &actor, create).await?)
    }

    async fn open_incident_for(&self, runbook_key: &str) -> Result<Option<IncidentView>, AppError> {
        let index = self.runbooks.index();
        let key = index
            .get(runbook_key)
            .map_or(runbook_key.to_string(), |r| r.key.clone());
        Ok(self.timeline.current_for_runbook(&key).await?)
    }

    async fn incident(&self, id: i64) -> Result<IncidentView, AppError> {
        Ok(self.timeline.get(id).await?)
    }

    async fn incidents(&self, query: IncidentQuery) -> Result<IncidentPage, AppError> {
        Ok(self.timeline.list(&query).await?)
    }

    async fn run_check(
        &self,
        request: &Parts,
        runbook_key: &str,
        check_id: &str,
        labels: Labels,
    ) -> Result<CheckResult, AppError> {
        let actor = self.auth.writer(request).await?;
        let request = crate::check_ops::RunRequest {
            labels,
            incident_id: None,
        };
        Ok(crate::check_ops::run(self, &actor, runbook_key, check_id, &request).await?)
    }

    async fn check_results(&self, runbook_key: &str) -> Result<Vec<CheckResult>, AppError> {
        Ok(crate::check_ops::latest(self, runbook_key).await?)
    }

    async fn incident_act(
        &self,
        request: &Parts,
        id: i64,
        action: IncidentAction,
    ) -> Result<TimelineEvent, AppError> {
        let actor = self.auth.writer(request).await?;
        Ok(incident_ops::act(self, &actor, id, action).await?)
    }

    async fn edit_source(&self, key: &str) -> Result<app::types::EditSource, AppError> {
        Ok(revisions::ops::edit_source(self, key).await?)
    }

    fn suggest_group(&self, alert: &str) -> Option<String> {
        revisions::ops::suggested_group(self, alert)
    }

    async fn preview(
        &self,
        request: &Parts,
        key: &str,
        source: String,
    ) -> Result<RunbookView, AppError> {
        // The same identity as a save: rendering costs CPU, so not for anyone.
        self.auth.writer(request).await?;
        Ok(revisions::ops::preview(self, key, source).await?)
    }

    async fn save_runbook(
        &self,
        request: &Parts,
        key: &str,
        base: Option<i64>,
        source: String,
        message: String,
    ) -> Result<app::types::SaveOutcome, AppError> {
        let actor = self.auth.writer(request).await?;
        let edit = revisions::ops::Edit {
            key: key.to_string(),
            base,
            source,
            message,
        };
        Ok(revisions::ops::save(self, &actor, revisions::Origin::Web, edit).await?)
    }

    async fn history(
        &self,
        key: &str,
        offset: u32,
        compare: Option<(i64, i64)>,
    ) -> Result<app::types::HistoryView, AppError> {
        Ok(revisions::ops::history(self, key, offset, compare).await?)
    }

    async fn restore_revision(
        &self,
        request: &Parts,
        key: &str,
        revision: i64,
        base: Option<i64>,
    ) -> Result<app::types::SaveOutcome, AppError> {
        let actor = self.auth.writer(request).await?;
        Ok(revisions::ops::restore(self, &actor, key, revision, base).await?)
    }
}
