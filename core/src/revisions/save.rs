//! A save names the revision it was based on. If another revision landed
//! since, the three texts are merged (`diffy`, see [`super::merge`]): changes
//! that do not overlap are kept both, as a new revision on top; overlapping
//! ones refuse the save with the other author's change as a diff and a merge
//! with conflict markers, so no edit is ever silently lost.
//!
//! Other writes never wait on a merge: the current revision is read without
//! the write lock, the merge runs on the blocking pool, and the lock is taken
//! only to check that the current revision is still the one merged against
//! and to append. If it moved meanwhile, the save is merged again against the
//! new one, a bounded number of times.

use portal_types::{ConflictView, SaveOutcome};

use super::merge::Merged;
use super::{Origin, Revision, Revisions};
use crate::error::{Error, Result};
use crate::store::NewRevision;

/// Largest runbook text accepted (the corpus' largest file is ~40 KB).
pub const MAX_SOURCE_BYTES: usize = 1024 * 1024;

/// Merges against a revision that moved meanwhile before the save gives up.
const MAX_TRIES: usize = 3;

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

/// What a save would write on top of a given current revision.
enum Plan {
    Done(Box<SaveOutcome>),
    Write {
        text: String,
        merged_with: Option<i64>,
    },
}

impl Revisions {
    pub async fn save(&self, request: SaveRequest) -> Result<SaveOutcome> {
        if request.source.len() > MAX_SOURCE_BYTES {
            return Err(Error::TooLarge(format!(
                "runbook text longer than {MAX_SOURCE_BYTES} bytes"
            )));
        }
        let message = request.message.trim();
        if message.len() > 2000 {
            return Err(Error::BadRequest(
                "commit message longer than 2000 bytes".into(),
            ));
        }
        let mut base_text = None;
        for _ in 0..MAX_TRIES {
            let current = self.current(&request.path).await?;
            let (text, merged_with) = match self
                .plan(&request, current.as_ref(), &mut base_text)
                .await?
            {
                Plan::Done(outcome) => return Ok(*outcome),
                Plan::Write { text, merged_with } => (text, merged_with),
            };
            let message = match merged_with {
                Some(id) => format!("{message} (merged with revision {id})")
                    .trim()
                    .to_string(),
                None => message.to_string(),
            };
            let mut write = self.store.begin().await?;
            let now = write.current(&request.path).await?;
            if now.as_ref().map(|c| c.id) != current.as_ref().map(|c| c.id) {
                // Moved while we merged: plan again on top of the new one.
                continue;
            }
            let revision = write
                .append(&NewRevision {
                    key: &request.path,
                    parent: current.as_ref().map(|c| c.id),
                    source: &text,
                    author: &request.author,
                    message: &message,
                    origin: request.origin,
                    deleted: false,
                })
                .await?;
            write.commit().await?;
            return Ok(SaveOutcome::Saved {
                revision: revision.info(),
                merged_with,
            });
        }
        Err(Error::Conflict(format!(
            "{} kept changing while this save was being merged ({MAX_TRIES} tries); \
             reload it and save again",
            request.path
        )))
    }

    /// Decide what to write on top of `current` (no lock held). The base's
    /// text is read once and kept in `base_text` for a retry.
    async fn plan(
        &self,
        request: &SaveRequest,
        current: Option<&Revision>,
        base_text: &mut Option<String>,
    ) -> Result<Plan> {
        let base_matches = match (current, request.base) {
            (Some(c), Some(base)) => c.id == base,
            // Creating: nothing there, or only a deleted file.
            (None, None) => true,
            (Some(c), None) => c.deleted,
            (None, Some(_)) => false,
        };
        if base_matches {
            if let Some(c) = current.filter(|c| !c.deleted)
                && c.source == request.source
            {
                return Ok(Plan::Done(Box::new(SaveOutcome::Unchanged {
                    revision: c.info(),
                })));
            }
            return Ok(Plan::Write {
                text: request.source.clone(),
                merged_with: None,
            });
        }
        let Some(current) = current else {
            return Err(Error::NotFound(format!(
                "no runbook {}; save without a base revision to create it",
                request.path
            )));
        };
        let base = match (base_text.as_ref(), request.base) {
            (Some(text), _) => text.clone(),
            (None, Some(id)) => self.base_text(id, &request.path).await?,
            (None, None) => String::new(),
        };
        *base_text = Some(base.clone());
        let theirs = if current.deleted {
            String::new()
        } else {
            current.source.clone()
        };
        match self
            .merges
            .merge(base, request.source.clone(), theirs.clone())
            .await?
        {
            Merged::Clean(merged) if merged == theirs => {
                Ok(Plan::Done(Box::new(SaveOutcome::Unchanged {
                    revision: current.info(),
                })))
            }
            Merged::Clean(merged) => Ok(Plan::Write {
                text: merged,
                merged_with: Some(current.id),
            }),
            Merged::Conflict { marked, theirs } => {
                Ok(Plan::Done(Box::new(SaveOutcome::Conflict(ConflictView {
                    base: request.base,
                    theirs,
                    current: current.info(),
                    mine: request.source.clone(),
                    merged: marked,
                }))))
            }
        }
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
