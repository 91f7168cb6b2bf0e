//! Browser entry point. The page's inline module script calls `hydrate()` once
//! the bundle is loaded; from then on the server-rendered HTML is interactive.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // A mark for people and tests: this page now runs its WASM.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "");
    }
}
