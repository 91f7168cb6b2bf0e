//! What responders do to an incident. Each action is exactly one event, and
//! any change to the incident row happens in the same transaction.

use chrono::Utc;
use portal_types::{IncidentAction, IncidentStatus, TimelineEvent};
use serde_json::json;

use super::{Timeline, append, summary};
use crate::error::{Error, Result};
use crate::store::{IncidentTx, StoreError};

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
        IncidentAction::CheckResult { check, detail, .. } => {
            check_text("check", check, 200)?;
            if detail.to_string().len() > 64 * 1024 {
                return Err(Error::BadRequest(
                    "check detail is larger than 64 KiB".into(),
                ));
            }
            Ok(())
        }
        IncidentAction::Silenced {
            silence_id,
            comment,
            ..
        } => {
            check_text("silence id", silence_id, 200)?;
            check_text("comment", comment, MAX_TEXT)
        }
        IncidentAction::Unsilenced { silence_id } => check_text("silence id", silence_id, 200),
        IncidentAction::Ack | IncidentAction::Checklist { .. } => Ok(()),
    }
}

fn conflict(id: i64, what: &str, status: IncidentStatus) -> Error {
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
    tx: &mut dyn IncidentTx,
    id: i64,
    action: IncidentAction,
    actor: &str,
) -> Result<TimelineEvent> {
    {
        let state = tx
            .state(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no incident {id}")))?;
        let (status, severity) = (state.status, state.severity);
        let now = Utc::now();
        let (kind, payload) = match action {
            IncidentAction::Ack => {
                if status != IncidentStatus::Open {
                    return Err(conflict(id, "acknowledge", status));
                }
                tx.acknowledge(id, now, actor).await?;
                ("acknowledged", json!({}))
            }
            IncidentAction::Note { text } => ("note", json!({ "text": text })),
            IncidentAction::Checklist { step, done } => {
                if status == IncidentStatus::Resolved {
                    return Err(conflict(id, "change its checklist", status));
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
                tx.set_severity(id, &to).await?;
                ("severity_changed", json!({ "from": severity, "to": to }))
            }
            IncidentAction::LinkRunbook { runbook } => {
                ("runbook_linked", json!({ "runbook": runbook }))
            }
            IncidentAction::Resolve { reason } => {
                if status == IncidentStatus::Resolved {
                    return Err(conflict(id, "resolve it again", status));
                }
                tx.resolve(id, now, actor).await?;
                ("resolved", json!({ "reason": reason }))
            }
            IncidentAction::Reopen { reason } => {
                if status != IncidentStatus::Resolved {
                    return Err(conflict(id, "reopen it", status));
                }
                match tx.reopen(id).await {
                    Err(StoreError::Conflict(_)) => {
                        return Err(Error::Conflict(format!(
                            "another incident is open for the alert of incident {id}"
                        )));
                    }
                    reopened => reopened?,
                }
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
            IncidentAction::Silenced {
                silence_id,
                matchers,
                ends_at,
                comment,
            } => (
                "silenced",
                json!({ "silence_id": silence_id, "matchers": matchers, "ends_at": ends_at, "comment": comment }),
            ),
            IncidentAction::Unsilenced { silence_id } => {
                ("unsilenced", json!({ "silence_id": silence_id }))
            }
        };
        append(tx, id, now, actor, kind, payload).await
    }
}

/// The checklist as of now, read inside the write transaction.
async fn checklist_in(
    tx: &mut dyn IncidentTx,
    id: i64,
) -> Result<Vec<portal_types::ChecklistStep>> {
    let events: Vec<TimelineEvent> = tx
        .events_of_kinds(id, &["opened", "step_done", "step_undone"])
        .await?
        .into_iter()
        .map(super::event)
        .collect();
    Ok(summary::checklist(&events))
}
