//! The HTTP surface: Leptos pages and server functions, the JSON API, health,
//! metrics and static assets, with the cross-cutting layers around them.

mod activity;
mod alert_links;
mod alert_stream;
mod alerts_api;
mod api;
mod checks_api;
mod client_addr;
pub mod extract;
mod guard;
mod health;
pub mod host_guard;
mod incidents_api;
pub mod listener;
pub mod openapi;
mod page_cache;
mod read_guard;
mod revisions_api;
mod runbooks_api;
mod saturation;
mod security_headers;
mod silences_api;
pub mod streams;
mod uri_limit;
mod webhook;

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::assets;
use crate::config::Config;
use portal_core::Core;

/// State of every handler: the core and the Leptos options.
#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    pub core: Core,
    pub leptos: LeptosOptions,
    pub pages: std::sync::Arc<page_cache::PageCache>,
    /// Open event streams, their caps and the shutdown that ends them.
    pub streams: std::sync::Arc<streams::Streams>,
    pub hosts: std::sync::Arc<host_guard::AllowedHosts>,
    pub max_uri_bytes: usize,
}

/// Every route and layer. Event streams end when `shutdown` is cancelled.
pub fn router(
    core: Core,
    config: &Config,
    shutdown: tokio_util::sync::CancellationToken,
) -> Router {
    let http = &config.http;
    let leptos = LeptosOptions::builder()
        .output_name("portal")
        .site_pkg_dir("pkg")
        .build();
    let state = AppState {
        core: core.clone(),
        leptos: leptos.clone(),
        pages: std::sync::Arc::new(page_cache::PageCache::new(http.page_cache_bytes)),
        streams: std::sync::Arc::new(streams::Streams::new(
            http,
            config.auth.trusted_proxies.clone(),
            shutdown,
        )),
        hosts: std::sync::Arc::new(host_guard::AllowedHosts::from_config(config)),
        max_uri_bytes: http.max_uri_bytes,
    };
    let routes = generate_route_list(app::App);
    // Server functions and pages call the core's use cases directly.
    let context = move || provide_context(core.clone());
    let shell = move || app::shell(assets::urls());
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), shell)
        .fallback(leptos_axum::render_app_to_stream_with_context(
            context, shell,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            page_cache::cache_pages,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            alert_links::redirect_to_runbook,
        ));

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/pkg/{file}", get(assets::serve))
        .route("/favicon.svg", get(assets::favicon))
        .route("/favicon.ico", get(assets::favicon))
        .route(
            "/incidents/{id}/postmortem.md",
            get(incidents_api::postmortem),
        )
        .merge(api::router())
        .merge(pages)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::cross_site_writes,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            read_guard::require_for_reads,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            extract::attach_credentials,
        ))
        .layer(middleware::from_fn(saturation::retry_after))
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(RequestBodyLimitLayer::new(http.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(
            http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(http.request_timeout_secs.max(1)),
        ))
        // Outside the timeout, so a request that timed out is counted and
        // logged too.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            record_metrics,
        ))
        .layer(TraceLayer::new_for_http())
        // Outermost: refusals that need no route, before any work.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            host_guard::require_allowed_host,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            uri_limit::refuse_long_uris,
        ))
        // Every answer, refusals included, carries the security headers.
        .layer(middleware::from_fn(security_headers::add))
        .with_state(state)
}

/// A request slower than this is logged with its path: in production and in
/// tests, the log then says which page a responder waited on.
const SLOW_REQUEST: Duration = Duration::from_secs(5);

/// Count and time every request by its route pattern (not its raw path, so
/// label values stay bounded); log the slow ones.
async fn record_metrics(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status();
    state
        .core
        .metrics
        .record_http(method.as_str(), &route, status.as_u16(), elapsed);
    // Timed to the response head: an event stream answers at once, so only
    // real waits count (a 408 too, whatever the configured timeout).
    if elapsed >= SLOW_REQUEST || status == http::StatusCode::REQUEST_TIMEOUT {
        tracing::warn!(%method, %path, status = status.as_u16(), elapsed_ms = elapsed.as_millis() as u64, "slow request");
    }
    response
}
