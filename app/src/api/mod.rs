//! Server functions: the pages' only way to the server. Each one is a thin
//! call into the core's use cases, which the server provides as context.

use leptos::prelude::*;

use crate::error::AppError;
use portal_types::{AlertBadge, Catalog, Labels, PathPage, RunbookSummary, SearchResult};

mod incidents;
pub use incidents::*;

#[cfg(feature = "ssr")]
use portal_types::RunbookPath;
#[cfg(feature = "ssr")]
use serving::{actor, core, with_status};

/// What every server function needs on the server: the core, the caller's
/// identity, and a status code for its errors.
#[cfg(feature = "ssr")]
mod serving {
    use leptos::prelude::use_context;

    use crate::error::AppError;

    /// The core provided by the server for this request.
    pub fn core() -> Result<portal_core::Core, AppError> {
        use_context::<portal_core::Core>()
            .ok_or_else(|| AppError::Internal("core context missing".into()))
    }

    /// The actor of this request's write: the server reads the credentials
    /// off every request (`Credentials` in its extensions), the core judges.
    pub async fn actor() -> Result<portal_core::Actor, AppError> {
        let parts = use_context::<http::request::Parts>()
            .ok_or_else(|| AppError::Internal("request context missing".into()))?;
        let credentials = parts
            .extensions
            .get::<portal_core::Credentials>()
            .ok_or_else(|| AppError::Internal("credentials missing".into()))?;
        Ok(core()?.auth.writer(credentials).await?)
    }

