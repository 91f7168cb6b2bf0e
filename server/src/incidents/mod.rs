//! Incidents and their append-only timeline. Every change to an incident is
//! written together with the event that records it, in one transaction.

use app::types::{IncidentView, Labels, TimelineEvent};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::{Row, SqlitePool};

use crate::error::{Error, Result};

/// What an incident is opened for.
#[derive(Debug, Clone, Default)]
pub struct NewIncident {
    pub title: String,
    pub runbook_key: Option<String>,
    pub alertname: Option<String>,
    pub labels: Labels,
    /// Steps copied from the runbook's Mitigation section at open time.
    pub checklist: Vec<String>,
}

#[derive(Clone)]
pub struct Timeline {
    pool: SqlitePool,
}

impl Timeline {
    pub fn new(pool: SqlitePool) -> Timeline {
        Timeline { pool }
    }

    /// Open an incident with its first event. Refused while the same runbook
    /// already has an unresolved incident, so a double click opens one.
    pub async fn open(&self, new: NewIncident, actor: &str) -> Result<IncidentView> {
        if new.title.trim().is_empty() {
            return Err(Error::BadRequest("an incident needs a title".into()));
        }
        let now = Utc::now();
        let labels =
            serde_json::to_string(&new.labels).map_err(|e| Error::Internal(e.to_string()))?;
        let mut tx = self.pool.begin().await?;
        // One statement, so the check and the insert cannot interleave with
        // another writer.
        let inserted = sqlx::query(
            "INSERT INTO incidents (title, status, runbook_key, alertname, labels, opened_at, opened_by)
             SELECT $1, 'open', $2, $3, $4, $5, $6
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
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = inserted else {
            return Err(Error::Conflict(format!(
                "runbook {} already has an open incident",
                new.runbook_key.unwrap_or_default()
            )));
        };
        let id: i64 = row.try_get("id")?;
        let payload =
            json!({ "title": new.title, "labels": new.labels, "checklist": new.checklist });
        append(&mut tx, id, now, actor, "opened", &payload).await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// An incident with all its events.
    pub async fn get(&self, id: i64) -> Result<IncidentView> {
        let row = sqlx::query(
            "SELECT id, title, status, runbook_key, alertname, opened_at, opened_by FROM incidents WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no incident {id}")))?;
        let events = sqlx::query(
            "SELECT id, at, actor, kind, payload FROM incident_events WHERE incident_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|row| -> Result<TimelineEvent> {
            let kind: String = row.try_get("kind")?;
            let payload: String = row.try_get("payload")?;
            let payload: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
            Ok(TimelineEvent {
                id: row.try_get("id")?,
                at: row.try_get("at")?,
                actor: row.try_get("actor")?,
                summary: summarise(&kind, &payload),
                kind,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(IncidentView {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            status: row.try_get("status")?,
            runbook_key: row.try_get("runbook_key")?,
            alertname: row.try_get("alertname")?,
            opened_at: row.try_get("opened_at")?,
            opened_by: row.try_get("opened_by")?,
            events,
        })
    }

    /// The newest unresolved incident of a runbook.
    pub async fn current_for_runbook(&self, runbook_key: &str) -> Result<Option<IncidentView>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM incidents WHERE runbook_key = $1 AND status <> 'resolved' ORDER BY id DESC LIMIT 1",
        )
        .bind(runbook_key)
        .fetch_optional(&self.pool)
        .await?;
        match id {
            Some(id) => Ok(Some(self.get(id).await?)),
            None => Ok(None),
        }
    }
}

/// Append one event inside the caller's transaction.
async fn append(
    tx: &mut sqlx::SqliteConnection,
    incident: i64,
    at: DateTime<Utc>,
    actor: &str,
    kind: &str,
    payload: &Value,
) -> Result<i64> {
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
    Ok(id)
}

/// One line of text for an event, derived from its payload.
fn summarise(kind: &str, payload: &Value) -> String {
    match kind {
        "opened" => {
            let labels = payload
                .get("labels")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            if labels.is_empty() {
                "opened the incident".to_string()
            } else {
                format!("opened the incident for {}", labels.join(", "))
            }
        }
        other => other.replace('_', " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn timeline() -> (tempfile::TempDir, Timeline) {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::connect(dir.path().join("t.db").to_str().unwrap())
            .await
            .unwrap();
        (dir, Timeline::new(pool))
    }

    #[tokio::test]
    async fn open_writes_incident_and_first_event() {
        let (_dir, timeline) = timeline().await;
        let new = NewIncident {
            title: "Disk full".into(),
            runbook_key: Some("node/HostOutOfDiskSpace".into()),
            labels: [("instance".to_string(), "db1:9100".to_string())].into(),
            ..Default::default()
        };
        let incident = timeline.open(new.clone(), "alice").await.unwrap();
        assert_eq!(incident.status, "open");
        assert_eq!(incident.events.len(), 1);
        assert_eq!(incident.events[0].actor, "alice");
        assert!(incident.events[0].summary.contains("instance=db1:9100"));
        let again = timeline.open(new, "bob").await.unwrap_err();
        assert!(matches!(again, Error::Conflict(_)));
        let current = timeline
            .current_for_runbook("node/HostOutOfDiskSpace")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(current.id, incident.id);
    }

    #[tokio::test]
    async fn events_cannot_be_updated_or_deleted() {
        let (_dir, timeline) = timeline().await;
        let incident = timeline
            .open(
                NewIncident {
                    title: "x".into(),
                    ..Default::default()
                },
                "a",
            )
            .await
            .unwrap();
        let update =
            sqlx::query("UPDATE incident_events SET actor = 'mallory' WHERE incident_id = $1")
                .bind(incident.id)
                .execute(&timeline.pool)
                .await;
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = sqlx::query("DELETE FROM incident_events")
            .execute(&timeline.pool)
            .await;
        assert!(delete.unwrap_err().to_string().contains("append-only"));
    }
}
