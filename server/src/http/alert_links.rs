//! `/alerts/{alertname}`: the target of `runbook_url` annotations. Resolves
//! an alert name to its runbook, keeping the query (the alert's labels).

use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Response};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as esc};
use http::StatusCode;
use portal_types::paths::{self, encode_segment};

use super::AppState;

pub async fn resolve(
    State(state): State<AppState>,
    Path(alertname): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let alertname = alertname.trim_end_matches('/').trim_end_matches(".md");
    let index = state.core.runbooks.index();
    let matches = index.by_alert(alertname);
    let query = query.map(|q| format!("?{q}")).unwrap_or_default();
    let href = |key: &str| format!("{}{query}", paths::page(key));
    match matches.as_slice() {
        // 302, as alert links have always been answered: a plain redirect.
        [only] => (StatusCode::FOUND, [(http::header::LOCATION, href(&only.key))]).into_response(),
        [] => (
            StatusCode::NOT_FOUND,
            page(
                &format!("No runbook for {alertname}"),
                &format!(
                    "<p>No runbook is written for the alert <code>{}</code> yet.</p><p><a class=\"write-runbook\" href=\"{}\">Write this runbook</a> · <a href=\"/search?q={}\">Search</a> · <a href=\"/runbooks\">Browse all runbooks</a></p>",
                    esc(alertname),
                    attr(&format!("/new-runbook?alert={}", encode_segment(alertname))),
                    encode_segment(alertname)
                ),
            ),
        )
            .into_response(),
        several => {
            let items: String = several
                .iter()
                .map(|r| format!("<li><a href=\"{}\">{}</a> — {}</li>", attr(&href(&r.key)), esc(&r.key), esc(r.title())))
                .collect();
            (
                StatusCode::MULTIPLE_CHOICES,
                page(
                    &format!("Several runbooks for {alertname}"),
                    &format!("<p>The alert <code>{}</code> has a runbook in several groups:</p><ul>{items}</ul>", esc(alertname)),
                ),
            )
                .into_response()
        }
    }
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} · Runbook portal</title><link rel=\"stylesheet\" href=\"{}\"></head><body><main><h1>{}</h1>{body}</main></body></html>",
        esc(title),
        attr(crate::assets::CSS.url),
        esc(title)
    ))
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
