//! The portal set up for check tests and benchmarks: the fixture runbooks,
//! a local HTTP server and DNS server as targets, an allow-list of
//! 127.0.0.0/8 for `127.0.0.1` and `*.checks.test` (and `localhost` only in a
//! public range, so a name resolving to loopback is refused), optionally a
//! real Prometheus.

use std::net::Ipv4Addr;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{Portal, Prometheus, targets};

pub const RUNBOOK: &str = "checks/NetworkChecks";

/// Prometheus' rule for the fixture's alert, firing at once.
pub const RULES: &str =
    "groups:\n- name: checks\n  rules:\n  - alert: NetworkChecks\n    expr: vector(1) > 0\n";

pub struct Setup {
    pub portal: Portal,
    pub http: targets::Served,
    _dns: targets::Served,
    _prometheus: Option<Prometheus>,
}

/// Start the portal with the fixtures, an allow-list of 127.0.0.0/8 for
/// `127.0.0.1` and `*.checks.test`, `localhost` allowed only in a public
/// range, a local DNS server, and optionally a real Prometheus.
pub async fn setup(with_prometheus: bool, env: &[(&str, &str)]) -> Setup {
    setup_with(with_prometheus, env, "").await
}

/// Like [`setup`], with extra lines for the `[checks]` table.
pub async fn setup_with(with_prometheus: bool, env: &[(&str, &str)], checks: &str) -> Setup {
    let http = targets::http().await.unwrap();
    let dns = targets::dns(&[("db.checks.test", Ipv4Addr::new(127, 0, 0, 7))])
        .await
        .unwrap();
    let prometheus = match with_prometheus {
        true => Some(Prometheus::start(RULES).await.unwrap()),
        false => None,
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("portal.toml");
    std::fs::write(
        &config,
        format!(
            r#"poll_interval_secs = 1
[checks]
timeout_secs = 5
dns_server = "{}"
{checks}
[[checks.allow]]
hosts = ["127.0.0.1", "*.checks.test"]
networks = ["127.0.0.0/8"]
[[checks.allow]]
hosts = ["localhost"]
networks = ["203.0.113.0/24"]
"#,
            dns.addr
        ),
    )
    .unwrap();
    let fixtures = crate::fixtures();
    let (runbooks, rules) = (fixtures.join("runbooks"), fixtures.join("rules"));
    let mut args = vec![
        "--config".to_string(),
        config.display().to_string(),
        "--runbooks".into(),
        runbooks.display().to_string(),
        "--rules".into(),
        rules.display().to_string(),
    ];
    if let Some(prometheus) = &prometheus {
        args.extend(["--prometheus".to_string(), prometheus.url.clone()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let portal = Portal::start_in(dir, &args, env).await.unwrap();
    Setup {
        portal,
        http,
        _dns: dns,
        _prometheus: prometheus,
    }
}

/// POST a run of `check`: the status and the result (or refusal).
pub async fn run(portal: &Portal, runbook: &str, check: &str, body: Value) -> (StatusCode, Value) {
    portal
        .post_json(
            &format!("/api/v1/runbooks/{runbook}/checks/{check}/run"),
            &body,
        )
        .await
}

pub fn labels(setup: &Setup) -> Value {
    json!({ "labels": {
        "instance": setup.http.addr.to_string(),
        "port": setup.http.addr.port().to_string(),
        "closed": crate::process::free_port().to_string(),
        "job": "prometheus",
    }})
}
