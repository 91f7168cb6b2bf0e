//! Building blocks shared by several pages.

mod alert_badge;
mod header;
mod incident_panel;
mod incident_timeline;
mod live;
mod runbook_list;

pub use alert_badge::AlertBadgeView;
pub use header::Header;
pub use incident_panel::IncidentPanel;
pub use incident_timeline::IncidentTimeline;
pub use live::use_incident_stream;
pub use runbook_list::RunbookList;

use leptos::prelude::*;

/// A signal that turns true once the WASM bundle runs: effects never run
/// during server rendering. Controls that need it stay disabled until then.
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}
