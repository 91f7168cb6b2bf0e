//! The revisions aggregate: append-only runbook revisions and what the
//! directory import saw on disk.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::runbooks::source::SourceFile;
use portal_types::{Origin, RevisionInfo};

/// A stored revision with its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub id: i64,
    pub runbook_key: String,
    pub parent_id: Option<i64>,
    pub source: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub message: String,
    pub origin: Origin,
    pub deleted: bool,
}

impl Revision {
    pub fn info(&self) -> RevisionInfo {
        RevisionInfo {
            id: self.id,
            path: self.runbook_key.clone(),
            parent: self.parent_id,
            author: self.author.clone(),
            at: self.created_at,
            message: self.message.clone(),
            origin: self.origin,
            deleted: self.deleted,
        }
    }
}

/// A revision to append; the store stamps its id and time.
#[derive(Debug, Clone)]
pub struct NewRevision<'a> {
    pub key: &'a str,
    pub parent: Option<i64>,
    pub source: &'a str,
    pub author: &'a str,
    pub message: &'a str,
    pub origin: Origin,
    pub deleted: bool,
}

#[async_trait::async_trait]
pub trait RevisionStore: Send + Sync {
    /// The newest revision id (0 when there is none).
    async fn max_id(&self) -> StoreResult<i64>;
    /// The newest revision of a file, deleted or not.
    async fn current(&self, key: &str) -> StoreResult<Option<Revision>>;
    async fn get(&self, id: i64) -> StoreResult<Option<Revision>>;
    /// A file's revisions, newest first, one page, with the total.
    async fn history(
        &self,
        key: &str,
        limit: u32,
        offset: u32,
    ) -> StoreResult<(Vec<Revision>, i64)>;
    /// The current text of every file not deleted, sorted by path, and the
    /// newest revision id they reflect, read as one snapshot.
    async fn current_files(&self) -> StoreResult<(Vec<SourceFile>, i64)>;
    /// Start a write transaction under the backend's write discipline;
    /// dropping it without [`RevisionTx::commit`] writes nothing.
    async fn begin(&self) -> StoreResult<Box<dyn RevisionTx>>;
}

/// One write transaction on revisions. A save reads the current revision
/// and appends on top only if it is still the one it merged against, so the
/// read must hold until commit: SQLite holds the whole file; a backend with
/// row locking locks the runbook (PostgreSQL: an advisory lock per key).
#[async_trait::async_trait]
pub trait RevisionTx: Send {
    /// The newest revision of a file, held for this transaction.
    async fn current(&mut self, key: &str) -> StoreResult<Option<Revision>>;
    async fn append(&mut self, new: &NewRevision<'_>) -> StoreResult<Revision>;
    /// The SHA-256 of each file as the last import saw it, by path.
    async fn files_seen(&mut self) -> StoreResult<HashMap<String, String>>;
    async fn mark_seen(&mut self, key: &str, sha256: &str, at: DateTime<Utc>) -> StoreResult<()>;
    async fn forget_seen(&mut self, key: &str) -> StoreResult<()>;
    async fn commit(self: Box<Self>) -> StoreResult<()>;
}
