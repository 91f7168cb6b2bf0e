//! Which shared data another portal changed: the wake-up signal of a
//! backend several replicas write (PostgreSQL's `LISTEN/NOTIFY`). A wake-up
//! carries no data; whoever follows a topic re-reads what it has not seen
//! from the tables, so a lost or merged notification costs nothing.

use std::time::Duration;

use tokio::sync::watch;

/// What a portal follows across replicas; one notification channel each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// Incident timeline events were committed.
    Timeline,
    /// Runbook revisions were committed.
    Revisions,
    /// The poller leader published an alert snapshot.
    Alerts,
}

impl Topic {
    pub const ALL: [Topic; 3] = [Topic::Timeline, Topic::Revisions, Topic::Alerts];

    /// The channel name (the migrations' triggers notify the same names).
    pub fn channel(self) -> &'static str {
        match self {
            Topic::Timeline => "portal_timeline",
            Topic::Revisions => "portal_revisions",
            Topic::Alerts => "portal_alerts",
        }
    }
}

pub trait Changes: Send + Sync {
    /// A counter that moves on every change of `topic` made by any portal,
    /// and on every topic whenever the backend may have missed some (a
    /// reconnect). `None` when no other process writes this database
    /// (SQLite): then only a poll can tell.
    fn follow(&self, topic: Topic) -> Option<watch::Receiver<u64>>;
}

/// A backend that one process writes.
pub struct Unshared;

impl Changes for Unshared {
    fn follow(&self, _topic: Topic) -> Option<watch::Receiver<u64>> {
        None
    }
}

/// Wait for the next wake-up from `wakes` or until `poll` has passed,
/// whichever comes first: how a follower combines notifications with its
/// safety poll. A wake-up source that closed is dropped, leaving the poll.
pub async fn wake_or_poll(wakes: &mut Option<watch::Receiver<u64>>, poll: Duration) {
    let woken = async {
        match wakes.as_mut() {
            Some(rx) => rx.changed().await.is_ok(),
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        still_listening = woken => {
            if !still_listening {
                *wakes = None;
            }
        }
        () = tokio::time::sleep(poll) => {}
    }
}
