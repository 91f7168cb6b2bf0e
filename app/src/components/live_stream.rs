//! Keeping live alert state current in the browser: an `EventSource` on
//! `/api/v1/alerts/stream` feeds a signal (browser only; the server renders
//! the snapshot it has), plus the clock and time formatting the panels use.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use portal_types::LiveState;
use portal_types::format::{relative, timestamp};

/// The stream URL for one alert name, or for every alert.
pub fn stream_url(alertname: Option<&str>) -> String {
    match alertname {
        Some(name) => format!(
            "/api/v1/alerts/stream?alertname={}",
            portal_types::paths::encode_segment(name)
        ),
        None => "/api/v1/alerts/stream".to_string(),
    }
}

/// Once hydrated, apply the stream's events to `live` until the owner is
/// cleaned up (the `EventSource` is then closed). The browser reconnects by
/// itself and sends `Last-Event-ID`, so nothing is missed across a blip.
pub fn follow_stream(url: String, live: RwSignal<LiveState>) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| browser::open(&url, live));
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, live);
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use send_wrapper::SendWrapper;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    use portal_types::{AlertGroup, LiveState, UpstreamHealth};

    type Listener = Closure<dyn Fn(web_sys::MessageEvent)>;

    pub fn open(url: &str, live: RwSignal<LiveState>) {
        let Ok(source) = web_sys::EventSource::new(url) else {
            return;
        };
        let mut listeners: Vec<Listener> = Vec::new();
        let mut listen = |kind: &str, apply: Box<dyn Fn(&str)>| {
            let listener = Listener::new(move |event: web_sys::MessageEvent| {
                if let Some(text) = event.data().as_string() {
                    apply(&text);
                }
            });
            let _ =
                source.add_event_listener_with_callback(kind, listener.as_ref().unchecked_ref());
            listeners.push(listener);
        };
        listen(
            "state",
            Box::new(move |text| {
                if let Ok(state) = serde_json::from_str::<LiveState>(text) {
                    live.set(state);
                }
            }),
        );
        listen(
            "alert",
            Box::new(move |text| {
                if let Ok(group) = serde_json::from_str::<AlertGroup>(text) {
                    live.update(|s| s.apply_group(group));
                }
            }),
        );
        listen(
            "upstreams",
            Box::new(move |text| {
                if let Ok(upstreams) = serde_json::from_str::<Vec<UpstreamHealth>>(text) {
                    live.update(|s| s.upstreams = upstreams);
                }
            }),
        );
        // The browser is single-threaded: the wrapper only satisfies the
        // `Send` bound of `on_cleanup`.
        let handle = SendWrapper::new((source, listeners));
        on_cleanup(move || {
            handle.0.close();
            drop(handle);
        });
    }
}

/// The current time, ticking every second once hydrated (for "N s ago").
pub fn use_now() -> ReadSignal<DateTime<Utc>> {
    let (now, set_now) = signal(Utc::now());
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || set_now.set(Utc::now()),
            std::time::Duration::from_secs(1),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    now
}

/// A `<time>` with the relative time as text and the absolute one beside it.
#[component]
pub fn When(at: DateTime<Utc>, now: ReadSignal<DateTime<Utc>>) -> impl IntoView {
    view! {
        <time datetime=at.to_rfc3339() title=timestamp(at)>
            {move || relative(at, now.get())}
        </time>
        <span class="absolute">{format!(" ({})", timestamp(at))}</span>
    }
}
