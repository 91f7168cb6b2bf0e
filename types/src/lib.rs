//! The portal's vocabulary: the data that the server's engines return and
//! the browser's pages show, as plain serde types (no Leptos, no sqlx), so
//! both compile targets share one definition.

mod alerts;
mod checks;
mod coverage;
pub mod format;
mod graph;
mod history;
mod incidents;
mod names;
pub mod paths;
mod revisions;
mod runbooks;
mod silences;
pub mod words;

pub use alerts::*;
pub use checks::*;
pub use coverage::*;
pub use graph::*;
pub use history::*;
pub use incidents::*;
pub use names::UnknownName;
pub use revisions::*;
pub use runbooks::*;
pub use silences::*;

/// Alert labels, e.g. from a page URL (`?instance=…&job=…`).
pub type Labels = std::collections::BTreeMap<String, String>;
