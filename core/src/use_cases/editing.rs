//! Editing as the pages and the API see it: a page key (`group/Alert`,
//! case-insensitive) is resolved to its file path, then read, previewed,
//! saved, compared or restored. Saves wait until the index shows them.

use portal_types::{EditSource, HistoryView, Labels, LiveRule, RunbookView, SaveOutcome};
use tokio::sync::{Semaphore, SemaphorePermit};

use std::sync::Arc;

use super::catalog;
use crate::alerts::AlertHub;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::revisions::sync::RunbookSync;
use crate::revisions::{Origin, SaveRequest};
use crate::runbooks::RunbookStore;
use crate::runbooks::index::render_one;
use crate::runbooks::template::{self, RuleOrigin};

/// The editing use cases and what they need.
#[derive(Clone)]
pub struct Editing {
    runbooks: Arc<RunbookStore>,
    sync: Arc<RunbookSync>,
    /// For the live rule of an alert no rule file defines.
    alerts: Arc<AlertHub>,
}

/// Where a page key lives: the existing runbook's file, or a new one.
pub struct Target {
    /// `group/Alert` as spelled by the runbook (or as asked for a new one).
    pub key: String,
    pub group: String,
    pub alert: String,
    /// `group/Alert.md` under the runbook root.
    pub path: String,
    pub exists: bool,
}

/// A new runbook's group and alert name must make a plain relative path.
fn check_name(group: &str, alert: &str) -> Result<()> {
    let bad = |s: &str| {
        s.is_empty()
            || s.len() > 200
            || s.starts_with('.')
            || s.contains(['\\', ':', '*', '?', '"', '<', '>', '|'])
            || s.chars().any(char::is_control)
    };
    if group.is_empty() || group.split('/').any(bad) {
        return Err(Error::BadRequest(format!(
            "{group:?} is not a usable group name"
        )));
    }
    // A verb's name (`edit`, …) would make the page the verb on the group.
    if bad(alert) || alert.contains('/') || portal_types::paths::is_reserved(alert) {
        return Err(Error::BadRequest(format!(
            "{alert:?} is not a usable alert name"
        )));
    }
    Ok(())
}

pub struct Edit {
    pub key: String,
    pub base: Option<i64>,
    pub source: String,
    pub message: String,
}

/// Previews rendered at once (each on the blocking pool, bounded in work
/// by the render pipeline's limits); more are refused (429), not queued: the
/// editor asks again after the next keystroke.
pub const MAX_CONCURRENT_PREVIEWS: usize = 4;

/// Turns for previews: a semaphore that refuses instead of waiting.
pub struct Turns(Semaphore);

impl Turns {
    pub const fn new(concurrent: usize) -> Turns {
        Turns(Semaphore::const_new(concurrent))
    }

    pub fn take(&self) -> Result<SemaphorePermit<'_>> {
        self.0.try_acquire().map_err(|_| {
            Error::TooManyRequests(format!(
                "{MAX_CONCURRENT_PREVIEWS} previews are being rendered; try again in a moment"
            ))
        })
    }
}

/// One process serves one portal, so the cap is process-wide.
static PREVIEWS: Turns = Turns::new(MAX_CONCURRENT_PREVIEWS);

impl Editing {
    pub fn new(
        runbooks: Arc<RunbookStore>,
        sync: Arc<RunbookSync>,
        alerts: Arc<AlertHub>,
    ) -> Editing {
        Editing {
            runbooks,
            sync,
            alerts,
        }
    }

    /// Resolve a page key; a runbook that does not exist yet must be a valid name.
    pub fn target(&self, key: &str) -> Result<Target> {
        let index = self.runbooks.index();
        if let Some(runbook) = index.get(key) {
            return Ok(Target {
                key: runbook.key.clone(),
                group: runbook.group.clone(),
                alert: runbook.alert.clone(),
                path: runbook.source_path.clone(),
                exists: true,
            });
        }
        let key = key.trim_matches('/');
        let key = key.strip_suffix(".md").unwrap_or(key);
        let (group, alert) = key.rsplit_once('/').unwrap_or(("", key));
        check_name(group, alert)?;
        Ok(Target {
            key: key.to_string(),
            group: group.to_string(),
            alert: alert.to_string(),
            path: format!("{key}.md"),
            exists: false,
        })
    }

    /// The current source of an existing runbook and its revision id.
    pub async fn current_source(&self, key: &str) -> Result<(i64, String)> {
        let target = self.target(key)?;
        self.sync
            .revisions()
            .current(&target.path)
            .await?
            .filter(|c| !c.deleted && target.exists)
            .map(|c| (c.id, c.source))
            .ok_or_else(|| Error::NotFound(format!("no runbook {key}")))
    }

    /// The editor's starting point: the current text, or a template.
    pub async fn edit_source(&self, key: &str) -> Result<EditSource> {
        let target = self.target(key)?;
        let current = self.sync.revisions().current(&target.path).await?;
        let live = current.filter(|c| !c.deleted && target.exists);
        Ok(EditSource {
            revision: live.as_ref().map(|c| c.id),
            source: live
                .map(|c| c.source)
                .unwrap_or_else(|| self.template(&target.alert)),
            exists: target.exists,
            key: target.key,
            group: target.group,
            alert: target.alert,
        })
    }

