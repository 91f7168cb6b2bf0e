use leptos::prelude::*;
use leptos_meta::Title;

/// Any URL the router does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <h1>"Not found"</h1>
        <p>"There is no page here. " <a href="/runbooks">"Browse all runbooks"</a> "."</p>
    }
}
