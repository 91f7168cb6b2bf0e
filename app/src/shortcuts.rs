//! Keyboard shortcuts for the responder's actions: `/` search, `a`
//! acknowledge, `n` note, `?` the list of them. They act on what the page
//! shows (the first enabled Acknowledge button, the first note box), so no
//! page needs code of its own; a key typed into a field is never taken for
//! a shortcut, and a key with Ctrl, Alt or Meta is left to the browser.

use leptos::prelude::*;

/// What a key press asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Search,
    Acknowledge,
    Note,
    ToggleHelp,
    CloseHelp,
}

/// The shortcuts as the help lists them, in one place with their keys.
pub const SHORTCUTS: [(&str, &str, Command); 5] = [
    ("/", "Search runbooks", Command::Search),
    (
        "a",
        "Acknowledge the incident on this page",
        Command::Acknowledge,
    ),
    ("n", "Write a note on the incident", Command::Note),
    ("?", "Show or hide this list", Command::ToggleHelp),
    ("Escape", "Close this list", Command::CloseHelp),
];

/// The command of a key (`KeyboardEvent.key`), if it is a shortcut.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub fn command(key: &str) -> Option<Command> {
    SHORTCUTS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, _, command)| *command)
}

/// The header's "?" button and the list it opens.
#[component]
pub fn Shortcuts() -> impl IntoView {
    let (open, set_open) = signal(false);
    #[cfg(feature = "hydrate")]
    browser::listen(set_open);
    view! {
        <button
            type="button"
            class="shortcuts-button"
            aria-label="Keyboard shortcuts"
            aria-keyshortcuts="?"
            aria-controls="shortcuts"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| set_open.update(|o| *o = !*o)
        >
            "?"
        </button>
        <dialog id="shortcuts" class="shortcuts" open=move || open.get() aria-labelledby="shortcuts-title">
            <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
            <dl>
                {SHORTCUTS
                    .iter()
                    .map(|(key, what, _)| view! { <dt><kbd>{*key}</kbd></dt><dd>{*what}</dd> })
                    .collect_view()}
            </dl>
            <button type="button" class="close-shortcuts" on:click=move |_| set_open.set(false)>
                "Close"
            </button>
        </dialog>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::ev;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{HtmlElement, KeyboardEvent};

    use super::{Command, command};

    /// Listen on the window for as long as the header lives.
    pub fn listen(set_open: WriteSignal<bool>) {
        let handle = window_event_listener(ev::keydown, move |event: KeyboardEvent| {
            if event.ctrl_key() || event.meta_key() || event.alt_key() || event.default_prevented()
            {
                return;
            }
            let Some(command) = command(&event.key()) else {
                return;
            };
            if typing(&event) && command != Command::CloseHelp {
                return;
            }
            let acted = match command {
                Command::Search => element("header input[type=search]").map(|e| e.focus()),
                Command::Acknowledge => element("button.ack:not([disabled])").map(|e| {
                    e.click();
                    Ok(())
                }),
                Command::Note => element("textarea[name=note]").map(|e| e.focus()),
                Command::ToggleHelp => {
                    set_open.update(|open| *open = !*open);
                    Some(Ok(()))
                }
                Command::CloseHelp => {
                    set_open.set(false);
                    None
                }
            };
            // The key is not typed into the field it just focused.
            if acted.is_some() {
                event.prevent_default();
            }
        });
        on_cleanup(move || handle.remove());
    }

    /// Whether the key goes to a field the person is typing in.
    fn typing(event: &KeyboardEvent) -> bool {
        let Some(target) = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlElement>().ok())
        else {
            return false;
        };
        target.is_content_editable()
            || matches!(target.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
    }

    fn element(selector: &str) -> Option<HtmlElement> {
        document()
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::{Command, command};

    #[test]
    fn keys_map_to_commands_and_other_keys_to_nothing() {
        assert_eq!(command("/"), Some(Command::Search));
        assert_eq!(command("a"), Some(Command::Acknowledge));
        assert_eq!(command("n"), Some(Command::Note));
        assert_eq!(command("?"), Some(Command::ToggleHelp));
        assert_eq!(command("Escape"), Some(Command::CloseHelp));
        assert_eq!(command("A"), None);
        assert_eq!(command("x"), None);
    }
}
