//! A ```` ```check ```` block of a runbook, parsed into a typed check. Only
//! what is declared here can ever run: the browser names a check by id.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use super::SpecError;
use super::expect::Expectation;
use super::template;

/// A check declared by a runbook.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSpec {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub timeout_secs: Option<u64>,
    pub kind: CheckKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CheckKind {
    /// Instant query; `prometheus` names an upstream (the first when unset).
    Promql {
        query: String,
        expect: Expectation,
        prometheus: Option<String>,
    },
    Http(HttpSpec),
    Tcp {
        address: String,
    },
    Dns(DnsSpec),
}

impl CheckKind {
    pub fn name(&self) -> &'static str {
        match self {
            CheckKind::Promql { .. } => "promql",
            CheckKind::Http(_) => "http",
            CheckKind::Tcp { .. } => "tcp",
            CheckKind::Dns(_) => "dns",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSpec {
    pub url: String,
    #[serde(default = "default_method")]
    pub method: String,
    /// Accepted statuses; any 2xx when empty.
    #[serde(default)]
    pub expect_status: Vec<u16>,
    /// A regular expression the body must match.
    #[serde(default)]
    pub body_regex: Option<String>,
    /// Follow redirects (each hop is checked against the allow-list).
    #[serde(default)]
    pub follow_redirects: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsSpec {
    pub name: String,
    /// `A`, `AAAA` or `CNAME`.
    #[serde(default = "default_record")]
    pub record: String,
    /// An answer that must be among the records returned.
    #[serde(default)]
    pub expect: Option<String>,
}

fn default_method() -> String {
    "GET".into()
}

fn default_record() -> String {
    "A".into()
}

/// The block as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    id: Option<String>,
    name: Option<String>,
    description: Option<String>,
    timeout_secs: Option<u64>,
    promql: Option<String>,
    expect: Option<String>,
    prometheus: Option<String>,
    http: Option<HttpSpec>,
    tcp: Option<TcpRaw>,
    dns: Option<DnsSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TcpRaw {
    address: String,
}

static ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$").expect("id regex"));

/// Parse one block. `seen` holds the ids of earlier blocks of the same
/// runbook, so a duplicate is reported where it is.
pub fn parse(yaml: &str, seen: &mut HashSet<String>) -> Result<CheckSpec, SpecError> {
    let mut raw: RawCheck = serde_yaml_ng::from_str(yaml)
        .map_err(|e| SpecError(format!("not a valid check block: {e}")))?;
    let id = raw.id.take().ok_or("a check needs an `id`")?;
    if !ID.is_match(&id) {
        return Err(SpecError(format!(
            "check id {id:?} must be 1–64 letters, digits, '-', '_' or '.'"
        )));
    }
    if id == portal_types::ALERT_EXPR {
        return Err(SpecError(format!(
            "check id {id:?} is reserved for the alert's own expression"
        )));
    }
    if portal_types::paths::is_reserved_check_id(&id) {
        return Err(SpecError(format!(
            "check id {id:?} cannot be run by URL (…/checks/{id}/run reads as \"run every check\"); choose another"
        )));
    }
    if seen.contains(&id) {
        return Err(SpecError(format!(
            "check id {id:?} is used twice in this runbook"
        )));
    }
    let kind = kind(&mut raw)?;
    if raw.timeout_secs == Some(0) {
        return Err("timeout_secs must be at least 1".into());
    }
    seen.insert(id.clone());
    Ok(CheckSpec {
        name: raw.name.unwrap_or_else(|| id.clone()),
        id,
        description: raw.description,
        timeout_secs: raw.timeout_secs,
        kind,
    })
}

/// The one kind a check declares, checked; takes the kind's fields out of `raw`.
fn kind(raw: &mut RawCheck) -> Result<CheckKind, SpecError> {
    let declared = [
        raw.promql.is_some(),
        raw.http.is_some(),
        raw.tcp.is_some(),
        raw.dns.is_some(),
    ];
    match declared.iter().filter(|k| **k).count() {
        0 => return Err("a check needs one of `promql`, `http`, `tcp` or `dns`".into()),
        1 => {}
        _ => return Err("a check has exactly one of `promql`, `http`, `tcp` or `dns`".into()),
    }
    if raw.promql.is_none() && (raw.expect.is_some() || raw.prometheus.is_some()) {
        return Err("`expect` and `prometheus` belong to promql checks".into());
    }
    if let Some(query) = raw.promql.take() {
        let expect = match raw.expect.take() {
            Some(text) => Expectation::parse(&text)?,
            None => Expectation::NotEmpty,
        };
        // The query must parse with every placeholder filled by a plain value.
        super::promql::validate(&query)?;
        return Ok(CheckKind::Promql {
            query,
            expect,
            prometheus: raw.prometheus.take(),
        });
    }
    if let Some(http) = raw.http.take() {
        if !matches!(http.method.as_str(), "GET" | "HEAD") {
            return Err(SpecError(format!(
                "http method must be GET or HEAD, not {:?}",
                http.method
            )));
        }
        if let Some(pattern) = &http.body_regex {
            Regex::new(pattern).map_err(|e| SpecError(format!("body_regex: {e}")))?;
        }
        if let Some(bad) = http
            .expect_status
            .iter()
            .find(|s| !(100..=599).contains(*s))
        {
            return Err(SpecError(format!(
                "expect_status {bad} is not an HTTP status"
            )));
        }
        template::check_syntax(&http.url)?;
        return Ok(CheckKind::Http(http));
    }
    if let Some(tcp) = raw.tcp.take() {
        template::check_syntax(&tcp.address)?;
        return Ok(CheckKind::Tcp {
            address: tcp.address,
        });
    }
    match raw.dns.take() {
        Some(dns) => {
            if !matches!(dns.record.as_str(), "A" | "AAAA" | "CNAME") {
                return Err(SpecError(format!(
                    "dns record must be A, AAAA or CNAME, not {:?}",
                    dns.record
                )));
            }
            template::check_syntax(&dns.name)?;
            Ok(CheckKind::Dns(dns))
        }
        None => Err("a check needs one of `promql`, `http`, `tcp` or `dns`".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(yaml: &str) -> Result<CheckSpec, SpecError> {
        parse(yaml, &mut HashSet::new())
    }

    #[test]
    fn parses_every_kind() {
        let spec =
            one("id: a\nname: A\npromql: sum(up{job=\"{{ $labels.job }}\"})\nexpect: \"> 0\"")
                .unwrap();
        assert!(matches!(spec.kind, CheckKind::Promql { .. }));
        let spec = one(
            "id: h\nhttp:\n  url: http://{{ $labels.instance }}/healthz\n  expect_status: [200]",
        )
        .unwrap();
        assert_eq!(spec.kind.name(), "http");
        assert_eq!(spec.name, "h", "name defaults to the id");
        assert!(matches!(
            one("id: t\ntcp:\n  address: db:5432").unwrap().kind,
            CheckKind::Tcp { .. }
        ));
        assert!(matches!(
            one("id: d\ndns:\n  name: example.org").unwrap().kind,
            CheckKind::Dns(_)
        ));
    }

    #[test]
    fn refuses_malformed_blocks_with_reasons() {
        for (yaml, why) in [
            ("name: x\npromql: up", "needs an `id`"),
            ("id: x\nexpect: \"> 1\"", "needs one of"),
            ("id: x\npromql: up\ntcp:\n  address: a:1", "exactly one"),
            ("id: x\npromql: up\nexpect: \"~= 1\"", "expectation"),
            ("id: x\npromql: sum(up{job=\"x\"", "does not parse"),
            (
                "id: x\nname: [unclosed\npromql: up",
                "not a valid check block",
            ),
            (
                "id: x\nhttp:\n  url: http://a\n  method: POST",
                "GET or HEAD",
            ),
            ("id: x\nshell: rm -rf /", "not a valid check block"),
            ("id: alert-expr\npromql: up", "reserved"),
            ("id: checks\npromql: up", "cannot be run by URL"),
            (
                "id: x\ntcp:\n  address: a:1\nexpect: \"> 1\"",
                "belong to promql",
            ),
        ] {
            let err = one(yaml).unwrap_err();
            assert!(err.0.contains(why), "{yaml:?}: {err}");
        }
        let mut seen = HashSet::new();
        parse("id: x\npromql: up", &mut seen).unwrap();
        assert!(
            parse("id: x\npromql: up", &mut seen)
                .unwrap_err()
                .0
                .contains("twice")
        );
    }
}
