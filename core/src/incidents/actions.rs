//! What responders do to an incident. Each action is exactly one event, and
//! any change to the incident row happens in the same transaction.

use chrono::Utc;
use portal_types::{IncidentAction, TimelineEvent};
use serde_json::json;
use sqlx::{Row, SqliteConnection};

use super::{Timeline, append, summary};
use crate::error::{Error, Result};

const MAX_TEXT: usize = 10_000;

/// Severity is a short lower-case word (`critical`, `warning`, `page`…):
/// Alertmanager setups use their own vocabularies, so no fixed list.
pub fn check_severity(severity: &str) -> Result<()> {
    let ok = !severity.is_empty()
        && severity.len() <= 32
        && severity
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "severity must be 1–32 letters, digits, '-' or '_', not {severity:?}"
        )))
    }
}

fn check_text(what: &str, text: &str, max: usize) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::BadRequest(format!("{what} is empty")));
    }
    if text.len() > max {
        return Err(Error::BadRequest(format!(
            "{what} is longer than {max} bytes"
        )));
    }
    Ok(())
}

fn check_reason(reason: &Option<String>) -> Result<()> {
    match reason {
        Some(r) if r.len() > MAX_TEXT => Err(Error::BadRequest(format!(
            "reason is longer than {MAX_TEXT} bytes"
        ))),
        _ => Ok(()),
    }
}

/// Refuse bad input before any transaction starts.
fn validate(action: &IncidentAction) -> Result<()> {
    match action {
        IncidentAction::Note { text } => check_text("note", text, MAX_TEXT),
        IncidentAction::Severity { severity } => check_severity(severity),
        IncidentAction::LinkRunbook { runbook } => check_text("runbook", runbook, 500),
        IncidentAction::Resolve { reason } | IncidentAction::Reopen { reason } => {
            check_reason(reason)
        }
        IncidentAction::CheckResult {
            check,
            outcome,
            detail,
        } => {
            check_text("check", check, 200)?;
            if !matches!(outcome.as_str(), "pass" | "fail" | "error") {
                return Err(Error::BadRequest(format!(
                    "outcome must be pass, fail or error, not {outcome:?}"
                )));
            }
            if detail.to_string().len() > 64 * 1024 {
                return Err(Error::BadRequest(
                    "check detail is larger than 64 KiB".into(),
                ));
            }
            Ok(())
        }
        IncidentAction::Ack | IncidentAction::Checklist { .. } => Ok(()),
    }
}

fn conflict(id: i64, what: &str, status: &str) -> Error {
    Error::Conflict(format!("incident {id} is {status}: cannot {what}"))
}

impl Timeline {
    /// Apply one action as `actor`. Unknown incident → 404, bad input → 400,
    /// an action that does not fit the incident's state → 409. Concurrent
    /// actions are committed together (see `batch`); each answers only once
    /// its own event is durable.
    pub async fn act(&self, id: i64, action: IncidentAction, actor: &str) -> Result<TimelineEvent> {
        validate(&action)?;
        self.enqueue(id, action, actor).await
    }
}

/// The action's reads, row change and event, inside the caller's
/// transaction (a batch's). Every refusal (404, 400, 409) happens before
/// the first write, so a refused action leaves the transaction untouched.
pub(super) async fn apply(
    tx: &mut SqliteConnection,
    id: i64,
    action: IncidentAction,
    actor: &str,
) -> Result<TimelineEvent> {
    {
        let row = sqlx::query("SELECT status, severity FROM incidents WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no incident {id}")))?;
        let status: String = row.try_get("status")?;
        let severity: Option<String> = row.try_get("severity")?;
        let now = Utc::now();
        let (kind, payload) = match action {
            IncidentAction::Ack => {
                if status != "open" {
                    return Err(conflict(id, "acknowledge", &status));
                }
                sqlx::query("UPDATE incidents SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1")
                    .bind(id).bind(now).bind(actor).execute(&mut *tx).await?;
                ("acknowledged", json!({}))
            }
            IncidentAction::Note { text } => ("note", json!({ "text": text })),
            IncidentAction::Checklist { step, done } => {
                if status == "resolved" {
                    return Err(conflict(id, "change its checklist", &status));
                }
                let steps = checklist_in(tx, id).await?;
                let Some(current) = steps.get(step) else {
                    return Err(Error::BadRequest(format!(
                        "incident {id} has {} checklist steps; there is no step {step}",
                        steps.len()
                    )));
                };
                if current.done == done {
                    let state = if done { "done" } else { "not done" };
                    return Err(Error::Conflict(format!("step {step} is already {state}")));
                }
                let kind = if done { "step_done" } else { "step_undone" };
                (kind, json!({ "step": step, "text": current.text }))
            }
            IncidentAction::Severity { severity: to } => {
                sqlx::query("UPDATE incidents SET severity = $2 WHERE id = $1")
                    .bind(id)
                    .bind(&to)
                    .execute(&mut *tx)
                    .await?;
                ("severity_changed", json!({ "from": severity, "to": to }))
            }
            IncidentAction::LinkRunbook { runbook } => {
                ("runbook_linked", json!({ "runbook": runbook }))
            }
            IncidentAction::Resolve { reason } => {
                if status == "resolved" {
                    return Err(conflict(id, "resolve it again", &status));
                }
                resolve_row(tx, id, now, actor).await?;
                ("resolved", json!({ "reason": reason }))
            }
            IncidentAction::Reopen { reason } => {
                if status != "resolved" {
                    return Err(conflict(id, "reopen it", &status));
                }
                let reopened = sqlx::query(
                    "UPDATE incidents SET status = 'open', acknowledged_at = NULL, acknowledged_by = NULL, resolved_at = NULL, resolved_by = NULL WHERE id = $1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await;
                if let Err(sqlx::Error::Database(e)) = &reopened
                    && e.is_unique_violation()
                {
                    return Err(Error::Conflict(format!(
                        "another incident is open for the alert of incident {id}"
                    )));
                }
                reopened?;
                ("reopened", json!({ "reason": reason }))
            }
            IncidentAction::CheckResult {
                check,
                outcome,
                detail,
            } => (
                "check_result",
                json!({ "check": check, "outcome": outcome, "detail": detail }),
            ),
        };
        append(tx, id, now, actor, kind, payload).await
    }
}

/// Mark the incident resolved; the caller appends the event.
pub(super) async fn resolve_row(
    tx: &mut SqliteConnection,
    id: i64,
    now: chrono::DateTime<Utc>,
    actor: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE incidents SET status = 'resolved', resolved_at = $2, resolved_by = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(actor)
    .execute(tx)
    .await?;
    Ok(())
}

/// The checklist as of now, read inside the write transaction.
async fn checklist_in(
    tx: &mut SqliteConnection,
    id: i64,
) -> Result<Vec<portal_types::ChecklistStep>> {
    let events = sqlx::query(
        "SELECT id, incident_id, at, actor, kind, payload FROM incident_events
         WHERE incident_id = $1 AND kind IN ('opened', 'step_done', 'step_undone') ORDER BY id",
    )
    .bind(id)
    .fetch_all(tx)
    .await?
    .iter()
    .map(super::read::event_from_row)
    .collect::<Result<Vec<_>>>()?;
    Ok(summary::checklist(&events))
}
