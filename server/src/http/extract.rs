//! Extractors: who is acting ([`Actor`]) and a JSON body ([`Json`]) with the
//! one error shape; and the layer that reads the credentials off every
//! request, so handlers and server functions judge the same thing.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::AUTHORIZATION;
use http::request::Parts;
use portal_core::Credentials;
use portal_core::auth::NotText;
use serde::de::DeserializeOwned;

use super::AppState;
use crate::error::AppError;

/// The identity headers of a request, verbatim; the core's `Auth` decides
/// what they are worth.
pub fn credentials(parts: &Parts, proxy_header: Option<&str>) -> Credentials {
    let text = |value: &http::HeaderValue| value.to_str().map(str::to_string).map_err(|_| NotText);
    Credentials {
        authorization: parts.headers.get(AUTHORIZATION).map(text),
        proxy_user: proxy_header
            .map(|name| parts.headers.get_all(name).iter().map(text).collect())
            .unwrap_or_default(),
        peer: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip()),
    }
}

/// Middleware: attach this request's [`Credentials`] to it.
pub async fn attach_credentials(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let found = credentials(&parts, state.core.auth.proxy_header());
    parts.extensions.insert(found);
    next.run(Request::from_parts(parts, body)).await
}

/// The request's credentials: attached by the middleware, or read now.
pub fn request_credentials(parts: &Parts, state: &AppState) -> Credentials {
    parts
        .extensions
        .get::<Credentials>()
        .cloned()
        .unwrap_or_else(|| credentials(parts, state.core.auth.proxy_header()))
}

/// Who performs this write: a token's name, a trusted proxy's user, or
/// `anonymous` where allowed; otherwise the request is refused (401/400).
pub struct Actor(pub portal_core::Actor);

impl FromRequestParts<AppState> for Actor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let credentials = request_credentials(parts, state);
        match state.core.auth.writer(&credentials).await {
            Ok(actor) => Ok(Actor(actor)),
            Err(e) => Err(AppError::from(e).into_response()),
        }
    }
}

/// A JSON body (whatever its content type says), or 400 saying what is
/// wrong with it; 413 past the body limit.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let bytes = Bytes::from_request(request, state).await.map_err(|e| {
            let reason = e.body_text();
            if e.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge(reason).into_response()
            } else {
                AppError::BadRequest(reason).into_response()
            }
        })?;
        parse(&bytes).map(Json).map_err(IntoResponse::into_response)
    }
}

/// A JSON document, or 400 saying what is wrong with it.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(body)
        .map_err(|e| AppError::BadRequest(format!("invalid JSON body: {e}")))
}
