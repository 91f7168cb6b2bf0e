//! Live timeline updates: the browser subscribes to the incident's SSE
//! stream (`/api/v1/incidents/{id}/stream`) and bumps a counter on every
//! event, which the page uses to refetch the incident. With no incident
//! shown it listens to every incident (`/api/v1/incidents/stream`), so a
//! page learns when one opens. One connection at a time; replaced when the
//! incident changes, closed on cleanup.

use leptos::prelude::*;

/// A counter that increases whenever the incident `id` (any incident when
/// `None`) gets a new event.
pub fn use_incident_stream(id: Signal<Option<i64>>) -> ReadSignal<u64> {
    let (ticks, set_ticks) = signal(0u64);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;

        type Source = (web_sys::EventSource, Closure<dyn FnMut(web_sys::Event)>);
        let current: StoredValue<Option<(Option<i64>, Source)>, LocalStorage> =
            StoredValue::new_local(None);
        let close = move || {
            if let Some((_, source)) = current.try_update_value(Option::take).flatten() {
                source.0.close();
            }
        };
        Effect::new(move |_| {
            let wanted = id.get();
            if current.with_value(|c| c.as_ref().map(|(i, _)| *i)) == Some(wanted) {
                return;
            }
            close();
            let url = match wanted {
                Some(id) => format!("/api/v1/incidents/{id}/stream"),
                None => "/api/v1/incidents/stream".to_string(),
            };
            let Ok(source) = web_sys::EventSource::new(&url) else {
                return;
            };
            let on_event = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                set_ticks.update(|n| *n += 1);
            });
            for kind in ["timeline", "lagged"] {
                let _ = source
                    .add_event_listener_with_callback(kind, on_event.as_ref().unchecked_ref());
            }
            // After a dropped connection the browser reconnects by itself;
            // refetch then too, since events may have been missed.
            source.set_onopen(Some(on_event.as_ref().unchecked_ref()));
            current.set_value(Some((wanted, (source, on_event))));
        });
        on_cleanup(close);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, set_ticks);
    ticks
}
