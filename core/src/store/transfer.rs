//! Copying one database into another (`runbook-portal migrate-data`), so a
//! team moving from SQLite to PostgreSQL keeps its history: every row of
//! every table, with its id and times, in id-ordered batches (memory stays
//! bounded), into an empty target, all in one target transaction, with the
//! counts checked before it commits.
//!
//! The rules live here once; a backend only reads a batch
//! ([`TransferSource`]) and writes one ([`TransferSink`]).

use chrono::{DateTime, Utc};
use portal_types::CheckStatus;
use serde_json::Value;

use super::history::TransitionRecord;
use super::{EventRecord, IncidentRecord, Revision, StoreError, StoreResult, Stores};

/// Rows per batch: a few MB of runbook text at most.
pub const BATCH: u32 = 1000;

/// The tables copied, in an order that satisfies their foreign keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Incidents,
    IncidentEvents,
    RunbookRevisions,
    RunbookFilesSeen,
    CheckRuns,
    ApiTokens,
    AlertTransitions,
}

impl Table {
    pub const ALL: [Table; 7] = [
        Table::Incidents,
        Table::IncidentEvents,
        Table::RunbookRevisions,
        Table::RunbookFilesSeen,
        Table::CheckRuns,
        Table::ApiTokens,
        Table::AlertTransitions,
    ];

    /// The table's name in both schemas.
    pub fn name(self) -> &'static str {
        match self {
            Table::Incidents => "incidents",
            Table::IncidentEvents => "incident_events",
            Table::RunbookRevisions => "runbook_revisions",
            Table::RunbookFilesSeen => "runbook_files_seen",
            Table::CheckRuns => "check_runs",
            Table::ApiTokens => "api_tokens",
            Table::AlertTransitions => "alert_transitions",
        }
    }
}

/// What the import last saw of a file (`runbook_files_seen`): copied so a
/// portal on the target does not re-import unchanged files as revisions.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSeen {
    pub runbook_key: String,
    pub sha256: String,
    pub seen_at: DateTime<Utc>,
}

/// A `check_runs` row as stored; `result` is kept as JSON so nothing a
/// newer build wrote is lost in a round trip through [`portal_types::CheckResult`].
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRunRecord {
    pub id: i64,
    pub runbook_key: String,
    pub check_id: String,
    pub kind: String,
    pub status: CheckStatus,
    pub actor: String,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i64,
    pub incident_id: Option<i64>,
    pub result: Value,
}

/// An `api_tokens` row, hash included (the secret itself is never stored).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    pub id: i64,
    pub name: String,
    pub hash: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Where a batch starts: after this id, or after this key for the one
/// table keyed by text (`runbook_files_seen`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum After {
    Start,
    Id(i64),
    Key(String),
}

impl After {
    /// The id to read after; ids are positive in both schemas, so the
    /// start is any id below 1.
    pub fn id(&self) -> i64 {
        match self {
            After::Id(id) => *id,
            _ => i64::MIN,
        }
    }

    /// The key to read after; `None` at the start.
    pub fn key(&self) -> Option<&str> {
        match self {
            After::Key(key) => Some(key),
            _ => None,
        }
    }
}

/// One batch of one table's rows, in id (or key) order.
#[derive(Debug, Clone, PartialEq)]
pub enum Batch {
    Incidents(Vec<IncidentRecord>),
    IncidentEvents(Vec<EventRecord>),
    RunbookRevisions(Vec<Revision>),
    RunbookFilesSeen(Vec<FileSeen>),
    CheckRuns(Vec<CheckRunRecord>),
    ApiTokens(Vec<TokenRecord>),
    AlertTransitions(Vec<TransitionRecord>),
}

