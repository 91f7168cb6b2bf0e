//! `/alerts/{alertname}` when the name does not lead to exactly one runbook
//! (the server redirects when it does). Several runbooks: a choice. None:
//! the moment a responder needs help most, so the page shows what is known
//! of the alert — its live instances with labels and annotations, its rule
//! and expression graph — runbooks close to its name, and "write this
//! runbook" prefilled from its rule.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::get_alert_page;
use crate::components::{AlertGraph, AlertPanel, RunbookList};
use crate::links;
use portal_types::{AlertPage, Labels};

#[component]
pub fn AlertLinkPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let name = move || params.read().get("alertname").unwrap_or_default();
    let page = Resource::new(name, get_alert_page);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let labels: Labels = (&*query.read_untracked())
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                match page.await {
                    Ok(page) => match page.runbooks.len() {
                        0 => view! { <NoRunbook page labels /> }.into_any(),
                        1 => {
                            let href = links::runbook_with_labels(&page.runbooks[0].key, &labels);
                            view! { <Redirect path=href /> }.into_any()
                        }
                        _ => view! { <Choice page /> }.into_any(),
                    },
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Choice(page: AlertPage) -> impl IntoView {
    view! {
        <Title text=format!("Several runbooks for {}", page.alertname) />
        <h1>{format!("Several runbooks for {}", page.alertname)}</h1>
        <p>"The alert " <code>{page.alertname.clone()}</code> " has a runbook in several groups:"</p>
        <RunbookList runbooks=page.runbooks />
    }
}

#[component]
fn NoRunbook(page: AlertPage, labels: Labels) -> impl IntoView {
    let AlertPage {
        alertname,
        live,
        graph,
        similar,
        ..
    } = page;
    let title = format!("No runbook for {alertname}");
    let name_attr = alertname.clone();
    view! {
        <Title text=title.clone() />
        <article class="alert-without-runbook" data-alertname=name_attr>
            <h1>{title}</h1>
            <p class="lead">
                "No runbook is written for the alert " <code>{alertname.clone()}</code> " yet. "
                "Here is what the portal knows of it."
            </p>
            <p class="alert-actions">
                <a class="write-runbook button-link" href=links::new_runbook(&alertname)>
                    "Write this runbook"
                </a>
                " "
                <a href=links::search(&portal_types::words::split_words(&alertname))>"Search runbooks"</a>
                " "
                <a href="/runbooks">"Browse all runbooks"</a>
            </p>
            {(!similar.is_empty()).then(|| view! {
                <section class="did-you-mean">
                    <h2>"Did you mean"</h2>
                    <ul>
                        {similar
                            .into_iter()
                            .map(|hit| view! {
                                <li>
                                    <a href=links::runbook_with_labels(&hit.key, &labels)>{hit.title}</a>
                                    " " <span class="muted">{hit.group}</span>
                                </li>
                            })
                            .collect_view()}
                    </ul>
                </section>
            })}
            <AlertPanel alertname=alertname.clone() state=live labels incident=None />
            <AlertGraph alertname graph />
        </article>
    }
}
