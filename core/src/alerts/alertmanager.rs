//! Client for Alertmanager's v2 API: `/api/v2/alerts` (with silenced and
//! inhibited state) and `/api/v2/silences` (comment, author, end).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::upstream_http::{UpstreamError, UpstreamHttp};
use crate::config::Upstream;

/// An alert as Alertmanager holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmAlert {
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub fingerprint: String,
    /// Link back to the Prometheus that sent it (its external URL).
    #[serde(default, rename = "generatorURL")]
    pub generator_url: String,
    pub status: AmAlertStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmAlertStatus {
    /// `active`, `suppressed` or `unprocessed`.
    pub state: String,
    #[serde(default)]
    pub silenced_by: Vec<String>,
    #[serde(default)]
    pub inhibited_by: Vec<String>,
}

/// A silence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmSilence {
    pub id: String,
    pub status: AmSilenceStatus,
    #[serde(default)]
    pub matchers: Vec<AmMatcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmSilenceStatus {
    /// `active`, `pending` or `expired`.
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmMatcher {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub is_regex: bool,
    #[serde(default = "yes")]
    pub is_equal: bool,
}

fn yes() -> bool {
    true
}

impl AmMatcher {
    /// The matcher as Alertmanager writes it: `name="v"`, `name=~"v"`, ….
    pub fn render(&self) -> String {
        let op = match (self.is_equal, self.is_regex) {
            (true, false) => "=",
            (false, false) => "!=",
            (true, true) => "=~",
            (false, true) => "!~",
        };
        format!("{}{op}{:?}", self.name, self.value)
    }
}

#[derive(Debug, Clone)]
pub struct AlertmanagerClient {
    http: UpstreamHttp,
}

impl AlertmanagerClient {
    pub fn new(upstream: &Upstream) -> Result<AlertmanagerClient, UpstreamError> {
        Ok(AlertmanagerClient {
            http: UpstreamHttp::new(upstream)?,
        })
    }

    /// Every alert Alertmanager holds: active, silenced, inhibited, unprocessed.
    pub async fn alerts(&self) -> Result<Vec<AmAlert>, UpstreamError> {
        self.http.get_json("api/v2/alerts", &[]).await
    }

    /// Silences that are active or pending (expired ones are left out).
    pub async fn silences(&self) -> Result<Vec<AmSilence>, UpstreamError> {
        let all: Vec<AmSilence> = self.http.get_json("api/v2/silences", &[]).await?;
        Ok(all
            .into_iter()
            .filter(|s| s.status.state != "expired")
            .collect())
    }
}

/// What became of a write to one Alertmanager.
#[derive(Debug)]
pub enum WriteOutcome<T> {
    Done(T),
    /// It answered and refused (4xx): another peer would refuse too.
    Refused {
        status: u16,
        reason: String,
    },
}

impl AlertmanagerClient {
    /// `POST /api/v2/silences`: the new silence's id. A connection error or
    /// a 5xx is an `Err` (try another peer); a 4xx is `Refused`.
    pub async fn create_silence(
        &self,
        silence: &serde_json::Value,
    ) -> Result<WriteOutcome<String>, UpstreamError> {
        #[derive(Deserialize)]
        struct Created {
            #[serde(rename = "silenceID")]
            silence_id: String,
        }
        let (status, body) = self
            .http
            .send(reqwest::Method::POST, "api/v2/silences", Some(silence))
            .await?;
        judge(status, &body, |body| {
            serde_json::from_slice::<Created>(body)
                .map(|c| c.silence_id)
                .map_err(|e| UpstreamError::Unreadable(e.to_string()))
        })
    }

    /// `GET /api/v2/silence/{id}`, expired or not.
    pub async fn silence(&self, id: &str) -> Result<WriteOutcome<AmSilence>, UpstreamError> {
        let path = format!("api/v2/silence/{}", encode(id));
        let (status, body) = self.http.send(reqwest::Method::GET, &path, None).await?;
        judge(status, &body, |body| {
            serde_json::from_slice(body).map_err(|e| UpstreamError::Unreadable(e.to_string()))
        })
    }

    /// `DELETE /api/v2/silence/{id}`: expire it now.
    pub async fn expire_silence(&self, id: &str) -> Result<WriteOutcome<()>, UpstreamError> {
        let path = format!("api/v2/silence/{}", encode(id));
        let (status, body) = self.http.send(reqwest::Method::DELETE, &path, None).await?;
        judge(status, &body, |_| Ok(()))
    }
}

fn encode(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn judge<T>(
    status: u16,
    body: &[u8],
    decode: impl FnOnce(&[u8]) -> Result<T, UpstreamError>,
) -> Result<WriteOutcome<T>, UpstreamError> {
    match status {
        200..=299 => decode(body).map(WriteOutcome::Done),
        400..=499 => Ok(WriteOutcome::Refused {
            status,
            reason: super::upstream_http::excerpt(body),
        }),
        _ => Err(UpstreamError::Status {
            status,
            body: super::upstream_http::excerpt(body),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_alerts_and_silences() {
        let alerts: Vec<AmAlert> = serde_json::from_str(
            r#"[{"annotations":{},"endsAt":"2024-01-01T00:10:00Z","fingerprint":"ab","receivers":[{"name":"x"}],
            "startsAt":"2024-01-01T00:00:00Z","updatedAt":"2024-01-01T00:00:00Z","generatorURL":"http://p",
            "labels":{"alertname":"A"},"status":{"inhibitedBy":[],"silencedBy":["s1"],"state":"suppressed"}}]"#,
        )
        .unwrap();
        assert_eq!(alerts[0].status.silenced_by, ["s1"]);
        let silences: Vec<AmSilence> = serde_json::from_str(
            r#"[{"id":"s1","status":{"state":"active"},"updatedAt":"2024-01-01T00:00:00Z","comment":"deploy",
            "createdBy":"ana","endsAt":"2024-01-01T01:00:00Z","startsAt":"2024-01-01T00:00:00Z",
            "matchers":[{"isEqual":true,"isRegex":false,"name":"alertname","value":"A"},
                        {"isEqual":false,"isRegex":true,"name":"job","value":"x.*"}]}]"#,
        )
        .unwrap();
        assert_eq!(silences[0].created_by, "ana");
        assert_eq!(silences[0].matchers[0].render(), r#"alertname="A""#);
        assert_eq!(silences[0].matchers[1].render(), r#"job!~"x.*""#);
    }
}
