//! A micro-cache for server-rendered pages. When an alert fires, many
//! responders open the same runbook link within seconds; rendering it once
//! per state instead of once per request keeps the portal fast exactly then.
//!
//! An entry is keyed by the URL (path and query: the labels) and by the
//! version of everything a page shows — the runbook index, the alert
//! snapshot, the incident timelines and the check results — so any change
//! makes the next request render afresh. Entries also expire after
//! [`TTL`], which bounds how stale time-relative text ("5 s ago") and
//! graphs can be. Only complete `200` answers to plain GETs are kept.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, StatusCode};

use super::AppState;

/// How long a rendered page may be served again.
pub const TTL: Duration = Duration::from_secs(2);
/// Most pages kept; past it, expired ones go, then everything.
const MAX_ENTRIES: usize = 512;
/// Largest page kept.
const MAX_BODY: usize = 4 * 1024 * 1024;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    uri: String,
    versions: [u64; 4],
}

struct Entry {
    headers: HeaderMap,
    body: Bytes,
    stored: Instant,
}

#[derive(Default)]
pub struct PageCache {
    entries: Mutex<HashMap<Key, Entry>>,
}

impl PageCache {
    fn get(&self, key: &Key) -> Option<(HeaderMap, Bytes)> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        (entry.stored.elapsed() < TTL).then(|| (entry.headers.clone(), entry.body.clone()))
    }

    fn put(&self, key: Key, headers: HeaderMap, body: Bytes) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| e.stored.elapsed() < TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                headers,
                body,
                stored: Instant::now(),
            },
        );
    }
}

/// Serve a page from the cache, or render it and keep it.
pub async fn cache_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let engines = &state.engines;
    let key = Key {
        uri: request
            .uri()
            .path_and_query()
            .map_or_else(String::new, |p| p.as_str().to_string()),
        versions: [
            engines.runbooks.index().generation(),
            engines.alerts.snapshot().version,
            engines.timeline.version(),
            engines.checks.store.version(),
        ],
    };
    if let Some((headers, body)) = state.pages.get(&key) {
        return (StatusCode::OK, headers, body).into_response();
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => {
            if bytes.len() <= MAX_BODY {
                state.pages.put(key, parts.headers.clone(), bytes.clone());
            }
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => {
            tracing::warn!(error = %e, "page body could not be read");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
