//! One poller leader among the portals sharing a database. The leader polls
//! (the pollers run only while `AlertHub::leading` is set) and publishes its
//! slots, the raw per-upstream data and health, after every change and at
//! least once per interval. The others install the newest published slots
//! and build their own snapshot from them, so runbook joins, versions and
//! SSE ids stay per process. Every interval a follower tries to lead, so a
//! dead leader is replaced within about two intervals; until then, a picture
//! older than two intervals is shown as stale.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::AlertHub;
use super::snapshot::Slot;
use crate::metrics::Metrics;
use crate::store::{AlertSnapshots, Leadership, Published, StoreError};

/// What a follower needs to take part: the database's election and its
/// wake-ups for new pictures (`None`: the slow poll alone).
pub struct Election {
    pub snapshots: Arc<dyn AlertSnapshots>,
    pub wake: Option<watch::Receiver<u64>>,
}

/// What the leader publishes.
#[derive(Debug, Serialize, Deserialize)]
pub struct Picture {
    pub slots: Vec<Slot>,
}

/// Elect, lead, follow, until the hub is dropped.
pub(super) async fn run(
    hub: Weak<AlertHub>,
    election: Election,
    interval: Duration,
    metrics: Arc<Metrics>,
) {
    let Some(me) = hub.upgrade().map(|h| identity(&h.boot)) else {
        return;
    };
    let Election {
        snapshots,
        mut wake,
    } = election;
    let mut follower = Follower::default();
    loop {
        // Bounded, so a hung database cannot stop the stale marks below.
        let attempt = tokio::time::timeout(interval, snapshots.try_lead(&me)).await;
        match attempt.unwrap_or_else(|_| Err(StoreError::Busy("no answer".into()))) {
            Ok(Some(lead)) => {
                let Some(strong) = hub.upgrade() else { return };
                tracing::info!(leader = %me, "poller leader: this portal polls the upstreams");
                metrics.set_alerts_leader(true);
                strong.leading.send_replace(true);
                drop(strong);
                let last = lead_until_lost(&hub, lead, interval).await;
                metrics.set_alerts_leader(false);
                let Some(strong) = hub.upgrade() else { return };
                strong.leading.send_replace(false);
                tracing::info!(leader = %me, "poller follower: serving the leader's snapshots");
                // Our own last publish counts as the newest seen, so if the
                // database stays away our stopped pollers' data turns stale.
                follower = Follower {
                    seen: last.map(|(at, read_at)| (at, Duration::ZERO, read_at)),
                    ..Follower::default()
                };
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "poller election failed; trying again"),
        }
        // Follow for one interval: read on every wake-up, and once at least.
        let next_try = tokio::time::Instant::now() + interval;
        loop {
            let Some(strong) = hub.upgrade() else { return };
            follower.refresh(&strong, &*snapshots, interval).await;
            drop(strong);
            let woken = async {
                match wake.as_mut() {
                    Some(rx) => rx.changed().await.is_ok(),
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = tokio::time::sleep_until(next_try) => break,
                alive = woken => if !alive { wake = None },
            }
        }
    }
}

/// `host/pid/boot`, naming the leader in the table and the logs.
fn identity(boot: &str) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".into());
    format!("{host}/{}/{boot}", std::process::id())
}

/// Publish after every change (a short pause merges the pollers' records
/// of one round) and at least once per interval, which also proves the
/// lock's connection alive. Returns when leadership may be lost, with the
/// time of the last publish or heartbeat.
async fn lead_until_lost(
    hub: &Weak<AlertHub>,
    mut lead: Box<dyn Leadership>,
    interval: Duration,
) -> Option<(DateTime<Utc>, Instant)> {
    let mut done = None;
    let Some(mut changes) = hub.upgrade().map(|h| h.subscribe()) else {
        return done;
    };
    let merge = (interval / 4).min(Duration::from_millis(250));
    let mut last: Option<String> = None;
    loop {
        tokio::select! {
            changed = changes.changed() => {
                if changed.is_err() {
                    return done;
                }
                tokio::time::sleep(merge).await;
                changes.borrow_and_update();
            }
            () = tokio::time::sleep(interval) => {}
        }
        let Some(json) = hub.upgrade().map(|h| h.picture_json()) else {
            return done;
        };
        let Some(json) = json else { continue };
        let step = async {
            if last.as_deref() == Some(json.as_str()) {
                lead.heartbeat().await
            } else {
                lead.publish(&json).await.map(|_| ())
            }
        };
        // Two intervals, as long as followers wait before calling the
        // picture stale: a leader that merely stalled (a loaded machine, a
        // slow commit) keeps its lock instead of handing over to a replica
        // that talks to the same database.
        match tokio::time::timeout(interval * 2, step).await {
            Ok(Ok(())) => {
                last = Some(json);
                done = Some((Utc::now(), Instant::now()));
            }
            Ok(Err(error)) => {
                tracing::warn!(%error, "poller leader lost its database session; stepping down");
                return done;
            }
            Err(_) => {
                tracing::warn!("poller leader's database session stopped answering; stepping down");
                return done;
            }
        }
    }
}

