//! Live reload: watch the runbook and rule directories and swap in a freshly
//! built index shortly after files change (events are debounced, so a `git
//! pull` touching many files rebuilds once).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};

use super::RunbookStore;
use crate::error::{Error, Result};

/// Keeps the watch alive; dropping it stops watching.
pub struct Watch {
    _debouncer: Debouncer<notify::RecommendedWatcher>,
}

/// Quiet time after the last change before rebuilding.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// Watch `dirs` (those that exist) and reload `store` on every change.
pub fn watch(
    store: Arc<RunbookStore>,
    dirs: &[&Path],
    on_reload: impl Fn(usize) + Send + 'static,
) -> Result<Watch> {
    let mut debouncer = new_debouncer(DEBOUNCE, move |result: DebounceEventResult| match result {
        Ok(events) if events.is_empty() => {}
        Ok(events) => {
            tracing::debug!(changes = events.len(), "runbook files changed");
            match store.reload() {
                Ok(()) => on_reload(store.index().len()),
                Err(error) => {
                    tracing::error!(%error, "reloading runbooks failed; keeping the previous index")
                }
            }
        }
        Err(error) => tracing::warn!(%error, "file watch error"),
    })
    .map_err(|e| Error::Internal(format!("starting the file watcher: {e}")))?;
    for dir in dirs {
        debouncer
            .watcher()
            .watch(dir, RecursiveMode::Recursive)
            .map_err(|e| Error::Internal(format!("watching {}: {e}", dir.display())))?;
        tracing::info!(dir = %dir.display(), "watching for runbook changes");
    }
    Ok(Watch {
        _debouncer: debouncer,
    })
}
