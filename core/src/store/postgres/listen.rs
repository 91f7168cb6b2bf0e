//! One `LISTEN` connection per process for every [`Topic`], turned into
//! wake-up counters. sqlx's `PgListener` reconnects on its own but drops
//! what was sent while it was away, so every reconnect wakes every topic:
//! followers then catch up from the tables.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::watch;

use super::store_error;
use crate::store::StoreResult;
use crate::store::changes::{Changes, Topic};

/// How long to wait before listening again after the listener failed.
const RETRY: Duration = Duration::from_secs(1);

pub(super) struct Listener {
    wakes: Arc<HashMap<Topic, watch::Sender<u64>>>,
}

impl Listener {
    /// Listen on every topic's channel; fails if the first `LISTEN` does,
    /// so a database that refuses it is a start-up error, not a silent one.
    pub(super) async fn start(pool: &PgPool) -> StoreResult<Listener> {
        let mut listener = PgListener::connect_with(pool).await.map_err(store_error)?;
        listener
            .listen_all(Topic::ALL.iter().map(|t| t.channel()))
            .await
            .map_err(store_error)?;
        let wakes: HashMap<Topic, watch::Sender<u64>> = Topic::ALL
            .iter()
            .map(|&topic| (topic, watch::channel(0).0))
            .collect();
        let wakes = Arc::new(wakes);
        tokio::spawn(run(listener, wakes.clone()));
        Ok(Listener { wakes })
    }
}

impl Changes for Listener {
    fn follow(&self, topic: Topic) -> Option<watch::Receiver<u64>> {
        self.wakes.get(&topic).map(watch::Sender::subscribe)
    }
}

fn wake(wakes: &HashMap<Topic, watch::Sender<u64>>, topic: Topic) {
    if let Some(sender) = wakes.get(&topic) {
        sender.send_modify(|n| *n += 1);
    }
}

async fn run(mut listener: PgListener, wakes: Arc<HashMap<Topic, watch::Sender<u64>>>) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                let topic = Topic::ALL
                    .into_iter()
                    .find(|t| t.channel() == notification.channel());
                if let Some(topic) = topic {
                    wake(&wakes, topic);
                }
            }
            // The connection was lost; the next call reconnects. Whatever
            // was notified meanwhile is gone: every follower re-reads.
            Ok(None) => {
                tracing::warn!("database notifications interrupted; catching up");
                Topic::ALL.into_iter().for_each(|t| wake(&wakes, t));
            }
            Err(sqlx::Error::PoolClosed) => return,
            Err(error) => {
                tracing::warn!(%error, "listening for database notifications failed; retrying");
                tokio::time::sleep(RETRY).await;
                Topic::ALL.into_iter().for_each(|t| wake(&wakes, t));
            }
        }
    }
}