/// What a follower knows of the newest published picture.
#[derive(Default)]
struct Follower {
    /// The version installed.
    known: Option<i64>,
    /// The newest publish time seen, its age then, and when it was read.
    seen: Option<(DateTime<Utc>, Duration, Instant)>,
    /// Set while the slots are marked "no snapshot since".
    silent: Option<DateTime<Utc>>,
}

impl Follower {
    async fn refresh(&mut self, hub: &AlertHub, store: &dyn AlertSnapshots, interval: Duration) {
        let latest = |known| async move {
            tokio::time::timeout(interval, store.latest(known))
                .await
                .unwrap_or_else(|_| Err(StoreError::Busy("no answer".into())))
        };
        let mut read = latest(self.known).await;
        // Back from silence with nothing new: read the picture again so
        // installing it clears the marks.
        if self.silent.is_some()
            && matches!(&read, Ok(Some(p)) if p.body.is_none() && p.age <= interval * 2)
        {
            read = latest(None).await;
        }
        let mut picture = None;
        match read {
            Ok(Some(published)) => picture = self.take(published),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "cannot read the poller leader's snapshot"),
        }
        let silent = self
            .seen
            .and_then(|(at, age, read_at)| (age + read_at.elapsed() > interval * 2).then_some(at));
        if picture.is_some() || silent != self.silent {
            hub.install(picture, silent);
            self.silent = silent;
        }
    }

    /// Note a read; its picture when it carries a new one.
    fn take(&mut self, published: Published) -> Option<Picture> {
        self.seen = Some((published.published_at, published.age, Instant::now()));
        let body = published.body?;
        self.known = Some(published.version);
        match serde_json::from_str::<Picture>(&body) {
            Ok(picture) => Some(picture),
            Err(error) => {
                tracing::warn!(%error, version = published.version, "cannot read a published alert snapshot");
                None
            }
        }
    }
}

/// The error a follower shows for every upstream while no leader publishes.
pub fn silence_error(since: DateTime<Utc>) -> String {
    format!(
        "no snapshot from the poller leader since {}",
        since.to_rfc3339_opts(SecondsFormat::Secs, true)
    )
}

impl AlertHub {
    /// The slots as the leader publishes them; `None` if they cannot be
    /// encoded (never, for plain data).
    fn picture_json(&self) -> Option<String> {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let picture = Picture {
            slots: slots.clone(),
        };
        drop(slots);
        serde_json::to_string(&picture)
            .map_err(|error| tracing::error!(%error, "cannot encode the alert snapshot"))
            .ok()
    }

    /// Install a published picture (each slot by kind and name: an upstream
    /// the leader does not poll keeps its own slot, marked stale), then mark
    /// every upstream stale when no leader has published since `silent`.
    pub(super) fn install(&self, picture: Option<Picture>, silent: Option<DateTime<Utc>>) {
        let now = Utc::now();
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(picture) = picture {
            for slot in slots.iter_mut() {
                let published = picture.slots.iter().find(|p| {
                    p.health.kind == slot.health.kind && p.health.name == slot.health.name
                });
                match published {
                    Some(p) => {
                        slot.data = p.data.clone();
                        slot.health.last_success = p.health.last_success;
                        slot.health.last_error = p.health.last_error.clone();
                        slot.health.stale_since = p.health.stale_since;
                    }
                    None => {
                        slot.health.last_error =
                            Some("the poller leader does not poll this upstream".into());
                        slot.health.stale_since.get_or_insert(now);
                    }
                }
            }
        }
        if let Some(since) = silent {
            for slot in slots.iter_mut() {
                slot.health.last_error = Some(silence_error(since));
                let stale = slot.health.stale_since.map_or(since, |s| s.min(since));
                slot.health.stale_since = Some(stale);
            }
        }
        self.publish_locked(&slots);
    }
}
