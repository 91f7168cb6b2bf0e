use leptos::prelude::*;

/// The bar on every page.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                "Runbook portal"
            </a>
            <nav>
                <a href="/runbooks">"Runbooks"</a>
            </nav>
        </header>
    }
}
