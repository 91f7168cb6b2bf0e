//! Upstream servers (Prometheus, Alertmanager) as written in the configuration.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// One upstream server (Prometheus or Alertmanager).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    /// Shown on pages and in metrics; defaults to the URL's host:port.
    #[serde(default)]
    pub name: String,
    pub url: String,
    #[serde(default = "default_upstream_timeout")]
    pub timeout_secs: u64,
    /// HTTP basic authentication sent with every request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_auth: Option<BasicAuth>,
    /// `Authorization: Bearer …` token; mutually exclusive with `basic_auth`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_token: Option<String>,
    /// PEM file with extra CA certificates to trust for this upstream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// Accept any certificate. For lab setups only; logged at start-up.
    #[serde(default)]
    pub insecure_skip_verify: bool,
}

/// Credentials for HTTP basic authentication.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    pub username: String,
    #[serde(default)]
    pub password: String,
}

/// Never print the password, not even in debug logs.
impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicAuth")
            .field("username", &self.username)
            .field("password", &"***")
            .finish()
    }
}

fn default_upstream_timeout() -> u64 {
    5
}

impl Upstream {
    pub fn from_url(url: &str) -> Upstream {
        Upstream {
            name: String::new(),
            url: url.trim().to_string(),
            timeout_secs: default_upstream_timeout(),
            basic_auth: None,
            bearer_token: None,
            ca_file: None,
            insecure_skip_verify: false,
        }
    }

    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            self.url.as_str()
        } else {
            self.name.as_str()
        }
    }
}

/// A list of upstreams, written as one URL, a comma-separated list of URLs
/// (handy in environment variables), a list of URLs, or a list of tables.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Upstreams(pub Vec<Upstream>);

impl<'de> Deserialize<'de> for Upstreams {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Entry {
            Url(String),
            Table(Upstream),
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            One(String),
            Many(Vec<Entry>),
        }
        let entries = match Form::deserialize(deserializer)? {
            Form::One(list) => list
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(Upstream::from_url)
                .collect(),
            Form::Many(entries) => entries
                .into_iter()
                .map(|e| match e {
                    Entry::Url(url) => Upstream::from_url(&url),
                    Entry::Table(t) => t,
                })
                .collect(),
        };
        Ok(Upstreams(entries))
    }
}
