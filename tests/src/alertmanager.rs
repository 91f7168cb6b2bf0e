//! A real Alertmanager (Debian's `prometheus-alertmanager`) with a temporary
//! storage directory; clustering off, or an HA cluster of peers on loopback.

use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};
use tempfile::TempDir;

use crate::process::{ChildGuard, free_port, wait_ready};

/// A receiver that delivers nowhere: alerts are only held and shown.
pub const NULL_CONFIG: &str = "route:\n  receiver: 'null'\n  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n  - name: 'null'\n";

pub struct Alertmanager {
    pub url: String,
    pub dir: TempDir,
    pub child: ChildGuard,
}

impl Alertmanager {
    /// Start with a configuration that routes every alert to a null receiver.
    pub async fn start() -> Result<Alertmanager> {
        Alertmanager::start_with_config(NULL_CONFIG).await
    }

    /// Start with the given `alertmanager.yml` text (e.g. with webhook receivers).
    /// Start with every alert routed to the portal's webhook at `webhook_url`
    /// (grouped by alert name and instance, `group_wait: 1s`, resolved
    /// notifications on); with `token`, sent as `Authorization: Bearer`.
    pub async fn start_with_webhook(
        webhook_url: &str,
        token: Option<&str>,
    ) -> Result<Alertmanager> {
        let authorization = token
            .map(|t| format!("        http_config:\n          authorization:\n            type: Bearer\n            credentials: {t}\n"))
            .unwrap_or_default();
        Alertmanager::start_with_config(&format!(
            "route:\n  receiver: portal\n  group_by: ['alertname', 'instance']\n  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1m\nreceivers:\n  - name: portal\n    webhook_configs:\n      - url: {webhook_url}\n        send_resolved: true\n{authorization}"
        ))
        .await
    }

    pub async fn start_with_config(config_yaml: &str) -> Result<Alertmanager> {
        Alertmanager::start_peer(config_yaml, None).await
    }

    /// `n` peers of one HA cluster (gossip on loopback), each with the null
    /// configuration: silences created on one reach the others.
    pub async fn start_cluster(n: usize) -> Result<Vec<Alertmanager>> {
        let ports: Vec<u16> = (0..n).map(|_| free_port()).collect();
        let mut peers = Vec::with_capacity(n);
        for (i, &port) in ports.iter().enumerate() {
            let others = ports.iter().enumerate().filter(|&(j, _)| j != i);
            let others = others.map(|(_, p)| *p).collect();
            peers.push(Alertmanager::start_peer(NULL_CONFIG, Some((port, others))).await?);
        }
        Ok(peers)
    }

    /// One Alertmanager; with `cluster`, gossiping on its port with the others.
    async fn start_peer(
        config_yaml: &str,
        cluster: Option<(u16, Vec<u16>)>,
    ) -> Result<Alertmanager> {
        let dir = tempfile::tempdir()?;
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let config = dir.path().join("alertmanager.yml");
        std::fs::write(&config, config_yaml)?;
        let log = dir.path().join("alertmanager.log");
        let cluster_args: Vec<String> = match cluster {
            None => vec!["--cluster.listen-address=".into()],
            Some((listen, peers)) => {
                std::iter::once(format!("--cluster.listen-address=127.0.0.1:{listen}"))
                    .chain(
                        peers
                            .iter()
                            .map(|p| format!("--cluster.peer=127.0.0.1:{p}")),
                    )
                    .chain(["--cluster.gossip-interval=100ms".to_string()])
                    .collect()
            }
        };
        let mut child = ChildGuard::spawn(
            "prometheus-alertmanager",
            Command::new("prometheus-alertmanager")
                .arg(format!("--config.file={}", config.display()))
                .arg(format!(
                    "--storage.path={}",
                    dir.path().join("data").display()
                ))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .arg(format!("--web.external-url={url}/"))
                .args(&cluster_args),
            &log,
        )?;
        wait_ready(
            &format!("{url}/-/ready"),
            &mut child,
            &log,
            Duration::from_secs(30),
        )
        .await?;
        Ok(Alertmanager { url, dir, child })
    }

    /// Create a silence through the v2 API; returns its id.
    pub async fn silence(
        &self,
        matchers: &[(&str, &str)],
        comment: &str,
        created_by: &str,
        duration: Duration,
    ) -> Result<String> {
        let now = chrono::Utc::now();
        let ends = now + chrono::Duration::from_std(duration)?;
        let body = serde_json::json!({
            "matchers": matchers.iter().map(|(name, value)| serde_json::json!({
                "name": name, "value": value, "isRegex": false, "isEqual": true
            })).collect::<Vec<_>>(),
            "startsAt": now.to_rfc3339(),
            "endsAt": ends.to_rfc3339(),
            "createdBy": created_by,
            "comment": comment,
        });
        let response = reqwest::Client::new()
            .post(format!("{}/api/v2/silences", self.url))
            .json(&body)
            .send()
            .await?;
        let status = response.status();
        let answer: serde_json::Value = response.json().await?;
        anyhow::ensure!(status.is_success(), "silence refused: {status} {answer}");
        answer["silenceID"]
            .as_str()
            .map(str::to_string)
            .context("no silenceID in the answer")
    }

    /// Every silence this peer holds (active, pending, expired), as JSON.
    pub async fn silences(&self) -> Result<Vec<serde_json::Value>> {
        Ok(reqwest::get(format!("{}/api/v2/silences", self.url))
            .await?
            .json()
            .await?)
    }

    pub fn log(&self) -> String {
        crate::process::read_log(&self.dir.path().join("alertmanager.log"))
    }
}
