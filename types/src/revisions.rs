//! Runbook revisions: history, diffs and what a save did.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who made a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Filesystem,
    Web,
    Api,
}

crate::names!(Origin {
    Filesystem => "filesystem",
    Web => "web",
    Api => "api",
});

/// One stored version of a runbook file (wiki editing, issue #8).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevisionInfo {
    pub id: i64,
    /// The file's path under the runbook root, e.g. `node-exporter/HostHighCpuLoad.md`.
    pub path: String,
    pub parent: Option<i64>,
    pub author: String,
    pub at: DateTime<Utc>,
    pub message: String,
    /// `filesystem`, `web` or `api`.
    pub origin: Origin,
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffView {
    pub unified: Vec<DiffLine>,
    pub rows: Vec<DiffRow>,
    pub added: usize,
    pub removed: usize,
}

/// What a diff line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    Equal,
    Delete,
    Insert,
    /// Unchanged lines left out between two hunks.
    Skip,
}

crate::names!(DiffKind {
    Equal => "equal",
    Delete => "delete",
    Insert => "insert",
    Skip => "skip",
});

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffLine {
    pub kind: DiffKind,
    pub old: Option<usize>,
    pub new: Option<usize>,
    pub parts: Vec<DiffPart>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffPart {
    pub text: String,
    /// This part changed within the line.
    pub emph: bool,
}

/// One side-by-side row: the old line left, the new line right.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffRow {
    pub left: Option<DiffLine>,
    pub right: Option<DiffLine>,
}

/// A save that found another revision in place of its base.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
