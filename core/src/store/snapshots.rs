//! Who polls the upstreams, and what the others serve: replicas on one
//! database elect one poller leader, which publishes each picture of the
//! upstreams; the others read the newest one instead of polling, so upstream
//! load does not grow with the number of replicas. The picture is opaque JSON
//! here: the alerts engine owns its shape. A database one process uses
//! (SQLite) has none of this: that process always leads.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::StoreResult;

/// The newest published picture.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    /// Grows with every publish, whichever portal led.
    pub version: i64,
    pub published_at: DateTime<Utc>,
    /// Which portal published it (host, pid, boot).
    pub leader: String,
    /// Its age by the database's clock at the read, so replicas' clocks do
    /// not matter.
    pub age: Duration,
    /// The JSON, left out when the caller already has this version.
    pub body: Option<String>,
}

/// The election and the published pictures of one database.
#[async_trait::async_trait]
pub trait AlertSnapshots: Send + Sync {
    /// Become the leader if nobody is; `None` while another portal leads.
    async fn try_lead(&self, leader: &str) -> StoreResult<Option<Box<dyn Leadership>>>;
    /// The newest picture, its body only when its version is not `known`;
    /// `None` before the first publish.
    async fn latest(&self, known: Option<i64>) -> StoreResult<Option<Published>>;
}

/// Held while leading; dropping it steps down. Any error means the
/// leadership may be lost: the holder drops it and follows again.
#[async_trait::async_trait]
pub trait Leadership: Send {
    /// Publish a new picture; returns its version.
    async fn publish(&mut self, json: &str) -> StoreResult<i64>;
    /// Say "still leading, nothing new" (refreshes the publish time), and
    /// prove the leadership still holds.
    async fn heartbeat(&mut self) -> StoreResult<()>;
}
