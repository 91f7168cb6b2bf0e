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

/// One stored version of a runbook file (wiki editing, issue #8).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RevisionInfo {
    pub id: i64,
    /// The file's path under the runbook root, e.g. `node-exporter/HostHighCpuLoad.md`.
    pub path: String,
    pub parent: Option<i64>,
    pub author: String,
    pub at: DateTime<Utc>,
    pub message: String,
    /// `filesystem`, `web` or `api`.
    pub origin: String,
    /// The file was removed on disk.
    pub deleted: bool,
}

/// What the editor starts from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditSource {
    /// `group/Alert`, as in page URLs.
    pub key: String,
    pub group: String,
    pub alert: String,
    /// The current revision; `None` for a new runbook.
    pub revision: Option<i64>,
    pub source: String,
    pub exists: bool,
}

/// A diff of two texts: rows for side by side and lines for unified view,
/// each split into parts with the changed words emphasised.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DiffView {
    pub unified: Vec<DiffLine>,
    pub rows: Vec<DiffRow>,
    pub added: usize,
    pub removed: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DiffLine {
    /// `equal`, `delete`, `insert`, or `skip` (unchanged lines left out).
    pub kind: String,
    pub old: Option<usize>,
    pub new: Option<usize>,
    pub parts: Vec<DiffPart>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DiffPart {
    pub text: String,
    /// This part changed within the line.
    pub emph: bool,
}

/// One side-by-side row: the old line left, the new line right.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DiffRow {
    pub left: Option<DiffLine>,
    pub right: Option<DiffLine>,
}

/// A save that found another revision in place of its base.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConflictView {
    pub base: Option<i64>,
    /// The revision saved meanwhile.
    pub current: RevisionInfo,
    /// The other author's change: base → current.
    pub theirs: DiffView,
    /// The text the author tried to save.
    pub mine: String,
    /// Three-way merge of base, current and mine, with conflict markers
    /// where both changed the same lines.
    pub merged: String,
}

/// What a save did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SaveOutcome {
    /// A new revision. `merged_with` is set when another revision had landed
    /// since the base and the changes did not overlap, so both were kept.
    Saved {
        revision: RevisionInfo,
        merged_with: Option<i64>,
    },
    /// Nothing changed: the text equals the current revision.
    Unchanged {
        revision: RevisionInfo,
    },
    Conflict(ConflictView),
}

/// A runbook's history, newest first, and optionally a diff of two revisions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryView {
    pub key: String,
    pub path: String,
    pub revisions: Vec<RevisionInfo>,
    pub total: i64,
    pub offset: u32,
    pub limit: u32,
    /// `(from, to, diff)` when two revisions were compared.
    pub diff: Option<(i64, i64, DiffView)>,
}
