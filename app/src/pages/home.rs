use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::list_runbooks;
use crate::components::FiringNow;

/// `/`: the starting point of a responder.
#[component]
pub fn Home() -> impl IntoView {
    let runbooks = Resource::new(|| (), |_| list_runbooks());
    view! {
        <Title text="" />
        <h1>"Runbook portal"</h1>
        <p class="lead">
            "Runbooks for the alerts that page you, with live alert state and an incident timeline."
        </p>
        <FiringNow />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                runbooks.await.map(|list| {
                    let groups = list.iter().map(|r| r.group.as_str()).collect::<std::collections::BTreeSet<_>>().len();
                    view! {
                        <p>
                            <a href="/runbooks">{format!("{} runbooks in {} groups", list.len(), groups)}</a>
                        </p>
                    }
                })
            })}
        </Suspense>
    }
}
