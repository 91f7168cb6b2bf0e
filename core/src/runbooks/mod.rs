//! The runbook engine: load files from a source, parse and render them once,
//! and serve lookups from an immutable index that is swapped whole.

pub mod document;
pub mod fragments;
pub mod highlight;
pub mod index;
pub mod limits;
pub mod render;
pub mod rule_box;
pub mod rules;
pub mod sections;
pub mod segments;
pub mod source;
pub mod template;
pub mod watch;

use std::path::Path;
use std::sync::Arc;

use arc_swap::ArcSwap;

pub use index::{Runbook, RunbookIndex};
use rules::RuleSet;
use source::{Source, SourceFile};

use crate::error::{Error, Result};

pub struct RunbookStore {
    runbooks: Source,
    rules: Source,
    index: ArcSwap<RunbookIndex>,
}

impl RunbookStore {
    /// Load every runbook and rule file; fails only when a root is unreadable.
    pub fn load(runbooks_dir: Option<&Path>, rules_dir: Option<&Path>) -> Result<RunbookStore> {
        let runbooks = Source::runbooks(runbooks_dir);
        let rules = Source::rules(rules_dir);
        let index = build(&runbooks, &rules)?;
        Ok(RunbookStore {
            runbooks,
            rules,
            index: ArcSwap::from_pointee(index),
        })
    }

    /// The current index; holders keep a consistent view while it is replaced.
    pub fn index(&self) -> Arc<RunbookIndex> {
        self.index.load_full()
    }

    pub fn describe_sources(&self) -> (String, String) {
        (self.runbooks.describe(), self.rules.describe())
    }

    /// A store over these roots with an empty index, for the revision sync
    /// (`crate::revisions::sync`) to fill from the database before serving.
    pub fn empty(runbooks_dir: Option<&Path>, rules_dir: Option<&Path>) -> Result<RunbookStore> {
        Ok(RunbookStore {
            runbooks: Source::runbooks(runbooks_dir),
            rules: Source::rules(rules_dir),
            index: ArcSwap::from_pointee(RunbookIndex::build(&[], &RuleSet::default())?),
        })
    }

    /// The runbook and rule roots.
    pub fn sources(&self) -> (&Source, &Source) {
        (&self.runbooks, &self.rules)
    }

    /// Swap in an index built elsewhere (from the current revisions).
    pub fn install(&self, index: RunbookIndex) {
        self.index.store(Arc::new(index));
    }
}

/// Every runbook file and the parsed rule files of two roots; unreadable
/// files are logged and skipped, an unreadable root is an error.
pub fn read_sources(runbooks: &Source, rules: &Source) -> Result<(Vec<SourceFile>, RuleSet)> {
    let (rule_files, rule_problems) = rules
        .files(&[".yml", ".yaml"])
        .map_err(|e| Error::Internal(format!("reading rules: {e}")))?;
    let rule_set = RuleSet::parse(&rule_files);
    for problem in rule_problems.iter().chain(&rule_set.problems) {
        tracing::warn!(%problem, "rule file skipped");
    }
    let (files, problems) = runbooks
        .files(&[".md"])
        .map_err(|e| Error::Internal(format!("reading runbooks: {e}")))?;
    for problem in &problems {
        tracing::warn!(%problem, "runbook file skipped");
    }
    Ok((files, rule_set))
}

fn build(runbooks: &Source, rules: &Source) -> Result<RunbookIndex> {
    let (files, rule_set) = read_sources(runbooks, rules)?;
    let index = RunbookIndex::build(&files, &rule_set)?;
    tracing::info!(
        runbooks = index.len(),
        broken = index.runbooks().iter().filter(|r| r.error.is_some()).count(),
        rules = rule_set.len(),
        source = %runbooks.describe(),
        "runbooks loaded"
    );
    Ok(index)
}
