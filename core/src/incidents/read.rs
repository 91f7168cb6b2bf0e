//! Reading incidents: one with its timeline, the current one of a runbook,
//! and filtered, paginated lists.

use portal_types::{IncidentPage, IncidentQuery, IncidentSummary, IncidentView, TimelineEvent};
use serde_json::Value;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{Timeline, summary};
use crate::error::{Error, Result};

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 500;

impl Timeline {
    /// An incident with all its events and its checklist state.
    pub async fn get(&self, id: i64) -> Result<IncidentView> {
        let row = sqlx::query("SELECT * FROM incidents WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no incident {id}")))?;
        let events = sqlx::query(
            "SELECT id, incident_id, at, actor, kind, payload FROM incident_events WHERE incident_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(event_from_row)
        .collect::<Result<Vec<_>>>()?;
        let labels: String = row.try_get("labels")?;
        Ok(IncidentView {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            status: row.try_get("status")?,
            severity: row.try_get("severity")?,
            runbook_key: row.try_get("runbook_key")?,
            alertname: row.try_get("alertname")?,
            labels: serde_json::from_str(&labels).unwrap_or_default(),
            fingerprint: row.try_get("fingerprint")?,
            opened_at: row.try_get("opened_at")?,
            opened_by: row.try_get("opened_by")?,
            acknowledged_at: row.try_get("acknowledged_at")?,
            acknowledged_by: row.try_get("acknowledged_by")?,
            resolved_at: row.try_get("resolved_at")?,
            resolved_by: row.try_get("resolved_by")?,
            checklist: summary::checklist(&events),
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

    /// Incidents matching `query`, newest first, one page at a time.
    pub async fn list(&self, query: &IncidentQuery) -> Result<IncidentPage> {
        let limit = query.limit.unwrap_or(DEFAULT_PAGE);
        if limit == 0 || limit > MAX_PAGE {
            return Err(Error::BadRequest(format!(
                "limit must be between 1 and {MAX_PAGE}"
            )));
        }
        let offset = query.offset.unwrap_or(0);
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM incidents");
        filter(&mut count, query)?;
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;
        let mut select = QueryBuilder::<Sqlite>::new(
            "SELECT id, title, status, severity, runbook_key, alertname, opened_at, opened_by, resolved_at FROM incidents",
        );
        filter(&mut select, query)?;
        select
            .push(" ORDER BY opened_at DESC, id DESC LIMIT ")
            .push_bind(i64::from(limit))
            .push(" OFFSET ")
            .push_bind(i64::from(offset));
        let items = select
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| -> Result<IncidentSummary> {
                Ok(IncidentSummary {
                    id: row.try_get("id")?,
                    title: row.try_get("title")?,
                    status: row.try_get("status")?,
                    severity: row.try_get("severity")?,
                    runbook_key: row.try_get("runbook_key")?,
                    alertname: row.try_get("alertname")?,
                    opened_at: row.try_get("opened_at")?,
                    opened_by: row.try_get("opened_by")?,
                    resolved_at: row.try_get("resolved_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(IncidentPage {
            items,
            total,
            limit,
            offset,
        })
    }
}

/// The WHERE clause shared by the count and the page.
fn filter<'a>(builder: &mut QueryBuilder<'a, Sqlite>, query: &'a IncidentQuery) -> Result<()> {
    let mut word = " WHERE ";
    if let Some(status) = query.status.as_deref().filter(|s| !s.is_empty()) {
        builder.push(word);
        word = " AND ";
        match status {
            "active" => {
                builder.push("status <> 'resolved'");
            }
            "open" | "acknowledged" | "resolved" => {
                builder.push("status = ").push_bind(status);
            }
            other => {
                return Err(Error::BadRequest(format!(
                    "status must be open, acknowledged, resolved or active, not {other:?}"
                )));
            }
        }
    }
    if let Some(alertname) = query.alertname.as_deref().filter(|s| !s.is_empty()) {
        builder.push(word).push("alertname = ").push_bind(alertname);
        word = " AND ";
    }
    if let Some(since) = query.since {
        builder.push(word).push("opened_at >= ").push_bind(since);
        word = " AND ";
    }
    if let Some(until) = query.until {
        builder.push(word).push("opened_at < ").push_bind(until);
    }
    Ok(())
}

pub(super) fn event_from_row(row: &SqliteRow) -> Result<TimelineEvent> {
    let kind: String = row.try_get("kind")?;
    let payload: String = row.try_get("payload")?;
    let payload: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
    Ok(TimelineEvent {
        id: row.try_get("id")?,
        incident_id: row.try_get("incident_id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        summary: summary::summarise(&kind, &payload),
        kind,
        payload,
    })
}
