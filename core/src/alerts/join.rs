//! Joining alerts to runbooks: by the alert's `runbook_url` (or `runbook`)
//! annotation when it points into this portal, else by alert name.

use std::sync::Arc;

use portal_types::Labels;

use crate::runbooks::RunbookStore;

/// Finds the runbook key (`group/Alert`) for an alert.
pub trait RunbookLookup: Send + Sync {
    fn runbook_for(&self, alertname: &str, runbook_url: Option<&str>) -> Option<String>;
}

/// No runbooks at all (tests, benches).
pub struct NoRunbooks;

impl RunbookLookup for NoRunbooks {
    fn runbook_for(&self, _: &str, _: Option<&str>) -> Option<String> {
        None
    }
}

/// The annotation that links an alert to its runbook, if any.
pub fn runbook_annotation(annotations: &Labels) -> Option<&str> {
    ["runbook_url", "runbook"]
        .iter()
        .find_map(|k| annotations.get(*k))
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty())
}

impl RunbookLookup for Arc<RunbookStore> {
    fn runbook_for(&self, alertname: &str, runbook_url: Option<&str>) -> Option<String> {
        let index = self.index();
        if let Some(path) = runbook_url.and_then(portal_path) {
            match path {
                PortalPath::Runbook(key) => {
                    if let Some(runbook) = index.get(&key) {
                        return Some(runbook.key.clone());
                    }
                }
                PortalPath::Alert(name) => {
                    if let Some(runbook) = index.by_alert(&name).first() {
                        return Some(runbook.key.clone());
                    }
                }
            }
        }
        index.by_alert(alertname).first().map(|r| r.key.clone())
    }
}

enum PortalPath {
    Runbook(String),
    Alert(String),
}

/// `…/runbooks/{key}` or `…/alerts/{name}` in a URL or bare path, without
/// its query string.
fn portal_path(url: &str) -> Option<PortalPath> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .to_string()
    };
    if let Some((_, key)) = path.rsplit_once("/runbooks/") {
        return Some(PortalPath::Runbook(decode(key)));
    }
    if let Some((_, name)) = path.rsplit_once("/alerts/") {
        return Some(PortalPath::Alert(decode(name.trim_matches('/'))));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_and_portal_paths() {
        let a: Labels = [(
            "runbook".to_string(),
            "https://p/runbooks/g/A.md?x=1".to_string(),
        )]
        .into();
        let url = runbook_annotation(&a).unwrap();
        assert!(matches!(portal_path(url), Some(PortalPath::Runbook(k)) if k == "g/A.md"));
        assert!(matches!(
            portal_path("https://p/alerts/HostDown"),
            Some(PortalPath::Alert(n)) if n == "HostDown"
        ));
        assert!(portal_path("https://wiki.example/HostDown").is_none());
        assert!(runbook_annotation(&Labels::new()).is_none());
    }
}
