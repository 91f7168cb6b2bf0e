//! Cross-site request protection for every write. Browsers send
//! `Sec-Fetch-Site` and `Origin`; a write whose origin is another site is
//! refused, so a page elsewhere cannot act with a user's proxy session.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{Method, header};

use super::AppState;
use crate::error::AppError;
use axum::response::IntoResponse;

pub async fn cross_site_writes(
    State(_): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    if let Err(refusal) = check(&request) {
        return refusal.into_response();
    }
    next.run(request).await
}

fn check(request: &Request) -> Result<(), AppError> {
    let headers = request.headers();
    // Every current browser sends Sec-Fetch-Site; it is decisive and, unlike
    // Origin vs Host, survives a reverse proxy that rewrites Host.
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        // `none`: the user typed or bookmarked it; `same-origin`: our pages.
        return match site {
            "same-origin" | "none" => Ok(()),
            other => Err(AppError::Forbidden(format!(
                "cross-site write refused (Sec-Fetch-Site: {other})"
            ))),
        };
    }
    // Older browsers: compare Origin with the host the request was sent to.
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get("x-forwarded-host")
            .or_else(|| headers.get(header::HOST))
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        if origin == "null" || !origin_host.eq_ignore_ascii_case(host) {
            return Err(AppError::Forbidden(format!(
                "cross-site write refused (Origin: {origin})"
            )));
        }
    }
    // Neither header: not a browser (curl, scripts), so not a CSRF vector.
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut builder = http::Request::builder()
            .method("POST")
            .uri("/sf/open_incident")
            .header("host", "portal:3000");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn same_origin_and_non_browser_writes_pass() {
        assert!(
            check(&request(&[])).is_ok(),
            "curl and API clients send neither header"
        );
        assert!(
            check(&request(&[
                ("sec-fetch-site", "same-origin"),
                ("origin", "http://portal:3000")
            ]))
            .is_ok()
        );
        assert!(check(&request(&[("origin", "http://portal:3000")])).is_ok());
    }

    #[test]
    fn cross_site_writes_are_refused() {
        assert!(check(&request(&[("sec-fetch-site", "cross-site")])).is_err());
        assert!(check(&request(&[("origin", "https://evil.example")])).is_err());
        assert!(check(&request(&[("origin", "null")])).is_err());
    }
}
