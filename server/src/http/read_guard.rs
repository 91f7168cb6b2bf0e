//! `auth.require_for_reads`: when set, every read but health, metrics and
//! static assets needs an identity (token or trusted proxy header), and so
//! does every server function (they are POSTs but most of them read).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::Method;

use super::AppState;
use crate::error::AppError;

/// Paths that stay open: probes, scrapes, and assets that hold no data.
fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics") || path.starts_with("/pkg/")
}

pub async fn require_for_reads(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let auth = &state.core.auth;
    let read = matches!(*request.method(), Method::GET | Method::HEAD)
        || request.uri().path().starts_with("/sf/")
        // A POST only for its body's size: it reads the alert snapshot.
        || request.uri().path() == "/api/v1/silences/preview";
    if !auth.require_for_reads() || !read || exempt(request.uri().path()) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let credentials = super::extract::request_credentials(&parts, &state);
    match auth.identify(&credentials).await {
        Ok(Some(_)) => next.run(Request::from_parts(parts, body)).await,
        Ok(None) => AppError::Unauthorized(
            "this portal requires an identity for reads (auth.require_for_reads)".into(),
        )
        .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}
