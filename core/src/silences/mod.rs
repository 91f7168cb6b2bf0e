//! Writing silences to Alertmanager. An HA cluster gossips silences between
//! its peers, so a write goes to one peer: the first that answers (peers the
//! pollers last saw healthy first, so a dead one costs no timeout), falling
//! over to the next on a connection error or a 5xx. A 4xx is the cluster's
//! answer and is not retried elsewhere. Reads come from the pollers, which
//! read every peer.

pub mod matchers;

use crate::alerts::alertmanager::{AlertmanagerClient, AmSilence, WriteOutcome};
use crate::alerts::upstream_http::UpstreamError;
use crate::config::Upstream;
use crate::error::{Error, Result};

/// The configured Alertmanagers, in the order writes try them.
pub struct SilenceWriter {
    peers: Vec<(String, AlertmanagerClient)>,
}

impl SilenceWriter {
    /// Upstreams whose configuration cannot make a client are left out (the
    /// poller already reports them).
    pub fn new(upstreams: &[Upstream]) -> SilenceWriter {
        let peers = upstreams
            .iter()
            .filter_map(|u| {
                AlertmanagerClient::new(u)
                    .ok()
                    .map(|c| (u.display_name().to_string(), c))
            })
            .collect();
        SilenceWriter { peers }
    }

    /// Create the silence (Alertmanager's `PostableSilence` JSON): its id and
    /// the peer that took it.
    pub async fn create(
        &self,
        silence: &serde_json::Value,
        healthy: &[String],
    ) -> Result<(String, String)> {
        self.each("create the silence", healthy, |c| {
            Box::pin(async move { c.create_silence(silence).await })
        })
        .await
    }

    /// One silence, expired or not.
    pub async fn get(&self, id: &str, healthy: &[String]) -> Result<(AmSilence, String)> {
        self.each("read the silence", healthy, |c| {
            Box::pin(async move { c.silence(id).await })
        })
        .await
        .map_err(|e| match e {
            Error::BadRequest(_) => Error::NotFound(format!("no silence {id}")),
            other => other,
        })
    }

    /// Expire a silence now; the peer that did it.
    pub async fn expire(&self, id: &str, healthy: &[String]) -> Result<String> {
        self.each("expire the silence", healthy, |c| {
            Box::pin(async move { c.expire_silence(id).await })
        })
        .await
        .map(|((), peer)| peer)
    }

    /// Try each peer until one answers: `healthy` ones first, then the
    /// rest, each group in configuration order.
    async fn each<'a, T>(
        &'a self,
        what: &str,
        healthy: &[String],
        call: impl Fn(
            &'a AlertmanagerClient,
        ) -> std::pin::Pin<
            Box<dyn Future<Output = Result<WriteOutcome<T>, UpstreamError>> + Send + 'a>,
        >,
    ) -> Result<(T, String)> {
        if self.peers.is_empty() {
            return Err(Error::BadRequest(
                "no Alertmanager is configured: silences need one".into(),
            ));
        }
        let mut order: Vec<&(String, AlertmanagerClient)> = self.peers.iter().collect();
        order.sort_by_key(|(name, _)| !healthy.contains(name));
        let mut failures = Vec::new();
        for (name, client) in order {
            match call(client).await {
                Ok(WriteOutcome::Done(value)) => return Ok((value, name.clone())),
                Ok(WriteOutcome::Refused { status: 404, .. }) => {
                    return Err(Error::NotFound(format!("Alertmanager {name}: not found")));
                }
                Ok(WriteOutcome::Refused { status, reason }) => {
                    return Err(Error::BadRequest(format!(
                        "Alertmanager {name} refused to {what} (HTTP {status}): {reason}"
                    )));
                }
                Err(e) => {
                    tracing::warn!(alertmanager = %name, error = %e, "Alertmanager write failed; trying the next peer");
                    failures.push(format!("{name}: {e}"));
                }
            }
        }
        Err(Error::Upstream(format!(
            "no Alertmanager could {what}: {}",
            failures.join("; ")
        )))
    }
}
