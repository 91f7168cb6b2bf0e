use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::tagged;
use crate::components::RunbookList;

/// `/tags/{tag}`: the runbooks carrying a tag.
#[component]
pub fn TagPage() -> impl IntoView {
    let params = use_params_map();
    let tag = move || params.read().get("tag").unwrap_or_default();
    let runbooks = Resource::new(tag, tagged);
    view! {
        <Title text=move || format!("Tag {}", tag()) />
        <h1>{move || format!("Tagged “{}”", tag())}</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                runbooks.await.map(|runbooks| {
                    if runbooks.is_empty() {
                        view! { <p class="muted">"No runbook carries this tag."</p> }.into_any()
                    } else {
                        view! { <RunbookList runbooks /> }.into_any()
                    }
                })
            })}
        </Suspense>
    }
}
