//! A real Prometheus (Debian's `prometheus`) with a temporary config and rules.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use anyhow::Result;
use tempfile::TempDir;

use crate::process::{ChildGuard, free_port, wait_ready};

pub struct Prometheus {
    pub url: String,
    pub rules_file: PathBuf,
    pub dir: TempDir,
    port: u16,
    child: Option<ChildGuard>,
}

impl Prometheus {
    /// Start with `rules` (a rule file's YAML), evaluated every second.
    pub async fn start(rules: &str) -> Result<Prometheus> {
        Prometheus::start_with(rules, None).await
    }

    /// Start with `rules`, sending alerts to `alertmanager` when given.
    pub async fn start_with(rules: &str, alertmanager: Option<&str>) -> Result<Prometheus> {
        Prometheus::start_sending(rules, alertmanager.as_slice()).await
    }

    /// Start with `rules`, sending alerts to every one of `alertmanagers`
    /// (the peers of an HA cluster each get every alert).
    pub async fn start_sending(rules: &str, alertmanagers: &[&str]) -> Result<Prometheus> {
        let dir = tempfile::tempdir()?;
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let rules_file = dir.path().join("rules.yml");
        std::fs::write(&rules_file, rules)?;
        let targets: Vec<String> = alertmanagers
            .iter()
            .map(|am| {
                format!(
                    "'{}'",
                    am.trim_start_matches("http://").trim_end_matches('/')
                )
            })
            .collect();
        let alerting = match targets.is_empty() {
            false => format!(
                "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [{}]\n",
                targets.join(", ")
            ),
            true => String::new(),
        };
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n{alerting}rule_files:\n  - {}\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n",
                rules_file.display()
            ),
        )?;
        let mut prometheus = Prometheus {
            url,
            rules_file,
            dir,
            port,
            child: None,
        };
        prometheus.restart().await?;
        Ok(prometheus)
    }

    /// Kill the process (SIGKILL), as an outage would.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill();
        }
    }

    /// Start (again) on the same port with the same data directory.
    pub async fn restart(&mut self) -> Result<()> {
        self.stop();
        let log = self.dir.path().join("prometheus.log");
        let mut child = ChildGuard::spawn(
            "prometheus",
            Command::new("prometheus")
                .arg(format!(
                    "--config.file={}",
                    self.dir.path().join("prometheus.yml").display()
                ))
                .arg(format!(
                    "--storage.tsdb.path={}",
                    self.dir.path().join("data").display()
                ))
                .arg(format!("--web.listen-address=127.0.0.1:{}", self.port))
                .arg(format!("--web.external-url={}/", self.url))
                .arg("--web.enable-lifecycle")
                .arg("--rules.alert.resend-delay=1s"),
            &log,
        )?;
        wait_ready(
            &format!("{}/-/ready", self.url),
            &mut child,
            &log,
            Duration::from_secs(30),
        )
        .await?;
        self.child = Some(child);
        Ok(())
    }

    /// Replace the rule file and reload.
    pub async fn set_rules(&self, rules: &str) -> Result<()> {
        std::fs::write(&self.rules_file, rules)?;
        let response = reqwest::Client::new()
            .post(format!("{}/-/reload", self.url))
            .send()
            .await?;
        anyhow::ensure!(
            response.status().is_success(),
            "reload failed: {}",
            response.status()
        );
        Ok(())
    }

    /// Prometheus' own count of requests to an API handler, e.g.
    /// `/api/v1/alerts` (from its `prometheus_http_requests_total`).
    pub async fn handler_requests(&self, handler: &str) -> Result<f64> {
        let text = reqwest::get(format!("{}/metrics", self.url))
            .await?
            .text()
            .await?;
        let needle = format!("handler=\"{handler}\"");
        Ok(text
            .lines()
            .filter(|l| l.starts_with("prometheus_http_requests_total{") && l.contains(&needle))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum())
    }
}
