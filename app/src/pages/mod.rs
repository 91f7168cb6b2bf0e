//! One module per route.

mod alert;
mod coverage;
mod editor;
mod history;
mod home;
mod incident;
mod incidents;
mod not_found;
mod runbook;
mod runbook_index;
mod search;
mod tag;

pub use alert::AlertLinkPage;
pub use coverage::CoveragePage;
pub use editor::NewRunbookPage;
pub use home::Home;
pub use incident::IncidentDetail;
pub use incidents::Incidents;
pub use not_found::NotFound;
pub use runbook::RunbookPathPage;
pub use runbook_index::RunbookIndex;
pub use search::SearchPage;
pub use tag::TagPage;
