//! Keeps the runbook index equal to the current revisions: the directory
//! import (at start and on every file-watch event), saves (which wait until
//! the index shows them) and other portals' saves: on their notification
//! where the database sends one, else on a poll of the newest revision id.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use arc_swap::ArcSwap;
use tokio::sync::{Mutex, mpsc, watch};

use super::{ImportReport, Revisions};
use crate::error::{Error, Result};
use crate::metrics::Metrics;
use crate::runbooks::rules::RuleSet;
use crate::runbooks::{RunbookIndex, RunbookStore, read_sources};
use crate::store::changes::wake_or_poll;

/// The poll under notifications: a save is normally seen within
/// milliseconds; this bounds how late it can be if a notification is lost.
pub const SAFETY_POLL: Duration = Duration::from_secs(30);

pub struct RunbookSync {
    store: Arc<RunbookStore>,
    revisions: Revisions,
    metrics: Arc<Metrics>,
    rules: ArcSwap<RuleSet>,
    /// Newest revision id the installed index reflects.
    built: AtomicI64,
    /// One rebuild at a time; waiting saves then find theirs already built.
    rebuild: Mutex<()>,
}

fn joined<T>(result: std::result::Result<T, tokio::task::JoinError>) -> Result<T> {
    result.map_err(|e| Error::Internal(format!("background task failed: {e}")))
}

impl RunbookSync {
    pub fn new(
        store: Arc<RunbookStore>,
        revisions: Revisions,
        metrics: Arc<Metrics>,
    ) -> RunbookSync {
        RunbookSync {
            store,
            revisions,
            metrics,
            rules: ArcSwap::from_pointee(RuleSet::default()),
            built: AtomicI64::new(-1),
            rebuild: Mutex::new(()),
        }
    }

    pub fn revisions(&self) -> &Revisions {
        &self.revisions
    }

    /// The rule files as last read: what previews render rule boxes from.
    pub fn rules(&self) -> Arc<RuleSet> {
        self.rules.load_full()
    }

    /// Read the runbook root and the rule files, record changed files as
    /// revisions and rebuild the index.
    pub async fn import_files(&self) -> Result<ImportReport> {
        let (runbooks, rules) = {
            let (runbooks, rules) = self.store.sources();
            (runbooks.clone(), rules.clone())
        };
        let (files, rule_set) =
            joined(tokio::task::spawn_blocking(move || read_sources(&runbooks, &rules)).await)??;
        let rules_changed = *self.rules.load_full() != rule_set;
        if rules_changed {
            self.rules.store(Arc::new(rule_set));
        }
        let report = self.revisions.import(&files).await?;
        if report != ImportReport::default() {
            tracing::info!(
                changed = report.changed,
                deleted = report.deleted,
                "runbook files imported as revisions"
            );
        }
        // A rule change re-renders every rule box; otherwise only new
        // revisions do (and a watch event that changed nothing costs a read).
        self.rebuild(rules_changed).await?;
        Ok(report)
    }

    /// Return once the index reflects revision `id` (or a newer one).
    pub async fn ensure(&self, id: i64) -> Result<()> {
        if self.built.load(Ordering::SeqCst) >= id {
            return Ok(());
        }
        self.rebuild(false).await
    }

    /// Rebuild when the database holds revisions the index lacks (`force`:
    /// also when only the rule files changed).
    async fn rebuild(&self, force: bool) -> Result<()> {
        let _turn = self.rebuild.lock().await;
        let newest = self.revisions.max_id().await?;
        if !force && newest <= self.built.load(Ordering::SeqCst) {
            return Ok(());
        }
        let (files, max) = self.revisions.current_files().await?;
        let rules = self.rules.load_full();
        let index = joined(
            tokio::task::spawn_blocking(move || RunbookIndex::build(&files, &rules)).await,
        )??;
        let count = index.len();
        self.store.install(index);
        self.built.store(max, Ordering::SeqCst);
        self.metrics.set_runbooks_loaded(count);
        self.metrics.index_built();
        tracing::info!(
            runbooks = count,
            revision = max,
            "runbook index built from revisions"
        );
        Ok(())
    }

    /// Rebuild when another portal may have saved: on every wake-up of the
    /// revisions topic (PostgreSQL's notifications) and at least every
    /// [`SAFETY_POLL`]; without wake-ups (SQLite), on a poll every `every`.
    pub fn spawn_follow(
        self: &Arc<Self>,
        mut wakes: Option<watch::Receiver<u64>>,
        every: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let sync = self.clone();
        tokio::spawn(async move {
            loop {
                let poll = if wakes.is_some() { SAFETY_POLL } else { every };
                wake_or_poll(&mut wakes, poll).await;
                if let Err(error) = sync.rebuild(false).await {
                    tracing::warn!(%error, "checking for new runbook revisions failed");
                }
            }
        })
    }

    /// A task that imports on every message (file-watch events, coalesced);
    /// the sender is what the watcher's callback signals.
    pub fn spawn_import_worker(self: &Arc<Self>) -> mpsc::UnboundedSender<()> {
        let (sender, mut receiver) = mpsc::unbounded_channel::<()>();
        let sync = self.clone();
        tokio::spawn(async move {
            while receiver.recv().await.is_some() {
                while receiver.try_recv().is_ok() {}
                if let Err(error) = sync.import_files().await {
                    tracing::error!(%error, "importing changed runbook files failed; keeping the previous index");
                }
            }
        });
        sender
    }
}
