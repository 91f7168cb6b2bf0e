//! URLs of pages. The runbook URL grammar and the one path-segment encoder
//! live in `portal_types::paths` (the server builds the same URLs); these
//! are the app's names for them, so odd runbook names (`(<7Days)`, `100%`)
//! are always percent-encoded.

use portal_types::Labels;
use portal_types::paths::{self, encode_segment};

/// `/runbooks/{group}/{alert}` for a runbook key, or a group path.
pub fn runbook(key: &str) -> String {
    paths::page(key)
}

/// `/runbooks/{key}/edit`.
pub fn edit(key: &str) -> String {
    paths::edit(key)
}

/// `/runbooks/{key}/history`.
pub fn history(key: &str) -> String {
    paths::history(key)
}

/// A runbook page filled with an alert's labels: `…?instance=db1%3A9100`.
pub fn runbook_with_labels(key: &str, labels: &Labels) -> String {
    let query: Vec<String> = labels
        .iter()
        .filter(|(k, _)| k.as_str() != "alertname")
        .map(|(k, v)| format!("{}={}", encode_segment(k), encode_segment(v)))
        .collect();
    match query.is_empty() {
        true => paths::page(key),
        false => format!("{}?{}", paths::page(key), query.join("&")),
    }
}

/// Every incident of one alert, the unresolved ones first.
pub fn incidents_of_alert(alertname: &str) -> String {
    format!("/incidents?alertname={}", encode_segment(alertname))
}

pub fn tag(tag: &str) -> String {
    format!("/tags/{}", encode_segment(tag))
}

pub fn search(query: &str) -> String {
    format!("/search?q={}", encode_segment(query))
}

/// The new-runbook page for a `group/Alert` path (or a bare alert name).
pub fn new_runbook(path: &str) -> String {
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".md").unwrap_or(path);
    let (group, alert) = path.rsplit_once('/').unwrap_or(("", path));
    format!(
        "/new-runbook?group={}&alert={}",
        encode_segment(group),
        encode_segment(alert)
    )
}

/// An alert's resolved incidents: its past ones.
pub fn resolved_incidents_of_alert(alertname: &str) -> String {
    format!("{}&status=resolved", incidents_of_alert(alertname))
}

#[cfg(test)]
mod tests {
    #[test]
    fn odd_names_are_encoded_per_segment() {
        assert_eq!(
            super::runbook("ssl/SslCertificateExpiry(<7Days)"),
            "/runbooks/ssl/SslCertificateExpiry%28%3C7Days%29"
        );
        assert_eq!(
            super::runbook("names/Disk100%Full"),
            "/runbooks/names/Disk100%25Full"
        );
        assert_eq!(super::edit("g/a b"), "/runbooks/g/a%20b/edit");
        assert_eq!(super::tag("a b"), "/tags/a%20b");
        assert_eq!(
            super::resolved_incidents_of_alert("Disk&Full"),
            "/incidents?alertname=Disk%26Full&status=resolved"
        );
        assert_eq!(
            super::new_runbook("/ssl/X(<7Days).md"),
            "/new-runbook?group=ssl&alert=X%28%3C7Days%29"
        );
        let labels = [("alertname", "A"), ("instance", "db1:9100"), ("q", "a&b=c")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        assert_eq!(
            super::runbook_with_labels("g/A", &labels),
            "/runbooks/g/A?instance=db1%3A9100&q=a%26b%3Dc"
        );
        assert_eq!(
            super::incidents_of_alert("A B"),
            "/incidents?alertname=A%20B"
        );
    }
}
