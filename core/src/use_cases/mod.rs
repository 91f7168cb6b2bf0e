//! The use cases: what a person or a client can do with the portal, each
//! written once as a method that takes an [`Actor`](crate::auth::Actor)
//! where it writes. Server functions (pages) and JSON handlers both call
//! these; neither holds logic of its own.

pub mod catalog;
pub mod checks;
pub mod editing;
pub mod history;
pub mod incidents;
pub mod notifications;
pub mod silences;

pub use catalog::Catalog;
pub use checks::{Checks, RunRequest};
pub use editing::{Edit, Editing};
pub use history::History;
pub use incidents::{CreateIncident, Incidents};
pub use notifications::Notification;
pub use silences::Silences;
