use leptos::prelude::*;

use portal_types::RunbookSummary;

/// Runbooks grouped under their group headings.
#[component]
pub fn RunbookList(runbooks: Vec<RunbookSummary>) -> impl IntoView {
    let mut groups: Vec<(String, Vec<RunbookSummary>)> = Vec::new();
    for runbook in runbooks {
        match groups.last_mut() {
            Some((group, list)) if *group == runbook.group => list.push(runbook),
            _ => groups.push((runbook.group.clone(), vec![runbook])),
        }
    }
    view! {
        <div class="runbook-list">
            {groups
                .into_iter()
                .map(|(group, list)| {
                    let group_href = crate::links::runbook(&group);
                    view! {
                        <section class="group">
                            <h2>
                                <a href=group_href>{group}</a>
                                <span class="count">{list.len()}</span>
                            </h2>
                            <ul>
                                {list.into_iter().map(|rb| view! { <RunbookItem runbook=rb /> }).collect_view()}
                            </ul>
                        </section>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[component]
fn RunbookItem(runbook: RunbookSummary) -> impl IntoView {
    let href = crate::links::runbook(&runbook.key);
    view! {
        <li class:broken=runbook.broken>
            <a href=href>{runbook.alert}</a>
            " "
            <span class="title">{runbook.title}</span>
            {runbook.broken.then(|| view! { <span class="tag broken">"broken"</span> })}
            {runbook
                .tags
                .into_iter()
                .map(|tag| view! { <a class="tag" href=crate::links::tag(&tag)>{tag.clone()}</a> })
                .collect_view()}
        </li>
    }
}
