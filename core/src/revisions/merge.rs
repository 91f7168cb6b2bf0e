//! The three-way merge of a save that is based on an older revision, bounded
//! so that hostile input costs bounded time. `diffy::merge` has no deadline and
//! is quadratic in the lines of texts that differ everywhere (measured in a
//! release build: 5,000 lines 0.3 s, 10,000 lines 1.3 s, 20,000 lines 5.1 s), so
//! texts above [`MAX_MERGE_LINES`] are not merged but refused with what to do.
//! Merges run on the blocking pool, never on the async threads and never
//! under the write lock, at most [`MAX_CONCURRENT_MERGES`] at a time.

use std::sync::Arc;
use std::time::Duration;

use portal_types::DiffView;
use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// Lines per text (base, mine, theirs) up to which a save is merged: about
/// 0.3 s in the worst case in a release build.
pub const MAX_MERGE_LINES: usize = 5_000;

/// Merges computed at once; more wait for a turn.
pub const MAX_CONCURRENT_MERGES: usize = 2;

/// How long a merge waits for a turn before the save is refused (429).
const TURN_WAIT: Duration = Duration::from_secs(5);

/// The result of merging mine and theirs on top of base.
#[derive(Debug)]
pub enum Merged {
    Clean(String),
    /// Overlapping changes: the text with conflict markers, and what the
    /// other side changed since base.
    Conflict {
        marked: String,
        theirs: DiffView,
    },
}

/// The turns for merges (shared by all clones of the revision store).
#[derive(Clone)]
pub struct Merges {
    turns: Arc<Semaphore>,
    wait: Duration,
}

impl Default for Merges {
    fn default() -> Self {
        Merges::new(MAX_CONCURRENT_MERGES, TURN_WAIT)
    }
}

impl Merges {
    pub fn new(concurrent: usize, wait: Duration) -> Merges {
        Merges {
            turns: Arc::new(Semaphore::new(concurrent)),
            wait,
        }
    }

    /// Merge on the blocking pool, after the size check and a turn.
    pub async fn merge(&self, base: String, mine: String, theirs: String) -> Result<Merged> {
        check_size(&base, &mine, &theirs)?;
        let turn = tokio::time::timeout(self.wait, self.turns.clone().acquire_owned())
            .await
            .map_err(|_| {
                Error::TooManyRequests(
                    "too many edits are being merged right now; save again in a moment".into(),
                )
            })?
            .map_err(|e| Error::Internal(format!("merge turns closed: {e}")))?;
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            merge_now(&base, &mine, &theirs)
        })
        .await
        .map_err(|e| Error::Internal(format!("merge failed: {e}")))
    }
}

/// Texts too long to merge in bounded time are refused before any work.
fn check_size(base: &str, mine: &str, theirs: &str) -> Result<()> {
    let longest = [base, mine, theirs]
        .iter()
        .map(|t| t.lines().count())
        .max()
        .unwrap_or(0);
    if longest > MAX_MERGE_LINES {
        return Err(Error::Conflict(format!(
            "this runbook changed since you started editing, and at {longest} lines it is too long \
             to merge automatically (at most {MAX_MERGE_LINES}); reload the current text, apply \
             your change to it and save again"
        )));
    }
    Ok(())
}

fn merge_now(base: &str, mine: &str, theirs: &str) -> Merged {
    match diffy::merge(base, mine, theirs) {
        Ok(merged) => Merged::Clean(merged),
        Err(marked) => Merged::Conflict {
            marked,
            theirs: super::diff::diff(base, theirs),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(n: usize, tag: &str) -> String {
        (0..n).map(|i| format!("{tag} {i}\n")).collect()
    }

    #[tokio::test]
    async fn texts_above_the_bound_are_refused_without_merging() {
        let merges = Merges::default();
        let big = lines(MAX_MERGE_LINES + 1, "b");
        let started = std::time::Instant::now();
        let refused = merges
            .merge(big.clone(), lines(10, "m"), big)
            .await
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_millis(200));
        assert!(
            matches!(&refused, Error::Conflict(m) if m.contains("too long to merge")),
            "{refused:?}"
        );
    }

    #[tokio::test]
    async fn a_full_turn_table_refuses_after_waiting() {
        let merges = Merges::new(1, Duration::from_millis(50));
        let _held = merges.turns.clone().acquire_owned().await.unwrap();
        let refused = merges
            .merge("a\n".into(), "b\n".into(), "c\n".into())
            .await
            .unwrap_err();
        assert!(matches!(refused, Error::TooManyRequests(_)), "{refused:?}");
    }

    #[tokio::test]
    async fn disjoint_changes_merge_and_overlapping_ones_are_marked() {
        let merges = Merges::default();
        let merged = merges
            .merge("a\nb\nc\n".into(), "A\nb\nc\n".into(), "a\nb\nC\n".into())
            .await
            .unwrap();
        assert!(
            matches!(merged, Merged::Clean(ref t) if t == "A\nb\nC\n"),
            "{merged:?}"
        );
        let conflict = merges
            .merge("a\n".into(), "b\n".into(), "c\n".into())
            .await
            .unwrap();
        assert!(
            matches!(conflict, Merged::Conflict { ref marked, ref theirs } if marked.contains("<<<<<<<") && theirs.added == 1),
            "{conflict:?}"
        );
    }
}
