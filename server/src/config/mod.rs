//! Configuration: built-in defaults, then an optional TOML file (`--config`),
//! then `RUNBOOK_PORTAL_*` environment variables, then command-line flags.
//! Nested keys use `__` in variable names: `RUNBOOK_PORTAL_AUTH__PROXY_HEADER`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

mod http;
pub use http::HttpConfig;
pub use portal_core::config::{
    AllowRule, AuthConfig, BasicAuth, ChecksConfig, HistoryConfig, SilencesConfig, Upstream,
    Upstreams, WebhookConfig,
};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// The URL users open (`https://portal.example.com`); its host is allowed.
    pub public_url: Option<String>,
    /// sqlx URL (`sqlite://x.db?mode=rwc`) or a plain file path.
    pub database: String,
    /// Runbook directory; the embedded examples when unset.
    pub runbooks: Option<PathBuf>,
    /// Rule file directory; the embedded example rules when unset.
    pub rules: Option<PathBuf>,
    /// Prometheus servers: URLs, or tables with `name`, `url`, `timeout_secs`.
    pub prometheus: Upstreams,
    /// Alertmanagers, same forms as `prometheus`.
    pub alertmanager: Upstreams,
    /// Seconds between two polls of each upstream.
    pub poll_interval_secs: u64,
    /// Seconds between SSE keep-alive comments.
    pub sse_keepalive_secs: u64,
    pub auth: AuthConfig,
    pub webhook: WebhookConfig,
    pub http: HttpConfig,
    pub log: LogConfig,
    pub checks: ChecksConfig,
    pub silences: SilencesConfig,
    /// `[history]`: retention and the flapping threshold.
    pub history: HistoryConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            public_url: None,
            database: "runbook-portal.db".into(),
            runbooks: None,
            rules: None,
            prometheus: Upstreams::default(),
            alertmanager: Upstreams::default(),
            poll_interval_secs: 5,
            sse_keepalive_secs: 15,
            auth: AuthConfig::default(),
            webhook: WebhookConfig::default(),
            http: HttpConfig::default(),
            log: LogConfig::default(),
            checks: ChecksConfig::default(),
            silences: SilencesConfig::default(),
            history: HistoryConfig::default(),
        }
    }
}

impl Config {
    pub fn poll_interval(&self) -> Duration {
        Duration::from_secs(self.poll_interval_secs.max(1))
    }

    /// Whether requests without an identity may write. Unset means: only when
    /// the portal listens on loopback, i.e. a single-user laptop — and not
    /// when an identity proxy is configured, since then every write is meant
    /// to carry a person (a request that bypasses the proxy must not write).
    pub fn anonymous_writes(&self) -> bool {
        self.auth
            .anonymous_writes
            .unwrap_or_else(|| self.listen.ip().is_loopback() && self.auth.proxy_header.is_none())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: String,
    /// A tracing filter such as `info` or `runbook_portal=debug,info`; `RUST_LOG` wins.
    pub filter: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: "text".into(),
            // The portal's own events; libraries only when something is wrong
            // (tantivy alone logs every index commit at INFO).
            filter: "warn,runbook_portal=info,app=info".into(),
        }
    }
}

/// Values given as command-line flags; unset ones leave the layer below alone.
#[derive(Debug, Default, Serialize)]
pub struct FlagOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runbooks: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<PathBuf>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prometheus: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alertmanager: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("invalid configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
    #[error("invalid configuration: {0}")]
    Check(String),
}

/// Merge every layer into one checked configuration.
pub fn load(file: Option<&std::path::Path>, flags: FlagOverrides) -> Result<Config, ConfigError> {
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    if let Some(path) = file {
        if !path.exists() {
            return Err(ConfigError::MissingFile(path.to_path_buf()));
        }
        figment = figment.merge(Toml::file_exact(path));
    }
    figment = figment.merge(
        Env::prefixed("RUNBOOK_PORTAL_")
            .split("__")
            .ignore(&["config"]),
    );
    figment = figment.merge(Serialized::defaults(flags));
    let config: Config = figment.extract().map_err(Box::new)?;
    check(&config)?;
    Ok(config)
}

