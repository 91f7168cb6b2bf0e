use leptos::prelude::*;

use super::use_hydrated;
use crate::api::{OpenIncident, current_incident};
use crate::types::{IncidentView, Labels};

/// The open incident of this runbook with its timeline, or a button to open one.
#[component]
pub fn IncidentPanel(runbook_key: String, labels: Labels) -> impl IntoView {
    let hydrated = use_hydrated();
    let open = ServerAction::<OpenIncident>::new();
    let key = runbook_key.clone();
    let incident = Resource::new(
        move || open.version().get(),
        move |_| current_incident(key.clone()),
    );
    let on_open = move |_| {
        open.dispatch(OpenIncident {
            runbook_key: runbook_key.clone(),
            labels: labels.clone(),
        });
    };
    view! {
        <section class="incident-panel">
            <h2>"Incident"</h2>
            <button
                class="open-incident"
                disabled=move || !hydrated.get() || open.pending().get()
                on:click=on_open
            >
                "Open incident"
            </button>
            {move || {
                open.value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| view! { <p class="error">{e.to_string()}</p> })
            }}
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match incident.await {
                        Ok(Some(incident)) => view! { <Timeline incident /> }.into_any(),
                        Ok(None) => view! { <p class="muted">"No open incident for this runbook."</p> }.into_any(),
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Timeline(incident: IncidentView) -> impl IntoView {
    view! {
        <div class="incident" data-incident-id=incident.id>
            <p>
                <strong>{format!("#{} {}", incident.id, incident.title)}</strong>
                " "
                <span class="status">{incident.status}</span>
            </p>
            <ol class="timeline">
                {incident
                    .events
                    .into_iter()
                    .map(|event| {
                        view! {
                            <li class="event" data-kind=event.kind.clone()>
                                <time datetime=event.at.to_rfc3339()>
                                    {event.at.format("%H:%M:%S UTC").to_string()}
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
