//! Who is making a request. Writes need an actor: an API token's name, a
//! user name from a trusted reverse proxy, or `anonymous` where the operator
//! allows anonymous writes. [`Auth::identify`] is the one place that decides;
//! the HTTP layer only reads the headers off the request ([`Credentials`]).

use std::net::IpAddr;

use crate::config::AuthConfig;
use crate::error::{Error, Result};
use crate::tokens::Tokens;

pub const ANONYMOUS: &str = "anonymous";

/// Who performs a write; the name every timeline event and revision records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(String);

impl Actor {
    pub fn named(name: impl Into<String>) -> Actor {
        Actor(name.into())
    }

    pub fn name(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A header value that is not valid text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotText;

/// What a request says about who sent it, as the HTTP layer read it off
/// (headers verbatim, no judgement); [`Auth`] decides what it is worth.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// The `Authorization` header, if one was sent.
    pub authorization: Option<Result<String, NotText>>,
    /// Every copy of the configured proxy header, in order.
    pub proxy_user: Vec<Result<String, NotText>>,
    /// The address of the connection's peer.
    pub peer: Option<IpAddr>,
}

#[derive(Debug, Clone)]
pub struct Auth {
    config: AuthConfig,
    anonymous_writes: bool,
    tokens: Option<Tokens>,
}

impl Auth {
    pub fn new(config: AuthConfig, anonymous_writes: bool) -> Auth {
        Auth {
            config,
            anonymous_writes,
            tokens: None,
        }
    }

    /// Honour `Authorization: Bearer` tokens from this store.
    pub fn with_tokens(mut self, tokens: Tokens) -> Auth {
        self.tokens = Some(tokens);
        self
    }

    pub fn require_for_reads(&self) -> bool {
        self.config.require_for_reads
    }

    pub fn anonymous_writes(&self) -> bool {
        self.anonymous_writes
    }

    /// The header a trusted reverse proxy names the user in, if configured.
    pub fn proxy_header(&self) -> Option<&str> {
        self.config.proxy_header.as_deref()
    }

    /// The actor of a write, or 401 with the reason.
    pub async fn writer(&self, credentials: &Credentials) -> Result<Actor> {
        if let Some(user) = self.identify(credentials).await? {
            return Ok(user);
        }
        if self.anonymous_writes {
            return Ok(Actor::named(ANONYMOUS));
        }
        Err(Error::Unauthorized(
            "writes need an identity: an API token (Authorization: Bearer) or the portal's reverse proxy".into(),
        ))
    }

    /// Who this is, from a bearer token or a trusted proxy header. A token
    /// that is sent but unknown or revoked is a 401, never a fallback to
    /// anonymous: a client that thinks it is authenticated must learn it is not.
    pub async fn identify(&self, credentials: &Credentials) -> Result<Option<Actor>> {
        if let Some(value) = &credentials.authorization {
            let value = value
                .as_ref()
                .map_err(|_| Error::Unauthorized("Authorization is not valid text".into()))?;
            let secret = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .ok_or_else(|| {
                    Error::Unauthorized("only Authorization: Bearer <token> is accepted".into())
                })?
                .trim();
            let name = match &self.tokens {
                Some(tokens) => tokens.lookup(secret).await?,
                None => None,
            };
            return match name {
                Some(name) => Ok(Some(Actor::named(name))),
                None => Err(Error::Unauthorized(
                    "the bearer token is unknown or revoked".into(),
                )),
            };
        }
        self.proxy_user(credentials)
            .map(|user| user.map(Actor::named))
    }

    /// The user named by the proxy header, believed only from a trusted peer.
    fn proxy_user(&self, credentials: &Credentials) -> Result<Option<String>> {
        let Some(header) = &self.config.proxy_header else {
            return Ok(None);
        };
        let mut values = credentials.proxy_user.iter();
        let Some(value) = values.next() else {
            return Ok(None);
        };
        // Two copies mean someone besides the proxy set it (a proxy that
        // appends instead of replacing); believing either would let a client
        // choose its identity, so the request is refused whoever sent it.
        if values.next().is_some() {
            return Err(Error::BadRequest(format!(
                "{header} was sent more than once; the proxy must replace it, not append"
            )));
        }
        let peer = credentials.peer;
        let trusted = peer.is_some_and(|ip| {
            self.config
                .trusted_proxies
                .iter()
                .any(|net| net.contains(&ip))
        });
        if !trusted {
            tracing::warn!(?peer, header = %header, "identity header from an untrusted peer ignored");
            return Ok(None);
        }
        let user = value
            .as_ref()
            .map_err(|_| Error::BadRequest(format!("{header} is not valid text")))?
            .trim();
        // A comma is how a proxy folds several copies into one line.
        if user.is_empty()
            || user.len() > 200
            || user.contains(',')
            || user.chars().any(char::is_control)
        {
            return Err(Error::BadRequest(format!(
                "{header} does not hold a usable user name"
            )));
        }
        Ok(Some(user.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(peer: &str, user: Option<&str>) -> Credentials {
        parts_with(peer, user.as_slice())
    }

    fn parts_with(peer: &str, users: &[&str]) -> Credentials {
        Credentials {
            authorization: None,
            proxy_user: users.iter().map(|u| Ok(u.to_string())).collect(),
            peer: Some(peer.parse::<std::net::SocketAddr>().unwrap().ip()),
        }
    }

    fn auth(anonymous: bool) -> Auth {
        let config = AuthConfig {
            proxy_header: Some("X-Forwarded-User".into()),
            trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
            ..Default::default()
        };
        Auth::new(config, anonymous)
    }

    #[tokio::test]
    async fn proxy_header_only_from_trusted_peers() {
        assert_eq!(
            auth(false)
                .writer(&parts("10.1.2.3:5000", Some("alice")))
                .await
                .unwrap()
                .name(),
            "alice"
        );
        assert!(matches!(
            auth(false)
                .writer(&parts("192.0.2.1:5000", Some("alice")))
                .await,
            Err(Error::Unauthorized(_))
        ));
        assert_eq!(
            auth(true)
                .writer(&parts("192.0.2.1:5000", Some("alice")))
                .await
                .unwrap()
                .name(),
            ANONYMOUS
        );
        assert!(matches!(
            auth(false).writer(&parts("10.1.2.3:5000", None)).await,
            Err(Error::Unauthorized(_))
        ));
    }

    #[tokio::test]
    async fn a_repeated_or_folded_proxy_header_is_refused() {
        for peer in ["10.1.2.3:5000", "192.0.2.1:5000"] {
            let twice = parts_with(peer, &["mallory", "alice"]);
            assert!(
                matches!(auth(true).identify(&twice).await, Err(Error::BadRequest(_))),
                "two headers from {peer}"
            );
        }
        let folded = parts("10.1.2.3:5000", Some("mallory, alice"));
        assert!(matches!(
            auth(false).writer(&folded).await,
            Err(Error::BadRequest(_))
        ));
    }
}
