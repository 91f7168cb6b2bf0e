//! Silences from a runbook page's context, with guardrails: a named author,
//! a reason, one alert name, a bound on how many alerts it hides now and on
//! how long. Written to Alertmanager (see `silences`), recorded on the
//! incident when one is named.

use std::sync::Arc;

use chrono::Utc;
use portal_types::{
    AlertInstance, CreateSilence, IncidentAction, Matcher, SilenceOutcome, SilencePreview,
    SilenceView, UpstreamKind,
};
use serde_json::json;

use crate::alerts::AlertHub;
use crate::auth::{ANONYMOUS, Actor};
use crate::config::SilencesConfig;
use crate::error::{Error, Result};
use crate::incidents::Timeline;
use crate::silences::SilenceWriter;
use crate::silences::matchers::{self, Compiled};

const MAX_COMMENT: usize = 2000;

/// The silence use cases and what they need.
#[derive(Clone)]
pub struct Silences {
    alerts: Arc<AlertHub>,
    writer: Arc<SilenceWriter>,
    timeline: Timeline,
    config: SilencesConfig,
}

impl Silences {
    pub fn new(
        alerts: Arc<AlertHub>,
        writer: Arc<SilenceWriter>,
        timeline: Timeline,
        config: SilencesConfig,
    ) -> Silences {
        Silences {
            alerts,
            writer,
            timeline,
            config,
        }
    }

    /// What a silence with these matchers would hide now, and whether it
    /// would be refused for breadth. Malformed matchers are a 400.
    pub fn preview(&self, matchers: &[Matcher]) -> Result<SilencePreview> {
        let compiled = matchers::compile(matchers)?;
        let matched = self.matched(&compiled);
        let count = matched.len();
        Ok(SilencePreview {
            count,
            refusal: self.too_broad(count),
            alerts: matched.into_iter().take(SilencePreview::SHOWN).collect(),
            max_matched_alerts: self.config.max_matched_alerts,
            max_duration_hours: self.config.max_duration_hours,
        })
    }

    /// Create the silence in Alertmanager as `actor`; record it on the incident.
    pub async fn create(&self, actor: &Actor, create: CreateSilence) -> Result<SilenceOutcome> {
        self.check_author(actor)?;
        let comment = create.comment.trim();
        if comment.is_empty() {
            return Err(Error::BadRequest(
                "a silence needs a comment: say why the alert may be muted".into(),
            ));
        }
        if comment.len() > MAX_COMMENT {
            return Err(Error::BadRequest(format!(
                "the comment is longer than {MAX_COMMENT} bytes"
            )));
        }
        let max_minutes = i64::from(self.config.max_duration_hours) * 60;
        if create.duration_minutes <= 0 || create.duration_minutes > max_minutes {
            return Err(Error::BadRequest(format!(
                "a silence lasts from 1 minute to {} hours (silences.max_duration_hours), not {} minutes",
                self.config.max_duration_hours, create.duration_minutes
            )));
        }
        let compiled = matchers::compile(&create.matchers)?;
        let count = self.matched(&compiled).len();
        if let Some(refusal) = self.too_broad(count) {
            return Err(Error::BadRequest(refusal));
        }
        if let Some(id) = create.incident_id {
            self.timeline.get(id).await?;
        }
        let comment = match create.incident_id {
            Some(id) => format!("{comment}{MARK}{id})"),
            None => comment.to_string(),
        };
        let starts_at = Utc::now();
        let ends_at = starts_at + chrono::Duration::minutes(create.duration_minutes);
        let body = json!({
            "matchers": compiled.matchers().map(|m| json!({
                "name": m.name, "value": m.value, "isRegex": m.is_regex, "isEqual": m.is_equal,
            })).collect::<Vec<_>>(),
            "startsAt": starts_at,
            "endsAt": ends_at,
            "createdBy": actor.name(),
            "comment": comment,
        });
        let (id, peer) = self.writer.create(&body, &self.healthy()).await?;
        let rendered: Vec<String> = compiled.matchers().map(Matcher::render).collect();
        tracing::info!(silence = %id, alertmanager = %peer, matchers = ?rendered, until = %ends_at, %actor, matched = count, incident = ?create.incident_id, "silence created");
        let silence = SilenceView {
            id: id.clone(),
            state: "active".into(),
            matchers: rendered.clone(),
            comment: comment.clone(),
            created_by: actor.name().to_string(),
            starts_at,
            ends_at,
            upstream: peer,
        };
        let action = IncidentAction::Silenced {
            silence_id: id,
            matchers: rendered,
            ends_at,
            comment: create.comment.trim().to_string(),
        };
        Ok(self
            .record(actor, silence, create.incident_id, action)
            .await)
    }

