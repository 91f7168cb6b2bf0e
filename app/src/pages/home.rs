use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::get_catalog;
use crate::components::FiringNow;

/// `/`: the starting point of a responder.
#[component]
pub fn Home() -> impl IntoView {
    let catalog = Resource::new(|| (), |_| get_catalog());
    view! {
        <Title text="" />
        <h1>"Runbook portal"</h1>
        <p class="lead">
            "Runbooks for the alerts that page you, with live alert state and an incident timeline."
        </p>
        <form action="/search" method="get" class="search-page-form">
            <input type="search" name="q" placeholder="Alert name, symptom, service…" aria-label="Search runbooks" />
            <button type="submit">"Search"</button>
        </form>
        <FiringNow />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                catalog.await.map(|catalog| {
                    view! {
                        <p>
                            <a href="/runbooks">
                                {format!("{} runbooks in {} groups", catalog.runbooks.len(), catalog.groups.len())}
                            </a>
                        </p>
                    }
                })
            })}
        </Suspense>
    }
}
