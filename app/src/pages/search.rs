use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::search;
use crate::links;

/// `/search?q=`: ranked results with highlighted snippets.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let results = Resource::new(q, |q| async move {
        if q.trim().is_empty() {
            Ok(Vec::new())
        } else {
            search(q, Some(50)).await
        }
    });
    view! {
        <Title text="Search" />
        <h1>"Search"</h1>
        <form action="/search" method="get" class="search-page-form">
            <input type="search" name="q" value=q aria-label="Search runbooks" />
            <button type="submit">"Search"</button>
        </form>
        <Suspense fallback=|| view! { <p>"Searching…"</p> }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(hits) if hits.is_empty() && !q().trim().is_empty() => {
                        view! { <p class="muted">{format!("No runbook matches “{}”.", q())}</p> }.into_any()
                    }
                    Ok(hits) => {
                        view! {
                            <ol class="search-results">
                                {hits
                                    .into_iter()
                                    .map(|hit| {
                                        view! {
                                            <li>
                                                <a href=links::runbook(&hit.key)>{hit.title}</a>
                                                " "
                                                <span class="muted">{hit.group}</span>
                                                <p class="snippet" inner_html=hit.snippet_html></p>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ol>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
