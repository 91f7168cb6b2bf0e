//! The directory import: a file becomes a revision only when it changed on
//! disk since the last import (compared by SHA-256 with what was seen then),
//! so an unchanged file never overwrites a newer web edit, and a changed one
//! lands on top of whatever is current — history keeps both.

use std::collections::HashMap;

use chrono::Utc;
use sha2::{Digest, Sha256};

use super::{FILESYSTEM, Origin, Revisions};
use crate::error::Result;
use crate::runbooks::source::SourceFile;
use crate::store::NewRevision;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    /// New revisions from added or changed files.
    pub changed: usize,
    /// Files removed on disk whose runbook was marked deleted.
    pub deleted: usize,
}

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

impl Revisions {
    /// Record what changed in `files` (the whole directory) since the last
    /// import, in one transaction.
    pub async fn import(&self, files: &[SourceFile]) -> Result<ImportReport> {
        let mut report = ImportReport::default();
        let mut write = self.store.begin().await?;
        let seen: HashMap<String, String> = write.files_seen().await?;
        let now = Utc::now();
        for file in files {
            let hash = sha256(&file.text);
            if seen.get(&file.path) == Some(&hash) {
                continue;
            }
            write.mark_seen(&file.path, &hash, now).await?;
            let current = write.current(&file.path).await?;
            if current
                .as_ref()
                .is_some_and(|c| !c.deleted && c.source == file.text)
            {
                continue;
            }
            let message = if current.is_some() {
                "changed on disk"
            } else {
                "imported from disk"
            };
            write
                .append(&NewRevision {
                    key: &file.path,
                    parent: current.map(|c| c.id),
                    source: &file.text,
                    author: FILESYSTEM,
                    message,
                    origin: Origin::Filesystem,
                    deleted: false,
                })
                .await?;
            report.changed += 1;
        }
        let present: std::collections::HashSet<&str> =
            files.iter().map(|f| f.path.as_str()).collect();
        for (path, hash) in &seen {
            if present.contains(path.as_str()) {
                continue;
            }
            write.forget_seen(path).await?;
            // Only a runbook still holding the removed file's text goes; one
            // edited on the web since keeps its edit.
            let Some(current) = write.current(path).await? else {
                continue;
            };
            if current.deleted || sha256(&current.source) != *hash {
                continue;
            }
            write
                .append(&NewRevision {
                    key: path,
                    parent: Some(current.id),
                    source: "",
                    author: FILESYSTEM,
                    message: "removed on disk",
                    origin: Origin::Filesystem,
                    deleted: true,
                })
                .await?;
            report.deleted += 1;
        }
        write.commit().await?;
        Ok(report)
    }
}