impl Batch {
    pub fn len(&self) -> usize {
        match self {
            Batch::Incidents(rows) => rows.len(),
            Batch::IncidentEvents(rows) => rows.len(),
            Batch::RunbookRevisions(rows) => rows.len(),
            Batch::RunbookFilesSeen(rows) => rows.len(),
            Batch::CheckRuns(rows) => rows.len(),
            Batch::ApiTokens(rows) => rows.len(),
            Batch::AlertTransitions(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn table(&self) -> Table {
        match self {
            Batch::Incidents(_) => Table::Incidents,
            Batch::IncidentEvents(_) => Table::IncidentEvents,
            Batch::RunbookRevisions(_) => Table::RunbookRevisions,
            Batch::RunbookFilesSeen(_) => Table::RunbookFilesSeen,
            Batch::CheckRuns(_) => Table::CheckRuns,
            Batch::ApiTokens(_) => Table::ApiTokens,
            Batch::AlertTransitions(_) => Table::AlertTransitions,
        }
    }

    /// Where the next batch starts (`None` for an empty batch).
    fn last(&self) -> Option<After> {
        let id = |id: Option<i64>| id.map(After::Id);
        match self {
            Batch::Incidents(rows) => id(rows.last().map(|r| r.id)),
            Batch::IncidentEvents(rows) => id(rows.last().map(|r| r.id)),
            Batch::RunbookRevisions(rows) => id(rows.last().map(|r| r.id)),
            Batch::RunbookFilesSeen(rows) => rows.last().map(|r| After::Key(r.runbook_key.clone())),
            Batch::CheckRuns(rows) => id(rows.last().map(|r| r.id)),
            Batch::ApiTokens(rows) => id(rows.last().map(|r| r.id)),
            Batch::AlertTransitions(rows) => id(rows.last().map(|r| r.id)),
        }
    }
}

/// A backend's two ends of a copy.
#[async_trait::async_trait]
pub trait Transfer: Send + Sync {
    /// A read-only snapshot: every count and batch it answers is of one
    /// moment, even while a portal writes to the database.
    async fn source(&self) -> StoreResult<Box<dyn TransferSource>>;
    /// One write transaction that keeps ids; dropped without
    /// [`TransferSink::commit`] it writes nothing.
    async fn sink(&self) -> StoreResult<Box<dyn TransferSink>>;
}

#[async_trait::async_trait]
pub trait TransferSource: Send {
    async fn count(&mut self, table: Table) -> StoreResult<u64>;
    /// Up to `limit` rows of `table` after `after`, in id (or key) order.
    async fn read(&mut self, table: Table, after: &After, limit: u32) -> StoreResult<Batch>;
}

#[async_trait::async_trait]
pub trait TransferSink: Send {
    /// Rows in `table` as this transaction sees them (its own included).
    async fn count(&mut self, table: Table) -> StoreResult<u64>;
    /// Insert rows with their ids as given. Never disables a trigger: the
    /// ledgers' triggers refuse only UPDATE and DELETE.
    async fn write(&mut self, batch: &Batch) -> StoreResult<()>;
    /// Move every id generator past the largest copied id, so the next
    /// row a portal inserts does not collide with a copied one.
    async fn advance_ids(&mut self) -> StoreResult<()>;
    async fn commit(self: Box<Self>) -> StoreResult<()>;
}

/// Why a copy wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error(
        "the target database is not empty: table {table} has {rows} rows; migrate-data copies only into an empty database (nothing was written)"
    )]
    TargetNotEmpty { table: &'static str, rows: u64 },
    #[error(
        "table {table}: the source has {source_rows} rows but {copied} were copied and the target counts {target_rows}; the copy was rolled back"
    )]
    CountMismatch {
        table: &'static str,
        source_rows: u64,
        copied: u64,
        target_rows: u64,
    },
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Rows copied per table, in [`Table::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferReport {
    pub tables: Vec<(Table, u64)>,
}

/// Copy every table of `from` into `to`, which must be empty. Nothing is
/// written unless every table's count matches after the copy.
pub async fn copy(from: &Stores, to: &Stores) -> Result<TransferReport, TransferError> {
    copy_in_batches(from, to, BATCH).await
}

/// [`copy`] with another batch size (the tests page through small ones).
pub(crate) async fn copy_in_batches(
    from: &Stores,
    to: &Stores,
    batch_rows: u32,
) -> Result<TransferReport, TransferError> {
    let mut sink = to.transfer.sink().await?;
    for table in Table::ALL {
        let rows = sink.count(table).await?;
        if rows > 0 {
            return Err(TransferError::TargetNotEmpty {
                table: table.name(),
                rows,
            });
        }
    }
    let mut source = from.transfer.source().await?;
    let mut tables = Vec::new();
    for table in Table::ALL {
        let source_rows = source.count(table).await?;
        let mut after = After::Start;
        let mut copied = 0u64;
        loop {
            let batch = source.read(table, &after, batch_rows).await?;
            let Some(next) = batch.last() else { break };
            if batch.table() != table {
                return Err(StoreError::Other(format!(
                    "asked for {} rows, read {} rows",
                    table.name(),
                    batch.table().name()
                ))
                .into());
            }
            sink.write(&batch).await?;
            copied += batch.len() as u64;
            after = next;
        }
        let target_rows = sink.count(table).await?;
        if copied != source_rows || target_rows != source_rows {
            return Err(TransferError::CountMismatch {
                table: table.name(),
                source_rows,
                copied,
                target_rows,
            });
        }
        tracing::info!(table = table.name(), rows = copied, "table copied");
        tables.push((table, copied));
    }
    sink.advance_ids().await?;
    sink.commit().await?;
    Ok(TransferReport { tables })
}

/// Open the source database: like [`super::open`], except that a plain
/// file path must exist (`open` would create an empty database there, and
/// a typo would "migrate" nothing).
pub async fn open_source(url: &str) -> StoreResult<Stores> {
    if super::scheme(url).is_none() && !std::path::Path::new(url).exists() {
        return Err(StoreError::NotFound(format!(
            "source database {url} does not exist"
        )));
    }
    super::open(url).await
}
