//! The one database pool: SQLite in WAL mode, foreign keys on, a busy
//! timeout, and the embedded migrations applied at start.

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::error::{Error, Result};

/// Migrations from `migrations/`, compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Connect to `database` (a sqlx URL or a plain file path, created if
/// missing) and bring its schema up to date.
pub async fn connect(database: &str) -> Result<SqlitePool> {
    check_scheme(database)?;
    let options = if database.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(database)?
    } else {
        SqliteConnectOptions::new()
            .filename(database)
            .create_if_missing(true)
    };
    let options = options
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a commit is on disk (the WAL fsynced) before it returns, so
        // an event the portal said it saved survives power loss. NORMAL
        // survives only a process crash. Group commit (incidents/batch.rs)
        // pays the fsync once per batch, not once per event.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    MIGRATOR
        .run(&pool)
        .await
        .map_err(|e| Error::Internal(format!("migrations failed: {e}")))?;
    Ok(pool)
}

/// Only SQLite is built in: any other URL scheme is refused by name rather
/// than opened as a file called `postgres://…`.
fn check_scheme(database: &str) -> Result<()> {
    let Some((scheme, _)) = database.split_once("://") else {
        return Ok(());
    };
    match scheme.to_ascii_lowercase().as_str() {
        "sqlite" => Ok(()),
        "postgres" | "postgresql" => Err(Error::Internal(
            "PostgreSQL is not supported yet: use a SQLite file path or a sqlite:// URL".into(),
        )),
        other => Err(Error::Internal(format!(
            "unsupported database URL scheme {other:?}: use a SQLite file path or a sqlite:// URL"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn plain_path_and_url_both_work_and_use_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let pool = connect(path.to_str().unwrap()).await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        // 2 = FULL: an acknowledged commit survives power loss.
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(synchronous, 2);
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("b.db").display());
        connect(&url).await.unwrap();
        assert!(dir.path().join("b.db").exists());
    }

    #[tokio::test]
    async fn other_schemes_are_refused_by_name() {
        for url in ["postgres://portal@db/portal", "postgresql://db/portal"] {
            let error = connect(url).await.unwrap_err().to_string();
            assert!(error.contains("PostgreSQL is not supported"), "{error}");
        }
        let error = connect("mysql://db/portal").await.unwrap_err().to_string();
        assert!(error.contains("unsupported database URL scheme"), "{error}");
    }
}
