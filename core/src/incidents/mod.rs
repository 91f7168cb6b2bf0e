//! Incidents and their append-only timeline. Every change to an incident is
//! written together with the event that records it, in one transaction.
//!
//! Writes go through [`Timeline::write`]: an in-process mutex (so writers
//! queue fairly in Tokio instead of spinning in SQLite's busy handler) around
//! a `BEGIN IMMEDIATE` transaction (so another process sharing the file can
//! never make a read-then-write transaction fail half-way). On PostgreSQL the
//! mutex would go and the status checks would read with `SELECT … FOR UPDATE`.

mod actions;
mod alertmanager;
mod batch;
pub mod postmortem;
mod read;
mod summary;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use portal_types::{Labels, TimelineEvent};
use serde_json::{Value, json};
use sqlx::{Sqlite, SqlitePool, Transaction};
use tokio::sync::{Mutex, MutexGuard, broadcast};

pub use alertmanager::{AlertSignal, IngestOutcome};

use crate::error::{Error, Result};

/// Whether a severity is acceptable (see `actions::check_severity`).
pub fn valid_severity(severity: &str) -> bool {
    actions::check_severity(severity).is_ok()
}

/// What an incident is opened for.
#[derive(Debug, Clone, Default)]
pub struct NewIncident {
    pub title: String,
    pub runbook_key: Option<String>,
    pub alertname: Option<String>,
    pub labels: Labels,
    pub severity: Option<String>,
    /// Steps copied from the runbook's Mitigation section at open time.
    pub checklist: Vec<String>,
}

#[derive(Clone)]
pub struct Timeline {
    pool: SqlitePool,
    writer: Arc<Mutex<()>>,
    /// Every committed event, for live viewers. Per process: replicas on
    /// PostgreSQL would feed it from `LISTEN/NOTIFY` instead.
    events: broadcast::Sender<TimelineEvent>,
    /// Commits so far in this process; pages cached before a commit are stale.
    commits: Arc<AtomicU64>,
    /// Actions waiting for the group-commit writer (`batch`).
    jobs: batch::Jobs,
}

/// A write transaction and the in-process write turn that goes with it.
struct WriteTx<'a> {
    tx: Transaction<'static, Sqlite>,
    _turn: MutexGuard<'a, ()>,
}

impl Timeline {
    /// Must be called inside a Tokio runtime: it starts the writer task.
    pub fn new(pool: SqlitePool) -> Timeline {
        let (events, _) = broadcast::channel(1024);
        let (jobs, queue) = tokio::sync::mpsc::channel(batch::QUEUE);
        let timeline = Timeline {
            pool,
            writer: Arc::new(Mutex::new(())),
            events,
            commits: Arc::new(AtomicU64::new(0)),
            jobs,
        };
        tokio::spawn(timeline.clone().run_batches(queue));
        timeline
    }

    /// Receive every event committed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<TimelineEvent> {
        self.events.subscribe()
    }

    /// Changes whenever an incident or its timeline changes.
    pub fn version(&self) -> u64 {
        self.commits.load(Ordering::Acquire)
    }

    async fn write(&self) -> Result<WriteTx<'_>> {
        let turn = self.writer.lock().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx { tx, _turn: turn })
    }

    /// Commit, then tell live viewers; an event is only announced once it is
    /// durable.
    async fn commit(&self, write: WriteTx<'_>, events: Vec<TimelineEvent>) -> Result<()> {
        write.tx.commit().await?;
        self.commits.fetch_add(1, Ordering::AcqRel);
        for event in events {
            // No receiver is not an error: nobody is watching.
            let _ = self.events.send(event);
        }
        Ok(())
    }

    /// Open an incident with its first event. Refused while the same runbook
    /// already has an unresolved incident, so a double click opens one.
    pub async fn open(&self, new: NewIncident, actor: &str) -> Result<portal_types::IncidentView> {
        if new.title.trim().is_empty() {
            return Err(Error::BadRequest("an incident needs a title".into()));
        }
        if new.title.len() > 500 {
            return Err(Error::BadRequest("title longer than 500 bytes".into()));
        }
        if let Some(severity) = &new.severity {
            actions::check_severity(severity)?;
        }
        let now = Utc::now();
        let labels =
            serde_json::to_string(&new.labels).map_err(|e| Error::Internal(e.to_string()))?;
        let mut write = self.write().await?;
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO incidents (title, status, severity, runbook_key, alertname, labels, opened_at, opened_by)
             SELECT $1, 'open', $7, $2, $3, $4, $5, $6
             WHERE $2 IS NULL OR NOT EXISTS (
                 SELECT 1 FROM incidents WHERE runbook_key = $2 AND status <> 'resolved')
             RETURNING id",
        )
        .bind(&new.title)
        .bind(&new.runbook_key)
        .bind(&new.alertname)
        .bind(&labels)
        .bind(now)
        .bind(actor)
        .bind(&new.severity)
        .fetch_optional(&mut *write.tx)
        .await?;
        let Some(id) = inserted else {
            return Err(Error::Conflict(format!(
                "runbook {} already has an open incident",
                new.runbook_key.unwrap_or_default()
            )));
        };
        let payload = json!({
            "title": new.title,
            "labels": new.labels,
            "severity": new.severity,
            "checklist": new.checklist,
        });
        let event = append(&mut write.tx, id, now, actor, "opened", payload).await?;
        self.commit(write, vec![event]).await?;
        self.get(id).await
    }
}

/// Append one event inside the caller's transaction.
async fn append(
    tx: &mut sqlx::SqliteConnection,
    incident: i64,
    at: DateTime<Utc>,
    actor: &str,
    kind: &str,
    payload: Value,
) -> Result<TimelineEvent> {
    let id = sqlx::query_scalar(
        "INSERT INTO incident_events (incident_id, at, actor, kind, payload) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(incident)
    .bind(at)
    .bind(actor)
    .bind(kind)
    .bind(payload.to_string())
    .fetch_one(tx)
    .await?;
    Ok(TimelineEvent {
        id,
        incident_id: incident,
        at,
        actor: actor.to_string(),
        kind: kind.to_string(),
        summary: summary::summarise(kind, &payload),
        payload,
    })
}

#[cfg(test)]
mod tests;
