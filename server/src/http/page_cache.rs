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
//!
//! The store is `moka` (a well-kept concurrent cache with TinyLFU admission)
//! bounded by bytes, not entries: a weigher counts the key, the body and the
//! headers, so a burst of distinct long URLs cannot grow memory past
//! `http.page_cache_bytes`, and expired entries go on their own.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, StatusCode};

use super::AppState;

/// How long a rendered page may be served again.
pub const TTL: Duration = Duration::from_secs(2);
/// A page heavier than this share of the budget is not kept: one huge page
/// should not evict dozens of ordinary ones.
const MAX_SHARE: u64 = 16;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    uri: String,
    versions: [u64; 4],
}

struct Entry {
    headers: HeaderMap,
    body: Bytes,
}

pub struct PageCache {
    entries: moka::sync::Cache<Key, Arc<Entry>>,
    max_entry: u64,
}

/// Bytes an entry holds: what the weigher charges it.
fn weight(key: &Key, entry: &Entry) -> u64 {
    let headers: usize = entry
        .headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    (key.uri.len() + std::mem::size_of::<Key>() + entry.body.len() + headers) as u64
}

impl PageCache {
    pub fn new(budget_bytes: u64) -> PageCache {
        let entries = moka::sync::Cache::builder()
            .max_capacity(budget_bytes)
            .weigher(|key: &Key, entry: &Arc<Entry>| {
                u32::try_from(weight(key, entry)).unwrap_or(u32::MAX)
            })
            .time_to_live(TTL)
            .build();
        PageCache {
            entries,
            max_entry: budget_bytes / MAX_SHARE,
        }
    }

    fn get(&self, key: &Key) -> Option<(HeaderMap, Bytes)> {
        let entry = self.entries.get(key)?;
        Some((entry.headers.clone(), entry.body.clone()))
    }

    fn put(&self, key: Key, headers: HeaderMap, body: Bytes) {
        let entry = Entry { headers, body };
        if weight(&key, &entry) <= self.max_entry {
            self.entries.insert(key, Arc::new(entry));
        }
    }
}

/// Serve a page from the cache, or render it and keep it.
pub async fn cache_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let core = &state.core;
    let key = Key {
        uri: request
            .uri()
            .path_and_query()
            .map_or_else(String::new, |p| p.as_str().to_string()),
        versions: [
            core.runbooks.index().generation(),
            core.alerts.snapshot().version,
            core.incidents.timeline().version(),
            core.checks.results_version(),
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
            state.pages.put(key, parts.headers.clone(), bytes.clone());
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => {
            tracing::warn!(error = %e, "page body could not be read");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_within_its_byte_budget_under_many_distinct_keys() {
        let budget = 1024 * 1024;
        let cache = PageCache::new(budget);
        let body = Bytes::from(vec![b'x'; 20 * 1024]);
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "text/html".parse().unwrap());
        for i in 0..2_000 {
            let key = Key {
                uri: format!("/runbooks/g/A?instance={i}{}", "a".repeat(8 * 1024)),
                versions: [1, 2, 3, 4],
            };
            cache.put(key, headers.clone(), body.clone());
            if i % 100 == 0 {
                cache.entries.run_pending_tasks();
                assert!(cache.entries.weighted_size() <= budget);
            }
        }
        cache.entries.run_pending_tasks();
        let size = cache.entries.weighted_size();
        assert!(size <= budget, "{size} bytes kept, budget {budget}");
        assert!(size > budget / 2, "the budget is used: {size}");
        let count = cache.entries.entry_count();
        assert!((20..=40).contains(&count), "{count} entries of ~28 KiB");
    }

    #[test]
    fn serves_a_kept_page_and_refuses_a_huge_one() {
        let cache = PageCache::new(1024 * 1024);
        let key = |uri: &str| Key {
            uri: uri.into(),
            versions: [0; 4],
        };
        cache.put(key("/a"), HeaderMap::new(), Bytes::from_static(b"page"));
        assert_eq!(
            cache.get(&key("/a")).unwrap().1,
            Bytes::from_static(b"page")
        );
        cache.put(
            key("/big"),
            HeaderMap::new(),
            Bytes::from(vec![0; 100 * 1024]),
        );
        assert!(cache.get(&key("/big")).is_none(), "over 1/16 of the budget");
    }
}
