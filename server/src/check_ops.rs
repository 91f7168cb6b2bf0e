//! Running a runbook's check on someone's behalf: the runbook engine says
//! which checks exist, the check engine runs one, and the result is
//! recorded — in `check_runs` always, and on the incident's timeline when
//! one is named or open for the runbook. Shared by the JSON API and the pages.

use std::sync::Arc;

use app::checks::{CheckResult, CheckView};
use app::types::{IncidentAction, Labels};
use futures_util::stream::{FuturesUnordered, Stream};

use crate::checks::views::{self, LiveExpr};
use crate::checks::{CheckSpec, Run};
use crate::error::{Error, Result};
use crate::portal::Engines;
use crate::runbooks::Runbook;

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

impl Engines {
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
    pub fn check_views(&self, runbook: &Runbook, labels: &Labels) -> Vec<CheckView> {
        views::all(runbook, self.live_expr(&runbook.alert))
            .iter()
            .map(|spec| views::view(spec, labels, self.checks.allow_list()))
            .collect()
    }
}

/// Find a runbook and one of its checks, or say which is missing.
fn find(engines: &Engines, runbook_key: &str, check_id: &str) -> Result<(Arc<Runbook>, CheckSpec)> {
    let index = engines.runbooks.index();
    let runbook = index
        .get(runbook_key)
        .ok_or_else(|| Error::NotFound(format!("no runbook {runbook_key}")))?
        .clone();
    let check = views::all(&runbook, engines.live_expr(&runbook.alert))
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
    engines: &Engines,
    actor: &str,
    runbook_key: &str,
    check_id: &str,
    request: &RunRequest,
) -> Result<CheckResult> {
    let (runbook, check) = find(engines, runbook_key, check_id)?;
    let incident = match request.incident_id {
        Some(id) => Some(engines.timeline.get(id).await?.id),
        None => engines
            .timeline
            .current_for_runbook(&runbook.key)
            .await?
            .map(|i| i.id),
    };
    let mut result = engines
        .checks
        .run(Run {
            check: &check,
            labels: &request.labels,
            actor,
            prometheus: engines.alerts.prometheus_clients(),
        })
        .await?;
    if let Some(id) = incident {
        let detail = serde_json::to_value(&result).map_err(|e| Error::Internal(e.to_string()))?;
        let action = IncidentAction::CheckResult {
            check: check.id.clone(),
            outcome: result.status.as_str().to_string(),
            detail,
        };
        engines.timeline.act(id, action, actor).await?;
        result.incident_id = Some(id);
    }
    engines.checks.store.record(&runbook.key, &result).await?;
    tracing::info!(runbook = %runbook.key, check = %check.id, status = result.status.as_str(), %actor, incident = ?incident, "check ran");
    Ok(result)
}

/// Run every check of a runbook at once (the limits still apply); results
/// arrive as they finish, each with its check id.
pub fn run_all(
    engines: Engines,
    actor: String,
    runbook_key: String,
    request: RunRequest,
) -> Result<impl Stream<Item = (String, Result<CheckResult>)>> {
    let index = engines.runbooks.index();
    let runbook = index
        .get(&runbook_key)
        .ok_or_else(|| Error::NotFound(format!("no runbook {runbook_key}")))?;
    let ids: Vec<String> = views::all(runbook, engines.live_expr(&runbook.alert))
        .into_iter()
        .map(|c| c.id)
        .collect();
    let key = runbook.key.clone();
    let runs: FuturesUnordered<_> = ids
        .into_iter()
        .map(|id| {
            let (engines, actor, key, request) =
                (engines.clone(), actor.clone(), key.clone(), request.clone());
            async move {
                let result = run(&engines, &actor, &key, &id, &request).await;
                (id, result)
            }
        })
        .collect();
    Ok(runs)
}

/// The newest recorded result of each check of a runbook.
pub async fn latest(engines: &Engines, runbook_key: &str) -> Result<Vec<CheckResult>> {
    let index = engines.runbooks.index();
    let key = index
        .get(runbook_key)
        .map_or_else(|| runbook_key.to_string(), |r| r.key.clone());
    engines.checks.store.latest(&key).await
}
