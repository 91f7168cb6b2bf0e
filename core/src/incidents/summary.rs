//! Text and state derived from events: one line per event, and the
//! checklist as the `opened` event copied it plus every tick since.

use portal_types::{ChecklistStep, TimelineEvent};
use serde_json::Value;

fn text<'a>(payload: &'a Value, key: &str) -> &'a str {
    payload.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// What a responder wrote in a `note` event.
pub fn note_text(payload: &Value) -> &str {
    text(payload, "text")
}

/// One line of text for an event, derived from its payload.
pub fn summarise(kind: &str, payload: &Value) -> String {
    match kind {
        "opened" => {
            let labels = payload
                .get("labels")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            if labels.is_empty() {
                "opened the incident".to_string()
            } else {
                format!("opened the incident for {}", labels.join(", "))
            }
        }
        "acknowledged" => "acknowledged".into(),
        "note" => note_text(payload).to_string(),
        "step_done" => format!("done: {}", text(payload, "text")),
        "step_undone" => format!("not done after all: {}", text(payload, "text")),
        "severity_changed" => format!(
            "severity {} → {}",
            payload
                .get("from")
                .and_then(Value::as_str)
                .unwrap_or("none"),
            text(payload, "to")
        ),
        "runbook_linked" => format!("linked runbook {}", text(payload, "runbook")),
        "resolved" | "reopened" => match payload.get("reason").and_then(Value::as_str) {
            Some(reason) if !reason.is_empty() => format!("{kind}: {reason}"),
            _ => kind.to_string(),
        },
        "check_result" => format!(
            "check {}: {}",
            text(payload, "check"),
            text(payload, "outcome")
        ),
        "silenced" => {
            let matchers = payload
                .get("matchers")
                .and_then(Value::as_array)
                .map(|m| {
                    m.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            format!(
                "silenced {matchers} until {}: {}",
                text(payload, "ends_at"),
                text(payload, "comment")
            )
        }
        "unsilenced" => format!("expired silence {}", text(payload, "silence_id")),
        "alert_resolved" => "the alert stopped firing".into(),
        "alert_firing" => "the alert fires again".into(),
        other => other.replace('_', " "),
    }
}

/// The checklist copied at open time, with the latest tick of each step.
pub fn checklist(events: &[TimelineEvent]) -> Vec<ChecklistStep> {
    let mut steps: Vec<ChecklistStep> = events
        .iter()
        .find(|e| e.kind == "opened")
        .and_then(|e| e.payload.get("checklist"))
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .enumerate()
                .map(|(step, item)| ChecklistStep {
                    step,
                    text: item.as_str().unwrap_or_default().to_string(),
                    done: false,
                    by: None,
                    at: None,
                })
                .collect()
        })
        .unwrap_or_default();
    for event in events {
        let done = match event.kind.as_str() {
            "step_done" => true,
            "step_undone" => false,
            _ => continue,
        };
        let index = event.payload.get("step").and_then(Value::as_u64);
        if let Some(step) = index.and_then(|i| steps.get_mut(i as usize)) {
            step.done = done;
            step.by = Some(event.actor.clone());
            step.at = Some(event.at);
        }
    }
    steps
}
