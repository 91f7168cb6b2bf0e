//! An incident as responders work it: status, acknowledge and resolve
//! buttons, the mitigation checklist (a tick is an event), a note box, and
//! the timeline. Every control dispatches one `incident_act` call.

use leptos::prelude::*;

use crate::api::IncidentAct;
use portal_types::{IncidentAction, IncidentStatus, IncidentView};

#[component]
pub fn IncidentTimeline(
    incident: IncidentView,
    act: ServerAction<IncidentAct>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let id = incident.id;
    let resolved = incident.status == IncidentStatus::Resolved;
    let idle = move || hydrated.get() && !act.pending().get();
    let send = move |action: IncidentAction| {
        act.dispatch(IncidentAct { id, action });
    };
    let (note, set_note) = signal(String::new());
    let add_note = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = note.get_untracked();
        if !text.trim().is_empty() {
            send(IncidentAction::Note { text });
            set_note.set(String::new());
        }
    };
    let status_class = format!("status status-{}", incident.status);
    view! {
        <div class="incident" data-incident-id=id data-status=incident.status.as_str()>
            <p>
                <a href=format!("/incidents/{id}")>
                    <strong>{format!("#{} {}", id, incident.title)}</strong>
                </a>
                " "
                <span class=status_class>{incident.status.as_str()}</span>
                {incident.severity.clone().map(|s| view! { " " <span class="severity">{s}</span> })}
            </p>
            <div class="incident-actions">
                {(incident.status == IncidentStatus::Open)
                    .then(|| {
                        view! {
                            <button
                                class="ack"
                                disabled=move || !idle()
                                on:click=move |_| send(IncidentAction::Ack)
                            >
                                "Acknowledge"
                            </button>
                        }
                    })}
                {if resolved {
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
                <a class="postmortem" href=format!("/incidents/{id}/postmortem.md") rel="external">
                    "Postmortem draft"
                </a>
            </div>
            {move || {
                act.value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| view! { <p class="error">{e.to_string()}</p> })
            }}
            {(!incident.checklist.is_empty())
                .then(|| {
                    view! {
                        <h3>"Mitigation"</h3>
                        <ul class="checklist">
                            {incident
                                .checklist
                                .iter()
                                .map(|step| {
                                    let index = step.step;
                                    let done = step.done;
                                    view! {
                                        <li class="step" data-step=index data-done=done.to_string()>
                                            <label>
                                                <input
                                                    type="checkbox"
                                                    checked=done
                                                    disabled=move || resolved || !idle()
                                                    on:change=move |_| {
                                                        send(IncidentAction::Checklist {
                                                            step: index,
                                                            done: !done,
                                                        })
                                                    }
                                                />
                                                " "
                                                {step.text.clone()}
                                            </label>
                                            {step
                                                .by
                                                .clone()
                                                .filter(|_| done)
                                                .map(|by| view! { " " <span class="muted">{format!("— {by}")}</span> })}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            <form class="note" on:submit=add_note>
                <textarea
                    name="note"
                    placeholder="What did you see or do?"
                    prop:value=note
                    on:input=move |ev| set_note.set(event_target_value(&ev))
                ></textarea>
                <button type="submit" class="add-note" disabled=move || !idle()>
                    "Add note"
                </button>
            </form>
            <ol class="timeline">
                {incident
                    .events
                    .into_iter()
                    .map(|event| {
                        view! {
                            <li class="event" data-kind=event.kind.clone() data-event-id=event.id>
                                <time datetime=event.at.to_rfc3339()>
                                    {portal_types::format::timestamp(event.at)}
                                </time>
                                " "
                                <span class="actor">{event.actor}</span>
                                " "
                                <span class="summary">{event.summary}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </div>
    }
}
