//! Building blocks shared by several pages.

mod alert_graph;
mod alert_history;
mod alert_panel;
mod checks;
mod diff_view;
mod firing_now;
mod header;
mod incident_panel;
mod incident_timeline;
mod live;
mod live_rule;
mod live_stream;
mod runbook_list;
mod silence_form;

pub use alert_graph::AlertGraph;
pub use alert_history::AlertHistoryPanel;
pub use alert_panel::AlertPanel;
pub use checks::{CheckBoard, CheckCard, ChecksPanel};
pub use diff_view::DiffTable;
pub use firing_now::FiringNow;
pub use header::Header;
pub use incident_panel::IncidentPanel;
pub use incident_timeline::IncidentWork;
pub use live::use_incident_stream;
pub use live_stream::use_now;
pub use runbook_list::RunbookList;

use leptos::prelude::*;

/// A signal that turns true once the WASM bundle runs: effects never run
/// during server rendering. Controls that need it stay disabled until then.
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}
