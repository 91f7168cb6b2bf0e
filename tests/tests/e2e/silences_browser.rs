//! A silence from the runbook page in headless Chromium: "Silence" on an
//! instance row opens the form prefilled from that series, the match count
//! follows the matchers live, the comment is required, the created silence
//! is listed with Expire, the alert shows muted after the next poll, and
//! Expire removes it; both land on the incident's timeline.

use std::time::Duration;

use fantoccini::Locator;
use portal_tests::browser::{enabled, wait_for};
use portal_tests::process::eventually;
use portal_tests::{Alertmanager, Browser, Portal, Prometheus};
use serde_json::json;

const RULES: &str = "groups:\n  - name: live\n    rules:\n      - alert: PrometheusTargetMissing\n        expr: vector(1)\n        labels:\n          instance: web1:9100\n      - alert: PrometheusTargetMissing\n        expr: vector(2)\n        labels:\n          instance: web2:9100\n";

#[tokio::test]
async fn silence_from_an_instance_row_then_expire_it() {
    let am = Alertmanager::start().await.unwrap();
    let prometheus = Prometheus::start_with(RULES, Some(&am.url)).await.unwrap();
    let portal = Portal::start(
        &["--prometheus", &prometheus.url, "--alertmanager", &am.url],
        &[
            ("RUNBOOK_PORTAL_POLL_INTERVAL_SECS", "1"),
            // Loopback, one user: anonymous writes, and silences by them.
            ("RUNBOOK_PORTAL_SILENCES__ALLOW_ANONYMOUS", "true"),
        ],
    )
    .await
    .unwrap();
    eventually(
        "both instances in Alertmanager",
        Duration::from_secs(60),
        || async {
            let s = portal.get_json("/api/v1/alerts").await;
            let instances = s["groups"]["PrometheusTargetMissing"]["instances"]
                .as_array()?
                .clone();
            let both = instances.len() == 2
                && instances
                    .iter()
                    .all(|i| i["sources"].as_array().is_some_and(|s| s.len() == 2));
            both.then_some(())
        },
    )
    .await
    .unwrap();
    let (status, incident) = portal
        .post_json(
            "/api/v1/incidents",
            &json!({"runbook": "prometheus-self-monitoring/PrometheusTargetMissing"}),
        )
        .await;
    assert!(status.is_success(), "{incident}");
    let incident = incident["id"].as_i64().unwrap();

    let browser = Browser::start().await.unwrap();
    let c = &browser.client;
    c.goto(&format!(
        "{}/runbooks/prometheus-self-monitoring/PrometheusTargetMissing?instance=web1:9100",
        portal.url
    ))
    .await
    .unwrap();
    browser.wait_hydrated().await.unwrap();
    enabled(c, "tr.instance button.silence-instance")
        .await
        .click()
        .await
        .unwrap();
    wait_for(c, "form.silence-form").await;
    let value = wait_for(c, "li.matcher[data-name='instance'] input.value").await;
    assert_eq!(
        value.prop("value").await.unwrap().as_deref(),
        Some("web1:9100")
    );
    assert_eq!(
        wait_for(c, "form.silence-form input.incident")
            .await
            .prop("value")
            .await
            .unwrap(),
        Some(incident.to_string()),
        "the runbook's open incident is prefilled"
    );
    wait_for(c, ".silence-preview[data-count='1']").await;
    let submit = wait_for(c, "button.create-silence").await;
    assert!(
        submit.attr("disabled").await.unwrap().is_some(),
        "no comment, no silence"
    );

    // Removing the instance matcher widens it to both instances, live.
    c.find(Locator::Css(
        "li.matcher[data-name='instance'] button.remove",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    wait_for(c, ".silence-preview[data-count='2']").await;
    c.find(Locator::Css("button.cancel"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    enabled(c, "tr.instance button.silence-instance")
        .await
        .click()
        .await
        .unwrap();
    wait_for(c, ".silence-preview[data-count='1']").await;

    wait_for(c, "textarea.comment")
        .await
        .send_keys("rebooting web1 for the kernel update")
        .await
        .unwrap();
    enabled(c, "button.create-silence")
        .await
        .click()
        .await
        .unwrap();
    let listed = wait_for(c, "ul.silences li.silence button.expire").await;
    let item = wait_for(c, "ul.silences li.silence").await;
    let id = item.attr("data-silence-id").await.unwrap().unwrap();
    assert!(item.text().await.unwrap().contains("Silenced by anonymous"));
    assert!(
        c.find(Locator::Css("form.silence-form")).await.is_err(),
        "the form closed"
    );
    eventually(
        "web1 muted on the page",
        Duration::from_secs(30),
        || async {
            let row = c
                .find(Locator::Css("tr.instance[data-muted='true']"))
                .await
                .ok()?;
            row.text().await.ok()?.contains("web1").then_some(())
        },
    )
    .await
    .unwrap();

    listed.click().await.unwrap();
    eventually(
        "the silence gone from the panel",
        Duration::from_secs(30),
        || async {
            c.find(Locator::Css(&format!("li.silence[data-silence-id='{id}']")))
                .await
                .is_err()
                .then_some(())
        },
    )
    .await
    .unwrap();
    let on_am = am.silences().await.unwrap();
    let state = on_am
        .iter()
        .find(|s| s["id"] == id.as_str())
        .map(|s| s["status"]["state"].clone());
    assert_eq!(state, Some(json!("expired")));
    let timeline = portal
        .get_json(&format!("/api/v1/incidents/{incident}"))
        .await;
    let kinds: Vec<&str> = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"silenced") && kinds.contains(&"unsilenced"),
        "{kinds:?}"
    );
}
