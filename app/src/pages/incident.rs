//! `/incidents/{id}`: the incident command view. One screen for the
//! responder working the incident: status and severity with their controls,
//! when it opened, was acknowledged and resolved (and how long each took,
//! live while it is open), the alert's labels and the live state of its
//! series, the runbook's checks with their last results, the checklist and
//! the timeline.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{IncidentAct, get_incident, get_incident_command};
use crate::components::{
    AlertPanel, CheckBoard, ChecksPanel, IncidentWork, use_hydrated, use_incident_stream, use_now,
};
use crate::links;
use portal_types::format::{duration, timestamp};
use portal_types::{IncidentCommand, IncidentStatus, IncidentView};

#[component]
pub fn IncidentDetail() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let hydrated = use_hydrated();
    let act = ServerAction::<IncidentAct>::new();
    let ticks = use_incident_stream(Signal::derive(id));
    // The incident is read again after each action and each timeline event;
    // the live parts beside it are read once and then follow their streams.
    let incident = Resource::new(
        move || (id(), act.version().get(), ticks.get()),
        |(id, _, _)| get_incident(id.unwrap_or(-1)),
    );
    let command = Resource::new(id, |id| get_incident_command(id.unwrap_or(-1)));
    view! {
        <div class="incident-command">
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match incident.await {
                        Ok(incident) => view! { <Command incident act hydrated /> }.into_any(),
                        Err(e) => view! {
                            <Title text="Incident not found" />
                            <h1>"Incident not found"</h1>
                            <p class="error">{e.to_string()}</p>
                            <p><a href="/incidents">"All incidents"</a></p>
                        }
                            .into_any(),
                    }
                })}
            </Transition>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    command.await.ok().map(|command| view! { <LiveParts command /> })
                })}
            </Suspense>
        </div>
    }
}

/// The incident itself: heading, times, labels, links, then the work.
#[component]
fn Command(
    incident: IncidentView,
    act: ServerAction<IncidentAct>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let id = incident.id;
    let status = incident.status;
    let runbook_href = incident
        .runbook_key
        .as_deref()
        .map(|key| links::runbook_with_labels(key, &incident.labels));
    let past = incident.alertname.as_deref().map(links::incidents_of_alert);
    view! {
        <Title text=format!("#{id} {}", incident.title) />
        <section
            class="incident incident-main"
            data-incident-id=id
            data-status=status.as_str()
        >
            <p class="breadcrumb"><a href="/incidents">"Incidents"</a> {format!(" / #{id}")}</p>
            <h1>
                {format!("#{id} {}", incident.title)} " "
                <span class=format!("status status-{status}")>{status.as_str()}</span>
                {incident.severity.clone().map(|s| {
                    let shown = s.clone();
                    view! { " " <span class="severity" data-severity=s>{shown}</span> }
                })}
            </h1>
            <Times incident=incident.clone() />
            {(!incident.labels.is_empty()).then(|| view! {
                <ul class="label-chips" aria-label="Alert labels">
                    {incident
                        .labels
                        .iter()
                        .map(|(k, v)| view! { <li><code>{format!("{k}={v}")}</code></li> })
                        .collect_view()}
                </ul>
            })}
            <p class="incident-links">
                {runbook_href.map(|href| {
                    let history = format!("{href}#alert-history");
                    view! {
                        <a class="runbook-link" href=href>"Runbook"</a> " "
                        <a class="history-link" href=history>"Alert history"</a> " "
                    }
                })}
                {past.map(|href| view! {
                    <a class="past-incidents" href=href>"Past incidents of this alert"</a>
                })}
            </p>
            <IncidentWork incident act hydrated />
        </section>
    }
}

/// Opened, acknowledged and resolved, each with its date and how long it
/// took from the opening; while unresolved, how long it has been open.
#[component]
fn Times(incident: IncidentView) -> impl IntoView {
    let opened = incident.opened_at;
    let now = use_now();
    let since_open =
        move |at: DateTime<Utc>| format!("after {}", duration((at - opened).num_seconds()));
    let open_for = (incident.status != IncidentStatus::Resolved).then(|| {
        view! {
            <p class="open-for" aria-live="off">
                {move || format!("Open for {}", duration((now.get() - opened).num_seconds()))}
            </p>
        }
    });
    view! {
        <dl class="incident-times">
            <dt>"Opened"</dt>
            <dd><Moment at=opened /> {format!(" by {}", incident.opened_by)}</dd>
            {incident.acknowledged_at.map(|at| view! {
                <dt>"Acknowledged"</dt>
                <dd>
                    <Moment at /> {format!(" by {} ", incident.acknowledged_by.clone().unwrap_or_default())}
                    <span class="took">{since_open(at)}</span>
                </dd>
            })}
            {incident.resolved_at.map(|at| view! {
                <dt>"Resolved"</dt>
                <dd>
                    <Moment at /> {format!(" by {} ", incident.resolved_by.clone().unwrap_or_default())}
                    <span class="took">{since_open(at)}</span>
                </dd>
            })}
        </dl>
        {open_for}
    }
}

#[component]
fn Moment(at: DateTime<Utc>) -> impl IntoView {
    view! { <time datetime=at.to_rfc3339()>{timestamp(at)}</time> }
}

/// Beside the incident: the live state of its alert's series and the
/// runbook's checks, filled with the incident's labels.
#[component]
fn LiveParts(command: IncidentCommand) -> impl IntoView {
    let IncidentCommand {
        incident,
        runbook,
        live,
    } = command;
    if let Some(runbook) = &runbook {
        provide_context(CheckBoard::new(
            runbook.key.clone(),
            incident.labels.clone(),
            runbook.checks.clone(),
            runbook.last_results.clone(),
        ));
    }
    let open = (incident.status != IncidentStatus::Resolved).then_some(incident.id);
    view! {
        <aside class="incident-live">
            {incident.alertname.clone().zip(live).map(|(alertname, state)| view! {
                <AlertPanel alertname state labels=incident.labels.clone() incident=open />
            })}
            {runbook.map(|_| view! { <ChecksPanel placed=Vec::new() /> })}
        </aside>
    }
}
