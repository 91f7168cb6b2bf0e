//! `http`, `tcp` and `dns` checks. Every target goes through the allow-list
//! first; connections go to the addresses it checked.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::proto::rr::{RData, RecordType};
use portal_types::CheckStatus;
use regex::Regex;

use super::allow::{AllowList, Resolve};
use super::spec::{DnsSpec, HttpSpec};
use super::{Outcome, Refusal, SetupError};

/// Most redirects followed when a check allows them.
const MAX_REDIRECTS: usize = 5;
/// Most body bytes read for `body_regex`.
const MAX_BODY: usize = 256 * 1024;

/// The client every `http` check shares: no redirects (they are followed
/// here, hop by hop), no proxy, and a resolver that enforces the allow-list.
pub fn http_client(allow: std::sync::Arc<AllowList>) -> Result<reqwest::Client, SetupError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(std::sync::Arc::new(super::allow::CheckedResolver(allow)))
        .build()
        .map_err(|e| SetupError::HttpClient(e.to_string()))
}

pub async fn http(
    spec: &HttpSpec,
    url: &str,
    allow: &AllowList,
    client: &reqwest::Client,
    excerpt_bytes: usize,
) -> Result<Outcome, Refusal> {
    let mut url = reqwest::Url::parse(url)
        .map_err(|e| Refusal::Unsafe(format!("{url:?} is not a URL: {e}")))?;
    let method = if spec.method == "HEAD" {
        reqwest::Method::HEAD
    } else {
        reqwest::Method::GET
    };
    for hop in 0..=MAX_REDIRECTS {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refusal::Unsafe(format!("{url} is not http or https")));
        }
        let host = url
            .host_str()
            .ok_or_else(|| Refusal::Unsafe(format!("{url} has no host")))?
            .to_string();
        let port = url.port_or_known_default().unwrap_or(80);
        // Checked here for a clear answer; the client's resolver checks again
        // at connect time.
        match allow.resolve(&host, port).await {
            Ok(_) => {}
            Err(Resolve::Refused(Refusal::NotAllowed(why))) if hop > 0 => {
                return Err(Refusal::NotAllowed(format!(
                    "redirect to {url} refused: {why}"
                )));
            }
            Err(Resolve::Refused(refusal)) => return Err(refusal),
            Err(Resolve::Failed(why)) => return Ok(Outcome::error(why)),
        }
        let response = match client.request(method.clone(), url.clone()).send().await {
            Ok(response) => response,
            Err(e) => return Ok(Outcome::error(crate::alerts::upstream_http::describe(e))),
        };
        let status = response.status();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| url.join(l).ok());
        if status.is_redirection()
            && spec.follow_redirects
            && let Some(next) = location
        {
            url = next;
            continue;
        }
        let body = read_body(response).await;
        return Ok(judge_http(
            spec,
            status,
            location.as_ref(),
            &body,
            excerpt_bytes,
        ));
    }
    Ok(Outcome::error(format!(
        "more than {MAX_REDIRECTS} redirects"
    )))
}

async fn read_body(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < MAX_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body.truncate(MAX_BODY);
    body
}

fn judge_http(
    spec: &HttpSpec,
    status: reqwest::StatusCode,
    location: Option<&reqwest::Url>,
    body: &[u8],
    excerpt_bytes: usize,
) -> Outcome {
    let text = String::from_utf8_lossy(body);
    let status_ok = if spec.expect_status.is_empty() {
        status.is_success()
    } else {
        spec.expect_status.contains(&status.as_u16())
    };
    let mut outcome = Outcome::new(CheckStatus::Pass, format!("HTTP {status}"));
    outcome.value = Some(status.as_u16().to_string());
    outcome.excerpt = (!text.is_empty()).then(|| super::excerpt(&text, excerpt_bytes));
    if !status_ok {
        outcome.status = CheckStatus::Fail;
        outcome.message = match (status.is_redirection(), location) {
            (true, Some(to)) => format!("HTTP {status}: redirect to {to} (not followed)"),
            _ => format!("HTTP {status}, expected {}", expected_statuses(spec)),
        };
        return outcome;
    }
    if let Some(pattern) = &spec.body_regex {
        match Regex::new(pattern) {
            Ok(re) if re.is_match(&text) => {
                outcome.message = format!("HTTP {status}, body matches /{pattern}/")
            }
            Ok(_) => {
                outcome.status = CheckStatus::Fail;
                outcome.message = format!("HTTP {status}, but the body does not match /{pattern}/");
            }
            Err(e) => return Outcome::error(format!("body_regex: {e}")),
        }
    }
    outcome
}

fn expected_statuses(spec: &HttpSpec) -> String {
    if spec.expect_status.is_empty() {
        "2xx".into()
    } else {
        let list: Vec<String> = spec.expect_status.iter().map(|s| s.to_string()).collect();
        list.join(" or ")
    }
}

