//! The incidents aggregate: incident rows and their append-only timeline.

use chrono::{DateTime, Utc};
use portal_types::{IncidentStatus, IncidentSummary, Labels};
use serde_json::Value;

use super::StoreResult;

/// An incident row as stored (its events are read separately).
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRecord {
    pub id: i64,
    pub title: String,
    pub status: IncidentStatus,
    pub severity: Option<String>,
    pub runbook_key: Option<String>,
    pub alertname: Option<String>,
    pub labels: Labels,
    pub fingerprint: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub opened_by: String,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
}

impl IncidentRecord {
    /// The incident as a list shows it.
    pub fn summary(&self) -> IncidentSummary {
        IncidentSummary {
            id: self.id,
            title: self.title.clone(),
            status: self.status,
            severity: self.severity.clone(),
            runbook_key: self.runbook_key.clone(),
            alertname: self.alertname.clone(),
            opened_at: self.opened_at,
            opened_by: self.opened_by.clone(),
            acknowledged_at: self.acknowledged_at,
            resolved_at: self.resolved_at,
        }
    }
}

/// An incident to insert, status `open`.
#[derive(Debug, Clone)]
pub struct NewIncidentRecord<'a> {
    pub title: &'a str,
    pub severity: Option<&'a str>,
    pub runbook_key: Option<&'a str>,
    pub alertname: Option<&'a str>,
    pub labels: &'a Labels,
    pub fingerprint: Option<&'a str>,
    pub opened_at: DateTime<Utc>,
    pub opened_by: &'a str,
    /// Insert nothing (answer `None`) while the runbook already has an
    /// unresolved incident: a double click opens one.
    pub one_per_runbook: bool,
}

/// A timeline event as stored; the engine adds its summary.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    pub id: i64,
    pub incident_id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub payload: Value,
}

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub incident_id: i64,
    pub at: DateTime<Utc>,
    pub actor: &'a str,
    pub kind: &'a str,
    pub payload: &'a Value,
}

/// What an action checks before it writes.
#[derive(Debug, Clone)]
pub struct IncidentState {
    pub status: IncidentStatus,
    pub severity: Option<String>,
}

/// Which statuses a list keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Anything not resolved.
    Active,
    /// Exactly this status.
    Is(IncidentStatus),
}

/// A list's filter, already validated.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter<'a> {
    pub status: Option<StatusFilter>,
    pub alertname: Option<&'a str>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Unresolved incidents first, then newest first.
    pub active_first: bool,
}

impl IncidentFilter<'_> {
    /// The page's ORDER BY, the same SQL on every backend.
    pub fn order_by(&self) -> &'static str {
        if self.active_first {
            " ORDER BY status = 'resolved', opened_at DESC, id DESC LIMIT "
        } else {
            " ORDER BY opened_at DESC, id DESC LIMIT "
        }
    }
}

/// Reads, and the write transaction every change goes through.
#[async_trait::async_trait]
pub trait IncidentStore: Send + Sync {
    async fn get(&self, id: i64) -> StoreResult<Option<IncidentRecord>>;
    /// Every event of an incident, oldest first.
    async fn events(&self, id: i64) -> StoreResult<Vec<EventRecord>>;
    /// The newest unresolved incident of a runbook.
    async fn current_for_runbook(&self, runbook_key: &str) -> StoreResult<Option<i64>>;
    /// One page, newest first (`opened_at`, then id), and the total matching.
    async fn list(
        &self,
        filter: &IncidentFilter<'_>,
        limit: u32,
        offset: u32,
    ) -> StoreResult<(Vec<IncidentSummary>, i64)>;
    /// Start a write transaction under the backend's write discipline. It
    /// must be safe against other writers (other tasks, other processes):
    /// what a transaction reads stays true until it commits. Dropping it
    /// without [`IncidentTx::commit`] writes nothing.
    async fn begin(&self) -> StoreResult<Box<dyn IncidentTx>>;
}

/// One write transaction on incidents. A method that fails with
/// [`super::StoreError::Conflict`] has written nothing and leaves the
/// transaction usable (a group commit carries on with the other actions;
/// on PostgreSQL such a statement runs under a savepoint).
#[async_trait::async_trait]
pub trait IncidentTx: Send {
    /// Status and severity of an incident, held for this transaction.
    async fn state(&mut self, id: i64) -> StoreResult<Option<IncidentState>>;
    /// The unresolved incident opened for an alert fingerprint.
    async fn open_for_fingerprint(&mut self, fingerprint: &str) -> StoreResult<Option<i64>>;
    /// Insert an open incident; `None` when `one_per_runbook` refused it.
    /// A fingerprint with an unresolved incident already is a `Conflict`.
    async fn insert(&mut self, new: &NewIncidentRecord<'_>) -> StoreResult<Option<i64>>;
    async fn acknowledge(&mut self, id: i64, at: DateTime<Utc>, by: &str) -> StoreResult<()>;
    async fn set_severity(&mut self, id: i64, severity: &str) -> StoreResult<()>;
    async fn resolve(&mut self, id: i64, at: DateTime<Utc>, by: &str) -> StoreResult<()>;
    /// Back to `open`, clearing acknowledgement and resolution. `Conflict`
    /// when another unresolved incident holds its fingerprint.
    async fn reopen(&mut self, id: i64) -> StoreResult<()>;
    /// The incident's events of these kinds, oldest first.
    async fn events_of_kinds(&mut self, id: i64, kinds: &[&str]) -> StoreResult<Vec<EventRecord>>;
    /// The kind of the newest event of these kinds.
    async fn last_kind_of(&mut self, id: i64, kinds: &[&str]) -> StoreResult<Option<String>>;
    /// Append one event; returns its id.
    async fn append(&mut self, event: &NewEvent<'_>) -> StoreResult<i64>;
    /// Make everything durable (the portal promises an acknowledged event
    /// survives power loss).
    async fn commit(self: Box<Self>) -> StoreResult<()>;
}
