//! The server's engines as the pages see them. The `server` crate implements
//! [`Portal`] and provides it as Leptos context, so server functions reach the
//! engines without this crate depending on the server.

use std::sync::Arc;

use http::request::Parts;
use leptos::prelude::use_context;

use crate::error::AppError;
use crate::types::{
    AlertBadge, Catalog, IncidentAction, IncidentPage, IncidentQuery, IncidentView, Labels,
    RunbookPath, RunbookSummary, RunbookView, SearchResult, TimelineEvent,
};

#[async_trait::async_trait]
pub trait Portal: Send + Sync + 'static {
    /// Every runbook (sorted by key), group and tag.
    fn catalog(&self) -> Catalog;

    /// Runbooks carrying a tag.
    fn tagged(&self, tag: &str) -> Vec<RunbookSummary>;

    /// Full-text search, best first.
    fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchResult>, AppError>;

    /// Resolve `/runbooks/{path}` to a runbook, a group or nothing, filling
    /// label placeholders from `labels`.
    fn resolve(&self, path: &str, labels: &Labels) -> RunbookPath;

    /// Live state of an alert from the shared poller snapshot.
    fn alert_badge(&self, alertname: &str) -> AlertBadge;

    /// Live state of one alert name, or of every known one.
    fn live_state(&self, alertname: Option<&str>) -> crate::live::LiveState;

    /// Alerts without runbooks and runbooks without alerts.
    fn coverage(&self) -> crate::coverage::Coverage;

    /// The alert's expression over the last `hours` (1, 6 or 24).
    async fn alert_graph(
        &self,
        alertname: &str,
        hours: u32,
    ) -> Result<crate::live::GraphView, AppError>;

    /// Open an incident for a runbook. The actor comes from the request.
    async fn open_incident(
        &self,
        request: &Parts,
        runbook_key: &str,
        labels: Labels,
    ) -> Result<IncidentView, AppError>;

    /// The newest incident of a runbook that is not resolved, if any.
    async fn open_incident_for(&self, runbook_key: &str) -> Result<Option<IncidentView>, AppError>;

    /// One incident with its timeline and checklist.
    async fn incident(&self, id: i64) -> Result<IncidentView, AppError>;

    /// Incidents matching a filter, newest first, one page.
    async fn incidents(&self, query: IncidentQuery) -> Result<IncidentPage, AppError>;

    /// Run one of a runbook's checks as the request's actor, recording the
    /// result (and on the runbook's open incident, if any).
    async fn run_check(
        &self,
        request: &Parts,
        runbook_key: &str,
        check_id: &str,
        labels: Labels,
    ) -> Result<crate::checks::CheckResult, AppError>;

    /// The newest recorded result of each check of a runbook.
    async fn check_results(
        &self,
        runbook_key: &str,
    ) -> Result<Vec<crate::checks::CheckResult>, AppError>;

    /// Apply one action to an incident as the request's actor.
    async fn incident_act(
        &self,
        request: &Parts,
        id: i64,
        action: IncidentAction,
    ) -> Result<TimelineEvent, AppError>;

    /// Wiki editing (issue #8): the editor's text for a page key; a template
    /// when the runbook does not exist yet.
    async fn edit_source(&self, key: &str) -> Result<crate::types::EditSource, AppError>;

    /// The group a new runbook for `alert` probably belongs in.
    fn suggest_group(&self, alert: &str) -> Option<String>;

    /// A text rendered exactly as its page would show it, for a request
    /// that may write (previews cost CPU; see the server's preview cap).
    async fn preview(
        &self,
        request: &Parts,
        key: &str,
        source: String,
    ) -> Result<RunbookView, AppError>;

    /// Save an edit based on revision `base` as the request's actor.
    async fn save_runbook(
        &self,
        request: &Parts,
        key: &str,
        base: Option<i64>,
        source: String,
        message: String,
    ) -> Result<crate::types::SaveOutcome, AppError>;

    /// A page of a runbook's revisions and the diff of two of them.
    async fn history(
        &self,
        key: &str,
        offset: u32,
        compare: Option<(i64, i64)>,
    ) -> Result<crate::types::HistoryView, AppError>;

    /// Save an old revision's text again as a new revision.
    async fn restore_revision(
        &self,
        request: &Parts,
        key: &str,
        revision: i64,
        base: Option<i64>,
    ) -> Result<crate::types::SaveOutcome, AppError>;
}

pub type SharedPortal = Arc<dyn Portal>;

/// The portal provided by the server for this request.
pub fn portal() -> Result<SharedPortal, AppError> {
    use_context::<SharedPortal>().ok_or_else(|| AppError::Internal("portal context missing".into()))
}

/// The HTTP request behind this server-function call or page render.
pub fn request_parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| AppError::Internal("request context missing".into()))
}
