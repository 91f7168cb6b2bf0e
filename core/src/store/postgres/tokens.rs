//! API tokens in PostgreSQL; a partial unique index keeps live names unique.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Db, store_error};
use crate::store::TokenInfo;
use crate::store::{StoreResult, TokenStore};

pub(super) struct PgTokens(pub(super) Db);

#[async_trait::async_trait]
impl TokenStore for PgTokens {
    async fn insert(&self, name: &str, hash: &str, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("INSERT INTO api_tokens (name, hash, created_at) VALUES ($1, $2, $3)")
            .bind(name)
            .bind(hash)
            .bind(at)
            .execute(&self.0.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn list(&self) -> StoreResult<Vec<TokenInfo>> {
        sqlx::query("SELECT name, created_at, revoked_at FROM api_tokens ORDER BY name, id")
            .fetch_all(&self.0.pool)
            .await
            .map_err(store_error)?
            .iter()
            .map(|row| -> sqlx::Result<TokenInfo> {
                Ok(TokenInfo {
                    name: row.try_get("name")?,
                    created_at: row.try_get("created_at")?,
                    revoked_at: row.try_get("revoked_at")?,
                })
            })
            .collect::<sqlx::Result<Vec<_>>>()
            .map_err(store_error)
    }

    async fn revoke(&self, name: &str, at: DateTime<Utc>) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL",
        )
        .bind(name)
        .bind(at)
        .execute(&self.0.pool)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() > 0)
    }

    async fn lookup(&self, hash: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT name FROM api_tokens WHERE hash = $1 AND revoked_at IS NULL")
            .bind(hash)
            .fetch_optional(&self.0.pool)
            .await
            .map_err(store_error)
    }
}
