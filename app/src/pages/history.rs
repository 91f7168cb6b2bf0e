use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{RestoreRevision, runbook_history};
use crate::components::DiffTable;
use crate::links;
use portal_types::{HistoryView, RevisionInfo, SaveOutcome};

/// `/runbooks/{group}/{alert}/history[?from=&to=&view=split&offset=]`:
/// every revision, the diff of any two, and restore.
#[component]
pub fn HistoryPage(key: String) -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        let q = query.read();
        let number = |name: &str| q.get(name).and_then(|v| v.parse::<i64>().ok());
        (
            number("offset").and_then(|n| u32::try_from(n).ok()),
            number("from"),
            number("to"),
            q.get("view").as_deref() == Some("split"),
        )
    };
    let history = Resource::new(params, move |(offset, from, to, _)| {
        runbook_history(key.clone(), offset, from, to)
    });
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let split = params().3;
                match history.await {
                    Ok(h) => view! { <History h split /> }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn History(h: HistoryView, split: bool) -> impl IntoView {
    let page = links::history(&h.key);
    let current = h.revisions.first().filter(|_| h.offset == 0).map(|r| r.id);
    let (from, to) = h
        .diff
        .as_ref()
        .map_or((None, None), |(f, t, _)| (Some(*f), Some(*t)));
    let rows = h
        .revisions
        .iter()
        .map(|r| view! { <Row r=r.clone() key=h.key.clone() current from to page=page.clone() /> })
        .collect_view();
    let older = (i64::from(h.offset) + i64::from(h.limit) < h.total).then(|| {
        view! { <a href=format!("{page}?offset={}", h.offset + h.limit)>"Older revisions"</a> }
    });
    let diff = h.diff.clone().map(|(from, to, diff)| {
        let unified = format!("{page}?from={from}&to={to}");
        let side = format!("{page}?from={from}&to={to}&view=split");
        view! {
            <section class="revision-diff" data-from=from.to_string() data-to=to.to_string()>
                <h2>{format!("Changes from revision {from} to {to}")}</h2>
                <p class="diff-modes">
                    <a href=unified class:current=!split>"Unified"</a>
                    " · "
                    <a href=side class:current=split>"Side by side"</a>
                </p>
                <DiffTable diff split />
            </section>
        }
    });
    view! {
        <Title text=format!("History of {}", h.key) />
        <p class="breadcrumb">
            <a href="/runbooks">"Runbooks"</a>
            " / "
            <a href=links::runbook(&h.key)>{h.key.clone()}</a>
            " · "
            <a href=links::edit(&h.key)>"Edit"</a>
        </p>
        <h1>{format!("History of {}", h.key)}</h1>
        <p class="muted">{format!("{} revisions of {}", h.total, h.path)}</p>
        {diff}
        <form id="compare" method="get" action=page.clone()>
            <button type="submit">"Compare selected"</button>
        </form>
        <div class="table-scroll">
            <table class="history">
                <thead>
                    <tr>
                        <th>"From"</th><th>"To"</th><th>"Revision"</th><th>"When"</th>
                        <th>"Author"</th><th>"Origin"</th><th>"Message"</th><th></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {older}
    }
}

#[component]
fn Row(
    r: RevisionInfo,
    key: String,
    current: Option<i64>,
    from: Option<i64>,
    to: Option<i64>,
    page: String,
) -> impl IntoView {
    let restore = ServerAction::<RestoreRevision>::new();
    let id = r.id;
    let message = if r.deleted {
        format!("{} (removed)", r.message)
    } else {
        r.message.clone()
    };
    let diff_link = r.parent.map(|p| {
        view! { <a class="diff-link" href=format!("{page}?from={p}&to={id}")>"diff"</a> }
    });
    let restore_form = (Some(id) != current && !r.deleted).then(|| {
        view! {
            <ActionForm action=restore>
                <input type="hidden" name="key" value=key.clone() />
                <input type="hidden" name="revision" value=id.to_string() />
                <input type="hidden" name="base" value=current.map(|c| c.to_string()).unwrap_or_default() />
                <button type="submit" class="restore">"Restore"</button>
            </ActionForm>
        }
    });
    view! {
        <tr class="revision" data-revision=id.to_string() data-origin=r.origin.as_str()>
            <td><input type="radio" name="from" form="compare" value=id.to_string() checked=from == Some(id) aria-label=format!("Compare from revision {id}") /></td>
            <td><input type="radio" name="to" form="compare" value=id.to_string() checked=to == Some(id) aria-label=format!("Compare to revision {id}") /></td>
            <td>{id}{(Some(id) == current).then_some(" (current)")}</td>
            <td><time datetime=r.at.to_rfc3339()>{portal_types::format::timestamp(r.at)}</time></td>
            <td class="author">{r.author.clone()}</td>
            <td class="origin">{r.origin.as_str()}</td>
            <td class="message">{message}</td>
            <td>
                {diff_link}
                {restore_form}
                {move || match restore.value().get() {
                    Some(Err(e)) => Some(view! { <span class="error">{e.to_string()}</span> }.into_any()),
                    Some(Ok(SaveOutcome::Conflict(_))) => Some(view! {
                        <span class="error">"Another revision landed meanwhile: reload and try again."</span>
                    }.into_any()),
                    _ => None,
                }}
            </td>
        </tr>
    }
}