fn check(config: &Config) -> Result<(), ConfigError> {
    for upstream in config.prometheus.0.iter().chain(&config.alertmanager.0) {
        let url = reqwest::Url::parse(&upstream.url)
            .map_err(|e| ConfigError::Check(format!("upstream URL {:?}: {e}", upstream.url)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ConfigError::Check(format!(
                "upstream URL {:?} must be http or https",
                upstream.url
            )));
        }
        if upstream.basic_auth.is_some() && upstream.bearer_token.is_some() {
            return Err(ConfigError::Check(format!(
                "upstream {:?}: set basic_auth or bearer_token, not both",
                upstream.display_name()
            )));
        }
        if let Some(ca) = &upstream.ca_file
            && !ca.exists()
        {
            return Err(ConfigError::Check(format!(
                "upstream {:?}: ca_file {} does not exist",
                upstream.display_name(),
                ca.display()
            )));
        }
    }
    let mut names = std::collections::HashSet::new();
    for upstream in config.prometheus.0.iter().chain(&config.alertmanager.0) {
        if !names.insert(upstream.display_name()) {
            return Err(ConfigError::Check(format!(
                "two upstreams are named {:?}: give each a distinct name",
                upstream.display_name()
            )));
        }
    }
    check_checks(&config.checks)?;
    if config.silences.max_duration_hours == 0 || config.silences.max_matched_alerts == 0 {
        return Err(ConfigError::Check(
            "silences.max_duration_hours and silences.max_matched_alerts must be at least 1".into(),
        ));
    }
    if let Some(problem) = config.history.problem() {
        return Err(ConfigError::Check(problem));
    }
    if let Some(problem) = config.http.problems(config.sse_keepalive_secs) {
        return Err(ConfigError::Check(problem));
    }
    if let Some(url) = &config.public_url {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| ConfigError::Check(format!("public_url {url:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(ConfigError::Check(format!(
                "public_url {url:?} must be an http or https URL with a host"
            )));
        }
    }
    if !matches!(config.log.format.as_str(), "text" | "json") {
        return Err(ConfigError::Check(format!(
            "log.format must be text or json, not {:?}",
            config.log.format
        )));
    }
    Ok(())
}

