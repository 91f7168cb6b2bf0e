//! The end-to-end suite: one test binary, one module per area. Each test
//! starts the real portal binary (and, where it needs them, real Prometheus,
//! Alertmanager, nginx, PostgreSQL or headless Chromium) on 127.0.0.1.
//!
//! One binary rather than one per file: each would link the whole portal
//! core again (about 30 links of ~150 MB on a two-core machine), which cost
//! most of the build's time and disk. Run one area with
//! `cargo test -p portal-tests --test e2e alerts::`.

mod alerts;
mod alerts_browser;
mod axe_browser;
mod browser;
mod checks;
mod checks_browser;
mod corpus;
mod coverage;
mod editing_browser;
mod history;
mod http_limits;
mod incident_command_browser;
mod incidents_alertmanager;
mod incidents_api;
mod incidents_browser;
mod incidents_load;
mod leader;
mod migrate_data;
mod phone_browser;
mod placeholders_browser;
mod postgres;
mod preview_bounds;
mod replicas;
mod replicas_browser;
mod revisions;
mod routes;
mod runbook_dir;
mod runbooks;
mod save_bounds;
mod silences;
mod silences_browser;
mod theme_browser;
mod xss_browser;
