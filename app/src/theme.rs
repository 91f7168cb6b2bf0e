//! The colour theme: the system's `prefers-color-scheme` unless the person
//! chose one with the header's toggle. The choice is `data-theme` on
//! `<html>` (the stylesheet's `light-dark()` colours follow it) and is
//! remembered in the browser's `localStorage`, so it is per device and costs
//! the server nothing: cached pages stay the same for everyone.

use leptos::prelude::*;

/// The `localStorage` key holding `"light"` or `"dark"` (absent: automatic).
const STORAGE_KEY: &str = "portal-theme";

/// A classic script for `<head>`: it applies the remembered choice before the
/// body paints, so a dark page never flashes white. It must carry the page's
/// nonce. No `<`, `>` or `&`: a script element's text is emitted as-is.
pub fn head_script() -> String {
    format!(
        "try {{ var t = localStorage.getItem('{STORAGE_KEY}'); \
         if (t === 'light' || t === 'dark') {{ document.documentElement.setAttribute('data-theme', t); }} \
         }} catch (e) {{}}"
    )
}

/// What the toggle offers, in the order a click walks through them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Auto,
    Dark,
    Light,
}

impl Theme {
    fn next(self) -> Self {
        match self {
            Theme::Auto => Theme::Dark,
            Theme::Dark => Theme::Light,
            Theme::Light => Theme::Auto,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Theme::Auto => "Theme: auto",
            Theme::Dark => "Theme: dark",
            Theme::Light => "Theme: light",
        }
    }

    fn stored_value(self) -> Option<&'static str> {
        match self {
            Theme::Auto => None,
            Theme::Dark => Some("dark"),
            Theme::Light => Some("light"),
        }
    }

    /// The choice the head script applied (browser only; `Auto` elsewhere).
    fn current() -> Self {
        #[cfg(feature = "hydrate")]
        {
            let chosen = document()
                .document_element()
                .and_then(|root| root.get_attribute("data-theme"));
            match chosen.as_deref() {
                Some("dark") => return Theme::Dark,
                Some("light") => return Theme::Light,
                _ => {}
            }
        }
        Theme::Auto
    }

    /// Show and remember this choice (browser only). A browser that refuses
    /// storage (private mode) still switches for this page.
    fn apply(self) {
        #[cfg(feature = "hydrate")]
        {
            if let Some(root) = document().document_element() {
                let _ = match self.stored_value() {
                    Some(value) => root.set_attribute("data-theme", value),
                    None => root.remove_attribute("data-theme"),
                };
            }
            if let Ok(Some(storage)) = window().local_storage() {
                let _ = match self.stored_value() {
                    Some(value) => storage.set_item(STORAGE_KEY, value),
                    None => storage.remove_item(STORAGE_KEY),
                };
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = self.stored_value();
    }
}

/// The header's button: auto → dark → light → auto.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let theme = RwSignal::new(Theme::Auto);
    // Effects run only in the browser, after hydration: read what the head
    // script applied.
    Effect::new(move |_| theme.set(Theme::current()));
    let cycle = move |_| {
        let next = theme.get_untracked().next();
        next.apply();
        theme.set(next);
    };
    view! {
        <button
            type="button"
            class="theme-toggle"
            title="Colour theme: automatic follows the system setting"
            on:click=cycle
        >
            {move || theme.get().label()}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_click_walks_through_every_choice_and_back() {
        let mut seen = vec![Theme::Auto];
        for _ in 0..3 {
            seen.push(seen[seen.len() - 1].next());
        }
        assert_eq!(seen, [Theme::Auto, Theme::Dark, Theme::Light, Theme::Auto]);
    }

    #[test]
    fn the_head_script_can_sit_in_a_script_element() {
        let script = head_script();
        assert!(!script.contains(['<', '>', '&']));
        assert!(script.contains(STORAGE_KEY));
    }
}
