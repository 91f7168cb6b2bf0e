#![recursion_limit = "256"]
//! The runbook portal server: configuration, the HTTP surface (routes,
//! extractors, layers) and start-up. The engines and use cases live in
//! `portal-core`, the pages in `app`.

pub mod assets;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod http;
pub mod serve;
