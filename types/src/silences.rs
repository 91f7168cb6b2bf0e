//! Silences made from a runbook page's context: the matchers a form sends,
//! what they would hide now, and what creating or expiring one answers.

use serde::{Deserialize, Serialize};

use crate::{AlertInstance, SilenceView};

/// One Alertmanager matcher: `name="value"`, `!=`, `=~`, `!~`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Matcher {
    pub name: String,
    pub value: String,
    /// `value` is a regular expression (anchored, as Alertmanager reads it).
    #[serde(default)]
    pub is_regex: bool,
    /// `false` negates the matcher (`!=`, `!~`).
    #[serde(default = "yes")]
    pub is_equal: bool,
}

fn yes() -> bool {
    true
}

impl Matcher {
    /// `name="value"`.
    pub fn equal(name: impl Into<String>, value: impl Into<String>) -> Matcher {
        Matcher {
            name: name.into(),
            value: value.into(),
            is_regex: false,
            is_equal: true,
        }
    }

    /// The matcher as Alertmanager writes it.
    pub fn render(&self) -> String {
        let op = match (self.is_equal, self.is_regex) {
            (true, false) => "=",
            (false, false) => "!=",
            (true, true) => "=~",
            (false, true) => "!~",
        };
        format!("{}{op}{:?}", self.name, self.value)
    }
}

/// `POST /api/v1/silences/preview`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SilencePreviewRequest {
    pub matchers: Vec<Matcher>,
}

/// What a silence with these matchers would hide right now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SilencePreview {
    /// Firing and pending instances the matchers match.
    pub count: usize,
    /// The first of them (at most [`SilencePreview::SHOWN`]).
    pub alerts: Vec<AlertInstance>,
    /// Why creating it would be refused, if it would.
    pub refusal: Option<String>,
    pub max_matched_alerts: usize,
    pub max_duration_hours: u32,
}

impl SilencePreview {
    pub const SHOWN: usize = 20;
}

/// `POST /api/v1/silences`, and the runbook page's silence form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateSilence {
    /// Must include `alertname="…"`.
    pub matchers: Vec<Matcher>,
    /// From now; at most `silences.max_duration_hours` × 60.
    pub duration_minutes: i64,
    /// Why: required, shown in Alertmanager and on the incident.
    pub comment: String,
    /// Record a `silenced` event on this incident.
    #[serde(default)]
    pub incident_id: Option<i64>,
}

/// A silence the portal created or expired.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SilenceOutcome {
    pub silence: SilenceView,
    /// The incident whose timeline recorded it.
    pub incident_id: Option<i64>,
    /// Set when the silence took effect but recording it failed.
    pub warning: Option<String>,
}

/// Ends of a silence, for forms: a duration choice in minutes and its label.
pub fn duration_choices(max_hours: u32) -> Vec<(i64, String)> {
    let max = i64::from(max_hours) * 60;
    let mut choices: Vec<(i64, String)> = [15, 30, 60, 120, 240, 480, 720, 1440, 2880, 10080]
        .into_iter()
        .filter(|&m| m <= max)
        .map(|m| (m, label(m)))
        .collect();
    if choices.last().is_none_or(|(m, _)| *m != max) && max > 0 {
        choices.push((max, label(max)));
    }
    choices
}

fn label(minutes: i64) -> String {
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m % 60 == 0 => format!("{} h", m / 60),
        m => format!("{} h {} min", m / 60, m % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_offers_durations_up_to_the_cap() {
        let m = Matcher {
            is_regex: true,
            ..Matcher::equal("job", "a.*")
        };
        assert_eq!(m.render(), r#"job=~"a.*""#);
        let choices = duration_choices(24);
        assert_eq!(choices.last().unwrap(), &(1440, "24 h".to_string()));
        assert_eq!(duration_choices(3).last().unwrap().0, 180);
        assert_eq!(duration_choices(0), vec![]);
    }
}
