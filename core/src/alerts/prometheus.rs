//! Client for the parts of the Prometheus HTTP API the portal reads:
//! `/api/v1/alerts`, `/api/v1/rules`, `/api/v1/query` and `/api/v1/query_range`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::upstream_http::{UpstreamError, UpstreamHttp};
use crate::config::Upstream;

/// An alert as `/api/v1/alerts` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// A rule group of `/api/v1/rules`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromRuleGroup {
    pub name: String,
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub rules: Vec<PromRule>,
}

/// One rule of a group; recording rules have `type: recording` and are
/// kept so callers can tell them apart, but carry no alert fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromRule {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub query: String,
    /// The `for` duration in seconds.
    #[serde(default)]
    pub duration: f64,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// `firing`, `pending` or `inactive` (alerting rules only).
    #[serde(default)]
    pub state: String,
    /// `ok`, `err` or `unknown`.
    #[serde(default)]
    pub health: String,
    #[serde(default)]
    pub last_error: String,
    pub last_evaluation: Option<DateTime<Utc>>,
    #[serde(default)]
    pub evaluation_time: f64,
}

/// A sample as the API writes it: `[unix seconds, "value"]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub at: f64,
    pub value: f64,
}

impl<'de> Deserialize<'de> for Sample {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (at, value): (f64, String) = Deserialize::deserialize(d)?;
        // Prometheus writes NaN and ±Inf as "NaN", "+Inf", "-Inf"; Rust parses all three.
        let value = value.parse().map_err(serde::de::Error::custom)?;
        Ok(Sample { at, value })
    }
}

/// One series of a query answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Series {
    #[serde(default)]
    pub metric: BTreeMap<String, String>,
    /// Instant queries: the one sample.
    pub value: Option<Sample>,
    /// Range queries: every sample in the range.
    #[serde(default)]
    pub values: Vec<Sample>,
}

/// The result of `/api/v1/query` or `/api/v1/query_range`.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryResult {
    Vector(Vec<Series>),
    Matrix(Vec<Series>),
    Scalar(Sample),
}

#[derive(Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
enum RawResult {
    Vector(Vec<Series>),
    Matrix(Vec<Series>),
    Scalar(Sample),
    String(serde_json::Value),
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

#[derive(Deserialize)]
struct RulesData {
    groups: Vec<PromRuleGroup>,
}

#[derive(Debug, Clone)]
pub struct PrometheusClient {
    http: UpstreamHttp,
}

impl PrometheusClient {
    pub fn new(upstream: &Upstream) -> Result<PrometheusClient, UpstreamError> {
        Ok(PrometheusClient {
            http: UpstreamHttp::new(upstream)?,
        })
    }

    /// Active (firing and pending) alerts.
    pub async fn alerts(&self) -> Result<Vec<PromAlert>, UpstreamError> {
        let data: AlertsData = self.get("api/v1/alerts", &[]).await?;
        Ok(data.alerts)
    }

    /// Alerting rules with their live state (recording rules are dropped).
    pub async fn alerting_rules(&self) -> Result<Vec<PromRuleGroup>, UpstreamError> {
        let data: RulesData = self.get("api/v1/rules", &[("type", "alert")]).await?;
        Ok(data
            .groups
            .into_iter()
            .map(|mut g| {
                g.rules.retain(|r| r.kind == "alerting");
                g
            })
            .collect())
    }

    /// Evaluate `query` now.
    pub async fn query(&self, query: &str) -> Result<QueryResult, UpstreamError> {
        let raw: RawResult = self.get("api/v1/query", &[("query", query)]).await?;
        convert(raw)
    }

    /// Evaluate `query` from `start` to `end` every `step` seconds.
    pub async fn query_range(
        &self,
        query: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        step_secs: u64,
    ) -> Result<QueryResult, UpstreamError> {
        let (start, end, step) = (
            start.timestamp().to_string(),
            end.timestamp().to_string(),
            step_secs.max(1).to_string(),
        );
        let raw: RawResult = self
            .get(
                "api/v1/query_range",
                &[
                    ("query", query),
                    ("start", &start),
                    ("end", &end),
                    ("step", &step),
                ],
            )
            .await?;
        convert(raw)
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, UpstreamError> {
        // Prometheus answers errors (400, 422, 503) with the same envelope.
        let envelope: Envelope<T> = self.http.get_json_any_status(path, query).await?;
        match (envelope.status.as_str(), envelope.data) {
            ("success", Some(data)) => Ok(data),
            _ => Err(UpstreamError::Api(
                envelope.error.unwrap_or_else(|| "no data".into()),
            )),
        }
    }
}

fn convert(raw: RawResult) -> Result<QueryResult, UpstreamError> {
    match raw {
        RawResult::Vector(v) => Ok(QueryResult::Vector(v)),
        RawResult::Matrix(m) => Ok(QueryResult::Matrix(m)),
        RawResult::Scalar(s) => Ok(QueryResult::Scalar(s)),
        RawResult::String(s) => Err(UpstreamError::Unreadable(format!(
            "the query returned a string: {s}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_rules_and_query_results() {
        let rules: Envelope<RulesData> = serde_json::from_str(
            r#"{"status":"success","data":{"groups":[{"name":"g","file":"/r.yml","interval":1,"rules":[
            {"type":"alerting","name":"Up","query":"up == 0","duration":300,"labels":{"severity":"critical"},
             "annotations":{},"alerts":[],"health":"ok","lastError":"","evaluationTime":0.001,
             "lastEvaluation":"2024-01-01T00:00:00.5Z","state":"inactive"}]}]}}"#,
        )
        .unwrap();
        let rule = &rules.data.unwrap().groups[0].rules[0];
        assert_eq!(rule.duration, 300.0);
        assert_eq!(rule.health, "ok");
        let raw: RawResult = serde_json::from_str(
            r#"{"resultType":"matrix","result":[{"metric":{"job":"x"},"values":[[1700000000.5,"1"],[1700000001,"NaN"]]}]}"#,
        )
        .unwrap();
        let QueryResult::Matrix(series) = convert(raw).unwrap() else {
            panic!("matrix expected")
        };
        assert_eq!(series[0].values.len(), 2);
        assert!(series[0].values[1].value.is_nan());
        let raw: RawResult =
            serde_json::from_str(r#"{"resultType":"scalar","result":[1,"+Inf"]}"#).unwrap();
        assert!(matches!(convert(raw).unwrap(), QueryResult::Scalar(s) if s.value.is_infinite()));
    }
}