    /// Give a failed call the HTTP status of its error (otherwise every error
    /// would answer 500).
    pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let (Err(error), Some(response)) =
            (&result, use_context::<leptos_axum::ResponseOptions>())
        {
            response.set_status(
                http::StatusCode::from_u16(error.status())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
        result
    }
}

#[server(prefix = "/sf", endpoint = "catalog")]
pub async fn get_catalog() -> Result<Catalog, AppError> {
    with_status(core().map(|c| c.catalog.catalog()))
}

#[server(prefix = "/sf", endpoint = "tagged")]
pub async fn tagged(tag: String) -> Result<Vec<RunbookSummary>, AppError> {
    with_status(core().map(|c| c.catalog.tagged(&tag)))
}

#[server(prefix = "/sf", endpoint = "search")]
pub async fn search(
    query: String,
    #[server(default)] limit: Option<usize>,
) -> Result<Vec<SearchResult>, AppError> {
    with_status(core().and_then(|c| Ok(c.catalog.search(&query, limit.unwrap_or(20))?)))
}

/// Resolve `/runbooks/{path}`, with a runbook's live parts (alert state,
/// graph, open incident) read alongside. A missing page answers 404; a
/// runbook whose file cannot be parsed answers 500 (its page still shows the
/// error and the raw text), so link checkers and monitoring notice it.
#[server(prefix = "/sf", endpoint = "resolve")]
pub async fn resolve_path(
    path: String,
    #[server(default)] labels: Labels,
) -> Result<PathPage, AppError> {
    let resolved = async {
        let core = core()?;
        let path = core.catalog.page(&path, &labels).await?;
        let live = match &path {
            RunbookPath::Runbook(view) => Some(runbook_live(&core, view).await),
            _ => None,
        };
        Ok(PathPage { path, live })
    }
    .await;
    let status = match &resolved {
        Ok(PathPage {
            path: RunbookPath::NotFound { .. },
            ..
        }) => Some(http::StatusCode::NOT_FOUND),
        Ok(PathPage {
            path: RunbookPath::Runbook(view),
            ..
        }) if view.error.is_some() => Some(http::StatusCode::INTERNAL_SERVER_ERROR),
        _ => None,
    };
    if let Some(status) = status {
        set_page_status(status);
    }
    with_status(resolved)
}

/// A runbook page's live parts, read concurrently; a part that fails says
/// so in its place and the page still renders.
#[cfg(feature = "ssr")]
async fn runbook_live(
    core: &portal_core::Core,
    runbook: &portal_types::RunbookView,
) -> portal_types::RunbookLive {
    let first_range = portal_types::GRAPH_HOURS[0];
    let (graph, incident, history) = futures_util::future::join3(
        core.catalog.alert_graph(&runbook.alert, first_range),
        core.incidents.current_for_runbook(&runbook.key),
        core.history.alert(&runbook.alert, None),
    )
    .await;
    portal_types::RunbookLive {
        alert: core.catalog.live_state(Some(&runbook.alert)),
        graph: graph.map_err(|e| AppError::from(e).to_string()),
        incident: incident.map_err(|e| AppError::from(e).to_string()),
        history: history.map_err(|e| AppError::from(e).to_string()),
    }
}

/// Set the status of the page being rendered; a no-op when the function is
/// called over HTTP by a hydrated page (its answer must stay a 200 with data).
#[cfg(feature = "ssr")]
fn set_page_status(status: http::StatusCode) {
    let over_http =
        use_context::<http::request::Parts>().is_some_and(|p| p.uri.path().starts_with("/sf/"));
    if let (false, Some(response)) = (over_http, use_context::<leptos_axum::ResponseOptions>()) {
        response.set_status(status);
    }
}

#[server(prefix = "/sf", endpoint = "alert_badge")]
pub async fn get_alert_badge(alertname: String) -> Result<AlertBadge, AppError> {
    with_status(core().map(|c| c.catalog.alert_badge(&alertname)))
}

/// The live alert state a panel or the home page starts from; updates then
/// arrive over `GET /api/v1/alerts/stream`.
#[server(prefix = "/sf", endpoint = "live_state")]
pub async fn get_live_state(
    #[server(default)] alertname: Option<String>,
) -> Result<portal_types::LiveState, AppError> {
    with_status(core().map(|c| c.catalog.live_state(alertname.as_deref())))
}

#[server(prefix = "/sf", endpoint = "coverage")]
pub async fn get_coverage() -> Result<portal_types::Coverage, AppError> {
    with_status(core().map(|c| c.catalog.coverage()))
}

#[server(prefix = "/sf", endpoint = "alert_graph")]
pub async fn get_alert_graph(
    alertname: String,
    hours: u32,
) -> Result<portal_types::GraphView, AppError> {
    with_status(async { Ok(core()?.catalog.alert_graph(&alertname, hours).await?) }.await)
}

/// `/alerts/{alertname}` when the name does not lead to one runbook: the
/// choice (300) or, with none, what is known of the alert (404).
#[server(prefix = "/sf", endpoint = "alert_page", input = server_fn::codec::Json)]
pub async fn get_alert_page(alertname: String) -> Result<portal_types::AlertPage, AppError> {
    let read = async {
        let name = portal_types::paths::alert_link_name(&alertname);
        Ok(core()?.catalog.alert_page(&name).await)
    }
    .await;
    // One runbook: the page redirects (the server's middleware already does
    // for requests from outside, such as an alert's link).
    match read.as_ref().map(|page| page.runbooks.len()) {
        Ok(0) => set_page_status(http::StatusCode::NOT_FOUND),
        Ok(2..) => set_page_status(http::StatusCode::MULTIPLE_CHOICES),
        _ => {}
    }
    with_status(read)
}

/// Wiki editing (issue #8): the editor's starting text for a page key.
#[server(prefix = "/sf", endpoint = "edit_source")]
pub async fn edit_source(key: String) -> Result<portal_types::EditSource, AppError> {
    with_status(async { Ok(core()?.editing.edit_source(&key).await?) }.await)
}

#[server(prefix = "/sf", endpoint = "suggest_group")]
pub async fn suggest_group(alert: String) -> Result<Option<String>, AppError> {
    with_status(core().map(|c| c.editing.suggested_group(&alert)))
}

#[server(prefix = "/sf", endpoint = "preview_runbook")]
pub async fn preview_runbook(
    key: String,
    source: String,
) -> Result<portal_types::RunbookView, AppError> {
    with_status(
        async {
            // The same identity as a save: rendering costs CPU, so not for anyone.
            actor().await?;
            Ok(core()?.editing.preview(&key, source).await?)
        }
        .await,
    )
}

/// `""` (a form's empty hidden field) is no revision.
#[cfg(feature = "ssr")]
fn revision_field(value: &str) -> Result<Option<i64>, AppError> {
    match value.trim() {
        "" => Ok(None),
        v => v
            .parse()
            .map(Some)
            .map_err(|_| AppError::BadRequest(format!("{v:?} is not a revision id"))),
    }
}

/// Save from the editor; a plain form post without JavaScript works too.
/// A saved edit redirects to the runbook page.
#[server(prefix = "/sf", endpoint = "save_runbook")]
pub async fn save_runbook(
    key: String,
    #[server(default)] base: String,
    source: String,
    #[server(default)] message: String,
) -> Result<portal_types::SaveOutcome, AppError> {
    use portal_types::SaveOutcome;
    with_status(
        async {
            let base = revision_field(&base)?;
            let edit = portal_core::use_cases::Edit {
                key: key.clone(),
                base,
                source,
                message,
            };
            let origin = portal_core::revisions::Origin::Web;
            let outcome = core()?.editing.save(&actor().await?, origin, edit).await?;
            if !matches!(outcome, SaveOutcome::Conflict(_)) {
                leptos_axum::redirect(&crate::links::runbook(&key));
            }
            Ok(outcome)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "runbook_history")]
pub async fn runbook_history(
    key: String,
    #[server(default)] offset: Option<u32>,
    #[server(default)] from: Option<i64>,
    #[server(default)] to: Option<i64>,
) -> Result<portal_types::HistoryView, AppError> {
    with_status(
        async {
            let compare = from.zip(to);
            Ok(core()?
                .editing
                .history(&key, offset.unwrap_or(0), compare)
                .await?)
        }
        .await,
    )
}

/// Restore an old revision (as a new one); redirects to the history.
#[server(prefix = "/sf", endpoint = "restore_revision")]
pub async fn restore_revision(
    key: String,
    revision: i64,
    #[server(default)] base: String,
) -> Result<portal_types::SaveOutcome, AppError> {
    use portal_types::SaveOutcome;
    with_status(
        async {
            let base = revision_field(&base)?;
            let outcome = core()?
                .editing
                .restore(&actor().await?, &key, revision, base)
                .await?;
            // To the diff the restore made (a new URL, so the page reloads).
            let history = crate::links::history(&key);
            match &outcome {
                SaveOutcome::Saved { revision, .. } => leptos_axum::redirect(&format!(
                    "{history}?from={}&to={}",
                    revision.parent.unwrap_or(revision.id),
                    revision.id
                )),
                SaveOutcome::Unchanged { .. } => leptos_axum::redirect(&history),
                SaveOutcome::Conflict(_) => {}
            }
            Ok(outcome)
        }
        .await,
    )
}

/// Run one check the runbook declares; the browser names it, never a query.
#[server(prefix = "/sf", endpoint = "run_check", input = server_fn::codec::Json)]
pub async fn run_check(
    runbook_key: String,
    check_id: String,
    #[server(default)] labels: Labels,
) -> Result<portal_types::CheckResult, AppError> {
    with_status(
        async {
            let request = portal_core::use_cases::RunRequest {
                labels,
                incident_id: None,
            };
            let actor = actor().await?;
            Ok(core()?
                .checks
                .run(&actor, &runbook_key, &check_id, &request)
                .await?)
        }
        .await,
    )
}

/// What the silence form's matchers would hide now (debounced by the form).
#[server(prefix = "/sf", endpoint = "preview_silence", input = server_fn::codec::Json)]
pub async fn preview_silence(
    matchers: Vec<portal_types::Matcher>,
) -> Result<portal_types::SilencePreview, AppError> {
    with_status(core().and_then(|c| Ok(c.silences.preview(&matchers)?)))
}

/// Create a silence from the runbook page's form, as the signed-in person.
#[server(prefix = "/sf", endpoint = "create_silence", input = server_fn::codec::Json)]
pub async fn create_silence(
    create: portal_types::CreateSilence,
) -> Result<portal_types::SilenceOutcome, AppError> {
    with_status(async { Ok(core()?.silences.create(&actor().await?, create).await?) }.await)
}

/// Expire a silence from the panel's Expire button.
#[server(prefix = "/sf", endpoint = "expire_silence", input = server_fn::codec::Json)]
pub async fn expire_silence(id: String) -> Result<portal_types::SilenceOutcome, AppError> {
    with_status(async { Ok(core()?.silences.expire(&actor().await?, &id).await?) }.await)
}
