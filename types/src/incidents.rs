//! Incidents, their append-only timelines and what responders do to them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Labels;

/// Where an incident stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Open,
    Acknowledged,
    Resolved,
}

crate::names!(IncidentStatus {
    Open => "open",
    Acknowledged => "acknowledged",
    Resolved => "resolved",
});

/// An incident with its timeline, oldest event first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidentView {
    pub id: i64,
    pub title: String,
    pub status: IncidentStatus,
    pub severity: Option<String>,
    pub runbook_key: Option<String>,
    pub alertname: Option<String>,
    #[serde(default)]
    pub labels: Labels,
    /// Alertmanager fingerprint for incidents opened by the webhook.
    pub fingerprint: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub opened_by: String,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
    /// Mitigation steps copied from the runbook at open time, with their state.
    #[serde(default)]
    pub checklist: Vec<ChecklistStep>,
    pub events: Vec<TimelineEvent>,
}

/// One mitigation step of an incident and who ticked it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistStep {
    /// Position in the checklist, from 0; what a `checklist` action names.
    pub step: usize,
    pub text: String,
    pub done: bool,
    /// Who last changed it, and when.
    pub by: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

/// One entry of an incident's append-only timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEvent {
    pub id: i64,
    pub incident_id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    /// Short human-readable text derived from the payload.
    pub summary: String,
    /// A note's Markdown as sanitised HTML (only `note` events have it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// The event's data as recorded.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
}

/// Something a responder does to an incident; each becomes exactly one
/// timeline event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum IncidentAction {
    /// Someone is on it: `open` → `acknowledged`.
    Ack,
    /// Free text for the record.
    Note { text: String },
    /// Tick (`done: true`) or untick a mitigation step.
    Checklist { step: usize, done: bool },
    /// Change the severity (a short word such as `critical`).
    Severity { severity: String },
    /// Point at another runbook (`group/Alert`) that helped.
    LinkRunbook { runbook: String },
    /// Close the incident.
    Resolve {
        #[serde(default)]
        reason: Option<String>,
    },
    /// Open a resolved incident again.
    Reopen {
        #[serde(default)]
        reason: Option<String>,
    },
    /// The result of a diagnosis check run while the incident was open.
    CheckResult {
        check: String,
        /// `pass`, `fail` or `error`.
        outcome: crate::CheckStatus,
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(value_type = Object))]
        detail: serde_json::Value,
    },
    /// A silence was created for the incident's alert. Recorded by
    /// `POST /api/v1/silences`; refused on the events endpoint.
    Silenced {
        silence_id: String,
        matchers: Vec<String>,
        ends_at: DateTime<Utc>,
        comment: String,
    },
    /// The incident's silence was expired. Recorded by
    /// `DELETE /api/v1/silences/{id}`; refused on the events endpoint.
    Unsilenced { silence_id: String },
}

/// One incident in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidentSummary {
    pub id: i64,
    pub title: String,
    pub status: IncidentStatus,
    pub severity: Option<String>,
    pub runbook_key: Option<String>,
    pub alertname: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub opened_by: String,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// Which incidents to list; every field optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct IncidentQuery {
    /// `open`, `acknowledged`, `resolved`, or `active` (open or acknowledged).
    pub status: Option<String>,
    /// Alert name, exact.
    pub alertname: Option<String>,
    /// Opened at or after this time (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Opened before this time (RFC 3339).
    pub until: Option<DateTime<Utc>>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<u32>,
    /// Rows to skip (default 0).
    pub offset: Option<u32>,
    /// `true`: open and acknowledged incidents before resolved ones (each
    /// newest first), as the incident list shows them.
    pub active_first: Option<bool>,
}

/// A page of incidents, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidentPage {
    pub items: Vec<IncidentSummary>,
    /// Incidents matching the filter, over all pages.
    pub total: i64,
    pub limit: u32,
    pub offset: u32,
}

/// How a timeline shows an event kind: a symbol and a word, so kinds are told
/// apart at a glance and by a screen reader. Unknown kinds read as written.
pub fn event_kind_label(kind: &str) -> (&'static str, &str) {
    match kind {
        "opened" => ("●", "opened"),
        "acknowledged" => ("✋", "acknowledged"),
        "note" => ("✎", "note"),
        "step_done" => ("☑", "step done"),
        "step_undone" => ("☐", "step undone"),
        "severity_changed" => ("⚑", "severity"),
        "runbook_linked" => ("🔗", "runbook"),
        "resolved" => ("✔", "resolved"),
        "reopened" => ("↺", "reopened"),
        "check_result" => ("🩺", "check"),
        "silenced" => ("🔕", "silenced"),
        "unsilenced" => ("🔔", "unsilenced"),
        "alert_resolved" => ("▽", "alert cleared"),
        "alert_firing" => ("▲", "alert fires"),
        other => ("•", other),
    }
}

/// The incident command view: the incident, and the runbook's live parts
/// filled with the incident's labels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentCommand {
    pub incident: IncidentView,
    /// The incident's runbook as its labels fill it (for its checks and
    /// their last results); absent without a runbook or when it is gone.
    pub runbook: Option<crate::RunbookView>,
    /// The live state of the incident's alert (none without an alert name).
    pub live: Option<crate::LiveState>,
}
