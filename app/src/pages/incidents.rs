//! `/incidents` (filtered by status and alert, paginated) and
//! `/incidents/{id}` (one incident's live timeline).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{IncidentAct, get_incident, list_incidents};
use crate::components::{IncidentTimeline, use_incident_stream};
use portal_types::{IncidentPage, IncidentQuery};

const PAGE: u32 = 50;

#[component]
pub fn Incidents() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        IncidentQuery {
            status: q.get("status").filter(|s| !s.is_empty()),
            alertname: q.get("alertname").filter(|s| !s.is_empty()),
            limit: Some(PAGE),
            offset: q.get("offset").and_then(|o| o.parse().ok()),
            ..Default::default()
        }
    };
    let page = Resource::new(filter, list_incidents);
    view! {
        <Title text="Incidents" />
        <h1>"Incidents"</h1>
        <form class="filters" method="get" action="/incidents">
            <label>
                "Status "
                <select name="status">
                    {["", "active", "open", "acknowledged", "resolved"]
                        .into_iter()
                        .map(|s| {
                            let selected = filter().status.unwrap_or_default() == s;
                            let label = if s.is_empty() { "any" } else { s };
                            view! { <option value=s selected=selected>{label}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            " "
            <label>
                "Alert " <input name="alertname" value=filter().alertname.unwrap_or_default() />
            </label>
            " "
            <button type="submit">"Filter"</button>
        </form>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <IncidentTable page filter=filter() /> }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn page_href(filter: &IncidentQuery, offset: u32) -> String {
    let mut href = format!("/incidents?offset={offset}");
    for (key, value) in [("status", &filter.status), ("alertname", &filter.alertname)] {
        if let Some(value) = value {
            let value: String = value
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'))
                .collect();
            href.push_str(&format!("&{key}={value}"));
        }
    }
    href
}

#[component]
fn IncidentTable(page: IncidentPage, filter: IncidentQuery) -> impl IntoView {
    if page.items.is_empty() {
        return view! { <p class="muted">"No incidents match."</p> }.into_any();
    }
    let shown_to = page.offset as usize + page.items.len();
    let prev =
        (page.offset > 0).then(|| page_href(&filter, page.offset.saturating_sub(page.limit)));
    let next = ((shown_to as i64) < page.total).then(|| page_href(&filter, shown_to as u32));
    view! {
        <table class="incidents">
            <thead>
                <tr>
                    <th>"#"</th><th>"Title"</th><th>"Status"</th><th>"Severity"</th>
                    <th>"Alert"</th><th>"Opened (UTC)"</th><th>"By"</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .items
                    .into_iter()
                    .map(|i| {
                        let status = i.status.as_str();
                        view! {
                            <tr class="incident-row" data-status=status>
                                <td><a href=format!("/incidents/{}", i.id)>{i.id}</a></td>
                                <td><a href=format!("/incidents/{}", i.id)>{i.title}</a></td>
                                <td>{status}</td>
                                <td>{i.severity.unwrap_or_default()}</td>
                                <td>{i.alertname.unwrap_or_default()}</td>
                                <td><time datetime=i.opened_at.to_rfc3339()>{portal_types::format::timestamp(i.opened_at)}</time></td>
                                <td>{i.opened_by}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <p class="pager">
            {format!("{}–{} of {} ", page.offset + 1, shown_to, page.total)}
            {prev.map(|href| view! { <a rel="prev" href=href>"← newer"</a> " " })}
            {next.map(|href| view! { <a rel="next" href=href>"older →"</a> })}
        </p>
    }
    .into_any()
}

#[component]
pub fn IncidentDetail() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let hydrated = crate::components::use_hydrated();
    let act = ServerAction::<IncidentAct>::new();
    let ticks = use_incident_stream(Signal::derive(id));
    let incident = Resource::new(
        move || (id(), act.version().get(), ticks.get()),
        |(id, _, _)| get_incident(id.unwrap_or(-1)),
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match incident.await {
                    Ok(incident) => {
                        let runbook = incident.runbook_key.clone();
                        view! {
                            <Title text=format!("Incident #{}", incident.id) />
                            <h1>{format!("Incident #{}", incident.id)}</h1>
                            {runbook.map(|key| view! {
                                <p class="breadcrumb">"Runbook: " <a href=crate::links::runbook(&key)>{key.clone()}</a></p>
                            })}
                            <IncidentTimeline incident act hydrated />
                        }
                            .into_any()
                    }
                    Err(e) => view! {
                        <Title text="Incident not found" />
                        <p class="error">{e.to_string()}</p>
                    }
                        .into_any(),
                }
            })}
        </Transition>
    }
}
