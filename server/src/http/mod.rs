//! The HTTP surface: Leptos pages and server functions, the JSON API, health,
//! metrics and static assets, with the cross-cutting layers around them.

mod alert_links;
mod alert_stream;
mod api;
mod checks_api;
mod guard;
mod health;
mod incidents_api;
pub mod openapi;
mod page_cache;
mod read_guard;
mod revisions_api;
mod security_headers;
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
use crate::config::HttpConfig;
use crate::portal::Engines;

/// State of every handler: the engines and the Leptos options.
#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    pub engines: Engines,
    pub leptos: LeptosOptions,
    pub pages: std::sync::Arc<page_cache::PageCache>,
}

pub fn router(engines: Engines, http: &HttpConfig) -> Router {
    let leptos = LeptosOptions::builder()
        .output_name("portal")
        .site_pkg_dir("pkg")
        .build();
    let state = AppState {
        engines: engines.clone(),
        leptos: leptos.clone(),
        pages: Default::default(),
    };
    let routes = generate_route_list(app::App);
    let portal: app::backend::SharedPortal = std::sync::Arc::new(engines.clone());
    let context = move || provide_context(portal.clone());
    let shell = move || app::shell(assets::urls());
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), shell)
        .fallback(leptos_axum::render_app_to_stream_with_context(
            context, shell,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            page_cache::cache_pages,
        ));

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/pkg/{file}", get(assets::serve))
        .route("/alerts/{alertname}", get(alert_links::resolve))
        .route(
            "/incidents/{id}/postmortem.md",
            get(incidents_api::postmortem),
        )
        .nest("/api/v1", api::router())
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
            record_metrics,
        ))
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(RequestBodyLimitLayer::new(http.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(
            http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(http.request_timeout_secs.max(1)),
        ))
        .layer(middleware::from_fn(security_headers::add))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Count and time every request by its route pattern (not its raw path, so
/// label values stay bounded).
async fn record_metrics(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    state.engines.metrics.record_http(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
