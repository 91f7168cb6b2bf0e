//! The directory import: a file becomes a revision only when it changed on
//! disk since the last import (compared by SHA-256 with what was seen then),
//! so an unchanged file never overwrites a newer web edit, and a changed one
//! lands on top of whatever is current — history keeps both.

use std::collections::HashMap;

use chrono::Utc;
use sha2::{Digest, Sha256};

use super::{FILESYSTEM, NewRevision, Origin, Revisions, append, current_in};
use crate::error::Result;
use crate::runbooks::source::SourceFile;

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
        let mut write = self.write().await?;
        let seen: HashMap<String, String> = sqlx::query_as::<_, (String, String)>(
            "SELECT runbook_key, sha256 FROM runbook_files_seen",
        )
        .fetch_all(&mut *write.tx)
        .await?
        .into_iter()
        .collect();
        let now = Utc::now();
        for file in files {
            let hash = sha256(&file.text);
            if seen.get(&file.path) == Some(&hash) {
                continue;
            }
            sqlx::query(
                "INSERT INTO runbook_files_seen (runbook_key, sha256, seen_at) VALUES ($1, $2, $3)
                 ON CONFLICT (runbook_key) DO UPDATE SET sha256 = excluded.sha256, seen_at = excluded.seen_at",
            )
            .bind(&file.path)
            .bind(&hash)
            .bind(now)
            .execute(&mut *write.tx)
            .await?;
            let current = current_in(&mut *write.tx, &file.path).await?;
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
            append(
                &mut write.tx,
                NewRevision {
                    key: &file.path,
                    parent: current.map(|c| c.id),
                    source: &file.text,
                    author: FILESYSTEM,
                    message,
                    origin: Origin::Filesystem,
                    deleted: false,
                },
            )
            .await?;
            report.changed += 1;
        }
        let present: std::collections::HashSet<&str> =
            files.iter().map(|f| f.path.as_str()).collect();
        for (path, hash) in &seen {
            if present.contains(path.as_str()) {
                continue;
            }
            sqlx::query("DELETE FROM runbook_files_seen WHERE runbook_key = $1")
                .bind(path)
                .execute(&mut *write.tx)
                .await?;
            // Only a runbook still holding the removed file's text goes; one
            // edited on the web since keeps its edit.
            let Some(current) = current_in(&mut *write.tx, path).await? else {
                continue;
            };
            if current.deleted || sha256(&current.source) != *hash {
                continue;
            }
            append(
                &mut write.tx,
                NewRevision {
                    key: path,
                    parent: Some(current.id),
                    source: "",
                    author: FILESYSTEM,
                    message: "removed on disk",
                    origin: Origin::Filesystem,
                    deleted: true,
                },
            )
            .await?;
            report.deleted += 1;
        }
        write.tx.commit().await?;
        Ok(report)
    }
}
