//! The engines' settings, as the server's configuration file spells them.
//! Loading and merging the file is the server's job; these are plain data.

mod checks;
mod history;
mod silences;
mod upstream;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

pub use checks::{AllowRule, ChecksConfig};
pub use history::HistoryConfig;
pub use silences::SilencesConfig;
pub use upstream::{BasicAuth, Upstream, Upstreams};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Let requests without identity write, as actor `anonymous`.
    pub anonymous_writes: Option<bool>,
    /// Header set by a trusted reverse proxy with the user name.
    pub proxy_header: Option<String>,
    /// Peer networks whose `proxy_header` is believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Refuse reads without identity too.
    pub require_for_reads: bool,
}

/// `POST /api/v1/webhooks/alertmanager`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookConfig {
    /// Bearer token Alertmanager must send (`http_config.authorization`).
    /// Unset: the webhook needs an identity like any other write.
    pub token: Option<String>,
    /// A resolved alert also resolves its incident (else only an event).
    pub resolve_incidents: bool,
    /// Most alerts accepted in one notification.
    pub max_alerts: usize,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            token: None,
            resolve_incidents: false,
            max_alerts: 10_000,
        }
    }
}