fn check_checks(checks: &ChecksConfig) -> Result<(), ConfigError> {
    if checks.max_concurrent == 0 || checks.max_concurrent_per_user == 0 {
        return Err(ConfigError::Check(
            "checks.max_concurrent and checks.max_concurrent_per_user must be at least 1".into(),
        ));
    }
    if checks.timeout_secs == 0 || checks.timeout_secs > checks.max_timeout_secs {
        return Err(ConfigError::Check(
            "checks.timeout_secs must be between 1 and checks.max_timeout_secs".into(),
        ));
    }
    for rule in &checks.allow {
        if rule.hosts.is_empty() || rule.networks.is_empty() {
            return Err(ConfigError::Check(
                "each checks.allow entry needs hosts and networks (use [\"*\"] and [\"0.0.0.0/0\", \"::/0\"] to allow any)".into(),
            ));
        }
        for host in &rule.hosts {
            globset::Glob::new(host)
                .map_err(|e| ConfigError::Check(format!("checks.allow host glob {host:?}: {e}")))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_listen_on_loopback_with_anonymous_writes() {
        let config = load(None, FlagOverrides::default()).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(config.database, "runbook-portal.db");
        assert!(config.anonymous_writes());
        assert!(config.prometheus.0.is_empty());
    }

    #[test]
    fn layers_override_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("portal.toml");
        std::fs::write(
            &file,
            r#"
listen = "0.0.0.0:8080"
database = "from-file.db"
[[prometheus]]
name = "main"
url = "http://prom:9090"
[auth]
proxy_header = "X-Forwarded-User"
trusted_proxies = ["10.0.0.0/8"]
"#,
        )
        .unwrap();
        let flags = FlagOverrides {
            database: Some("from-flag.db".into()),
            ..Default::default()
        };
        let config = load(Some(&file), flags).unwrap();
        assert_eq!(config.listen.port(), 8080);
        assert_eq!(config.database, "from-flag.db");
        assert_eq!(config.prometheus.0[0].name, "main");
        assert!(
            !config.anonymous_writes(),
            "not loopback, so no anonymous writes by default"
        );
        let behind_proxy = Config {
            listen: "127.0.0.1:3000".parse().unwrap(),
            ..config.clone()
        };
        assert!(
            !behind_proxy.anonymous_writes(),
            "an identity proxy turns anonymous writes off, even on loopback"
        );
        assert_eq!(config.auth.trusted_proxies.len(), 1);
    }

    #[test]
    fn upstreams_accept_comma_separated_urls() {
        let flags = FlagOverrides {
            prometheus: vec!["http://a:9090".into(), "http://b:9090".into()],
            ..Default::default()
        };
        let config = load(None, flags).unwrap();
        assert_eq!(config.prometheus.0.len(), 2);
        let parsed: Upstreams = serde_json::from_str(r#""http://a:1, http://b:2""#).unwrap();
        assert_eq!(parsed.0[1].url, "http://b:2");
    }

    #[test]
    fn upstream_tables_take_auth_and_tls() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, "").unwrap();
        let file = dir.path().join("portal.toml");
        std::fs::write(
            &file,
            format!(
                r#"
[[prometheus]]
name = "eu"
url = "https://prom.eu:9090"
bearer_token = "t0k"
ca_file = "{}"
[[alertmanager]]
name = "am"
url = "https://am:9093"
insecure_skip_verify = true
basic_auth = {{ username = "u", password = "p" }}
"#,
                ca.display()
            ),
        )
        .unwrap();
        let config = load(Some(&file), FlagOverrides::default()).unwrap();
        assert_eq!(config.prometheus.0[0].bearer_token.as_deref(), Some("t0k"));
        let am = &config.alertmanager.0[0];
        assert!(am.insecure_skip_verify);
        assert_eq!(am.basic_auth.as_ref().unwrap().username, "u");
        assert!(
            !format!("{am:?}").contains("\"p\""),
            "password is not printed"
        );
    }

    #[test]
    fn silences_section_has_defaults_and_refuses_zero_limits() {
        let config = load(None, FlagOverrides::default()).unwrap();
        assert_eq!(config.silences.max_duration_hours, 24);
        assert_eq!(config.silences.max_matched_alerts, 50);
        assert!(!config.silences.allow_anonymous);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("portal.toml");
        std::fs::write(&file, "[silences]\nmax_duration_hours = 0\n").unwrap();
        assert!(load(Some(&file), FlagOverrides::default()).is_err());
        std::fs::write(
            &file,
            "[silences]\nmax_duration_hours = 4\nmax_matched_alerts = 5\n",
        )
        .unwrap();
        let config = load(Some(&file), FlagOverrides::default()).unwrap();
        assert_eq!(config.silences.max_matched_alerts, 5);
    }

    #[test]
    fn rejects_duplicate_upstream_names() {
        let flags = FlagOverrides {
            prometheus: vec!["http://a:9090".into()],
            alertmanager: vec!["http://a:9090".into()],
            ..Default::default()
        };
        assert!(load(None, flags).is_err());
    }

    #[test]
    fn rejects_unknown_keys_and_bad_urls() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "lisen = \"1.2.3.4:5\"\n").unwrap();
        assert!(load(Some(&file), FlagOverrides::default()).is_err());
        let flags = FlagOverrides {
            prometheus: vec!["ftp://x".into()],
            ..Default::default()
        };
        assert!(load(None, flags).is_err());
    }
}
