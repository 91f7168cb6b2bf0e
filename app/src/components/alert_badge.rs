use leptos::prelude::*;

use crate::api::get_alert_badge;
use crate::types::AlertBadge;

/// How often the hydrated page asks for fresh alert state.
const REFRESH_MS: u64 = 5_000;

/// Whether the runbook's alert fires now. Rendered on the server from the
/// poller's snapshot, then refreshed in the browser.
#[component]
pub fn AlertBadgeView(alertname: String) -> impl IntoView {
    let (tick, set_tick) = signal(0u64);
    let badge = Resource::new(
        move || tick.get(),
        move |_| get_alert_badge(alertname.clone()),
    );
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || set_tick.update(|t| *t += 1),
            std::time::Duration::from_millis(REFRESH_MS),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    view! {
        <Transition fallback=|| view! { <span class="badge unknown">"…"</span> }>
            {move || Suspend::new(async move {
                match badge.await {
                    Ok(badge) => view! { <Badge badge /> }.into_any(),
                    Err(e) => view! { <span class="badge unknown" title=e.to_string()>"state unknown"</span> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Badge(badge: AlertBadge) -> impl IntoView {
    let class = format!("badge {}", badge.state.css());
    let counts = match (badge.firing, badge.pending) {
        (0, 0) => String::new(),
        (f, 0) => format!(" · {f} instance(s)"),
        (0, p) => format!(" · {p} pending"),
        (f, p) => format!(" · {f} firing, {p} pending"),
    };
    let updated = badge
        .updated_at
        .map(|t| format!("as of {}", t.format("%Y-%m-%d %H:%M:%S UTC")))
        .unwrap_or_default();
    view! {
        <span class=class data-state=badge.state.css() title=updated>
            {badge.state.label()}
            {counts}
        </span>
    }
}
