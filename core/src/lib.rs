#![recursion_limit = "256"]
//! The portal's core: the engines (runbooks, alerts, checks, incidents,
//! revisions, search) and the use cases built on them. No HTTP and no UI
//! here: the server crate exposes these, the app crate's server functions
//! call them.

pub mod alerts;
pub mod auth;
pub mod checks;
pub mod config;
pub mod error;
pub mod history;
pub mod incidents;
pub mod metrics;
pub mod placeholders;
pub mod revisions;
pub mod runbooks;
pub mod search;
pub mod silences;
pub mod store;
#[cfg(test)]
mod test_support;
pub mod tokens;
pub mod use_cases;

use std::sync::Arc;

pub use auth::{Actor, Credentials};
pub use error::{Error, Result};

/// Every use case and the engines the HTTP layer reads directly (streams,
/// health, metrics); cheap to clone.
#[derive(Clone)]
pub struct Core {
    pub catalog: use_cases::Catalog,
    pub incidents: use_cases::Incidents,
    pub checks: use_cases::Checks,
    pub editing: use_cases::Editing,
    pub silences: use_cases::Silences,
    pub history: use_cases::History,
    pub runbooks: Arc<runbooks::RunbookStore>,
    pub alerts: Arc<alerts::AlertHub>,
    pub auth: Arc<auth::Auth>,
    pub metrics: Arc<metrics::Metrics>,
    pub webhook: Arc<config::WebhookConfig>,
    /// Runbook revisions and the sync that serves the current ones.
    pub revisions: Arc<revisions::sync::RunbookSync>,
    /// Every store of the configured backend: health checks ping it,
    /// shutdown closes it.
    pub store: store::Stores,
}
