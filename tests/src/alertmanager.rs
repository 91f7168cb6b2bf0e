//! A real Alertmanager (Debian's `prometheus-alertmanager`) with clustering
//! off, a temporary storage dir, and one webhook receiver.

use std::process::Command;
use std::time::Duration;

use anyhow::Result;
use tempfile::TempDir;

use crate::process::{ChildGuard, free_port, wait_ready};

pub struct Alertmanager {
    pub url: String,
    pub dir: TempDir,
    _child: ChildGuard,
}

impl Alertmanager {
    /// Start with every alert routed to `webhook_url` (grouped by alert name
    /// and instance, `group_wait: 1s`, resolved notifications on). With
    /// `token`, the webhook is called with `Authorization: Bearer <token>`.
    pub async fn start(webhook_url: &str, token: Option<&str>) -> Result<Alertmanager> {
        let dir = tempfile::tempdir()?;
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let authorization = token
            .map(|t| format!("        http_config:\n          authorization:\n            type: Bearer\n            credentials: {t}\n"))
            .unwrap_or_default();
        let config = dir.path().join("alertmanager.yml");
        std::fs::write(
            &config,
            format!(
                "route:\n  receiver: portal\n  group_by: ['alertname', 'instance']\n  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1m\nreceivers:\n  - name: portal\n    webhook_configs:\n      - url: {webhook_url}\n        send_resolved: true\n{authorization}"
            ),
        )?;
        let log = dir.path().join("alertmanager.log");
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
                .arg("--cluster.listen-address="),
            &log,
        )?;
        wait_ready(
            &format!("{url}/-/ready"),
            &mut child,
            &log,
            Duration::from_secs(30),
        )
        .await?;
        Ok(Alertmanager {
            url,
            dir,
            _child: child,
        })
    }

    pub fn log(&self) -> String {
        crate::process::read_log(&self.dir.path().join("alertmanager.log"))
    }
}
