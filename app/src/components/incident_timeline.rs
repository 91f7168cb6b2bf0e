//! An incident as responders work it, in parts that the runbook page's
//! panel and the incident command view both compose: the controls
//! (acknowledge, resolve or reopen, severity), the mitigation checklist (a
//! tick is an event), the note box and the timeline. Every control
//! dispatches one `incident_act` call.

use leptos::prelude::*;

use crate::api::IncidentAct;
use portal_types::format::timestamp;
use portal_types::{ChecklistStep, IncidentAction, IncidentStatus, IncidentView, TimelineEvent};

/// The severities offered; an incident may carry another word, which stays.
const SEVERITIES: [&str; 3] = ["critical", "warning", "info"];

/// The runbook page's incident: its title line, then every part.
#[component]
pub fn IncidentTimeline(
    incident: IncidentView,
    act: ServerAction<IncidentAct>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let id = incident.id;
    let status = incident.status;
    let status_class = format!("status status-{status}");
    let headline = format!("#{} {}", id, incident.title);
    let severity = incident.severity.clone();
    view! {
        <div class="incident" data-incident-id=id data-status=status.as_str()>
            <p>
                <a href=format!("/incidents/{id}")>
                    <strong>{headline}</strong>
                </a>
                " "
                <span class=status_class>{status.as_str()}</span>
                {severity.map(|s| view! { " " <span class="severity">{s}</span> })}
            </p>
            <IncidentWork incident act hydrated />
        </div>
    }
}

/// Controls, errors, checklist, note box and timeline of one incident.
#[component]
pub fn IncidentWork(
    incident: IncidentView,
    act: ServerAction<IncidentAct>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let id = incident.id;
    let resolved = incident.status == IncidentStatus::Resolved;
    view! {
        <IncidentControls
            id
            status=incident.status
            severity=incident.severity.clone()
            act
            hydrated
        />
        {move || {
            act.value()
                .get()
                .and_then(Result::err)
                .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
        }}
        <Checklist id steps=incident.checklist resolved act hydrated />
        <NoteForm id act hydrated />
        <Timeline events=incident.events />
    }
}

