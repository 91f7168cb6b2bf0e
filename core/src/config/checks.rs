//! `[checks]`: limits of diagnosis check runs and the allow-list of network
//! targets. The default allow-list is empty: only PromQL checks run.

use std::net::SocketAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChecksConfig {
    /// Timeout of a run when its check names none, in seconds.
    pub timeout_secs: u64,
    /// Longest timeout a check may ask for, in seconds.
    pub max_timeout_secs: u64,
    /// Runs in progress at once, over all users; further runs queue.
    pub max_concurrent: usize,
    /// Runs in progress at once for one actor; further runs queue.
    pub max_concurrent_per_user: usize,
    /// Most bytes of output kept in a result (response body, series).
    pub excerpt_bytes: usize,
    /// DNS server for `dns` checks (`ip:port`); the system's when unset.
    pub dns_server: Option<SocketAddr>,
    /// Network targets that `http`, `tcp` and `dns` checks may reach.
    pub allow: Vec<AllowRule>,
}

impl Default for ChecksConfig {
    fn default() -> Self {
        ChecksConfig {
            timeout_secs: 10,
            max_timeout_secs: 60,
            max_concurrent: 16,
            max_concurrent_per_user: 8,
            excerpt_bytes: 4096,
            dns_server: None,
            allow: Vec::new(),
        }
    }
}

/// One allow-list entry. A target passes when its host name matches one of
/// `hosts`, its port is in `ports` (any port when empty) and every address
/// the name resolves to lies in `networks`. Addresses are checked after
/// resolution and the connection goes to the checked address, so a name
/// that resolves somewhere else (or changes its answer) cannot slip through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowRule {
    /// Host name globs, case-insensitive (`*.svc.cluster.local`, `db-?.example.com`, `*`).
    pub hosts: Vec<String>,
    /// Allowed ports; empty means any.
    #[serde(default)]
    pub ports: Vec<u16>,
    /// Networks the resolved addresses must lie in (`10.0.0.0/8`, `0.0.0.0/0`).
    pub networks: Vec<IpNet>,
}
