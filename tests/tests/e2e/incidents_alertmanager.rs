//! A real Prometheus rule fires through a real Alertmanager into the
//! portal's webhook: the incident opens by itself, linked to its runbook,
//! and records `alert_resolved` when the rule stops firing.

use std::time::Duration;

use portal_tests::process::eventually;
use portal_tests::{Alertmanager, Portal, Prometheus};
use serde_json::Value;

const FIRING: &str = r#"
groups:
  - name: test
    rules:
      - alert: HostHighCpuLoad
        expr: vector(1)
        labels:
          severity: warning
          instance: web1:9100
        annotations:
          summary: CPU load on web1 is high
"#;

const QUIET: &str = "groups:\n  - name: test\n    rules: []\n";

#[tokio::test]
async fn alertmanager_opens_an_incident_and_reports_resolution() {
    let portal = Portal::start(&[], &[("RUNBOOK_PORTAL_WEBHOOK__TOKEN", "am-secret")])
        .await
        .unwrap();
    let webhook = format!("{}/api/v1/webhooks/alertmanager", portal.url);
    let alertmanager = Alertmanager::start_with_webhook(&webhook, Some("am-secret"))
        .await
        .unwrap();
    let prometheus = Prometheus::start_with(FIRING, Some(&alertmanager.url))
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let list = format!("{}/api/v1/incidents?alertname=HostHighCpuLoad", portal.url);

    let id = eventually(
        "the webhook to open an incident",
        Duration::from_secs(60),
        || async {
            let page: Value = http.get(&list).send().await.ok()?.json().await.ok()?;
            page["items"].as_array()?.first()?["id"].as_i64()
        },
    )
    .await
    .unwrap_or_else(|e| {
        panic!(
            "{e}\nalertmanager log:\n{}\nportal log:\n{}",
            alertmanager.log(),
            portal.log()
        )
    });
    let url = format!("{}/api/v1/incidents/{id}", portal.url);
    let incident: Value = http.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(incident["title"], "CPU load on web1 is high");
    assert_eq!(incident["runbook_key"], "node-exporter/HostHighCpuLoad");
    assert_eq!(incident["opened_by"], "alertmanager");
    assert_eq!(incident["severity"], "warning");
    assert_eq!(incident["labels"]["instance"], "web1:9100");
    assert!(
        incident["fingerprint"]
            .as_str()
            .is_some_and(|f| !f.is_empty())
    );
    assert_eq!(incident["checklist"].as_array().unwrap().len(), 5);

    prometheus.set_rules(QUIET).await.unwrap();
    let incident = eventually(
        "the resolved notification",
        Duration::from_secs(60),
        || async {
            let incident: Value = http.get(&url).send().await.ok()?.json().await.ok()?;
            let events = incident["events"].as_array()?;
            events
                .iter()
                .any(|e| e["kind"] == "alert_resolved")
                .then_some(incident)
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\nportal log:\n{}", portal.log()));
    assert_eq!(
        incident["status"], "open",
        "resolve_incidents is off: only an event"
    );
    let page: Value = http.get(&list).send().await.unwrap().json().await.unwrap();
    assert_eq!(page["total"], 1, "repeat notifications opened nothing more");
}
