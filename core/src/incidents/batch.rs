//! Group commit for timeline actions. Responders and automation append
//! concurrently; committing each event on its own makes them queue behind one
//! another's commits. Instead one writer task takes every action waiting,
//! applies them in one transaction (a refused action has written nothing, so
//! it leaves the others) and commits once. Every caller is answered only
//! after that commit, so an acknowledged event is always durable.
//!
//! This sits above the store: any backend's [`crate::store::IncidentTx`]
//! carries a batch, under that backend's write discipline.

use portal_types::{IncidentAction, TimelineEvent};
use tokio::sync::{mpsc, oneshot};

use super::Timeline;
use super::actions::apply;
use crate::error::{Error, Result};
use crate::store::StoreError;

/// Most actions committed together.
const MAX_BATCH: usize = 256;
/// Actions waiting for the writer; senders wait when it is full.
pub(super) const QUEUE: usize = 4096;

pub(super) struct Job {
    id: i64,
    action: IncidentAction,
    actor: String,
    reply: oneshot::Sender<Result<TimelineEvent>>,
}

pub(super) type Jobs = mpsc::Sender<Job>;

/// What every caller of a failed batch is told: a busy database (a lock
/// timeout, a deadlock PostgreSQL aborted) stays busy, a 503 worth retrying;
/// anything else is internal, its details in the log.
fn aborted(error: &Error, what: &str) -> Error {
    match error {
        Error::Store(StoreError::Busy(reason)) => Error::Store(StoreError::Busy(reason.clone())),
        _ => Error::Internal(format!("the event could not be {what}")),
    }
}

fn writer_gone() -> Error {
    Error::Internal("the timeline writer has stopped".into())
}

impl Timeline {
    /// Queue one validated action and wait for its committed event.
    pub(super) async fn enqueue(
        &self,
        id: i64,
        action: IncidentAction,
        actor: &str,
    ) -> Result<TimelineEvent> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            id,
            action,
            actor: actor.to_string(),
            reply,
        };
        self.jobs.send(job).await.map_err(|_| writer_gone())?;
        answer.await.map_err(|_| writer_gone())?
    }

    /// The writer task: one batch at a time, as many actions as are waiting.
    pub(super) async fn run_batches(self, mut queue: mpsc::Receiver<Job>) {
        while let Some(first) = queue.recv().await {
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            self.commit_batch(jobs).await;
        }
    }

    async fn commit_batch(&self, jobs: Vec<Job>) {
        let mut tx = match self.store.begin().await {
            Ok(tx) => tx,
            Err(e) => {
                // Busy stays busy (a 503 the caller may retry).
                for job in jobs {
                    let _ = job.reply.send(Err(Error::Store(e.clone())));
                }
                return;
            }
        };
        // An action refused for its input or the incident's state (404, 400,
        // 409) is refused before it writes anything, so it needs no savepoint;
        // a database error part-way aborts the whole batch, writing nothing.
        let mut outcomes = Vec::with_capacity(jobs.len());
        for job in &jobs {
            let outcome = apply(&mut *tx, job.id, job.action.clone(), &job.actor).await;
            if let Err(e @ (Error::Store(_) | Error::Internal(_))) = &outcome {
                tracing::error!(error = %e, "timeline batch aborted");
                drop(tx);
                for job in jobs {
                    let _ = job.reply.send(Err(aborted(e, "recorded")));
                }
                return;
            }
            outcomes.push(outcome);
        }
        let events: Vec<TimelineEvent> = outcomes
            .iter()
            .filter_map(|o: &Result<TimelineEvent>| o.as_ref().ok().cloned())
            .collect();
        match self.commit(tx, events).await {
            Ok(()) => {
                for (job, outcome) in jobs.into_iter().zip(outcomes) {
                    // A caller that gave up waiting is no error.
                    let _ = job.reply.send(outcome);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "committing a batch of timeline events failed");
                for job in jobs {
                    let _ = job.reply.send(Err(aborted(&e, "committed")));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_database_stays_busy_for_every_caller_of_the_batch() {
        let busy = Error::Store(StoreError::Busy("deadlock detected".into()));
        assert!(matches!(
            aborted(&busy, "recorded"),
            Error::Store(StoreError::Busy(reason)) if reason == "deadlock detected"
        ));
        let other = Error::Store(StoreError::Other("disk I/O error".into()));
        assert!(matches!(aborted(&other, "recorded"), Error::Internal(_)));
    }
}
