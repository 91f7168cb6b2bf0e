//! A check as a page shows it: prepared for the page's labels and saying up
//! front when it cannot run, or as a static card where no live one fits.

use html_escape::encode_text as esc;
use portal_types::Labels;
use portal_types::{ALERT_EXPR, CheckView};

use super::allow::AllowList;
use super::spec::{CheckKind, CheckSpec};
use super::{Refusal, template};

/// The text a check will query or reach (label placeholders filled where
/// given) and its expectation.
fn target_and_expect(spec: &CheckSpec) -> (&str, Option<String>) {
    match &spec.kind {
        CheckKind::Promql { query, expect, .. } => (query, Some(expect.to_string())),
        CheckKind::Http(http) => {
            let statuses: Vec<String> = http.expect_status.iter().map(|s| s.to_string()).collect();
            let mut expect = if statuses.is_empty() {
                "status 2xx".to_string()
            } else {
                format!("status {}", statuses.join(" or "))
            };
            if let Some(re) = &http.body_regex {
                expect.push_str(&format!(", body matches /{re}/"));
            }
            (&http.url, Some(expect))
        }
        CheckKind::Tcp { address } => (address, Some("connects".into())),
        CheckKind::Dns(dns) => (
            &dns.name,
            Some(match &dns.expect {
                Some(answer) => format!("{} record {answer}", dns.record),
                None => format!("has {} records", dns.record),
            }),
        ),
    }
}

pub fn view(spec: &CheckSpec, labels: &Labels, allow: &AllowList) -> CheckView {
    let (target, expect) = target_and_expect(spec);
    CheckView {
        id: spec.id.clone(),
        name: spec.name.clone(),
        description: spec.description.clone(),
        kind: if spec.id == ALERT_EXPR {
            ALERT_EXPR.into()
        } else {
            spec.kind.name().into()
        },
        target: template::preview(target, labels),
        expect,
        blocked: blocked(spec, target, labels, allow),
    }
}

/// Why this check cannot run here, known before running it.
fn blocked(spec: &CheckSpec, target: &str, labels: &Labels, allow: &AllowList) -> Option<String> {
    if let Some(label) = template::missing(target, labels) {
        return Some(format!(
            "needs the label {label:?}: open this page with ?{label}=… (alert links pass it)"
        ));
    }
    let filled = match super::fill_target(&spec.kind, labels) {
        Ok(filled) => filled,
        Err(refusal) => return Some(refusal.to_string()),
    };
    if matches!(spec.kind, CheckKind::Promql { .. }) {
        return None;
    }
    let (host, port) = match &spec.kind {
        CheckKind::Http(_) => match reqwest::Url::parse(&filled) {
            Ok(url) => (
                url.host_str().unwrap_or_default().to_string(),
                url.port_or_known_default(),
            ),
            Err(e) => return Some(format!("{filled:?} is not a URL: {e}")),
        },
        CheckKind::Tcp { .. } => match filled.rsplit_once(':') {
            Some((host, port)) => (host.to_string(), port.parse().ok()),
            None => return Some(format!("{filled:?} is not host:port")),
        },
        _ => (filled, None),
    };
    allow
        .name_allowed(&host, port)
        .err()
        .map(|r: Refusal| r.to_string())
}

/// The check as plain HTML, for the JSON API's `html` and for checks nested
/// where the page cannot place a live card (inside a list or `<details>`).
pub fn static_card(spec: &CheckSpec) -> String {
    let (target, expect) = target_and_expect(spec);
    format!(
        "<div class=\"check-card static\" id=\"check-{id}\"><div class=\"check-head\"><span class=\"check-kind\">{kind}</span> <strong>{name}</strong></div>{description}<code class=\"check-target\">{target}</code>{expect}<p class=\"muted\">Run it from the Checks list beside the runbook.</p></div>",
        id = esc(&spec.id),
        kind = esc(spec.kind.name()),
        name = esc(&spec.name),
        description = spec
            .description
            .as_deref()
            .map_or(String::new(), |d| format!("<p>{}</p>", esc(d))),
        target = esc(target),
        expect = expect.map_or(String::new(), |e| format!(
            " <span class=\"muted\">expect {}</span>",
            esc(&e)
        )),
    )
}
