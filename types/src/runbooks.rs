//! Runbooks as listings and pages show them.

use serde::{Deserialize, Serialize};

use crate::{CheckResult, CheckView, GraphView, IncidentView, LiveState};

/// One runbook in a listing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    pub body: Vec<BodyPart>,
    /// Every check of the runbook, declared ones first, then the implicit
    /// `alert-expr` when the rule is known.
    #[serde(default)]
    pub checks: Vec<CheckView>,
    /// The newest recorded result of each check.
    #[serde(default)]
    pub last_results: Vec<CheckResult>,
}

/// One heading in a runbook's table of contents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResult {
    pub key: String,
    pub alert: String,
    pub group: String,
    pub title: String,
    /// Body fragment with matches in `<b>`; escaped otherwise.
    pub snippet_html: String,
    /// Relevance (BM25); higher is better.
    pub score: f32,
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

/// `/runbooks/{path}` as its page first shows it: what the path is and,
/// for a runbook, the live parts around it. One call, so the page waits on
/// one resource: Leptos' server rendering can stall on resources created
/// inside another resource's suspense (leptos-rs/leptos#4851, #4866).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PathPage {
    pub path: RunbookPath,
    /// Present when `path` is a runbook.
    pub live: Option<RunbookLive>,
}

/// What a runbook page shows beside the runbook, as of the request; the
/// page keeps each part current on its own afterwards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunbookLive {
    pub alert: LiveState,
    /// The alert's expression over the first range ([`crate::GRAPH_HOURS`]).
    pub graph: Result<GraphView, String>,
    /// The runbook's open incident.
    pub incident: Result<Option<IncidentView>, String>,
    /// The alert's recorded history over the last 30 days.
    pub history: Result<crate::AlertHistory, String>,
}

/// A piece of a runbook's body: server-made HTML, or the place of a check
/// whose live card the page renders there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum BodyPart {
    Html(String),
    Check(String),
}

/// One runbook as the JSON API returns it: its rendered body and the parts a
/// client builds on (rule, sections, checklist, checks).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunbookDetail {
    #[serde(flatten)]
    pub item: RunbookSummary,
    pub description: Option<String>,
    pub source_path: String,
    /// Sanitised HTML of the body.
    pub html: String,
    /// Why the file could not be parsed, when it is broken.
    pub error: Option<String>,
    /// `date` from the front matter.
    pub date: Option<String>,
    /// The alert rule shown on the page, if found.
    pub rule: Option<RuleBody>,
    /// Headings, in order.
    pub headings: Vec<TocEntry>,
    /// Plain text of the standard sections found (Meaning, Impact,
    /// Diagnosis, Mitigation).
    pub sections: std::collections::BTreeMap<String, String>,
    /// The Mitigation list items: an incident's checklist.
    pub mitigation: Vec<String>,
    /// The runbook's diagnosis checks (declared, then `alert-expr`).
    pub checks: Vec<CheckView>,
}

/// An alerting rule and where it was found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleBody {
    pub alert: String,
    pub expr: String,
    #[serde(rename = "for")]
    pub for_: Option<String>,
    pub labels: std::collections::BTreeMap<String, String>,
    pub annotations: std::collections::BTreeMap<String, String>,
    /// `rule-file`, or `comment-copy` when the rule file lacks the alert.
    pub source: String,
}
