//! Test harness: start the real portal binary, real Prometheus and
//! Alertmanager, nginx (Debian packages) and headless Chromium, each on a free
//! 127.0.0.1 port with temporary files, and stop them when the guard drops.

pub mod alertmanager;
pub mod axe;
pub mod browser;
pub mod check_portal;
pub mod measure;
pub mod nginx;
pub mod npm;
pub mod portal;
pub mod process;
pub mod prometheus;
pub mod raw_http;
pub mod sse;
pub mod targets;

pub use alertmanager::Alertmanager;
pub use browser::Browser;
pub use nginx::Nginx;
pub use portal::Portal;
pub use prometheus::Prometheus;

/// The test fixture directory (`tests/fixtures`).
pub fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}
