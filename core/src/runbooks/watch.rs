//! Live reload: watch the runbook and rule directories and call back shortly
//! after files change (events are debounced, so a `git pull` touching many
//! files rebuilds once); the callback imports them as revisions.
//!
//! Only changes count. inotify also reports opening and closing a file
//! without writing it (`Access` events), and the import itself reads every
//! file: counting those made each import trigger the next, forever.

use std::path::Path;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, DebouncedEvent, Debouncer, RecommendedCache, new_debouncer,
};

use crate::error::{Error, Result};

/// Keeps the watch alive; dropping it stops watching.
pub struct Watch {
    _debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
}

/// Quiet time after the last change before rebuilding.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// Whether an event may have changed what a directory holds: anything but
/// an access, except closing a file that was open for writing.
pub fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Other => false,
        _ => true,
    }
}

/// Watch `dirs` (those that exist) and call `on_change` after every change.
pub fn watch(dirs: &[&Path], on_change: impl Fn() + Send + 'static) -> Result<Watch> {
    let mut debouncer =
        new_debouncer(
            DEBOUNCE,
            None,
            move |result: DebounceEventResult| match result {
                Ok(events) => {
                    let changes = events
                        .iter()
                        .filter(|e: &&DebouncedEvent| is_change(&e.kind))
                        .count();
                    if changes > 0 {
                        tracing::debug!(changes, "runbook files changed");
                        on_change();
                    }
                }
                Err(errors) => {
                    for error in errors {
                        tracing::warn!(%error, "file watch error");
                    }
                }
            },
        )
        .map_err(|e| Error::Internal(format!("starting the file watcher: {e}")))?;
    for dir in dirs {
        debouncer
            .watch(dir, RecursiveMode::Recursive)
            .map_err(|e| Error::Internal(format!("watching {}: {e}", dir.display())))?;
        tracing::info!(dir = %dir.display(), "watching for runbook changes");
    }
    Ok(Watch {
        _debouncer: debouncer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, ModifyKind};

    #[test]
    fn reading_a_file_is_not_a_change() {
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
        assert!(is_change(&EventKind::Modify(ModifyKind::Any)));
        assert!(is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
    }
}