    /// Expire a silence now as `actor`; recorded on the incident it was made for.
    pub async fn expire(&self, actor: &Actor, id: &str) -> Result<SilenceOutcome> {
        self.check_author(actor)?;
        if id.is_empty() || id.len() > 100 {
            return Err(Error::BadRequest(format!("{id:?} is not a silence id")));
        }
        let healthy = self.healthy();
        let (found, _) = self.writer.get(id, &healthy).await?;
        if found.status.state == "expired" {
            return Err(Error::Conflict(format!("silence {id} has already expired")));
        }
        let peer = self.writer.expire(id, &healthy).await?;
        let incident = incident_of(&found.comment);
        tracing::info!(silence = %id, alertmanager = %peer, created_by = %found.created_by, %actor, incident = ?incident, "silence expired");
        let silence = SilenceView {
            id: id.to_string(),
            state: "expired".into(),
            matchers: found.matchers.iter().map(|m| m.render()).collect(),
            comment: found.comment.clone(),
            created_by: found.created_by.clone(),
            starts_at: found.starts_at,
            ends_at: Utc::now(),
            upstream: peer,
        };
        let action = IncidentAction::Unsilenced {
            silence_id: id.to_string(),
        };
        Ok(self.record(actor, silence, incident, action).await)
    }

    /// The silence took effect either way: a failure to record it is a
    /// warning in the answer, not an error (a retry would silence twice).
    async fn record(
        &self,
        actor: &Actor,
        silence: SilenceView,
        incident: Option<i64>,
        action: IncidentAction,
    ) -> SilenceOutcome {
        let mut warning = None;
        if let Some(incident) = incident
            && let Err(e) = self.timeline.act(incident, action, actor.name()).await
        {
            tracing::error!(silence = %silence.id, incident, error = %e, "silence not recorded on the incident");
            warning = Some(format!("not recorded on incident {incident}: {e}"));
        }
        SilenceOutcome {
            silence,
            incident_id: incident,
            warning,
        }
    }

    fn check_author(&self, actor: &Actor) -> Result<()> {
        if actor.name() == ANONYMOUS && !self.config.allow_anonymous {
            return Err(Error::Forbidden(
                "silences need a named author: sign in through the portal's proxy or use an API token".into(),
            ));
        }
        Ok(())
    }

    /// Names of the Alertmanagers whose last poll succeeded.
    fn healthy(&self) -> Vec<String> {
        self.alerts
            .snapshot()
            .upstreams
            .iter()
            .filter(|u| u.kind == UpstreamKind::Alertmanager && u.healthy())
            .map(|u| u.name.clone())
            .collect()
    }

    fn matched(&self, compiled: &Compiled) -> Vec<AlertInstance> {
        self.alerts
            .snapshot()
            .alerts
            .iter()
            .filter(|a| compiled.matches(&a.labels))
            .cloned()
            .collect()
    }

    fn too_broad(&self, count: usize) -> Option<String> {
        let max = self.config.max_matched_alerts;
        (count > max).then(|| {
            format!("this silence would hide {count} alerts now; at most {max} are allowed (silences.max_matched_alerts): narrow the matchers")
        })
    }
}

/// How a silence's comment names the incident it was made for.
const MARK: &str = " (incident #";

fn incident_of(comment: &str) -> Option<i64> {
    let (_, tail) = comment.rsplit_once(MARK)?;
    tail.strip_suffix(')')?.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_comment_names_the_incident() {
        assert_eq!(super::incident_of("deploy (incident #7)"), Some(7));
        assert_eq!(super::incident_of("deploy"), None);
        assert_eq!(super::incident_of("x (incident #7) later"), None);
    }
}
