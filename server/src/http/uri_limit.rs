//! Refuse absurdly long URIs with 414 before routing or rendering: a page
//! renders its labels several times, so a 30 KB query costs half a megabyte
//! of HTML, and a cache entry, per distinct URL.

use app::error::AppError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;

pub async fn refuse_long_uris(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let length = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if length > state.max_uri_bytes {
        return AppError::UriTooLong(format!(
            "the path and query are {length} bytes; at most {} are accepted (http.max_uri_bytes)",
            state.max_uri_bytes
        ))
        .into_response();
    }
    next.run(request).await
}
