//! In-process tests of the real router over a fresh store (and the CLI):
//! one test binary, one module per area. Run one area with
//! `cargo test -p runbook-portal --test http silences::`.

mod support;

mod api;
mod cli;
mod history;
mod pages;
mod silences;
