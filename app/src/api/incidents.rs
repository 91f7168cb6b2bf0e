//! Server functions for incidents: open, read, list, act, and the command
//! view's live parts.

use leptos::prelude::*;

use crate::error::AppError;
use portal_types::{
    IncidentAction, IncidentCommand, IncidentPage, IncidentQuery, IncidentView, Labels,
    TimelineEvent,
};

#[cfg(feature = "ssr")]
use super::serving::{actor, core, with_status};
#[cfg(feature = "ssr")]
use portal_types::RunbookPath;

#[server(prefix = "/sf", endpoint = "open_incident")]
pub async fn open_incident(
    runbook_key: String,
    #[server(default)] labels: Labels,
) -> Result<IncidentView, AppError> {
    with_status(
        async {
            let create = portal_core::use_cases::CreateIncident {
                runbook: Some(runbook_key),
                labels,
                ..Default::default()
            };
            Ok(core()?.incidents.open(&actor().await?, create).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "current_incident")]
pub async fn current_incident(runbook_key: String) -> Result<Option<IncidentView>, AppError> {
    with_status(async { Ok(core()?.incidents.current_for_runbook(&runbook_key).await?) }.await)
}

#[server(prefix = "/sf", endpoint = "incident")]
pub async fn get_incident(id: i64) -> Result<IncidentView, AppError> {
    with_status(async { Ok(core()?.incidents.get(id).await?) }.await)
}

/// The incident command view's live parts: the runbook as the incident's
/// labels fill it (its checks and their last results) and the alert's live
/// state. A runbook that is gone or broken leaves just the incident.
#[server(prefix = "/sf", endpoint = "incident_command", input = server_fn::codec::Json)]
pub async fn get_incident_command(id: i64) -> Result<IncidentCommand, AppError> {
    with_status(
        async {
            let core = core()?;
            let incident = core.incidents.get(id).await?;
            let runbook = match &incident.runbook_key {
                Some(key) => match core.catalog.page(key, &incident.labels).await? {
                    RunbookPath::Runbook(view) if view.error.is_none() => Some(*view),
                    _ => None,
                },
                None => None,
            };
            let live = incident
                .alertname
                .as_deref()
                .map(|name| core.catalog.live_state(Some(name)));
            Ok(IncidentCommand {
                incident,
                runbook,
                live,
            })
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "incidents", input = server_fn::codec::Json)]
pub async fn list_incidents(query: IncidentQuery) -> Result<IncidentPage, AppError> {
    with_status(async { Ok(core()?.incidents.list(&query).await?) }.await)
}

/// Ack, note, tick, resolve…: one timeline event per call.
#[server(prefix = "/sf", endpoint = "incident_act", input = server_fn::codec::Json)]
pub async fn incident_act(id: i64, action: IncidentAction) -> Result<TimelineEvent, AppError> {
    with_status(async { Ok(core()?.incidents.act(&actor().await?, id, action).await?) }.await)
}
