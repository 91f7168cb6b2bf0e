//! Live reload: watch the runbook and rule directories and call back shortly
//! after files change (events are debounced, so a `git pull` touching many
//! files rebuilds once); the callback imports them as revisions.

use std::path::Path;
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};

use crate::error::{Error, Result};

/// Keeps the watch alive; dropping it stops watching.
pub struct Watch {
    _debouncer: Debouncer<notify::RecommendedWatcher>,
}

/// Quiet time after the last change before rebuilding.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// Watch `dirs` (those that exist) and call `on_change` after every change.
pub fn watch(dirs: &[&Path], on_change: impl Fn() + Send + 'static) -> Result<Watch> {
    let mut debouncer = new_debouncer(DEBOUNCE, move |result: DebounceEventResult| match result {
        Ok(events) if events.is_empty() => {}
        Ok(events) => {
            tracing::debug!(changes = events.len(), "runbook files changed");
            on_change();
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
