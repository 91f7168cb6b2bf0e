#![recursion_limit = "256"]
//! The portal's user interface: routes, pages and components, rendered on the
//! server (`ssr`) and hydrated in the browser (`hydrate`).

pub mod api;
mod components;
pub mod error;
pub mod links;
mod pages;
pub mod security;
mod shortcuts;
mod theme;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// URLs of the content-hashed static assets, chosen by the server.
#[derive(Clone, Debug)]
pub struct AssetUrls {
    pub css: String,
    pub js: String,
    pub wasm: String,
}

/// The HTML document around [`App`]; rendered on the server only.
pub fn shell(assets: AssetUrls) -> impl IntoView {
    // No `<`, `>` or `&` here: the text of a script element is emitted as-is.
    let boot = format!(
        "import init, {{ hydrate }} from '{}'; init({{ module_or_path: '{}' }}).then(function () {{ hydrate(); }});",
        assets.js, assets.wasm
    );
    // The boot script carries this render's nonce; the policy naming it goes
    // out as this response's header (see `security`).
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
    #[cfg(feature = "ssr")]
    security::set_page_policy(nonce.as_deref());
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href=assets.css />
                <link rel="icon" href="/favicon.svg" r#type="image/svg+xml" />
                <link rel="modulepreload" href=assets.js />
                <link
                    rel="preload"
                    href=assets.wasm
                    r#as="fetch"
                    r#type="application/wasm"
                    crossorigin=""
                />
                <script nonce=nonce.clone()>{theme::head_script()}</script>
                <script type="module" nonce=nonce>{boot}</script>
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Every route renders in `Async` mode: the server waits for the page's data
/// and sends complete HTML, so a page is readable before (or without) WASM.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=security::title_text />
        <Router>
            <components::Header />
            <main>
                <Routes fallback=|| view! { <pages::NotFound /> }>
                    <Route path=path!("/") view=pages::Home ssr=SsrMode::Async />
                    <Route path=path!("/runbooks") view=pages::RunbookIndex ssr=SsrMode::Async />
                    <Route path=path!("/coverage") view=pages::CoveragePage ssr=SsrMode::Async />
                    <Route path=path!("/runbooks/*path") view=pages::RunbookPathPage ssr=SsrMode::Async />
                    <Route path=path!("/tags/:tag") view=pages::TagPage ssr=SsrMode::Async />
                    <Route path=path!("/search") view=pages::SearchPage ssr=SsrMode::Async />
                    <Route path=path!("/incidents") view=pages::Incidents ssr=SsrMode::Async />
                    <Route path=path!("/incidents/:id") view=pages::IncidentDetail ssr=SsrMode::Async />
                    <Route path=path!("/new-runbook") view=pages::NewRunbookPage ssr=SsrMode::Async />
                    <Route path=path!("/alerts/:alertname") view=pages::AlertLinkPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}
