//! One module per route.

mod coverage;
mod home;
mod not_found;
mod runbook;
mod runbook_index;

pub use coverage::CoveragePage;
pub use home::Home;
pub use not_found::NotFound;
pub use runbook::RunbookPathPage;
pub use runbook_index::RunbookIndex;
