//! `/incidents`: filtered by status and alert, paginated, the unresolved
//! ones first (the incident itself is `incident.rs`).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::list_incidents;
use crate::components::use_now;
use portal_types::format::{duration, short_timestamp, timestamp};
use portal_types::{IncidentPage, IncidentQuery, IncidentSummary};

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
            active_first: Some(true),
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
    let now = use_now();
    view! {
        <table class="incidents">
            <thead>
                <tr>
                    <th>"#"</th><th>"Title"</th><th>"Status"</th><th>"Severity"</th>
                    <th>"Alert"</th><th>"Opened"</th><th>"Duration"</th><th>"By"</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .items
                    .into_iter()
                    .map(|i| view! { <IncidentRow incident=i now /> })
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

/// One row: status as a coloured badge, when it opened (date and time, the
/// full moment on hover) and how long it lasted or has been open.
#[component]
fn IncidentRow(incident: IncidentSummary, now: ReadSignal<DateTime<Utc>>) -> impl IntoView {
    let i = incident;
    let status = i.status.as_str();
    let href = format!("/incidents/{}", i.id);
    let opened = i.opened_at;
    let lasted = move || match i.resolved_at {
        Some(resolved) => duration((resolved - opened).num_seconds()),
        None => format!("open {}", duration((now.get() - opened).num_seconds())),
    };
    view! {
        <tr class="incident-row" data-status=status>
            <td><a href=href.clone()>{i.id}</a></td>
            <td><a href=href>{i.title}</a></td>
            <td><span class=format!("status status-{status}")>{status}</span></td>
            <td>{i.severity.unwrap_or_default()}</td>
            <td>{i.alertname.unwrap_or_default()}</td>
            <td>
                <time datetime=opened.to_rfc3339() title=timestamp(opened)>
                    {short_timestamp(opened)}
                </time>
            </td>
            <td class="duration">{lasted}</td>
            <td>{i.opened_by}</td>
        </tr>
    }
}
