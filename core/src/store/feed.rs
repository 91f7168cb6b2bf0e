//! The live feed of committed timeline events, behind a trait so a backend
//! shared by several replicas can feed it from the database (PostgreSQL
//! re-reads new events in commit order on every notification) instead of
//! in-process.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::broadcast;

use super::EventRecord;

/// The timeline tells the feed of each commit; viewers subscribe.
pub trait TimelineFeed: Send + Sync {
    /// One commit's events (possibly none), called once they are durable,
    /// so a viewer never sees an event that could be lost.
    fn committed(&self, events: Vec<EventRecord>);
    /// Every event committed from now on, by any portal sharing the
    /// database, in commit order.
    fn subscribe(&self) -> broadcast::Receiver<EventRecord>;
    /// Changes whenever a commit is known; pages cached before are stale.
    fn version(&self) -> u64;
}

/// Events a slow viewer may lag behind before it misses some.
pub const FEED_CAPACITY: usize = 1024;

/// One process's feed: a Tokio broadcast channel. Enough for SQLite, whose
/// file is written by one portal at a time.
pub struct BroadcastFeed {
    events: broadcast::Sender<EventRecord>,
    commits: AtomicU64,
}

impl BroadcastFeed {
    pub fn new(capacity: usize) -> BroadcastFeed {
        BroadcastFeed {
            events: broadcast::channel(capacity).0,
            commits: AtomicU64::new(0),
        }
    }
}

impl Default for BroadcastFeed {
    fn default() -> BroadcastFeed {
        BroadcastFeed::new(FEED_CAPACITY)
    }
}

impl TimelineFeed for BroadcastFeed {
    fn committed(&self, events: Vec<EventRecord>) {
        self.commits.fetch_add(1, Ordering::AcqRel);
        for event in events {
            // No receiver is not an error: nobody is watching.
            let _ = self.events.send(event);
        }
    }

    fn subscribe(&self) -> broadcast::Receiver<EventRecord> {
        self.events.subscribe()
    }

    fn version(&self) -> u64 {
        self.commits.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_commit_bumps_the_version_and_reaches_subscribers() {
        let feed = BroadcastFeed::new(4);
        let mut viewer = feed.subscribe();
        feed.committed(Vec::new());
        assert_eq!(feed.version(), 1, "a commit with no events still counts");
        let event = EventRecord {
            id: 1,
            incident_id: 7,
            at: chrono::Utc::now(),
            actor: "a".into(),
            kind: "note".into(),
            payload: serde_json::json!({}),
        };
        feed.committed(vec![event]);
        assert_eq!(feed.version(), 2);
        assert_eq!(viewer.recv().await.unwrap().incident_id, 7);
    }
}
