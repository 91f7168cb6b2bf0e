//! Incident operations that need more than the timeline: the runbook engine
//! supplies titles, canonical keys and the Mitigation checklist; the timeline
//! engine records. Shared by the JSON API, the pages and the webhook.

use app::types::{IncidentAction, IncidentView, Labels, TimelineEvent};

use crate::error::{Error, Result};
use crate::incidents::NewIncident;
use crate::portal::Engines;

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

pub async fn open(engines: &Engines, actor: &str, create: CreateIncident) -> Result<IncidentView> {
    let index = engines.runbooks.index();
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
    let incident = engines.timeline.open(new, actor).await?;
    engines.metrics.incident_opened();
    tracing::info!(incident = incident.id, runbook = ?incident.runbook_key, %actor, "incident opened");
    Ok(incident)
}

/// One action; a linked runbook must exist and is stored by its canonical key.
pub async fn act(
    engines: &Engines,
    actor: &str,
    id: i64,
    action: IncidentAction,
) -> Result<TimelineEvent> {
    let action = match action {
        IncidentAction::LinkRunbook { runbook } => {
            let index = engines.runbooks.index();
            let found = index
                .get(&runbook)
                .ok_or_else(|| Error::BadRequest(format!("no runbook {runbook} to link")))?;
            IncidentAction::LinkRunbook {
                runbook: found.key.clone(),
            }
        }
        other => other,
    };
    let event = engines.timeline.act(id, action, actor).await?;
    tracing::info!(incident = id, kind = %event.kind, %actor, "incident event");
    Ok(event)
}

/// A runbook's Mitigation steps with label placeholders filled in, copied
/// into the incident so later runbook edits do not rewrite history.
pub fn checklist(runbook: Option<&crate::runbooks::Runbook>, labels: &Labels) -> Vec<String> {
    runbook
        .map(|r| {
            r.mitigation
                .iter()
                .map(|step| crate::runbooks::sections::fill_labels(step, labels))
                .collect()
        })
        .unwrap_or_default()
}
