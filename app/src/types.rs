//! Data shared by the server and the browser: what server functions return.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Alert labels, e.g. from a page URL (`?instance=…&job=…`).
pub type Labels = BTreeMap<String, String>;

/// One runbook in a listing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// Sanitised HTML of the body; safe to insert as-is.
    pub html: String,
    /// Path of the source file relative to the runbook root.
    pub source_path: String,
    /// Parse problem, when the file is broken. `html` is then empty.
    pub error: Option<String>,
}

/// What the page at `/runbooks/{path}` turned out to be.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RunbookPath {
    Runbook(RunbookView),
    Group {
        group: String,
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
pub struct IncidentView {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub runbook_key: Option<String>,
    pub alertname: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub opened_by: String,
    pub events: Vec<TimelineEvent>,
}

/// One entry of an incident's append-only timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    /// Short human-readable text derived from the payload.
    pub summary: String,
}