/// Acknowledge, resolve or reopen, the severity, and the postmortem draft.
#[component]
fn IncidentControls(
    id: i64,
    status: IncidentStatus,
    severity: Option<String>,
    act: ServerAction<IncidentAct>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let idle = move || hydrated.get() && !act.pending().get();
    let send = move |action: IncidentAction| {
        act.dispatch(IncidentAct { id, action });
    };
    let current = severity.clone().unwrap_or_default();
    let mut choices: Vec<String> = SEVERITIES.iter().map(|s| s.to_string()).collect();
    if !current.is_empty() && !choices.contains(&current) {
        choices.insert(0, current.clone());
    }
    let on_severity = move |ev: leptos::ev::Event| {
        let severity = event_target_value(&ev);
        if !severity.is_empty() {
            send(IncidentAction::Severity { severity });
        }
    };
    view! {
        <div class="incident-actions">
            {(status == IncidentStatus::Open)
                .then(|| {
                    view! {
                        <button
                            class="ack"
                            aria-keyshortcuts="a"
                            disabled=move || !idle()
                            on:click=move |_| send(IncidentAction::Ack)
                        >
                            "Acknowledge"
                        </button>
                    }
                })}
            {if status == IncidentStatus::Resolved {
                view! {
                    <button
                        class="reopen"
                        disabled=move || !idle()
                        on:click=move |_| send(IncidentAction::Reopen { reason: None })
                    >
                        "Reopen"
                    </button>
                }
                    .into_any()
            } else {
                view! {
                    <button
                        class="resolve"
                        disabled=move || !idle()
                        on:click=move |_| send(IncidentAction::Resolve { reason: None })
                    >
                        "Resolve"
                    </button>
                }
                    .into_any()
            }}
            <label class="severity-control">
                "Severity "
                <select name="severity" disabled=move || !idle() on:change=on_severity>
                    <option value="" selected=current.is_empty() disabled=true>
                        "none"
                    </option>
                    {choices
                        .into_iter()
                        .map(|s| {
                            let selected = s == current;
                            view! { <option value=s.clone() selected=selected>{s.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <a class="postmortem" href=format!("/incidents/{id}/postmortem.md") rel="external">
                "Postmortem draft"
            </a>
        </div>
    }
}

/// The mitigation steps copied from the runbook, with progress.
#[component]
fn Checklist(
    id: i64,
    steps: Vec<ChecklistStep>,
    resolved: bool,
    act: ServerAction<IncidentAct>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    if steps.is_empty() {
        return ().into_any();
    }
    let idle = move || hydrated.get() && !act.pending().get();
    let done_count = steps.iter().filter(|s| s.done).count();
    let total = steps.len();
    view! {
        <h3>"Mitigation"</h3>
        <p class="checklist-progress">
            <progress value=done_count max=total aria-label="Mitigation steps done"></progress>
            {format!(" {done_count} of {total} done")}
        </p>
        <ul class="checklist">
            {steps
                .into_iter()
                .map(|step| {
                    let index = step.step;
                    let done = step.done;
                    let toggle = move |_| {
                        act.dispatch(IncidentAct {
                            id,
                            action: IncidentAction::Checklist { step: index, done: !done },
                        });
                    };
                    view! {
                        <li class="step" data-step=index data-done=done.to_string()>
                            <label>
                                <input
                                    type="checkbox"
                                    checked=done
                                    disabled=move || resolved || !idle()
                                    on:change=toggle
                                />
                                " "
                                {step.text}
                            </label>
                            {step
                                .by
                                .filter(|_| done)
                                .map(|by| view! { " " <span class="muted">{format!("— {by}")}</span> })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// A note in Markdown, added to the timeline.
#[component]
fn NoteForm(id: i64, act: ServerAction<IncidentAct>, hydrated: ReadSignal<bool>) -> impl IntoView {
    let idle = move || hydrated.get() && !act.pending().get();
    let (note, set_note) = signal(String::new());
    let add_note = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = note.get_untracked();
        if !text.trim().is_empty() {
            act.dispatch(IncidentAct {
                id,
                action: IncidentAction::Note { text },
            });
            set_note.set(String::new());
        }
    };
    view! {
        <form class="note" on:submit=add_note>
            <label class="visually-hidden" for=format!("note-{id}")>"Note"</label>
            <textarea
                id=format!("note-{id}")
                name="note"
                aria-keyshortcuts="n"
                placeholder="What did you see or do? (Markdown)"
                prop:value=note
                on:input=move |ev| set_note.set(event_target_value(&ev))
            ></textarea>
            <button type="submit" class="add-note" disabled=move || !idle()>
                "Add note"
            </button>
        </form>
    }
}

/// The events, oldest first, each with its kind told apart by a symbol and
/// a word, and its moment with the date.
#[component]
fn Timeline(events: Vec<TimelineEvent>) -> impl IntoView {
    view! {
        <ol class="timeline">
            {events
                .into_iter()
                .map(|event| {
                    let (symbol, word) = portal_types::event_kind_label(&event.kind);
                    let word = word.to_string();
                    let kind = event.kind.clone();
                    let text = match event.html {
                        Some(html) => view! { <div class="summary note-body" inner_html=html></div> }
                            .into_any(),
                        None => view! { <span class="summary">{event.summary}</span> }.into_any(),
                    };
                    view! {
                        <li class="event" data-kind=kind data-event-id=event.id>
                            <span class="kind" data-kind=event.kind>
                                <span class="kind-symbol" aria-hidden="true">{symbol}</span>
                                {word}
                            </span>
                            " "
                            <time datetime=event.at.to_rfc3339()>{timestamp(event.at)}</time>
                            " "
                            <span class="actor">{event.actor}</span>
                            " "
                            {text}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
