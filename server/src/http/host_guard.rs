//! DNS-rebinding protection: a request must name an allowed host.
//!
//! A page on `rebind.attacker.example` can make its name resolve to
//! 127.0.0.1 and then talk to a portal on the user's laptop as same-origin;
//! only the `Host` header still says which site the browser thinks it talks
//! to. Browsers always send it (HTTP/1.1 `Host`, HTTP/2 `:authority`), so a
//! request without either comes from a non-browser client and is let
//! through. Probes (`/healthz`, `/readyz`, `/metrics`) pass with any host:
//! kubelets and scrapers address the pod by IP.

use std::net::SocketAddr;

use app::error::AppError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::HOST;

use super::AppState;
use crate::config::Config;

/// Paths that answer whatever the `Host`.
const PROBES: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The hosts a request may name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedHosts {
    Any,
    /// Lower-case `name` (any port) or `name:port` entries.
    Only(Vec<String>),
}

impl AllowedHosts {
    /// From `http.allowed_hosts` and `public_url`; see [`crate::config::HttpConfig`].
    pub fn from_config(config: &Config) -> AllowedHosts {
        let configured = &config.http.allowed_hosts;
        if configured.iter().any(|h| h.trim() == "*") {
            return AllowedHosts::Any;
        }
        let mut hosts: Vec<String> = configured.iter().map(|h| normalise(h)).collect();
        if hosts.is_empty() && config.listen.ip().is_loopback() {
            hosts = loopback_defaults(config.listen);
        }
        if let Some(host) = config.public_url.as_deref().and_then(url_host) {
            hosts.push(host);
        }
        if hosts.is_empty() {
            tracing::warn!(
                listen = %config.listen,
                "any Host header is accepted: set http.allowed_hosts or public_url to refuse requests for other names (DNS rebinding)"
            );
            AllowedHosts::Any
        } else {
            AllowedHosts::Only(hosts)
        }
    }

    /// Whether `host` (a `Host` value or URI authority) is allowed.
    pub fn allows(&self, host: &str) -> bool {
        let AllowedHosts::Only(hosts) = self else {
            return true;
        };
        let host = normalise(host);
        let name = strip_port(&host);
        hosts
            .iter()
            .any(|allowed| *allowed == host || (!has_port(allowed) && allowed == name))
    }
}

fn loopback_defaults(listen: SocketAddr) -> Vec<String> {
    let port = listen.port();
    ["localhost", "127.0.0.1", "[::1]"]
        .iter()
        .map(|name| format!("{name}:{port}"))
        .collect()
}

/// `host[:port]` of a URL, without the scheme's default port (as browsers send it).
fn url_host(url: &str) -> Option<String> {
    let url = reqwest::Url::parse(url).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

fn normalise(host: &str) -> String {
    host.trim().to_ascii_lowercase()
}

/// `[::1]:80` → `[::1]`, `a:80` → `a`, `a` → `a`.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

fn has_port(host: &str) -> bool {
    strip_port(host).len() != host.len()
}

/// Refuse a request that names a host outside the allowed set with 421.
pub async fn require_allowed_host(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if PROBES.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let mut named = request.headers().get_all(HOST).iter();
    let header = named.next();
    if named.next().is_some() {
        return AppError::BadRequest("more than one Host header".into()).into_response();
    }
    let header = match header.map(|v| v.to_str()) {
        Some(Ok(value)) => Some(value),
        Some(Err(_)) => {
            return AppError::BadRequest("Host is not valid text".into()).into_response();
        }
        None => None,
    };
    // HTTP/2 carries the host in the URI; an absolute-form HTTP/1 target too.
    let authority = request.uri().authority().map(|a| a.as_str());
    for host in [header, authority].into_iter().flatten() {
        if !state.hosts.allows(host) {
            // Once at warn (a proxy that rewrites Host shows up at once),
            // then at debug: a hostile page must not be able to fill the log.
            static WARNED: std::sync::atomic::AtomicBool =
                std::sync::atomic::AtomicBool::new(false);
            if WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                tracing::debug!(host, "request for a host that is not allowed");
            } else {
                tracing::warn!(
                    host,
                    "request for a host that is not allowed (http.allowed_hosts); further ones are logged at debug level"
                );
            }
            return AppError::Misdirected(format!(
                "this portal does not serve {host:?}; add it to http.allowed_hosts or set public_url"
            )).into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(listen: &str, allowed: &[&str], public_url: Option<&str>) -> Config {
        let mut config = Config {
            listen: listen.parse().unwrap(),
            public_url: public_url.map(str::to_string),
            ..Default::default()
        };
        config.http.allowed_hosts = allowed.iter().map(|s| s.to_string()).collect();
        config
    }

    #[test]
    fn loopback_allows_its_own_names_with_the_port() {
        let hosts = AllowedHosts::from_config(&config("127.0.0.1:3000", &[], None));
        for ok in [
            "localhost:3000",
            "LOCALHOST:3000",
            "127.0.0.1:3000",
            "[::1]:3000",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for refused in [
            "rebind.attacker.example",
            "localhost:3001",
            "localhost",
            "[::1]",
        ] {
            assert!(!hosts.allows(refused), "{refused}");
        }
    }

    #[test]
    fn public_url_and_configured_hosts_are_added() {
        let hosts = AllowedHosts::from_config(&config(
            "127.0.0.1:3000",
            &[],
            Some("https://Portal.Example.com/"),
        ));
        assert!(hosts.allows("portal.example.com"));
        assert!(hosts.allows("localhost:3000"));
        assert!(!hosts.allows("portal.example.com.evil"));
        let hosts = AllowedHosts::from_config(&config("0.0.0.0:80", &["wiki.lan"], None));
        assert!(
            hosts.allows("wiki.lan:8080"),
            "a name without port: any port"
        );
        assert!(!hosts.allows("localhost:80"));
        let explicit = AllowedHosts::from_config(&config("0.0.0.0:80", &["a:81"], None));
        assert!(explicit.allows("A:81") && !explicit.allows("a:82"));
    }

    #[test]
    fn non_loopback_without_settings_or_star_allows_any() {
        assert_eq!(
            AllowedHosts::from_config(&config("0.0.0.0:80", &[], None)),
            AllowedHosts::Any
        );
        assert_eq!(
            AllowedHosts::from_config(&config("127.0.0.1:80", &["*"], None)),
            AllowedHosts::Any
        );
    }
}
