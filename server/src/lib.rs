#![recursion_limit = "256"]
//! The runbook portal server. `main.rs` parses the command line; everything
//! else lives here so integration tests and benchmarks can use it.

pub mod alerts;
pub mod assets;
pub mod auth;
pub mod check_ops;
pub mod checks;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod incident_ops;
pub mod incidents;
pub mod metrics;
pub mod portal;
pub mod revisions;
pub mod runbooks;
pub mod search;
pub mod serve;
#[cfg(test)]
mod test_support;
pub mod tokens;
