//! URLs of pages, built in one place so odd runbook names (`(<7Days)`,
//! `100%`) are always percent-encoded.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Kept as-is in a path segment (RFC 3986 unreserved); the rest is encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// `/runbooks/{group}/{alert}` for a runbook key, or a group path.
pub fn runbook(key: &str) -> String {
    format!("/runbooks/{}", encode_path(key))
}

pub fn tag(tag: &str) -> String {
    format!("/tags/{}", utf8_percent_encode(tag, SEGMENT))
}

pub fn search(query: &str) -> String {
    format!("/search?q={}", utf8_percent_encode(query, SEGMENT))
}

/// The new-runbook page for a `group/Alert` path (or a bare alert name).
pub fn new_runbook(path: &str) -> String {
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".md").unwrap_or(path);
    let (group, alert) = path.rsplit_once('/').unwrap_or(("", path));
    format!(
        "/new-runbook?group={}&alert={}",
        utf8_percent_encode(group, SEGMENT),
        utf8_percent_encode(alert, SEGMENT)
    )
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
        assert_eq!(super::tag("a b"), "/tags/a%20b");
    }
}
