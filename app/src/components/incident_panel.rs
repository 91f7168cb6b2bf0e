use leptos::prelude::*;

use super::incident_timeline::IncidentTimeline;
use super::live::use_incident_stream;
use super::use_hydrated;
use crate::api::{IncidentAct, OpenIncident, current_incident};
use portal_types::Labels;

/// The open incident of this runbook with its live timeline, or a button to
/// open one.
#[component]
pub fn IncidentPanel(runbook_key: String, labels: Labels) -> impl IntoView {
    let hydrated = use_hydrated();
    let open = ServerAction::<OpenIncident>::new();
    let act = ServerAction::<IncidentAct>::new();
    let (shown, set_shown) = signal(None::<i64>);
    let ticks = use_incident_stream(shown.into());
    let key = runbook_key.clone();
    let incident = Resource::new(
        move || (open.version().get(), act.version().get(), ticks.get()),
        move |_| current_incident(key.clone()),
    );
    Effect::new(move |_| {
        let id = incident.get().and_then(Result::ok).flatten().map(|i| i.id);
        set_shown.set(id);
    });
    let on_open = move |_| {
        open.dispatch(OpenIncident {
            runbook_key: runbook_key.clone(),
            labels: labels.clone(),
        });
    };
    view! {
        <section class="incident-panel">
            <h2>"Incident"</h2>
            {move || {
                open.value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| view! { <p class="error">{e.to_string()}</p> })
            }}
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    let on_open = on_open.clone();
                    Suspend::new(async move {
                    match incident.await {
                        Ok(Some(incident)) => view! { <IncidentTimeline incident act hydrated /> }.into_any(),
                        Ok(None) => view! {
                            <p class="muted">"No open incident for this runbook."</p>
                            <button
                                class="open-incident"
                                disabled=move || !hydrated.get() || open.pending().get()
                                on:click=on_open
                            >
                                "Open incident"
                            </button>
                        }.into_any(),
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    }
                })
                }}
            </Transition>
        </section>
    }
}
