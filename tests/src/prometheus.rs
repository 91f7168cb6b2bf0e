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
    _child: ChildGuard,
}

impl Prometheus {
    /// Start with `rules` (a rule file's YAML), evaluated every second.
    pub async fn start(rules: &str) -> Result<Prometheus> {
        Prometheus::start_with(rules, None).await
    }

    /// Like [`Prometheus::start`], sending alerts to `alertmanager` (a base URL).
    pub async fn start_with(rules: &str, alertmanager: Option<&str>) -> Result<Prometheus> {
        let dir = tempfile::tempdir()?;
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let rules_file = dir.path().join("rules.yml");
        std::fs::write(&rules_file, rules)?;
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {}\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n",
                rules_file.display()
            ) + &alerting(alertmanager),
        )?;
        let log = dir.path().join("prometheus.log");
        let mut child = ChildGuard::spawn(
            "prometheus",
            Command::new("prometheus")
                .arg(format!("--config.file={}", config.display()))
                .arg(format!(
                    "--storage.tsdb.path={}",
                    dir.path().join("data").display()
                ))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .arg(format!("--web.external-url={url}/"))
                .arg("--web.enable-lifecycle")
                .arg("--rules.alert.resend-delay=1s"),
            &log,
        )?;
        wait_ready(
            &format!("{url}/-/ready"),
            &mut child,
            &log,
            Duration::from_secs(30),
        )
        .await?;
        Ok(Prometheus {
            url,
            rules_file,
            dir,
            _child: child,
        })
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
}

/// The `alerting:` section pointing at one Alertmanager, or nothing.
fn alerting(alertmanager: Option<&str>) -> String {
    let Some(url) = alertmanager else {
        return String::new();
    };
    let target = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    format!("alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['{target}']\n")
}
