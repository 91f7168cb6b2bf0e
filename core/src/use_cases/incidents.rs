//! Incidents as responders work them: the runbook engine supplies titles,
//! canonical keys and the Mitigation checklist; the timeline records.
//! Shared by the JSON API, the pages and the webhook.

use std::sync::Arc;

use portal_types::{
    IncidentAction, IncidentPage, IncidentQuery, IncidentView, Labels, TimelineEvent,
};

use crate::auth::Actor;
use crate::config::WebhookConfig;
use crate::error::{Error, Result};
use crate::incidents::{NewIncident, Timeline};
use crate::metrics::Metrics;
use crate::runbooks::RunbookStore;

/// The incident use cases and what they need.
#[derive(Clone)]
pub struct Incidents {
    pub(crate) runbooks: Arc<RunbookStore>,
    pub(crate) timeline: Timeline,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) webhook: Arc<WebhookConfig>,
    /// Where webhook notifications add to the alert history.
    pub(crate) history: Arc<dyn crate::store::HistoryStore>,
}

/// `POST /api/v1/incidents`, and the runbook page's "Open incident".
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIncident {
    /// Defaults to the runbook's alert (and instance label).
    #[serde(default)]
    pub title: Option<String>,
    /// `group/Alert`; its Mitigation list becomes the checklist.
    #[serde(default)]
    pub runbook: Option<String>,
    #[serde(default)]
    pub alertname: Option<String>,
    #[serde(default)]
    pub labels: Labels,
    #[serde(default)]
    pub severity: Option<String>,
}

impl Incidents {
    pub fn new(
        runbooks: Arc<RunbookStore>,
        timeline: Timeline,
        metrics: Arc<Metrics>,
        webhook: Arc<WebhookConfig>,
        history: Arc<dyn crate::store::HistoryStore>,
    ) -> Incidents {
        Incidents {
            runbooks,
            timeline,
            metrics,
            webhook,
            history,
        }
    }

    /// The timeline behind these use cases (its live feed, for event streams).
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Open an incident as `actor`.
    pub async fn open(&self, actor: &Actor, create: CreateIncident) -> Result<IncidentView> {
        let index = self.runbooks.index();
        let runbook = match &create.runbook {
            Some(key) => Some(
                index
                    .get(key)
                    .ok_or_else(|| Error::NotFound(format!("no runbook {key}")))?
                    .clone(),
            ),
            None => None,
        };
        let alertname = create
            .alertname
            .clone()
            .or_else(|| runbook.as_ref().map(|r| r.alert.clone()));
        let title = match (create.title.filter(|t| !t.trim().is_empty()), &alertname) {
            (Some(title), _) => title,
            (None, Some(alert)) => match create.labels.get("instance") {
                Some(instance) => format!("{alert} on {instance}"),
                None => alert.clone(),
            },
            (None, None) => {
                return Err(Error::BadRequest(
                    "an incident needs a title, a runbook or an alert name".into(),
                ));
            }
        };
        let new = NewIncident {
            title,
            runbook_key: runbook.as_ref().map(|r| r.key.clone()),
            alertname,
            checklist: checklist(runbook.as_deref(), &create.labels),
            labels: create.labels,
            severity: create.severity,
        };
        let incident = self.timeline.open(new, actor.name()).await?;
        self.metrics.incident_opened();
        tracing::info!(incident = incident.id, runbook = ?incident.runbook_key, %actor, "incident opened");
        Ok(incident)
    }

    /// One action; a linked runbook must exist and is stored by its canonical key.
    pub async fn act(
        &self,
        actor: &Actor,
        id: i64,
        action: IncidentAction,
    ) -> Result<TimelineEvent> {
        let action = match action {
            IncidentAction::LinkRunbook { runbook } => {
                let index = self.runbooks.index();
                let found = index
                    .get(&runbook)
                    .ok_or_else(|| Error::BadRequest(format!("no runbook {runbook} to link")))?;
                IncidentAction::LinkRunbook {
                    runbook: found.key.clone(),
                }
            }
            IncidentAction::Silenced { .. } | IncidentAction::Unsilenced { .. } => {
                return Err(Error::BadRequest(
                    "silence events are recorded by POST and DELETE /api/v1/silences".into(),
                ));
            }
            other => other,
        };
        let event = self.timeline.act(id, action, actor.name()).await?;
        tracing::info!(incident = id, kind = %event.kind, %actor, "incident event");
        Ok(event)
    }

    /// One incident with its timeline and checklist.
    pub async fn get(&self, id: i64) -> Result<IncidentView> {
        self.timeline.get(id).await
    }

    /// Incidents matching a filter, newest first, one page.
    pub async fn list(&self, query: &IncidentQuery) -> Result<IncidentPage> {
        self.timeline.list(query).await
    }

    /// The newest incident of a runbook (any spelling of its key) that is not
    /// resolved, if any.
    pub async fn current_for_runbook(&self, runbook_key: &str) -> Result<Option<IncidentView>> {
        let key = self
            .runbooks
            .index()
            .get(runbook_key)
            .map_or_else(|| runbook_key.to_string(), |r| r.key.clone());
        self.timeline.current_for_runbook(&key).await
    }
}

/// A runbook's Mitigation steps with label placeholders filled in, copied
/// into the incident so later runbook edits do not rewrite history.
pub fn checklist(runbook: Option<&crate::runbooks::Runbook>, labels: &Labels) -> Vec<String> {
    runbook
        .map(|r| {
            r.mitigation
                .iter()
                .map(|step| crate::placeholders::fill_text(step, labels))
                .collect()
        })
        .unwrap_or_default()
}
