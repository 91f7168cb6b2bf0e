//! Running a runbook's check on someone's behalf: the runbook engine says
//! which checks exist, the check engine runs one, and the result is
//! recorded — in `check_runs` always, and on the incident's timeline when
//! one is named or open for the runbook. Shared by the JSON API and the pages.

use std::sync::Arc;

use futures_util::stream::{FuturesUnordered, Stream};
use portal_types::{CheckResult, CheckView};
use portal_types::{IncidentAction, Labels};

use crate::alerts::AlertHub;
use crate::auth::Actor;
use crate::checks::CheckKind;
use crate::checks::expect::Expectation;
use crate::checks::views;
use crate::checks::{CheckEngine, CheckSpec, Run};
use crate::error::{Error, Result};
use crate::incidents::Timeline;
use crate::runbooks::{Runbook, RunbookStore};

/// The check use cases and what they need.
#[derive(Clone)]
pub struct Checks {
    runbooks: Arc<RunbookStore>,
    alerts: Arc<AlertHub>,
    engine: Arc<CheckEngine>,
    timeline: Timeline,
}

/// What a run request carries besides the check's id.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// Alert labels filling the check's `{{ $labels.x }}` placeholders.
    #[serde(default)]
    pub labels: Labels,
    /// Record the result on this incident's timeline; by default on the
    /// runbook's open incident, if there is one.
    #[serde(default)]
    pub incident_id: Option<i64>,
}

impl Checks {
    pub fn new(
        runbooks: Arc<RunbookStore>,
        alerts: Arc<AlertHub>,
        engine: Arc<CheckEngine>,
        timeline: Timeline,
    ) -> Checks {
        Checks {
            runbooks,
            alerts,
            engine,
            timeline,
        }
    }

    /// The live rule's expression for the implicit `alert-expr` check.
    fn live_expr(&self, alertname: &str) -> Option<LiveExpr> {
        let snapshot = self.alerts.snapshot();
        let group = snapshot.groups.get(alertname)?;
        group.rules.first().map(|rule| LiveExpr {
            query: rule.query.clone(),
            upstream: rule.upstream.clone(),
        })
    }

    /// Every check of a runbook, prepared for `labels`.
    pub fn views(&self, runbook: &Runbook, labels: &Labels) -> Vec<CheckView> {
        all_checks(runbook, self.live_expr(&runbook.alert))
            .iter()
            .map(|spec| views::view(spec, labels, self.engine.allow_list()))
            .collect()
    }

    /// Find a runbook and one of its checks, or say which is missing.
    fn find(&self, runbook_key: &str, check_id: &str) -> Result<(Arc<Runbook>, CheckSpec)> {
        let index = self.runbooks.index();
        let runbook = index
            .get(runbook_key)
            .ok_or_else(|| Error::NotFound(format!("no runbook {runbook_key}")))?
            .clone();
        let check = all_checks(&runbook, self.live_expr(&runbook.alert))
            .into_iter()
            .find(|c| c.id == check_id)
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "runbook {} declares no check {check_id:?}",
                    runbook.key
                ))
            })?;
        Ok((runbook, check))
    }

    /// Run one check as `actor` and record the result.
    pub async fn run(
        &self,
        actor: &Actor,
        runbook_key: &str,
        check_id: &str,
        request: &RunRequest,
    ) -> Result<CheckResult> {
        let (runbook, check) = self.find(runbook_key, check_id)?;
        let incident = match request.incident_id {
            Some(id) => Some(self.timeline.get(id).await?.id),
            None => self
                .timeline
                .current_for_runbook(&runbook.key)
                .await?
                .map(|i| i.id),
        };
        let mut result = self
            .engine
            .run(Run {
                check: &check,
                labels: &request.labels,
                actor: actor.name(),
                prometheus: self.alerts.prometheus_clients(),
            })
            .await?;
        if let Some(id) = incident {
            let detail =
                serde_json::to_value(&result).map_err(|e| Error::Internal(e.to_string()))?;
            let action = IncidentAction::CheckResult {
                check: check.id.clone(),
                outcome: result.status,
                detail,
            };
            self.timeline.act(id, action, actor.name()).await?;
            result.incident_id = Some(id);
        }
        self.engine.store.record(&runbook.key, &result).await?;
        tracing::info!(runbook = %runbook.key, check = %check.id, status = result.status.as_str(), %actor, incident = ?incident, "check ran");
        Ok(result)
    }

    /// Run every check of a runbook at once (the limits still apply); results
    /// arrive as they finish, each with its check id.
    pub fn run_all(
        &self,
        actor: Actor,
        runbook_key: String,
        request: RunRequest,
    ) -> Result<impl Stream<Item = (String, Result<CheckResult>)> + use<>> {
        let index = self.runbooks.index();
        let runbook = index
            .get(&runbook_key)
            .ok_or_else(|| Error::NotFound(format!("no runbook {runbook_key}")))?;
        let ids: Vec<String> = all_checks(runbook, self.live_expr(&runbook.alert))
            .into_iter()
            .map(|c| c.id)
            .collect();
        let key = runbook.key.clone();
        let runs: FuturesUnordered<_> = ids
            .into_iter()
            .map(|id| {
                let (checks, actor, key, request) =
                    (self.clone(), actor.clone(), key.clone(), request.clone());
                async move {
                    let result = checks.run(&actor, &key, &id, &request).await;
                    (id, result)
                }
            })
            .collect();
        Ok(runs)
    }

    /// The newest recorded result of each check of a runbook.
    pub async fn latest(&self, runbook_key: &str) -> Result<Vec<CheckResult>> {
        let index = self.runbooks.index();
        let key = index
            .get(runbook_key)
            .map_or_else(|| runbook_key.to_string(), |r| r.key.clone());
        self.engine.store.latest(&key).await
    }

    /// Changes whenever a result is recorded (pages showing results are
    /// cached by it).
    pub fn results_version(&self) -> u64 {
        self.engine.store.version()
    }

    /// The check engine (its allow-list and limits).
    pub fn engine(&self) -> &CheckEngine {
        &self.engine
    }
}

/// The alert's live rule in Prometheus: its query and the upstream it lives on.
struct LiveExpr {
    query: String,
    upstream: String,
}

/// The implicit check: the live rule's expression, else the runbook's rule.
fn alert_expr(runbook: &Runbook, live: Option<LiveExpr>) -> Option<CheckSpec> {
    let (query, prometheus) = match live {
        Some(live) => (live.query, Some(live.upstream)),
        None => (runbook.rule.as_ref()?.0.expr.clone(), None),
    };
    Some(CheckSpec {
        id: portal_types::ALERT_EXPR.into(),
        name: "Alert condition now".into(),
        description: Some(
            "Evaluates the alert's own expression now: it passes when no series match, i.e. the condition no longer holds.".into(),
        ),
        timeout_secs: None,
        kind: CheckKind::Promql {
            query,
            expect: Expectation::Empty,
            prometheus,
        },
    })
}

/// Every check of a runbook, declared ones first.
fn all_checks(runbook: &Runbook, live: Option<LiveExpr>) -> Vec<CheckSpec> {
    let mut checks = runbook.checks.clone();
    checks.extend(alert_expr(runbook, live));
    checks
}
