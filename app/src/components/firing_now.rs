//! "Firing now" on the home page: every firing alert across all upstreams,
//! grouped by severity, each with its runbook or a link to write one; kept
//! current by the SSE stream.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::alert_panel::{GroupBadge, StaleBanner};
use super::live_stream::{follow_stream, stream_url, use_now};
use crate::api::get_live_state;
use portal_types::AlertState;
use portal_types::{AlertGroup, LiveState};

#[component]
pub fn FiringNow() -> impl IntoView {
    let initial = Resource::new(|| (), |_| get_live_state(None));
    view! {
        <Suspense fallback=|| view! { <p>"Loading alert state…"</p> }>
            {move || Suspend::new(async move {
                match initial.await {
                    Ok(state) => view! { <FiringList state /> }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Severity order: the ones that page first.
fn rank(severity: &str) -> (u8, String) {
    let r = match severity {
        "critical" | "page" => 0,
        "error" | "high" => 1,
        "warning" | "medium" => 2,
        "info" | "low" => 3,
        "" => 5,
        _ => 4,
    };
    (r, severity.to_string())
}

#[component]
fn FiringList(state: LiveState) -> impl IntoView {
    let live = RwSignal::new(state);
    follow_stream(stream_url(None), live);
    let now = use_now();
    let sections = move || {
        let mut by_severity: BTreeMap<(u8, String), Vec<AlertGroup>> = BTreeMap::new();
        live.with(|s| {
            for g in &s.groups {
                if matches!(g.state, AlertState::Firing | AlertState::Silenced) {
                    let severity = g.severity.clone().unwrap_or_default();
                    by_severity
                        .entry(rank(&severity))
                        .or_default()
                        .push(g.clone());
                }
            }
        });
        if by_severity.is_empty() {
            let text = if live.with(|s| s.upstreams.is_empty()) {
                "No Prometheus or Alertmanager is configured."
            } else {
                "Nothing is firing."
            };
            return view! { <p class="nothing-firing">{text}</p> }.into_any();
        }
        by_severity
            .into_iter()
            .map(|((_, severity), groups)| {
                let title = if severity.is_empty() { "no severity".to_string() } else { severity.clone() };
                let items = groups
                    .into_iter()
                    .map(|g| {
                        let link = match &g.runbook {
                            Some(key) => view! { <a class="runbook-link" href=crate::links::runbook(key)>{key.clone()}</a> }.into_any(),
                            None => view! {
                                <a class="write-runbook" href=format!("/alerts/{}", g.alertname)>"no runbook — write one"</a>
                            }.into_any(),
                        };
                        view! {
                            <li class="firing-alert" data-alertname=g.alertname.clone()>
                                <strong>{g.alertname.clone()}</strong>
                                " "
                                <GroupBadge group=g.clone() />
                                " "
                                {link}
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="severity" data-severity=severity>
                        <h3>{title}</h3>
                        <ul>{items}</ul>
                    </section>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="firing-now" id="firing-now">
            <h2>"Firing now"</h2>
            {move || view! { <StaleBanner upstreams=live.with(|s| s.upstreams.clone()) now /> }}
            {sections}
        </section>
    }
}
