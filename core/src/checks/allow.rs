//! The operator's allow-list for `http`, `tcp` and `dns` checks. A name is
//! matched before it is looked up (names outside the list are not even
//! resolved), then every address it resolves to must lie in the rule's
//! networks; the caller connects to exactly the addresses checked here, so a
//! DNS answer that changes between check and connect cannot redirect it.

use std::net::{IpAddr, SocketAddr};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use ipnet::IpNet;

use super::{Refusal, SetupError};
use crate::config::AllowRule;

struct Rule {
    hosts: GlobSet,
    ports: Vec<u16>,
    networks: Vec<IpNet>,
}

pub struct AllowList {
    rules: Vec<Rule>,
}

/// What an empty allow-list means, said on pages and in refusals.
pub const EMPTY: &str =
    "network checks are off: the allow-list (checks.allow) is empty, so only PromQL checks run";

impl AllowList {
    pub fn new(rules: &[AllowRule]) -> Result<AllowList, SetupError> {
        let rules = rules
            .iter()
            .map(|rule| {
                let mut hosts = GlobSetBuilder::new();
                for host in &rule.hosts {
                    hosts.add(glob(host)?);
                }
                Ok(Rule {
                    hosts: hosts
                        .build()
                        .map_err(|e| SetupError::AllowList(e.to_string()))?,
                    ports: rule.ports.clone(),
                    networks: rule.networks.clone(),
                })
            })
            .collect::<Result<_, SetupError>>()?;
        Ok(AllowList { rules })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Could some rule allow this name (and port)? Checked before any lookup.
    pub fn name_allowed(&self, host: &str, port: Option<u16>) -> Result<(), Refusal> {
        if self.is_empty() {
            return Err(Refusal::NotAllowed(EMPTY.into()));
        }
        let host = normalise(host);
        let allowed = self.rules.iter().any(|r| {
            r.hosts.is_match(&host)
                && port.is_none_or(|p| r.ports.is_empty() || r.ports.contains(&p))
        });
        if allowed {
            Ok(())
        } else {
            Err(Refusal::NotAllowed(match port {
                Some(port) => format!("{host}:{port} is not in the checks allow-list"),
                None => format!("{host} is not in the checks allow-list"),
            }))
        }
    }

    /// Resolve `host:port` and check every address against the rules the
    /// name matches. Returns the addresses to connect to, or why not.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, Resolve> {
        self.name_allowed(host, Some(port))
            .map_err(Resolve::Refused)?;
        let name = normalise(host);
        let addresses: Vec<SocketAddr> = match name.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::net::lookup_host((name.as_str(), port))
                .await
                .map_err(|e| Resolve::Failed(format!("cannot resolve {name}: {e}")))?
                .collect(),
        };
        if addresses.is_empty() {
            return Err(Resolve::Failed(format!("{name} has no addresses")));
        }
        self.addresses_allowed(&name, port, &addresses)
            .map_err(Resolve::Refused)?;
        Ok(addresses)
    }

    /// Every address must be inside the networks of one matching rule.
    fn addresses_allowed(
        &self,
        name: &str,
        port: u16,
        addresses: &[SocketAddr],
    ) -> Result<(), Refusal> {
        let ok = self.rules.iter().any(|r| {
            r.hosts.is_match(name)
                && (r.ports.is_empty() || r.ports.contains(&port))
                && addresses
                    .iter()
                    .all(|a| r.networks.iter().any(|n| n.contains(&a.ip())))
        });
        if ok {
            return Ok(());
        }
        let shown: Vec<String> = addresses.iter().map(|a| a.ip().to_string()).collect();
        Err(Refusal::NotAllowed(format!(
            "{name} resolves to {}, outside the networks the checks allow-list permits for it",
            shown.join(", ")
        )))
    }
}

/// The resolver of the HTTP client that `http` checks use: every name the
/// client connects to (redirect targets included) is resolved here and its
/// addresses checked again, so the connection goes only to checked
/// addresses even if the name's answer changed since the first look-up.
pub struct CheckedResolver(pub std::sync::Arc<AllowList>);

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.0.clone();
        let name = normalise(name.as_str());
        Box::pin(async move {
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let ok = allow.rules.iter().any(|r| {
                r.hosts.is_match(&name)
                    && !addresses.is_empty()
                    && addresses
                        .iter()
                        .all(|a| r.networks.iter().any(|n| n.contains(&a.ip())))
            });
            if !ok {
                return Err(format!("{name}: not allowed by the checks allow-list").into());
            }
            let addresses: reqwest::dns::Addrs = Box::new(addresses.into_iter());
            Ok(addresses)
        })
    }
}

/// Why a target cannot be reached: refused by policy, or not resolvable.
#[derive(Debug)]
pub enum Resolve {
    Refused(Refusal),
    Failed(String),
}

fn glob(pattern: &str) -> Result<Glob, SetupError> {
    GlobBuilder::new(pattern)
        .case_insensitive(true)
        .build()
        .map_err(|e| SetupError::AllowList(format!("host glob {pattern:?}: {e}")))
}

/// Lower case, no brackets around IPv6, no trailing dot.
fn normalise(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(hosts: &[&str], ports: &[u16], networks: &[&str]) -> AllowList {
        AllowList::new(&[AllowRule {
            hosts: hosts.iter().map(|s| s.to_string()).collect(),
            ports: ports.to_vec(),
            networks: networks.iter().map(|n| n.parse().unwrap()).collect(),
        }])
        .unwrap()
    }

    #[tokio::test]
    async fn empty_list_refuses_everything() {
        let empty = AllowList::new(&[]).unwrap();
        assert!(matches!(
            empty.resolve("127.0.0.1", 80).await,
            Err(Resolve::Refused(_))
        ));
    }

    #[tokio::test]
    async fn names_ports_and_resolved_addresses_are_checked() {
        let loopback = list(&["127.0.0.1", "localhost"], &[8080], &["127.0.0.0/8"]);
        assert_eq!(
            loopback.resolve("127.0.0.1", 8080).await.unwrap(),
            vec!["127.0.0.1:8080".parse().unwrap()]
        );
        assert!(matches!(
            loopback.resolve("127.0.0.1", 22).await,
            Err(Resolve::Refused(_))
        ));
        assert!(matches!(
            loopback.resolve("example.org", 8080).await,
            Err(Resolve::Refused(_))
        ));
        // A name that resolves to loopback when only a public range is allowed.
        let public = list(&["*"], &[], &["203.0.113.0/24"]);
        match public.resolve("localhost", 80).await {
            Err(Resolve::Refused(Refusal::NotAllowed(why))) => {
                assert!(why.contains("127.0.0.1") || why.contains("::1"), "{why}")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let globbed = list(&["*.svc.cluster.local"], &[], &["10.0.0.0/8"]);
        assert!(globbed.name_allowed("API.svc.cluster.local.", None).is_ok());
        assert!(
            globbed
                .name_allowed("svc.cluster.local.evil.com", None)
                .is_err()
        );
    }
}
