//! The timeline feed of a database several portals share. A commit's own
//! events are not broadcast directly: every commit, local or another
//! replica's, is read back from `incident_events` by id, so viewers on
//! every replica see the same events in the same order, each once.
//!
//! Reading by id is gap-free because ids are visible in commit order: every
//! incidents transaction holds one cluster-wide lock from its start to its
//! commit (`incidents::PgIncidents::begin`), so no smaller id can commit
//! after a larger one has been read.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, broadcast, watch};

use super::incidents::{EVENT_COLUMNS, event_from_row};
use super::{Db, store_error};
use crate::store::changes::wake_or_poll;
use crate::store::feed::FEED_CAPACITY;
use crate::store::{EventRecord, StoreResult, TimelineFeed};

/// A re-read even without any notification: the safety net under
/// `LISTEN`, which a proxy or a restart can silently interrupt.
const SAFETY_POLL: Duration = Duration::from_secs(5);
/// Events read per query while catching up.
const BATCH: i64 = 500;

pub(super) struct PgFeed {
    shared: Arc<Shared>,
}

struct Shared {
    events: broadcast::Sender<EventRecord>,
    commits: AtomicU64,
    /// A local commit: read now rather than when its notification arrives.
    poke: Notify,
}

impl PgFeed {
    /// Start after the newest event (viewers see what is committed from
    /// now on) and follow `wakes` (the timeline topic's notifications).
    pub(super) async fn start(db: Db, wakes: Option<watch::Receiver<u64>>) -> StoreResult<PgFeed> {
        let newest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM incident_events")
            .fetch_one(&db.pool)
            .await
            .map_err(store_error)?;
        let shared = Arc::new(Shared {
            events: broadcast::channel(FEED_CAPACITY).0,
            commits: AtomicU64::new(0),
            poke: Notify::new(),
        });
        tokio::spawn(follow(db, shared.clone(), wakes, newest));
        Ok(PgFeed { shared })
    }
}

impl TimelineFeed for PgFeed {
    fn committed(&self, _events: Vec<EventRecord>) {
        // Cached pages are stale at once; the events follow from the table.
        self.shared.commits.fetch_add(1, Ordering::AcqRel);
        self.shared.poke.notify_one();
    }

    fn subscribe(&self) -> broadcast::Receiver<EventRecord> {
        self.shared.events.subscribe()
    }

    fn version(&self) -> u64 {
        self.shared.commits.load(Ordering::Acquire)
    }
}

/// Wait for a reason to look (a notification, a local commit, the safety
/// poll), then broadcast every event after the last one seen.
async fn follow(
    db: Db,
    shared: Arc<Shared>,
    mut wakes: Option<watch::Receiver<u64>>,
    mut seen: i64,
) {
    loop {
        tokio::select! {
            () = wake_or_poll(&mut wakes, SAFETY_POLL) => {}
            () = shared.poke.notified() => {}
        }
        match catch_up(&db, &shared, seen).await {
            Ok(newest) => seen = newest,
            Err(sqlx::Error::PoolClosed) => return,
            Err(error) => tracing::warn!(%error, "reading new timeline events failed; retrying"),
        }
    }
}

/// Broadcast the events after `seen`, oldest first; the newest id sent.
async fn catch_up(db: &Db, shared: &Shared, mut seen: i64) -> sqlx::Result<i64> {
    loop {
        let rows = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM incident_events WHERE id > $1 ORDER BY id LIMIT $2"
        ))
        .bind(seen)
        .bind(BATCH)
        .fetch_all(&db.pool)
        .await?;
        let count = rows.len();
        if count > 0 {
            // Another replica's commit makes cached pages stale too.
            shared.commits.fetch_add(1, Ordering::AcqRel);
        }
        for row in &rows {
            match event_from_row(row) {
                Ok(event) => {
                    seen = event.id;
                    let _ = shared.events.send(event);
                }
                Err(error) => {
                    tracing::warn!(%error, "a timeline event could not be read; skipped");
                    // Move past it rather than stall every viewer on it.
                    seen = sqlx::Row::try_get(row, "id").unwrap_or(seen + 1);
                }
            }
        }
        if count < BATCH as usize {
            return Ok(seen);
        }
    }
}
