//! Incidents and their append-only timeline. Every change to an incident is
//! written together with the event that records it, in one transaction.
//!
//! The rules (what an action may do in which state, what each event says)
//! are here; rows are the store's ([`IncidentStore`]), and so is the write
//! discipline every transaction follows ([`IncidentStore::begin`]).
//! Committed events reach live viewers through a [`TimelineFeed`].

mod actions;
mod alertmanager;
mod batch;
mod note;
pub mod postmortem;
mod read;
mod summary;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use portal_types::{Labels, TimelineEvent};
use serde_json::{Value, json};
use tokio::sync::broadcast;

pub use alertmanager::{AlertSignal, IngestOutcome};

use crate::error::{Error, Result};
use crate::store::{
    EventRecord, IncidentStore, IncidentTx, NewEvent, NewIncidentRecord, TimelineFeed,
};

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
    store: Arc<dyn IncidentStore>,
    /// Every committed event (of every portal sharing the database) and the
    /// commit count that tells cached pages they are stale.
    feed: Arc<dyn TimelineFeed>,
    /// The feed's events as viewers see them, with their summaries.
    live: broadcast::Sender<TimelineEvent>,
    /// Actions waiting for the group-commit writer (`batch`).
    jobs: batch::Jobs,
}

impl Timeline {
    /// Must be called inside a Tokio runtime: it starts the writer task.
    pub fn new(store: Arc<dyn IncidentStore>, feed: Arc<dyn TimelineFeed>) -> Timeline {
        let (jobs, queue) = tokio::sync::mpsc::channel(batch::QUEUE);
        let live = broadcast::channel(crate::store::feed::FEED_CAPACITY).0;
        tokio::spawn(summarise_feed(feed.subscribe(), live.clone()));
        let timeline = Timeline {
            store,
            feed,
            live,
            jobs,
        };
        tokio::spawn(timeline.clone().run_batches(queue));
        timeline
    }

    /// The timeline over a backend's incidents store and feed.
    pub fn from_stores(stores: &crate::store::Stores) -> Timeline {
        Timeline::new(stores.incidents.clone(), stores.feed.clone())
    }

    /// Receive every event committed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<TimelineEvent> {
        self.live.subscribe()
    }

    /// Changes whenever an incident or its timeline changes.
    pub fn version(&self) -> u64 {
        self.feed.version()
    }

    /// Commit, then tell live viewers; an event is only announced once it is
    /// durable.
    async fn commit(&self, tx: Box<dyn IncidentTx>, events: Vec<TimelineEvent>) -> Result<()> {
        tx.commit().await?;
        self.feed
            .committed(events.into_iter().map(record).collect());
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
        let mut tx = self.store.begin().await?;
        let inserted = tx
            .insert(&NewIncidentRecord {
                title: &new.title,
                severity: new.severity.as_deref(),
                runbook_key: new.runbook_key.as_deref(),
                alertname: new.alertname.as_deref(),
                labels: &new.labels,
                fingerprint: None,
                opened_at: now,
                opened_by: actor,
                one_per_runbook: true,
            })
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
        let event = append(&mut *tx, id, now, actor, "opened", payload).await?;
        self.commit(tx, vec![event]).await?;
        self.get(id).await
    }
}

/// Append one event inside the caller's transaction.
async fn append(
    tx: &mut dyn IncidentTx,
    incident: i64,
    at: DateTime<Utc>,
    actor: &str,
    kind: &str,
    payload: Value,
) -> Result<TimelineEvent> {
    let id = tx
        .append(&NewEvent {
            incident_id: incident,
            at,
            actor,
            kind,
            payload: &payload,
        })
        .await?;
    Ok(event(EventRecord {
        id,
        incident_id: incident,
        at,
        actor: actor.to_string(),
        kind: kind.to_string(),
        payload,
    }))
}

/// Give each event of the feed its summary, for viewers. Ends when the feed
/// does; a burst past the channel's capacity is skipped, as a viewer's is.
async fn summarise_feed(
    mut feed: broadcast::Receiver<EventRecord>,
    live: broadcast::Sender<TimelineEvent>,
) {
    loop {
        match feed.recv().await {
            Ok(record) => {
                let _ = live.send(event(record));
            }
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "live timeline fell behind; events skipped");
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// An event as the store keeps it (the summary is derived, not stored).
fn record(event: TimelineEvent) -> EventRecord {
    EventRecord {
        id: event.id,
        incident_id: event.incident_id,
        at: event.at,
        actor: event.actor,
        kind: event.kind,
        payload: event.payload,
    }
}

/// A stored event as viewers see it, with its one-line summary.
fn event(record: EventRecord) -> TimelineEvent {
    TimelineEvent {
        id: record.id,
        incident_id: record.incident_id,
        at: record.at,
        actor: record.actor,
        summary: summary::summarise(&record.kind, &record.payload),
        html: (record.kind == "note").then(|| note::html(summary::note_text(&record.payload))),
        kind: record.kind,
        payload: record.payload,
    }
}

#[cfg(test)]
mod tests;
