use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::resolve_path;
use crate::components::{AlertGraph, AlertPanel, IncidentPanel, RunbookList};
use crate::types::{Labels, RunbookPath, RunbookView};

/// `/runbooks/{path}`: a runbook, or a group of runbooks.
#[component]
pub fn RunbookPathPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let target = move || {
        let path = params.read().get("path").unwrap_or_default();
        let labels: Labels = (&*query.read())
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        (path, labels)
    };
    let resolved = Resource::new(target, |(path, labels)| resolve_path(path, labels));
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let labels = target().1;
                match resolved.await {
                    Ok(RunbookPath::Runbook(runbook)) => view! { <RunbookPage runbook labels /> }.into_any(),
                    Ok(RunbookPath::Group { group, runbooks }) => {
                        view! {
                            <Title text=group.clone() />
                            <h1>{format!("Group {group}")}</h1>
                            <RunbookList runbooks />
                        }
                            .into_any()
                    }
                    Ok(RunbookPath::NotFound { path }) => {
                        view! {
                            <Title text="Runbook not found" />
                            <h1>"Runbook not found"</h1>
                            <p>
                                {format!("No runbook or group is called “{path}”. ")}
                                <a href="/runbooks">"Browse all runbooks"</a>
                                "."
                            </p>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RunbookPage(runbook: RunbookView, labels: Labels) -> impl IntoView {
    let group_href = format!("/runbooks/{}", runbook.group);
    view! {
        <Title text=runbook.title.clone() />
        <article class="runbook" data-key=runbook.key.clone()>
            <p class="breadcrumb">
                <a href="/runbooks">"Runbooks"</a>
                " / "
                <a href=group_href>{runbook.group.clone()}</a>
            </p>
            <h1>{runbook.title.clone()}</h1>
            <div class="meta">
                {runbook.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}
                <span class="source">{runbook.source_path.clone()}</span>
            </div>
            {runbook.description.clone().map(|d| view! { <p class="lead">{d}</p> })}
            {runbook.error.clone().map(|e| view! { <pre class="parse-error">{e}</pre> })}
            <AlertPanel alertname=runbook.alert.clone() labels=labels.clone() />
            <AlertGraph alertname=runbook.alert.clone() />
            <div class="layout">
                <div class="body" inner_html=runbook.html.clone()></div>
                <aside>
                    <IncidentPanel runbook_key=runbook.key.clone() labels />
                </aside>
            </div>
        </article>
    }
}
