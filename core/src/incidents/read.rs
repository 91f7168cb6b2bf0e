//! Reading incidents: one with its timeline, the current one of a runbook,
//! and filtered, paginated lists.

use portal_types::{IncidentPage, IncidentQuery, IncidentView};

use super::{Timeline, event, summary};
use crate::error::{Error, Result};
use crate::store::{IncidentFilter, StatusFilter};

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 500;

impl Timeline {
    /// An incident with all its events and its checklist state.
    pub async fn get(&self, id: i64) -> Result<IncidentView> {
        let row = self
            .store
            .get(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no incident {id}")))?;
        let events: Vec<_> = self
            .store
            .events(id)
            .await?
            .into_iter()
            .map(event)
            .collect();
        Ok(IncidentView {
            id: row.id,
            title: row.title,
            status: row.status,
            severity: row.severity,
            runbook_key: row.runbook_key,
            alertname: row.alertname,
            labels: row.labels,
            fingerprint: row.fingerprint,
            opened_at: row.opened_at,
            opened_by: row.opened_by,
            acknowledged_at: row.acknowledged_at,
            acknowledged_by: row.acknowledged_by,
            resolved_at: row.resolved_at,
            resolved_by: row.resolved_by,
            checklist: summary::checklist(&events),
            events,
        })
    }

    /// The newest unresolved incident of a runbook.
    pub async fn current_for_runbook(&self, runbook_key: &str) -> Result<Option<IncidentView>> {
        match self.store.current_for_runbook(runbook_key).await? {
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
        let filter = IncidentFilter {
            status: status_filter(query.status.as_deref())?,
            alertname: query.alertname.as_deref().filter(|s| !s.is_empty()),
            since: query.since,
            until: query.until,
            active_first: query.active_first.unwrap_or(false),
        };
        let (items, total) = self.store.list(&filter, limit, offset).await?;
        Ok(IncidentPage {
            items,
            total,
            limit,
            offset,
        })
    }
}

fn status_filter(status: Option<&str>) -> Result<Option<StatusFilter>> {
    Ok(match status.filter(|s| !s.is_empty()) {
        None => None,
        Some("active") => Some(StatusFilter::Active),
        Some(other) => match other.parse() {
            Ok(status) => Some(StatusFilter::Is(status)),
            Err(_) => {
                return Err(Error::BadRequest(format!(
                    "status must be open, acknowledged, resolved or active, not {other:?}"
                )));
            }
        },
    })
}
