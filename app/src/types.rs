//! Data shared by the server and the browser: what server functions return.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Alert labels, e.g. from a page URL (`?instance=…&job=…`).
pub type Labels = BTreeMap<String, String>;

/// One runbook in a listing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RunbookSummary {
    /// `group/Alert`, the stable key used in URLs.
    pub key: String,
    pub group: String,
    pub alert: String,
    pub title: String,
    pub tags: Vec<String>,
    /// Set when the file could not be parsed; the page shows why.
    pub broken: bool,
}

/// A rendered runbook page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunbookView {
    pub key: String,
    pub group: String,
    pub alert: String,
    pub title: String,
    pub description: Option<String>,
    pub tags: Vec<String>,
    /// Path of the source file relative to the runbook root.
    pub source_path: String,
    /// `date` from the front matter: when the runbook last changed.
    pub date: Option<String>,
    /// Headings of the body, for the table of contents.
    pub toc: Vec<TocEntry>,
    /// Parse problem, when the file is broken. `body` is then empty and
    /// `raw` holds the file's text so the responder still has it.
    pub error: Option<String>,
    pub raw: Option<String>,
    /// Sanitised HTML of the body, safe to insert as-is, cut where its
    /// top-level checks stand (the page puts live check cards there).
    #[serde(default)]
    pub body: Vec<crate::checks::BodyPart>,
    /// Every check of the runbook, declared ones first, then the implicit
    /// `alert-expr` when the rule is known.
    #[serde(default)]
    pub checks: Vec<crate::checks::CheckView>,
    /// The newest recorded result of each check.
    #[serde(default)]
    pub last_results: Vec<crate::checks::CheckResult>,
}

/// One heading in a runbook's table of contents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A group of runbooks (a directory), as listed on `/runbooks`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupSummary {
    pub name: String,
    /// From the group's `_index.md`.
    pub title: Option<String>,
    pub count: usize,
}

/// Everything `/runbooks` shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub runbooks: Vec<RunbookSummary>,
    pub groups: Vec<GroupSummary>,
    /// Tags with their number of runbooks.
    pub tags: Vec<(String, usize)>,
}

/// One search hit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    pub key: String,
    pub alert: String,
    pub group: String,
    pub title: String,
    /// Body fragment with matches in `<b>`; escaped otherwise.
    pub snippet_html: String,
}

/// What the page at `/runbooks/{path}` turned out to be.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RunbookPath {
    Runbook(Box<RunbookView>),
    Group {
        group: String,
        title: Option<String>,
        /// Sanitised HTML of the group's `_index.md` body.
        intro_html: String,
        runbooks: Vec<RunbookSummary>,
    },
    NotFound {
        path: String,
    },
}

/// Whether an alert fires, as last seen by the server's poller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    Firing,
    Pending,
    Inactive,
    /// Firing, but every firing instance is silenced or inhibited.
    Silenced,
    /// No Prometheus is configured.
    NotConfigured,
    /// The poller has no successful answer yet, or the last one failed.
    Unreachable,
}

impl AlertState {
    pub fn label(self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Pending => "pending",
            AlertState::Inactive => "inactive",
            AlertState::Silenced => "silenced",
            AlertState::NotConfigured => "no Prometheus configured",
            AlertState::Unreachable => "Prometheus unreachable",
        }
    }

    /// CSS class suffix.
    pub fn css(self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Pending => "pending",
            AlertState::Inactive => "inactive",
            AlertState::Silenced => "silenced",
            AlertState::NotConfigured | AlertState::Unreachable => "unknown",
        }
    }
}

/// The alert badge of a runbook page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertBadge {
    pub alertname: String,
    pub state: AlertState,
    /// Number of firing instances.
    pub firing: usize,
    /// Number of pending instances.
    pub pending: usize,
    /// When the poller last heard from Prometheus.
    pub updated_at: Option<DateTime<Utc>>,
}

/// An incident with its timeline, oldest event first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncidentView {
    pub id: i64,
    pub title: String,
    /// `open`, `acknowledged` or `resolved`.
    pub status: String,
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TimelineEvent {
    pub id: i64,
    pub incident_id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    /// Short human-readable text derived from the payload.
    pub summary: String,
    /// The event's data as recorded.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub payload: serde_json::Value,
}

/// Something a responder does to an incident; each becomes exactly one
/// timeline event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
        outcome: String,
        #[serde(default)]
        #[cfg_attr(feature = "ssr", schema(value_type = Object))]
        detail: serde_json::Value,
    },
}

/// One incident in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncidentSummary {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub severity: Option<String>,
    pub runbook_key: Option<String>,
    pub alertname: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub opened_by: String,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// Which incidents to list; every field optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
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
}

/// A page of incidents, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncidentPage {
    pub items: Vec<IncidentSummary>,
    /// Incidents matching the filter, over all pages.
    pub total: i64,
    pub limit: u32,
    pub offset: u32,
}
