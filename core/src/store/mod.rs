//! The storage seam: one trait per aggregate (incidents with their timeline,
//! revisions, check runs, tokens), returning domain types and a small
//! [`StoreError`]. Engines hold `Arc<dyn …Store>` and keep every validation
//! and domain rule; a backend only stores and reads.
//!
//! A backend lives in its own module ([`sqlite`], [`postgres`]) owning its
//! SQL, its migrations directory and its write discipline. No type of a
//! backend's driver crosses this module's boundary.

pub mod changes;
#[cfg(test)]
pub(crate) mod conformance;
pub mod feed;
pub mod history;
mod incidents;
pub mod postgres;
mod records;
mod revisions;
mod snapshots;
pub mod sqlite;
pub mod transfer;

use std::sync::Arc;

pub use changes::{Changes, Topic};
pub use feed::{BroadcastFeed, TimelineFeed};
pub use history::HistoryStore;
pub use incidents::{
    EventRecord, IncidentFilter, IncidentRecord, IncidentState, IncidentStore, IncidentTx,
    NewEvent, NewIncidentRecord, StatusFilter,
};
pub use records::{CheckRunStore, TokenInfo, TokenStore};
pub use revisions::{NewRevision, Revision, RevisionStore, RevisionTx};
pub use snapshots::{AlertSnapshots, Leadership, Published};

/// What a store can fail with. Engines turn the first two into their own
/// messages where the domain knows better ("a live token named x exists").
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// A row the caller named does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A uniqueness rule of the schema refused the write.
    #[error("{0}")]
    Conflict(String),
    /// The database is saturated or locked for longer than it waits: retry.
    #[error("database busy: {0}")]
    Busy(String),
    #[error("database error: {0}")]
    Other(String),
}

pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// What the health check and shutdown need of a backend as a whole.
#[async_trait::async_trait]
pub trait Backend: Send + Sync {
    /// One round trip to the database.
    async fn ping(&self) -> StoreResult<()>;
    /// Close every connection, waiting for the ones in use.
    async fn close(&self);
}

/// Every store of one backend, the live feed of committed timeline events
/// and the signal of other portals' changes; cheap to clone. A backend's
/// `open` builds it.
#[derive(Clone)]
pub struct Stores {
    pub incidents: Arc<dyn IncidentStore>,
    pub feed: Arc<dyn TimelineFeed>,
    pub revisions: Arc<dyn RevisionStore>,
    pub checks: Arc<dyn CheckRunStore>,
    pub tokens: Arc<dyn TokenStore>,
    /// Alert transitions (the history panel).
    pub history: Arc<dyn HistoryStore>,
    /// Wake-ups when another portal changed shared data.
    changes: Arc<dyn Changes>,
    /// The poller election; `None` when one process uses the database.
    snapshots: Option<Arc<dyn AlertSnapshots>>,
    /// Both ends of a whole-database copy (`transfer::copy`).
    transfer: Arc<dyn transfer::Transfer>,
    backend: Arc<dyn Backend>,
}

impl Stores {
    /// What other portals sharing the database change (none for SQLite).
    pub fn changes(&self) -> &dyn Changes {
        &*self.changes
    }

    /// The poller election and published alert pictures, when several
    /// portals may share the database.
    pub fn alert_snapshots(&self) -> Option<Arc<dyn AlertSnapshots>> {
        self.snapshots.clone()
    }

    pub async fn ping(&self) -> StoreResult<()> {
        self.backend.ping().await
    }

    pub async fn close(&self) {
        self.backend.close().await
    }
}

/// Open the database at `url` and bring its schema up to date: a
/// `sqlite://` URL or a plain file path (created if missing) is SQLite, the
/// default; `postgres://` or `postgresql://` is PostgreSQL; any other scheme
/// is refused by name rather than opened as a file called `mysql://…`.
pub async fn open(url: &str) -> StoreResult<Stores> {
    match scheme(url).as_deref() {
        None | Some("sqlite") => sqlite::open(url, sqlite::Durability::Full).await,
        Some("postgres" | "postgresql") => postgres::open(url).await,
        Some(other) => Err(StoreError::Other(format!(
            "unsupported database URL scheme {other:?}: use a SQLite file path, a sqlite:// URL or a postgres:// URL"
        ))),
    }
}

fn scheme(url: &str) -> Option<String> {
    let (scheme, _) = url.split_once("://")?;
    Some(scheme.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    #[test]
    fn schemes_choose_the_backend() {
        assert_eq!(super::scheme("/var/lib/portal.db"), None);
        assert_eq!(
            super::scheme("sqlite://portal.db").as_deref(),
            Some("sqlite")
        );
        assert_eq!(
            super::scheme("PostgreSQL://db/portal").as_deref(),
            Some("postgresql")
        );
    }

    #[tokio::test]
    async fn other_schemes_are_refused_by_name() {
        let error = super::open("mysql://db/portal").await.err().unwrap();
        assert!(
            error
                .to_string()
                .contains("unsupported database URL scheme")
        );
    }
}
