//! The live feed of committed timeline events, behind a trait so a backend
//! shared by several replicas can feed it from the database (PostgreSQL:
//! `LISTEN/NOTIFY` into the same local broadcast) instead of in-process.

use std::sync::atomic::{AtomicU64, Ordering};

use portal_types::TimelineEvent;
use tokio::sync::broadcast;

/// Viewers subscribe; the timeline publishes after every commit.
pub trait TimelineFeed: Send + Sync {
    /// Announce one commit's events (possibly none). Called only once they
    /// are durable, so a viewer never sees an event that could be lost.
    fn publish(&self, events: Vec<TimelineEvent>);
    /// Every event published from now on.
    fn subscribe(&self) -> broadcast::Receiver<TimelineEvent>;
    /// Changes whenever a commit is published; pages cached before are stale.
    fn version(&self) -> u64;
}

/// One process's feed: a Tokio broadcast channel. Enough for SQLite, whose
/// file is written by one portal at a time.
pub struct BroadcastFeed {
    events: broadcast::Sender<TimelineEvent>,
    commits: AtomicU64,
}

impl BroadcastFeed {
    /// `capacity`: events a slow viewer may lag behind before it misses some.
    pub fn new(capacity: usize) -> BroadcastFeed {
        BroadcastFeed {
            events: broadcast::channel(capacity).0,
            commits: AtomicU64::new(0),
        }
    }
}

impl Default for BroadcastFeed {
    fn default() -> BroadcastFeed {
        BroadcastFeed::new(1024)
    }
}

impl TimelineFeed for BroadcastFeed {
    fn publish(&self, events: Vec<TimelineEvent>) {
        self.commits.fetch_add(1, Ordering::AcqRel);
        for event in events {
            // No receiver is not an error: nobody is watching.
            let _ = self.events.send(event);
        }
    }

    fn subscribe(&self) -> broadcast::Receiver<TimelineEvent> {
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
        feed.publish(Vec::new());
        assert_eq!(feed.version(), 1, "a commit with no events still counts");
        let event = TimelineEvent {
            id: 1,
            incident_id: 7,
            at: chrono::Utc::now(),
            actor: "a".into(),
            kind: "note".into(),
            summary: String::new(),
            payload: serde_json::json!({}),
        };
        feed.publish(vec![event]);
        assert_eq!(feed.version(), 2);
        assert_eq!(viewer.recv().await.unwrap().incident_id, 7);
    }
}
