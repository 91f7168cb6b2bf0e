//! A save names the revision it was based on. If another revision landed
//! since, the three texts are merged (`diffy`): changes that do not overlap
//! are kept both, as a new revision on top; overlapping ones refuse the save
//! with the other author's change as a diff and a merge with conflict
//! markers, so no edit is ever silently lost.

use app::types::{ConflictView, SaveOutcome};

use super::{NewRevision, Origin, Revisions, append, current_in};
use crate::error::{Error, Result};

/// Largest runbook text accepted (the corpus' largest file is ~40 KB).
pub const MAX_SOURCE_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct SaveRequest {
    /// The file's path under the runbook root (`group/Alert.md`).
    pub path: String,
    /// The revision the text was based on; `None` to create.
    pub base: Option<i64>,
    pub source: String,
    pub message: String,
    pub author: String,
    pub origin: Origin,
}

impl Revisions {
    pub async fn save(&self, request: SaveRequest) -> Result<SaveOutcome> {
        if request.source.len() > MAX_SOURCE_BYTES {
            return Err(Error::BadRequest(format!(
                "runbook text longer than {MAX_SOURCE_BYTES} bytes"
            )));
        }
        let message = request.message.trim();
        if message.len() > 2000 {
            return Err(Error::BadRequest(
                "commit message longer than 2000 bytes".into(),
            ));
        }
        let mut write = self.write().await?;
        let current = current_in(&mut *write.tx, &request.path).await?;
        let live = current.as_ref().filter(|c| !c.deleted);
        let base_matches = match (&current, request.base) {
            (Some(c), Some(base)) => c.id == base,
            // Creating: nothing there, or only a deleted file.
            (None, None) => true,
            (Some(c), None) => c.deleted,
            (None, Some(_)) => false,
        };
        let (text, merged_with) = if base_matches {
            if let Some(c) = live
                && c.source == request.source
            {
                return Ok(SaveOutcome::Unchanged { revision: c.info() });
            }
            (request.source.clone(), None)
        } else {
            let Some(current) = current.as_ref() else {
                return Err(Error::NotFound(format!(
                    "no runbook {}; save without a base revision to create it",
                    request.path
                )));
            };
            let base_text = match request.base {
                Some(id) => self.base_text(id, &request.path).await?,
                None => String::new(),
            };
            let theirs = if current.deleted {
                ""
            } else {
                current.source.as_str()
            };
            match diffy::merge(&base_text, &request.source, theirs) {
                Ok(merged) if merged == theirs => {
                    return Ok(SaveOutcome::Unchanged {
                        revision: current.info(),
                    });
                }
                Ok(merged) => (merged, Some(current.id)),
                Err(conflicted) => {
                    return Ok(SaveOutcome::Conflict(ConflictView {
                        base: request.base,
                        theirs: super::diff::diff(&base_text, theirs),
                        current: current.info(),
                        mine: request.source,
                        merged: conflicted,
                    }));
                }
            }
        };
        let message = match merged_with {
            Some(id) => format!("{message} (merged with revision {id})")
                .trim()
                .to_string(),
            None => message.to_string(),
        };
        let revision = append(
            &mut write.tx,
            NewRevision {
                key: &request.path,
                parent: current.as_ref().map(|c| c.id),
                source: &text,
                author: &request.author,
                message: &message,
                origin: request.origin,
                deleted: false,
            },
        )
        .await?;
        write.tx.commit().await?;
        Ok(SaveOutcome::Saved {
            revision: revision.info(),
            merged_with,
        })
    }

    /// The text of a base revision, which must belong to the same file.
    async fn base_text(&self, id: i64, path: &str) -> Result<String> {
        match self.get(id).await? {
            Some(base) if base.runbook_key == path => Ok(base.source),
            _ => Err(Error::BadRequest(format!(
                "revision {id} is not a revision of {path}"
            ))),
        }
    }
}
