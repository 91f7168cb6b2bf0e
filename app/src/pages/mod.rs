//! One module per route.

mod home;
mod incidents;
mod not_found;
mod runbook;
mod runbook_index;

pub use home::Home;
pub use incidents::{IncidentDetail, Incidents};
pub use not_found::NotFound;
pub use runbook::RunbookPathPage;
pub use runbook_index::RunbookIndex;