    /// A new runbook's text, from the alert's rule: the rule file's, else the
    /// one the live Prometheus evaluates (see `runbooks::template`).
    pub fn template(&self, alert: &str) -> String {
        let index = self.runbooks.index();
        let in_file = index
            .rule_alerts()
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(alert));
        if let Some((file, name)) = in_file {
            return template::new_runbook(alert, RuleOrigin::File { file, name });
        }
        match self.live_rule(alert) {
            Some(rule) => template::new_runbook(alert, RuleOrigin::Live(&rule)),
            None => template::new_runbook(alert, RuleOrigin::None),
        }
    }

    /// The group a new runbook for `alert` probably belongs in: the name of
    /// the rule file that defines it (the portal's, else the live
    /// Prometheus's), as in the srerun layout.
    pub fn suggested_group(&self, alert: &str) -> Option<String> {
        let index = self.runbooks.index();
        let file = match index
            .rule_alerts()
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(alert))
        {
            Some((file, _)) => file.clone(),
            None => self.live_rule(alert).map(|rule| rule.file)?,
        };
        let stem = file.rsplit('/').next()?;
        let stem = stem.trim_end_matches(".yml").trim_end_matches(".yaml");
        let group: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        (!group.is_empty()).then_some(group)
    }

    /// The alert's rule as a live Prometheus evaluates it.
    fn live_rule(&self, alert: &str) -> Option<LiveRule> {
        let snapshot = self.alerts.snapshot();
        snapshot
            .groups
            .values()
            .flat_map(|g| g.rules.iter())
            .find(|r| r.name.eq_ignore_ascii_case(alert))
            .cloned()
    }

    /// Render a text exactly as its page would show it (without labels).
    pub async fn preview(&self, key: &str, source: String) -> Result<RunbookView> {
        if source.len() > crate::revisions::save::MAX_SOURCE_BYTES {
            return Err(Error::TooLarge(format!(
                "runbook text longer than {} bytes",
                crate::revisions::save::MAX_SOURCE_BYTES
            )));
        }
        let target = self.target(key)?;
        let rules = self.sync.rules();
        // Held by the render itself: a client that goes away does not free it early.
        let turn = PREVIEWS.take()?;
        let runbook = tokio::task::spawn_blocking(move || {
            let _turn = turn;
            render_one(&target.path, &source, &rules)
        })
        .await
        .map_err(|e| Error::Internal(format!("preview failed: {e}")))?;
        // Checks become static cards: the preview runs nothing.
        let mut view = catalog::view(&runbook, &Labels::default(), None);
        view.body = vec![portal_types::BodyPart::Html(catalog::body_html(
            &runbook, &view,
        ))];
        Ok(view)
    }

    /// Save an edit as `actor`, then wait until pages show it.
    pub async fn save(&self, actor: &Actor, origin: Origin, edit: Edit) -> Result<SaveOutcome> {
        let target = self.target(&edit.key)?;
        let outcome = self
            .sync
            .revisions()
            .save(SaveRequest {
                path: target.path,
                base: edit.base,
                source: edit.source,
                message: edit.message,
                author: actor.name().to_string(),
                origin,
            })
            .await?;
        if let SaveOutcome::Saved { revision, .. } = &outcome
            && let Err(error) = self.sync.ensure(revision.id).await
        {
            // Committed all the same; the next poll rebuilds the index.
            tracing::error!(%error, "rebuilding the runbook index after a save failed");
        }
        Ok(outcome)
    }

    /// Save an old revision's text again, on top of `base`.
    pub async fn restore(
        &self,
        actor: &Actor,
        key: &str,
        revision: i64,
        base: Option<i64>,
    ) -> Result<SaveOutcome> {
        let target = self.target(key)?;
        let old = self
            .sync
            .revisions()
            .get(revision)
            .await?
            .filter(|r| r.runbook_key == target.path)
            .ok_or_else(|| Error::NotFound(format!("{key} has no revision {revision}")))?;
        let edit = Edit {
            key: key.to_string(),
            base,
            source: old.source,
            message: format!("Restore revision {revision}"),
        };
        self.save(actor, Origin::Web, edit).await
    }

    /// A page of a runbook's history; with `compare`, the diff of two revisions
    /// (by default the newest against its parent).
    pub async fn history(
        &self,
        key: &str,
        offset: u32,
        compare: Option<(i64, i64)>,
    ) -> Result<HistoryView> {
        const LIMIT: u32 = 200;
        let target = self.target(key)?;
        let store = self.sync.revisions();
        let (revisions, total) = store.history(&target.path, LIMIT, offset).await?;
        if total == 0 {
            return Err(Error::NotFound(format!("no runbook {key}")));
        }
        let compare = compare.or_else(|| {
            let newest = revisions.first().filter(|_| offset == 0)?;
            Some((newest.parent_id?, newest.id))
        });
        let diff = match compare {
            Some((from, to)) => {
                let path = target.path.as_str();
                let text = |id: i64| async move {
                    store
                        .get(id)
                        .await?
                        .filter(|r| r.runbook_key == path)
                        .map(|r| r.source)
                        .ok_or_else(|| Error::NotFound(format!("{key} has no revision {id}")))
                };
                let (old, new) = (text(from).await?, text(to).await?);
                let diff =
                    tokio::task::spawn_blocking(move || crate::revisions::diff::diff(&old, &new))
                        .await
                        .map_err(|e| Error::Internal(format!("diff failed: {e}")))?;
                Some((from, to, diff))
            }
            None => None,
        };
        Ok(HistoryView {
            key: target.key,
            path: target.path.clone(),
            revisions: revisions.iter().map(|r| r.info()).collect(),
            total,
            offset,
            limit: LIMIT,
            diff,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_past_the_cap_are_refused_until_one_finishes() {
        let turns = Turns::new(2);
        let first = turns.take().unwrap();
        let _second = turns.take().unwrap();
        assert!(matches!(turns.take(), Err(Error::TooManyRequests(_))));
        drop(first);
        assert!(turns.take().is_ok());
    }
}