pub async fn tcp(address: &str, allow: &AllowList) -> Result<Outcome, Refusal> {
    let (host, port) = split_host_port(address)?;
    let addresses = match allow.resolve(host, port).await {
        Ok(addresses) => addresses,
        Err(Resolve::Refused(refusal)) => return Err(refusal),
        Err(Resolve::Failed(why)) => return Ok(Outcome::error(why)),
    };
    let mut last_error = String::new();
    for target in &addresses {
        match tokio::net::TcpStream::connect(target).await {
            Ok(_) => {
                let mut outcome = Outcome::new(CheckStatus::Pass, format!("connected to {target}"));
                outcome.value = Some(target.to_string());
                return Ok(outcome);
            }
            Err(e) => last_error = format!("{target}: {e}"),
        }
    }
    let mut outcome = Outcome::new(CheckStatus::Fail, format!("cannot connect: {last_error}"));
    outcome.value = addresses.first().map(SocketAddr::to_string);
    Ok(outcome)
}

/// `host:port` or `[v6]:port`.
fn split_host_port(address: &str) -> Result<(&str, u16), Refusal> {
    let bad = || Refusal::Unsafe(format!("{address:?} is not host:port"));
    let (host, port) = address.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    if host.is_empty() || port == 0 {
        return Err(bad());
    }
    Ok((host, port))
}

pub async fn dns(
    spec: &DnsSpec,
    name: &str,
    allow: &AllowList,
    resolver: &TokioResolver,
) -> Result<Outcome, Refusal> {
    allow.name_allowed(name, None)?;
    let record = match spec.record.as_str() {
        "AAAA" => RecordType::AAAA,
        "CNAME" => RecordType::CNAME,
        _ => RecordType::A,
    };
    let answers: Vec<String> = match resolver.lookup(name, record).await {
        Ok(lookup) => lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::A(a) if record == RecordType::A => Some(a.0.to_string()),
                RData::AAAA(a) if record == RecordType::AAAA => Some(a.0.to_string()),
                RData::CNAME(c) if record == RecordType::CNAME => Some(c.0.to_string()),
                _ => None,
            })
            .collect(),
        Err(e) if e.is_no_records_found() => Vec::new(),
        Err(e) => return Ok(Outcome::error(format!("lookup of {name} failed: {e}"))),
    };
    let shown = answers.join(", ");
    let mut outcome = if answers.is_empty() {
        Outcome::new(
            CheckStatus::Fail,
            format!("no {} records for {name}", spec.record),
        )
    } else {
        match &spec.expect {
            Some(wanted)
                if !answers
                    .iter()
                    .any(|a| a.trim_end_matches('.') == wanted.trim_end_matches('.')) =>
            {
                Outcome::new(
                    CheckStatus::Fail,
                    format!("{name} {}: {shown}; expected {wanted}", spec.record),
                )
            }
            _ => Outcome::new(
                CheckStatus::Pass,
                format!("{name} {}: {shown}", spec.record),
            ),
        }
    };
    outcome.value = answers.first().cloned();
    outcome.excerpt = (!answers.is_empty()).then(|| answers.join("\n"));
    Ok(outcome)
}

/// A resolver for `dns` checks: the configured server, else the system's.
pub fn resolver(
    server: Option<SocketAddr>,
    timeout: Duration,
) -> Result<TokioResolver, SetupError> {
    use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
    use hickory_resolver::net::runtime::TokioRuntimeProvider;
    let mut builder = match server {
        Some(server) => {
            let mut udp = ConnectionConfig::udp();
            udp.port = server.port();
            let mut tcp = ConnectionConfig::tcp();
            tcp.port = server.port();
            let config = ResolverConfig::from_name_servers(vec![NameServerConfig::new(
                server.ip(),
                true,
                vec![udp, tcp],
            )]);
            TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
        }
        None => TokioResolver::builder_tokio()
            .map_err(|e| SetupError::Resolver(format!("system DNS configuration: {e}")))?,
    };
    let options = builder.options_mut();
    options.timeout = timeout;
    options.attempts = 1;
    builder
        .build()
        .map_err(|e| SetupError::Resolver(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_forms() {
        assert_eq!(split_host_port("db:5432").unwrap(), ("db", 5432));
        assert_eq!(split_host_port("[::1]:80").unwrap(), ("[::1]", 80));
        for bad in ["db", "db:", ":80", "db:0", "db:99999"] {
            assert!(split_host_port(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn http_statuses_and_bodies_are_judged() {
        let spec = HttpSpec {
            url: String::new(),
            method: "GET".into(),
            expect_status: vec![],
            body_regex: Some("ok".into()),
            follow_redirects: false,
        };
        let pass = judge_http(&spec, reqwest::StatusCode::OK, None, b"all ok", 100);
        assert_eq!(pass.status, CheckStatus::Pass);
        let fail = judge_http(&spec, reqwest::StatusCode::OK, None, b"bad", 100);
        assert_eq!(fail.status, CheckStatus::Fail);
        let fail = judge_http(
            &spec,
            reqwest::StatusCode::SERVICE_UNAVAILABLE,
            None,
            b"ok",
            100,
        );
        assert!(fail.message.contains("expected 2xx"), "{}", fail.message);
    }
}
