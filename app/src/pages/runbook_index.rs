use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::get_catalog;
use crate::components::RunbookList;
use crate::links;

/// `/runbooks`: every group with its title and size, the tags, and every
/// runbook by group.
#[component]
pub fn RunbookIndex() -> impl IntoView {
    let catalog = Resource::new(|| (), |_| get_catalog());
    view! {
        <Title text="Runbooks" />
        <h1>"Runbooks"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                catalog.await.map(|catalog| {
                    let broken = catalog.runbooks.iter().filter(|r| r.broken).count();
                    view! {
                        <p class="muted">
                            {format!("{} runbooks in {} groups", catalog.runbooks.len(), catalog.groups.len())}
                            {(broken > 0).then(|| format!(", {broken} broken"))}
                        </p>
                        <details class="groups">
                            <summary>"Groups"</summary>
                            <ul class="group-index">
                                {catalog.groups.into_iter().map(|g| view! {
                                    <li>
                                        <a href=links::runbook(&g.name)>{g.title.clone().unwrap_or_else(|| g.name.clone())}</a>
                                        " "
                                        <span class="count">{g.count}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </details>
                        <p class="tags">
                            {catalog.tags.into_iter().map(|(tag, n): (String, usize)| view! {
                                <a class="tag" href=links::tag(&tag)>{format!("{tag} ({n})")}</a>
                                " "
                            }).collect_view()}
                        </p>
                        <RunbookList runbooks=catalog.runbooks />
                    }
                })
            })}
        </Suspense>
    }
}
