//! A postmortem draft in Markdown from an incident's timeline: what the
//! record says, with placeholders for what only people can write.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{DateTime, Utc};
use portal_types::IncidentView;
use serde_json::Value;

fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Text safe inside a Markdown table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\\', "\\\\")
        .replace('|', "\\|")
}

pub fn markdown(incident: &IncidentView) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Postmortem: {} (incident #{})\n",
        incident.title, incident.id
    );
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(out, "- Status: {}", incident.status);
    if let Some(severity) = &incident.severity {
        let _ = writeln!(out, "- Severity: {severity}");
    }
    if let Some(alert) = &incident.alertname {
        let _ = writeln!(out, "- Alert: `{alert}`");
    }
    if !incident.labels.is_empty() {
        let labels: Vec<String> = incident
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let _ = writeln!(out, "- Labels: `{}`", labels.join(", "));
    }
    if let Some(key) = &incident.runbook_key {
        let _ = writeln!(out, "- Runbook: [{key}](/runbooks/{key})");
    }
    let _ = writeln!(
        out,
        "- Opened: {} by {}",
        utc(incident.opened_at),
        incident.opened_by
    );
    if let (Some(at), Some(by)) = (incident.acknowledged_at, &incident.acknowledged_by) {
        let _ = writeln!(out, "- Acknowledged: {} by {by}", utc(at));
    }
    if let (Some(at), Some(by)) = (incident.resolved_at, &incident.resolved_by) {
        let minutes = (at - incident.opened_at).num_minutes();
        let _ = writeln!(
            out,
            "- Resolved: {} by {by} ({minutes} min after opening)",
            utc(at)
        );
    }
    let _ = writeln!(out, "\n_What happened, in two sentences:_ TODO\n");
    let _ = writeln!(out, "## Impact\n");
    let _ = writeln!(out, "- Users affected: TODO");
    let _ = writeln!(out, "- Duration of impact: TODO");
    let _ = writeln!(out, "- Data loss: TODO\n");

    let _ = writeln!(out, "## Timeline\n");
    let _ = writeln!(out, "| Time (UTC) | Who | What |");
    let _ = writeln!(out, "|---|---|---|");
    for event in &incident.events {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            utc(event.at),
            cell(&event.actor),
            cell(&event.summary)
        );
    }

    let _ = writeln!(out, "\n## Who did what\n");
    let mut by_actor: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for event in &incident.events {
        *by_actor
            .entry(event.actor.as_str())
            .or_default()
            .entry(event.kind.as_str())
            .or_default() += 1;
    }
    for (actor, kinds) in by_actor {
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        let _ = writeln!(out, "- {actor}: {}", kinds.join(", "));
    }

    let _ = writeln!(out, "\n## Checks run\n");
    let checks: Vec<_> = incident
        .events
        .iter()
        .filter(|e| e.kind == "check_result")
        .collect();
    if checks.is_empty() {
        let _ = writeln!(out, "None recorded.");
    } else {
        let _ = writeln!(out, "| Time (UTC) | Check | Result | Who |");
        let _ = writeln!(out, "|---|---|---|---|");
        for e in checks {
            let field = |k: &str| e.payload.get(k).and_then(Value::as_str).unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                utc(e.at),
                cell(field("check")),
                cell(field("outcome")),
                cell(&e.actor)
            );
        }
    }

    let _ = writeln!(out, "\n## Mitigation steps\n");
    if incident.checklist.is_empty() {
        let _ = writeln!(out, "The runbook had no mitigation checklist.");
    }
    for step in &incident.checklist {
        let mark = if step.done { "x" } else { " " };
        let who = match (&step.by, step.at, step.done) {
            (Some(by), Some(at), true) => format!(" — {by}, {}", utc(at)),
            _ => String::new(),
        };
        let _ = writeln!(out, "- [{mark}] {}{who}", step.text);
    }
    let _ = writeln!(
        out,
        "\n## Root cause\n\nTODO\n\n## Follow-up actions\n\n- TODO"
    );
    out
}
