use leptos::prelude::*;

use super::incident_timeline::IncidentTimeline;
use super::live::use_incident_stream;
use super::use_hydrated;
use crate::api::{IncidentAct, OpenIncident, current_incident};
use portal_types::{IncidentView, Labels};

/// The open incident of this runbook with its live timeline, or a button to
/// open one. `incident` is what the server read with the page; after an
/// action here or an event on the stream the panel reads it again.
#[component]
pub fn IncidentPanel(
    runbook_key: String,
    labels: Labels,
    incident: Result<Option<IncidentView>, String>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let open = ServerAction::<OpenIncident>::new();
    let act = ServerAction::<IncidentAct>::new();
    let incident = RwSignal::new(incident);
    let shown = Memo::new(move |_| incident.with(|i| i.as_ref().ok().flatten().map(|i| i.id)));
    let ticks = use_incident_stream(shown.into());
    let reload = reloader(runbook_key.clone(), incident);
    // Effects run in the browser only; the first run is the page as served.
    Effect::new(move |seen: Option<(usize, usize, u64)>| {
        let now = (open.version().get(), act.version().get(), ticks.get());
        if seen.is_some_and(|seen| seen != now) {
            reload();
        }
        now
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
            {move || match incident.get() {
                Ok(Some(incident)) => view! { <IncidentTimeline incident act hydrated /> }.into_any(),
                Ok(None) => view! {
                    <p class="muted">"No open incident for this runbook."</p>
                    <button
                        class="open-incident"
                        disabled=move || !hydrated.get() || open.pending().get()
                        on:click=on_open.clone()
                    >
                        "Open incident"
                    </button>
                }.into_any(),
                Err(e) => view! { <p class="error">{e}</p> }.into_any(),
            }}
        </section>
    }
}

/// Read the runbook's open incident again into `incident`; when reads
/// overlap, the answer to the latest one is kept.
fn reloader(
    runbook_key: String,
    incident: RwSignal<Result<Option<IncidentView>, String>>,
) -> impl Fn() + Clone + 'static {
    let latest = StoredValue::new(0u64);
    move || {
        let mine = latest.get_value() + 1;
        latest.set_value(mine);
        let key = runbook_key.clone();
        leptos::task::spawn_local(async move {
            let read = current_incident(key).await.map_err(|e| e.to_string());
            if latest.get_value() == mine {
                incident.set(read);
            }
        });
    }
}
