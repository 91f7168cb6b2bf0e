//! API tokens: random 32-byte secrets, shown once, stored as SHA-256.
//!
//! SHA-256 rather than a password hash (argon2): the secret has 256 bits of
//! entropy, so there is nothing to brute-force and a slow hash would only
//! cost every API request milliseconds of CPU; a fast hash also allows an
//! indexed lookup by hash instead of trying every stored token.

use std::sync::Arc;

use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::store::{StoreError, TokenStore};

/// Every token starts with this, so leaked ones are easy to grep for.
const PREFIX: &str = "rbp_";

#[derive(Clone)]
pub struct Tokens {
    store: Arc<dyn TokenStore>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens")
    }
}

pub use crate::store::TokenInfo;

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "a token name is 1–64 letters, digits, '-', '_', '.' or '@', not {name:?}"
        )))
    }
}

impl Tokens {
    pub fn new(store: Arc<dyn TokenStore>) -> Tokens {
        Tokens { store }
    }

    /// Create a token named `name` (the actor of its writes); returns the
    /// secret, which is not stored anywhere.
    pub async fn create(&self, name: &str) -> Result<String> {
        check_name(name)?;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
        let secret = format!("{PREFIX}{}", hex::encode(bytes));
        match self.store.insert(name, &digest(&secret), Utc::now()).await {
            Err(StoreError::Conflict(_)) => Err(Error::Conflict(format!(
                "a live token named {name} exists; revoke it first"
            ))),
            other => other.map(|()| secret).map_err(Error::from),
        }
    }

    pub async fn list(&self) -> Result<Vec<TokenInfo>> {
        Ok(self.store.list().await?)
    }

    /// Revoke the live token named `name`; 404 when there is none.
    pub async fn revoke(&self, name: &str) -> Result<()> {
        if !self.store.revoke(name, Utc::now()).await? {
            return Err(Error::NotFound(format!("no live token named {name}")));
        }
        Ok(())
    }

    /// The name of the live token with this secret, if any.
    pub async fn lookup(&self, secret: &str) -> Result<Option<String>> {
        if !secret.starts_with(PREFIX) || secret.len() > 200 {
            return Ok(None);
        }
        Ok(self.store.lookup(&digest(secret)).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn create_lookup_revoke() {
        let dir = tempfile::tempdir().unwrap();
        let stores = crate::store::sqlite::open(
            dir.path().join("t.db").to_str().unwrap(),
            crate::store::sqlite::Durability::Full,
        )
        .await
        .unwrap();
        let tokens = Tokens::new(stores.tokens.clone());
        let secret = tokens.create("ci-bot").await.unwrap();
        assert_eq!(secret.len(), PREFIX.len() + 64);
        assert_eq!(
            tokens.lookup(&secret).await.unwrap().as_deref(),
            Some("ci-bot")
        );
        assert!(tokens.lookup("rbp_00").await.unwrap().is_none());
        assert!(matches!(
            tokens.create("ci-bot").await,
            Err(Error::Conflict(_))
        ));
        // Only the hash is stored: the store finds the token by it.
        let stored = stores.tokens.lookup(&digest(&secret)).await.unwrap();
        assert_eq!(stored.as_deref(), Some("ci-bot"));
        tokens.revoke("ci-bot").await.unwrap();
        assert!(tokens.lookup(&secret).await.unwrap().is_none());
        assert!(matches!(
            tokens.revoke("ci-bot").await,
            Err(Error::NotFound(_))
        ));
        tokens.create("ci-bot").await.unwrap();
        assert_eq!(tokens.list().await.unwrap().len(), 2);
        assert!(matches!(
            tokens.create("bad name").await,
            Err(Error::BadRequest(_))
        ));
    }
}
