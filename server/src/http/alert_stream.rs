//! `GET /api/v1/alerts/stream`: Server-Sent Events of alert-state changes.
//!
//! A subscriber gets one `state` event (everything it asked for), then one
//! `alert` event per alert name whose group changed and an `upstreams` event
//! when an upstream's health changes — never a full dump per interval. Event
//! ids are snapshot versions; a reconnect with `Last-Event-ID` gets a fresh
//! `state` only if something it cares about changed meanwhile.
//!
//! Every stream reads the hub's `watch` channel, which holds only the latest
//! snapshot: a slow subscriber skips intermediate versions (the change
//! bookkeeping still tells it every alert name that changed since the last
//! version it saw) and never buffers more than one snapshot's events, nor
//! slows the pollers or other subscribers.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use http::request::Parts;
use serde::Deserialize;
use tokio::sync::watch;

use super::AppState;
use crate::error::{AppError, Result};
use portal_core::alerts::AlertSnapshot;
use portal_core::metrics::SseGuard;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct StreamQuery {
    /// Only this alert name.
    pub alertname: Option<String>,
    /// Only the alert of this runbook (`group/Alert`).
    pub runbook: Option<String>,
}

/// Subscribe to alert-state changes.
#[utoipa::path(get, path = "/api/v1/alerts/stream", tag = "alerts",
    params(StreamQuery, ("Last-Event-ID" = Option<String>, Header, description = "resume after this event")),
    responses(
        (status = 200, description = "`text/event-stream` of `state` (LiveState), `alert` (AlertGroup) and `upstreams` ([UpstreamHealth]) events", body = String, content_type = "text/event-stream"),
        (status = 400, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 503, description = "too many streams open (`Retry-After` says when to retry)", body = crate::error::ErrorBody)))]
pub async fn stream(
    State(state): State<AppState>,
    Query(query): Query<StreamQuery>,
    parts: Parts,
) -> Result<Sse<impl Stream<Item = std::result::Result<Event, Infallible>>>> {
    let filter = match (query.alertname, query.runbook) {
        (Some(_), Some(_)) => {
            return Err(AppError::BadRequest(
                "give alertname or runbook, not both".into(),
            ));
        }
        (Some(name), None) if name.trim().is_empty() => {
            return Err(AppError::BadRequest("alertname is empty".into()));
        }
        (Some(name), None) => Some(name),
        (None, Some(key)) => {
            let index = state.core.runbooks.index();
            let runbook = index
                .get(&key)
                .ok_or_else(|| AppError::NotFound(format!("no runbook {key}")))?;
            Some(runbook.alert.clone())
        }
        (None, None) => None,
    };
    let slot = state.streams.open(&parts)?;
    let hub = state.core.alerts.clone();
    let mut rx = hub.subscribe();
    let current = rx.borrow_and_update().clone();
    let resume = parts
        .headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|id| hub.version_of(id))
        .filter(|&v| v <= current.version);
    let mut subscriber = Subscriber {
        rx,
        filter,
        last: current.version,
        queue: VecDeque::new(),
        closed: Box::pin(hub.closed()),
        _guard: state.core.metrics.sse_opened(),
        metrics: state.core.metrics.clone(),
    };
    match resume {
        Some(seen) => subscriber.queue_changes(&current, seen, true),
        None => subscriber.queue_state(&current),
    }
    let events = futures_util::stream::unfold(subscriber, |mut sub| async move {
        loop {
            if let Some(event) = sub.queue.pop_front() {
                sub.metrics.sse_event();
                return Some((Ok(event), sub));
            }
            tokio::select! {
                // Err: the hub is gone; end the stream.
                changed = sub.rx.changed() => changed.ok()?,
                () = &mut sub.closed => return None,
            }
            let snapshot = sub.rx.borrow_and_update().clone();
            let seen = sub.last;
            sub.queue_changes(&snapshot, seen, false);
        }
    });
    let events = state.streams.bind(events, Some(slot));
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(hub.keepalive())))
}

struct Subscriber {
    rx: watch::Receiver<Arc<AlertSnapshot>>,
    filter: Option<String>,
    /// Version of the last snapshot this subscriber was brought up to.
    last: u64,
    queue: VecDeque<Event>,
    /// Resolves at server shutdown.
    closed: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
    _guard: SseGuard,
    metrics: Arc<portal_core::metrics::Metrics>,
}

impl Subscriber {
    fn queue_state(&mut self, snapshot: &AlertSnapshot) {
        let json = snapshot.live_state_json(self.filter.as_deref());
        self.push_json(snapshot, "state", &json);
        self.last = snapshot.version;
    }

    /// Queue what changed after version `seen`; on resume, a whole `state`
    /// replaces the individual events.
    fn queue_changes(&mut self, snapshot: &AlertSnapshot, seen: u64, resume: bool) {
        let health = snapshot.upstreams_changed > seen;
        let names: Vec<String> = match &self.filter {
            Some(name) => {
                let changed = snapshot.changed.get(name).is_some_and(|&v| v > seen);
                // Upstream health decides "unreachable" for an empty group.
                if changed || health {
                    vec![name.clone()]
                } else {
                    Vec::new()
                }
            }
            None => snapshot
                .changed_since(seen)
                .into_iter()
                .map(str::to_string)
                .collect(),
        };
        if resume {
            if health || !names.is_empty() {
                self.queue_state(snapshot);
            }
            self.last = snapshot.version;
            return;
        }
        if health {
            self.push(snapshot, "upstreams", &snapshot.upstreams);
        }
        for name in names {
            let json = snapshot.group_json(&name);
            self.push_json(snapshot, "alert", &json);
        }
        self.last = snapshot.version;
    }

    /// Queue an event whose data is already JSON (shared across subscribers).
    fn push_json(&mut self, snapshot: &AlertSnapshot, kind: &str, json: &str) {
        self.queue
            .push_back(Event::default().event(kind).id(&snapshot.id).data(json));
    }

    fn push<T: serde::Serialize>(&mut self, snapshot: &AlertSnapshot, kind: &str, data: &T) {
        match Event::default()
            .event(kind)
            .id(&snapshot.id)
            .json_data(data)
        {
            Ok(event) => self.queue.push_back(event),
            Err(e) => tracing::error!(error = %e, "cannot encode SSE event"),
        }
    }
}
