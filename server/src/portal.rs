//! The engines bundled together, and the [`Portal`] implementation that the
//! Leptos pages and server functions call.

use std::sync::Arc;

use app::backend::Portal;
use app::error::AppError;
use app::types::{AlertBadge, IncidentView, Labels, RunbookPath, RunbookSummary, RunbookView};
use http::request::Parts;

use crate::alerts::AlertHub;
use crate::auth::Auth;
use crate::incidents::{NewIncident, Timeline};
use crate::metrics::Metrics;
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

pub fn view(runbook: &Runbook) -> RunbookView {
    RunbookView {
        key: runbook.key.clone(),
        group: runbook.group.clone(),
        alert: runbook.alert.clone(),
        title: runbook.title().to_string(),
        description: runbook.front.description.clone(),
        tags: runbook.front.tags.clone(),
        html: runbook.html.clone(),
        source_path: runbook.source_path.clone(),
        error: runbook
            .error
            .as_ref()
            .map(|e| format!("This runbook could not be read: {e}")),
    }
}

#[async_trait::async_trait]
impl Portal for Engines {
    fn runbooks(&self) -> Vec<RunbookSummary> {
        self.runbooks
            .index()
            .runbooks()
            .iter()
            .map(|r| summary(r))
            .collect()
    }

    fn resolve(&self, path: &str, _labels: &Labels) -> RunbookPath {
        let index = self.runbooks.index();
        if let Some(runbook) = index.get(path) {
            return RunbookPath::Runbook(view(runbook));
        }
        if let Some((group, _info, members)) = index.group(path) {
            return RunbookPath::Group {
                group: group.to_string(),
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
        let actor = self.auth.writer(request)?;
        let index = self.runbooks.index();
        let runbook = index
            .get(runbook_key)
            .ok_or_else(|| AppError::NotFound(format!("no runbook {runbook_key}")))?;
        let title = match labels.get("instance") {
            Some(instance) => format!("{} on {instance}", runbook.alert),
            None => runbook.alert.clone(),
        };
        let new = NewIncident {
            title,
            runbook_key: Some(runbook.key.clone()),
            alertname: Some(runbook.alert.clone()),
            labels,
            checklist: Vec::new(),
        };
        let incident = self.timeline.open(new, &actor).await?;
        self.metrics.incident_opened();
        tracing::info!(incident = incident.id, runbook = %runbook.key, %actor, "incident opened");
        Ok(incident)
    }

    async fn open_incident_for(&self, runbook_key: &str) -> Result<Option<IncidentView>, AppError> {
        let index = self.runbooks.index();
        let key = index
            .get(runbook_key)
            .map_or(runbook_key.to_string(), |r| r.key.clone());
        Ok(self.timeline.current_for_runbook(&key).await?)
    }
}
