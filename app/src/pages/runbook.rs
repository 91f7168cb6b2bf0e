use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::resolve_path;
use crate::components::{
    AlertGraph, AlertHistoryPanel, AlertPanel, CheckBoard, CheckCard, ChecksPanel, IncidentPanel,
    RunbookList,
};
use crate::links;
use portal_types::BodyPart;
use portal_types::paths::{RunbookRoute, Verb};
use portal_types::{
    Labels, PathPage, RunbookLive, RunbookPath, RunbookSummary, RunbookView, TocEntry,
};

/// `/runbooks/{path}`: a runbook or a group; `…/edit` and `…/history`
/// (the route is a wildcard, so the suffix is read here) edit a runbook or
/// show its revisions.
#[component]
pub fn RunbookPathPage() -> impl IntoView {
    let params = use_params_map();
    move || {
        let path = params.read().get("path").unwrap_or_default();
        let RunbookRoute { key, verb } = RunbookRoute::parse(&path);
        match verb {
            Verb::Edit => view! { <super::editor::EditorPage key /> }.into_any(),
            Verb::History => view! { <super::history::HistoryPage key /> }.into_any(),
            _ => view! { <ResolvedPage /> }.into_any(),
        }
    }
}

#[component]
fn ResolvedPage() -> impl IntoView {
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
                    Ok(PathPage { path: RunbookPath::Runbook(runbook), live }) => {
                        view! { <RunbookPage runbook=*runbook live labels /> }.into_any()
                    }
                    Ok(PathPage { path: RunbookPath::Group { group, title, intro_html, runbooks }, .. }) => {
                        view! { <GroupPage group title intro_html runbooks /> }.into_any()
                    }
                    Ok(PathPage { path: RunbookPath::NotFound { path }, .. }) => {
                        view! { <RunbookNotFound path /> }.into_any()
                    }
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn GroupPage(
    group: String,
    title: Option<String>,
    intro_html: String,
    runbooks: Vec<RunbookSummary>,
) -> impl IntoView {
    let heading = title.unwrap_or_else(|| group.clone());
    view! {
        <Title text=heading.clone() />
        <p class="breadcrumb">
            <a href="/runbooks">"Runbooks"</a>
            {format!(" / {group}")}
        </p>
        <h1>{heading}</h1>
        <div class="group-intro body" inner_html=intro_html></div>
        <RunbookList runbooks />
    }
}

#[component]
fn RunbookNotFound(path: String) -> impl IntoView {
    let alert = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".md")
        .to_string();
    view! {
        <Title text="Runbook not found" />
        <h1>"Runbook not found"</h1>
        <p>{format!("No runbook or group is called “{path}”.")}</p>
        <ul>
            <li>
                <a href=links::search(&alert)>{format!("Search for “{alert}”")}</a>
            </li>
            <li>
                <a class="write-runbook" href=links::new_runbook(&path)>"Write this runbook"</a>
            </li>
            <li>
                <a href="/runbooks">"Browse all runbooks"</a>
            </li>
        </ul>
    }
}

/// A runbook with its live parts; `live` is what the server read with it
/// (absent only if the server did not send it: the runbook still shows).
#[component]
fn RunbookPage(runbook: RunbookView, live: Option<RunbookLive>, labels: Labels) -> impl IntoView {
    let group_href = links::runbook(&runbook.group);
    let filled: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    provide_context(CheckBoard::new(
        runbook.key.clone(),
        labels.clone(),
        runbook.checks.clone(),
        runbook.last_results.clone(),
    ));
    let placed: Vec<String> = runbook
        .body
        .iter()
        .filter_map(|part| match part {
            BodyPart::Check(id) => Some(id.clone()),
            BodyPart::Html(_) => None,
        })
        .collect();
    let body = runbook
        .body
        .iter()
        .map(|part| match part {
            BodyPart::Html(html) => {
                view! { <div class="body-part" inner_html=html.clone()></div> }.into_any()
            }
            BodyPart::Check(id) => view! { <CheckCard id=id.clone() /> }.into_any(),
        })
        .collect_view();
    let (alert_parts, incident_part) = match live {
        Some(RunbookLive {
            alert,
            graph,
            incident,
            history,
        }) => {
            let name = runbook.alert.clone();
            let key = runbook.key.clone();
            let open = incident
                .as_ref()
                .ok()
                .and_then(|i| i.as_ref())
                .map(|i| i.id);
            (
                Some(view! {
                    <AlertPanel alertname=name.clone() state=alert labels=labels.clone() incident=open />
                    <AlertGraph alertname=name graph />
                    <AlertHistoryPanel history />
                }),
                Some(view! { <IncidentPanel runbook_key=key labels incident /> }),
            )
        }
        None => (None, None),
    };
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
                {runbook
                    .tags
                    .iter()
                    .map(|t| view! { <a class="tag" href=links::tag(t)>{t.clone()}</a> })
                    .collect_view()}
                <span class="source" title="source file">{runbook.source_path.clone()}</span>
                <a class="edit-link" href=links::edit(&runbook.key)>"Edit"</a>
                <a class="history-link" href=links::history(&runbook.key)>"History"</a>
                {runbook.date.clone().map(|raw| {
                    let shown = portal_types::format::day(&raw).unwrap_or_else(|| raw.clone());
                    view! { <time class="muted" datetime=raw.clone() title=format!("last change: {raw}")>{shown}</time> }
                })}
            </div>
            {runbook.description.clone().map(|d| view! { <p class="lead">{d}</p> })}
            {(!filled.is_empty())
                .then(|| view! { <p class="labels muted">{format!("For {}", filled.join(", "))}</p> })}
            {runbook.error.clone().map(|e| view! { <BrokenRunbook error=e raw=runbook.raw.clone() /> })}
            {alert_parts}
            <div class="layout">
                <div class="body">{body}</div>
                <aside>
                    <Toc entries=runbook.toc.clone() />
                    <ChecksPanel placed />
                    {incident_part}
                </aside>
            </div>
        </article>
    }
}

#[component]
fn BrokenRunbook(error: String, raw: Option<String>) -> impl IntoView {
    view! {
        <div class="broken-runbook" role="alert">
            <pre class="parse-error">{error}</pre>
            {raw.map(|raw| view! {
                <details open>
                    <summary>"The file as it is"</summary>
                    <pre class="raw">{raw}</pre>
                </details>
            })}
        </div>
    }
}

/// The on-page table of contents (level 2 and 3 headings).
#[component]
fn Toc(entries: Vec<TocEntry>) -> impl IntoView {
    let entries: Vec<TocEntry> = entries
        .into_iter()
        .filter(|e| (2..=3).contains(&e.level))
        .collect();
    (!entries.is_empty()).then(|| {
        view! {
            <nav class="toc" aria-label="Contents">
                <h2>"Contents"</h2>
                <ul>
                    {entries
                        .into_iter()
                        .map(|e| {
                            let class = format!("toc-{}", e.level);
                            view! {
                                <li class=class>
                                    <a href=format!("#{}", e.id)>{e.text}</a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
        }
    })
}
