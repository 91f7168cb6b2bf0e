//! The HTTP client shared by the upstream kinds: one `reqwest::Client` per
//! upstream, built once from its configuration (timeout, credentials, TLS).

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

use crate::config::Upstream;

/// Why talking to an upstream failed, by kind; shown as the upstream's
/// last error and in check results.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UpstreamError {
    /// The configuration cannot make a client (URL, credentials, CA file).
    #[error("{0}")]
    Config(String),
    /// No answer: refused, timed out, TLS failed (reqwest's causes, no URL).
    #[error("{0}")]
    Transport(String),
    /// An answer with a failing status and the start of its body.
    #[error("HTTP {status}: {body}")]
    Status { status: u16, body: String },
    /// An answer that is not what the API promises.
    #[error("unreadable answer: {0}")]
    Unreadable(String),
    /// The API's own error, from its envelope.
    #[error("{0}")]
    Api(String),
    /// One request of a poll failed; the path says which.
    #[error("{path}: {source}")]
    Request {
        path: &'static str,
        source: Box<UpstreamError>,
    },
}

impl UpstreamError {
    /// This error, as the failure of the request to `path`.
    pub fn at(self, path: &'static str) -> UpstreamError {
        UpstreamError::Request {
            path,
            source: Box::new(self),
        }
    }
}

/// A configured upstream's base URL and client.
#[derive(Debug, Clone)]
pub struct UpstreamHttp {
    http: reqwest::Client,
    base: reqwest::Url,
}

impl UpstreamHttp {
    /// Build the client; fails on a bad URL, an unreadable CA file or a
    /// credential that is not a valid header value.
    pub fn new(upstream: &Upstream) -> Result<UpstreamHttp, UpstreamError> {
        let mut base = reqwest::Url::parse(&upstream.url)
            .map_err(|e| UpstreamError::Config(format!("url {:?}: {e}", upstream.url)))?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let mut headers = HeaderMap::new();
        if let Some(token) = &upstream.bearer_token {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", token.trim())).map_err(|_| {
                    UpstreamError::Config("bearer_token is not a valid header value".into())
                })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(upstream.timeout_secs.max(1)))
            .connect_timeout(Duration::from_secs(upstream.timeout_secs.clamp(1, 5)))
            .user_agent(concat!("runbook-portal/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers);
        if let Some(path) = &upstream.ca_file {
            let pem = std::fs::read(path).map_err(|e| {
                UpstreamError::Config(format!("reading ca_file {}: {e}", path.display()))
            })?;
            for cert in reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| UpstreamError::Config(format!("ca_file {}: {e}", path.display())))?
            {
                builder = builder.add_root_certificate(cert);
            }
        }
        if upstream.insecure_skip_verify {
            tracing::warn!(upstream = %upstream.display_name(), "TLS certificate verification is off for this upstream");
            builder = builder.danger_accept_invalid_certs(true);
        }
        let http = builder
            .build()
            .map_err(|e| UpstreamError::Config(describe(e)))?;
        let base_auth = upstream.basic_auth.clone();
        let mut client = UpstreamHttp { http, base };
        if let Some(auth) = base_auth {
            // reqwest has no per-client basic auth; put it in the URL, which
            // reqwest turns into an `Authorization` header on every request.
            client
                .base
                .set_username(&auth.username)
                .and_then(|()| client.base.set_password(Some(&auth.password)))
                .map_err(|()| {
                    UpstreamError::Config("basic_auth cannot be used with this URL".into())
                })?;
        }
        Ok(client)
    }

    /// GET `path` (relative to the base URL) with query parameters and decode
    /// the JSON answer; a non-2xx status is an error that quotes the body.
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, UpstreamError> {
        self.fetch(path, query, false).await
    }

    /// Like [`get_json`](Self::get_json), but decode error answers too, for
    /// APIs that explain errors in a JSON envelope.
    pub async fn get_json_any_status<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, UpstreamError> {
        self.fetch(path, query, true).await
    }

    /// Send a write (`POST` with a JSON body, `DELETE` without) and return
    /// the status and body; the caller judges the status.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<(u16, Vec<u8>), UpstreamError> {
        let url = self
            .base
            .join(path)
            .map_err(|e| UpstreamError::Config(e.to_string()))?;
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| UpstreamError::Transport(describe(e)))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| UpstreamError::Transport(describe(e)))?;
        Ok((status, body.to_vec()))
    }

    async fn fetch<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        any_status: bool,
    ) -> Result<T, UpstreamError> {
        let url = self
            .base
            .join(path)
            .map_err(|e| UpstreamError::Config(e.to_string()))?;
        let response = self
            .http
            .get(url)
            .query(query)
            .send()
            .await
            .map_err(|e| UpstreamError::Transport(describe(e)))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| UpstreamError::Transport(describe(e)))?;
        match serde_json::from_slice::<T>(&body) {
            Ok(value) if status.is_success() || any_status => Ok(value),
            Err(e) if status.is_success() => Err(UpstreamError::Unreadable(e.to_string())),
            _ => Err(UpstreamError::Status {
                status: status.as_u16(),
                body: excerpt(&body),
            }),
        }
    }
}

/// The start of a body, for error messages.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// reqwest's error with its causes, which say what actually failed. The URL
/// (which may carry basic-auth credentials) is left out.
pub fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
