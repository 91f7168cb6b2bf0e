//! Runbook revisions: every version of every runbook file as an append-only
//! row (the schema refuses UPDATE and DELETE). The runbook index is built from
//! the current revision of each file; web and API saves, restores and the
//! directory import all append here.
//!
//! Rows are the store's ([`RevisionStore`]); a save's check-then-append runs
//! in one of its write transactions, whose discipline (SQLite: the file's
//! write lock) keeps another writer from interleaving.

pub mod diff;
pub mod export;
mod import;
pub mod merge;
pub(crate) mod save;
pub mod sync;
#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use import::ImportReport;
pub use save::SaveRequest;

use crate::error::Result;
use crate::runbooks::source::SourceFile;
pub use crate::store::Revision;
use crate::store::RevisionStore;
pub use portal_types::Origin;

/// The author recorded for imported files.
pub const FILESYSTEM: &str = "filesystem";

#[derive(Clone)]
pub struct Revisions {
    store: Arc<dyn RevisionStore>,
    /// Turns for the three-way merges of saves (never inside a write).
    merges: merge::Merges,
}

impl Revisions {
    pub fn new(store: Arc<dyn RevisionStore>) -> Revisions {
        Revisions {
            store,
            merges: merge::Merges::default(),
        }
    }

    /// The newest revision id: a cheap "did anything change" probe for
    /// replicas sharing the database.
    pub async fn max_id(&self) -> Result<i64> {
        Ok(self.store.max_id().await?)
    }

    /// The current (newest) revision of a file, deleted or not.
    pub async fn current(&self, key: &str) -> Result<Option<Revision>> {
        Ok(self.store.current(key).await?)
    }

    pub async fn get(&self, id: i64) -> Result<Option<Revision>> {
        Ok(self.store.get(id).await?)
    }

    /// A file's revisions, newest first, one page, with the total.
    pub async fn history(
        &self,
        key: &str,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<Revision>, i64)> {
        Ok(self.store.history(key, limit, offset).await?)
    }

    /// The current text of every file that is not deleted, sorted by path,
    /// and the newest revision id they reflect.
    pub async fn current_files(&self) -> Result<(Vec<SourceFile>, i64)> {
        Ok(self.store.current_files().await?)
    }
}
