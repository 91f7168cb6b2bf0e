//! A small client for the parts of the Prometheus HTTP API the portal reads.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::config::Upstream;

/// An alert as `/api/v1/alerts` reports it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromAlert {
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// `firing` or `pending`.
    pub state: String,
    pub active_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub value: String,
}

#[derive(Deserialize)]
struct Envelope<T> {
    status: String,
    data: Option<T>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct AlertsData {
    alerts: Vec<PromAlert>,
}

#[derive(Debug, Clone)]
pub struct PrometheusClient {
    http: reqwest::Client,
    base: reqwest::Url,
}

impl PrometheusClient {
    pub fn new(upstream: &Upstream) -> Result<PrometheusClient, String> {
        let mut base = reqwest::Url::parse(&upstream.url).map_err(|e| e.to_string())?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(upstream.timeout_secs.max(1)))
            .user_agent(concat!("runbook-portal/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(PrometheusClient { http, base })
    }

    /// Active (firing and pending) alerts.
    pub async fn alerts(&self) -> Result<Vec<PromAlert>, String> {
        let data: AlertsData = self.get("api/v1/alerts").await?;
        Ok(data.alerts)
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, String> {
        let url = self.base.join(path).map_err(|e| e.to_string())?;
        let response = self.http.get(url).send().await.map_err(|e| describe(&e))?;
        let status = response.status();
        let envelope: Envelope<T> = response
            .json()
            .await
            .map_err(|e| format!("HTTP {status}: unreadable answer: {}", describe(&e)))?;
        match (envelope.status.as_str(), envelope.data) {
            ("success", Some(data)) => Ok(data),
            _ => Err(format!(
                "HTTP {status}: {}",
                envelope.error.unwrap_or_else(|| "no data".into())
            )),
        }
    }
}

/// reqwest's error with its causes, which say what actually failed.
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
