//! The two single-table aggregates: check runs and API tokens.

use chrono::{DateTime, Utc};
use portal_types::CheckResult;

use super::StoreResult;

/// A token as listed (never its secret).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Every check run, append-only.
#[async_trait::async_trait]
pub trait CheckRunStore: Send + Sync {
    /// Record one run; returns its id.
    async fn record(&self, runbook_key: &str, result: &CheckResult) -> StoreResult<i64>;
    /// The newest result of each check of a runbook, by check id.
    async fn latest(&self, runbook_key: &str) -> StoreResult<Vec<CheckResult>>;
}

/// API tokens by the SHA-256 of their secret.
#[async_trait::async_trait]
pub trait TokenStore: Send + Sync {
    /// `Conflict` while a live token has this name.
    async fn insert(&self, name: &str, hash: &str, at: DateTime<Utc>) -> StoreResult<()>;
    /// Every token, live or revoked, by name.
    async fn list(&self) -> StoreResult<Vec<TokenInfo>>;
    /// Revoke the live token named `name`; false when there is none.
    async fn revoke(&self, name: &str, at: DateTime<Utc>) -> StoreResult<bool>;
    /// The name of the live token with this hash.
    async fn lookup(&self, hash: &str) -> StoreResult<Option<String>>;
}
