//! Long-lived responses (event streams, the streamed check run): how many
//! may be open, over all clients and per client address, and the one
//! shutdown signal that ends them all. Without it a single open stream held
//! the graceful shutdown forever.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use futures_util::{Stream, StreamExt};
use http::request::Parts;
use ipnet::IpNet;
use tokio_util::sync::CancellationToken;

use crate::config::HttpConfig;
use crate::error::AppError;

/// Open streams per client, and the caps they must stay under.
pub struct Streams {
    shutdown: CancellationToken,
    trusted_proxies: Vec<IpNet>,
    max_total: usize,
    max_per_client: usize,
    open: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    total: usize,
    per_client: HashMap<IpAddr, usize>,
}

/// A slot in the caps, given back when the stream is dropped.
pub struct StreamSlot {
    streams: Arc<Streams>,
    client: IpAddr,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let Ok(mut open) = self.streams.open.lock() else {
            return;
        };
        open.total = open.total.saturating_sub(1);
        if let Some(count) = open.per_client.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                open.per_client.remove(&self.client);
            }
        }
    }
}

impl Streams {
    pub fn new(
        http: &HttpConfig,
        trusted_proxies: Vec<IpNet>,
        shutdown: CancellationToken,
    ) -> Self {
        Streams {
            shutdown,
            trusted_proxies,
            max_total: http.max_streams,
            max_per_client: http.max_streams_per_client,
            open: Mutex::new(Counts::default()),
        }
    }

    /// Take a slot for an event stream of the client of `parts`, or 503.
    pub fn open(self: &Arc<Self>, parts: &Parts) -> Result<StreamSlot, AppError> {
        let client = super::client_addr::of(parts, &self.trusted_proxies);
        self.open_for(client)
    }

    fn open_for(self: &Arc<Self>, client: IpAddr) -> Result<StreamSlot, AppError> {
        let mut open = self
            .open
            .lock()
            .map_err(|_| AppError::Internal("stream counts poisoned".into()))?;
        if open.total >= self.max_total {
            return Err(AppError::Unavailable(format!(
                "{} event streams are open, the most the portal keeps (http.max_streams)",
                open.total
            )));
        }
        let mine = open.per_client.entry(client).or_default();
        if *mine >= self.max_per_client {
            return Err(AppError::Unavailable(format!(
                "{mine} event streams are open from {client}, the most per client (http.max_streams_per_client)"
            )));
        }
        *mine += 1;
        open.total += 1;
        Ok(StreamSlot {
            streams: self.clone(),
            client,
        })
    }

    /// `stream` ending at shutdown, and holding `slot` (if any) while it lives.
    pub fn bind<S: Stream + Send + 'static>(
        &self,
        stream: S,
        slot: Option<StreamSlot>,
    ) -> impl Stream<Item = S::Item> + Send + use<S>
    where
        S::Item: Send,
    {
        stream
            .take_until(self.shutdown.clone().cancelled_owned())
            .map(move |item| {
                let _held = &slot;
                item
            })
    }

    #[cfg(test)]
    fn total(&self) -> usize {
        self.open.lock().map(|o| o.total).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streams(total: usize, per_client: usize) -> Arc<Streams> {
        let http = HttpConfig {
            max_streams: total,
            max_streams_per_client: per_client,
            ..Default::default()
        };
        Arc::new(Streams::new(&http, Vec::new(), CancellationToken::new()))
    }

    #[test]
    fn caps_hold_and_slots_come_back() {
        let s = streams(3, 2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let a1 = s.open_for(a).unwrap();
        let _a2 = s.open_for(a).unwrap();
        assert!(
            matches!(s.open_for(a), Err(AppError::Unavailable(_))),
            "per client"
        );
        let _b1 = s.open_for(b).unwrap();
        assert!(
            matches!(s.open_for(b), Err(AppError::Unavailable(_))),
            "global"
        );
        drop(a1);
        assert_eq!(s.total(), 2);
        assert!(s.open_for(b).is_ok());
    }

    #[tokio::test]
    async fn bound_streams_end_at_shutdown_and_free_their_slot() {
        let token = CancellationToken::new();
        let http = HttpConfig::default();
        let s = Arc::new(Streams::new(&http, Vec::new(), token.clone()));
        let slot = s.open_for("192.0.2.1".parse().unwrap()).unwrap();
        let mut bound = Box::pin(s.bind(futures_util::stream::pending::<u8>(), Some(slot)));
        assert_eq!(s.total(), 1);
        token.cancel();
        assert_eq!(bound.next().await, None);
        drop(bound);
        assert_eq!(s.total(), 0);
    }
}
