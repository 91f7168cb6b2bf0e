//! Every `503` the portal gives (a connection or stream cap, an unreachable
//! upstream) tells the client when to try again, so browsers' `EventSource`
//! and scripts back off instead of hammering.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::header::RETRY_AFTER;
use http::{HeaderValue, StatusCode};

/// Seconds a refused client is asked to wait.
pub const RETRY_AFTER_SECS: u64 = 5;

pub async fn retry_after(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .entry(RETRY_AFTER)
            .or_insert(HeaderValue::from(RETRY_AFTER_SECS));
    }
    response
}
