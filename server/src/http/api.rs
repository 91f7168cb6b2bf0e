//! The JSON API under `/api/v1`: each resource module lists its routes with
//! their OpenAPI entries (utoipa-axum), so a route and its documentation are
//! written once; the document is served at `/api/v1/openapi.json`.

use axum::Router;
use axum::body::Bytes;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use super::{AppState, alerts_api, checks_api, incidents_api, openapi, revisions_api};
use super::{runbooks_api, silences_api, webhook};

pub fn router() -> Router<AppState> {
    let (router, document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(runbooks_api::routes())
        .merge(alerts_api::routes())
        .merge(incidents_api::routes())
        .merge(silences_api::routes())
        .merge(webhook::routes())
        .split_for_parts();
    // Written once at start-up; every request gets the same bytes.
    let document = Bytes::from(serde_json::to_vec(&document).unwrap_or_default());
    router
        // Reading, editing and running checks share one path pattern, so
        // their OpenAPI entries are listed in `openapi.rs`.
        .route(
            "/api/v1/runbooks/{*path}",
            get(revisions_api::get)
                .put(revisions_api::put)
                .post(checks_api::post),
        )
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let document = document.clone();
                async move {
                    ([(http::header::CONTENT_TYPE, "application/json")], document).into_response()
                }
            }),
        )
}
