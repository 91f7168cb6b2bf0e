//! Security headers on every response. Pages carry the Content-Security-Policy
//! their shell set while rendering (it names that render's nonce, see
//! `app::security`); any response without one gets the strict fallback. The
//! rest is the same for all: no MIME sniffing, no framing (also for browsers
//! that predate `frame-ancestors`), and no referrer to other sites — runbook
//! links to dashboards would otherwise send incident and label URLs along.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;
use http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};

/// Middleware: add the headers, keeping a page's own policy.
pub async fn add(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers
        .entry(CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(app::security::FALLBACK_POLICY));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    async fn headers(router: Router) -> http::HeaderMap {
        let router = router.layer(axum::middleware::from_fn(add));
        let response = router
            .oneshot(Request::get("/").body(Body::empty()).unwrap())
            .await
            .unwrap();
        response.headers().clone()
    }

    #[tokio::test]
    async fn fallback_policy_unless_the_page_set_its_own() {
        let plain = headers(Router::new().route("/", get(|| async { "x" }))).await;
        assert_eq!(
            plain[CONTENT_SECURITY_POLICY],
            app::security::FALLBACK_POLICY
        );
        assert_eq!(plain[X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(plain[X_FRAME_OPTIONS], "DENY");
        assert_eq!(plain[REFERRER_POLICY], "same-origin");
        let own = headers(Router::new().route(
            "/",
            get(|| async { ([(CONTENT_SECURITY_POLICY, "script-src 'nonce-n'")], "x") }),
        ))
        .await;
        assert_eq!(own[CONTENT_SECURITY_POLICY], "script-src 'nonce-n'");
    }
}
