use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::list_runbooks;
use crate::components::RunbookList;

/// `/runbooks`: every runbook, by group.
#[component]
pub fn RunbookIndex() -> impl IntoView {
    let runbooks = Resource::new(|| (), |_| list_runbooks());
    view! {
        <Title text="Runbooks" />
        <h1>"Runbooks"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                runbooks.await.map(|runbooks| view! { <RunbookList runbooks /> })
            })}
        </Suspense>
    }
}
