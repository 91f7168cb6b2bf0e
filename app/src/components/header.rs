use leptos::prelude::*;

use crate::api::search;
use crate::links;
use crate::theme::ThemeToggle;

/// The bar on every page, with the search box. Without JavaScript the box is
/// a plain form to `/search`; once hydrated it shows results as you type.
#[component]
pub fn Header() -> impl IntoView {
    let (query, set_query) = signal(String::new());
    let results = LocalResource::new(move || {
        let q = query.get();
        async move {
            if q.trim().is_empty() {
                Ok(Vec::new())
            } else {
                search(q, Some(8)).await
            }
        }
    });
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                "Runbook portal"
            </a>
            <nav aria-label="Site">
                <a href="/#firing-now">"Firing"</a>
                <a href="/incidents">"Incidents"</a>
                <a href="/runbooks">"Runbooks"</a>
                <a href="/coverage">"Coverage"</a>
            </nav>
            <form class="search-box" action="/search" method="get" role="search">
                <input
                    type="search"
                    name="q"
                    placeholder="Search runbooks…"
                    autocomplete="off"
                    aria-label="Search runbooks"
                    on:input=move |ev| set_query.set(event_target_value(&ev))
                />
                <Show when=move || !query.read().trim().is_empty()>
                    <ul class="live-results">
                        {move || match results.get() {
                            None => view! { <li class="muted">"Searching…"</li> }.into_any(),
                            Some(Err(e)) => view! { <li class="error">{e.to_string()}</li> }.into_any(),
                            Some(Ok(hits)) if hits.is_empty() => view! { <li class="muted">"No runbook matches."</li> }.into_any(),
                            Some(Ok(hits)) => {
                                hits.into_iter()
                                    .map(|hit| {
                                        view! {
                                            <li>
                                                <a href=links::runbook(&hit.key)>{hit.alert}</a>
                                                " "
                                                <span class="muted">{hit.group}</span>
                                            </li>
                                        }
                                    })
                                    .collect_view()
                                    .into_any()
                            }
                        }}
                        <li class="all">
                            <a href=move || links::search(&query.read())>"All results"</a>
                        </li>
                    </ul>
                </Show>
            </form>
            <ThemeToggle />
            <crate::shortcuts::Shortcuts />
        </header>
    }
}
