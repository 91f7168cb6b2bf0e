//! `/alerts/{alertname}`: the target of `runbook_url` annotations. When the
//! name leads to exactly one runbook, a plain 302 there (keeping the query:
//! the alert's labels), answered here before any page renders. Otherwise the
//! request goes on to the app's alert page: a choice of runbooks (300) or
//! what is known of an alert without one (404).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use portal_types::paths;

use super::AppState;

pub async fn redirect_to_runbook(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(segment) = request.uri().path().strip_prefix("/alerts/") else {
        return next.run(request).await;
    };
    let alertname = paths::alert_link_name(segment);
    let index = state.core.runbooks.index();
    let target = match index.by_alert(&alertname).as_slice() {
        [only] => {
            let query = request
                .uri()
                .query()
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            Some(format!("{}{query}", paths::page(&only.key)))
        }
        _ => None,
    };
    drop(index);
    match target {
        Some(location) => (StatusCode::FOUND, [(http::header::LOCATION, location)]).into_response(),
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use portal_types::paths;

    #[test]
    fn redirects_encode_odd_names_per_segment() {
        assert_eq!(
            paths::page("ssl/SslCertificateExpiry(<7Days)"),
            "/runbooks/ssl/SslCertificateExpiry%28%3C7Days%29"
        );
        assert_eq!(
            paths::page("disk/Disk100%Full"),
            "/runbooks/disk/Disk100%25Full"
        );
    }
}
