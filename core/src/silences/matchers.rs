//! Matchers as Alertmanager reads them, checked before anything is sent:
//! label names, value sizes, regexes that compile (anchored, like
//! Alertmanager's), and an `alertname` that keeps a silence to one alert.

use portal_types::{Labels, Matcher};
use regex::Regex;

use crate::error::{Error, Result};

const MAX_MATCHERS: usize = 32;
const MAX_VALUE: usize = 1024;

/// Matchers that passed the checks, with their regexes compiled.
#[derive(Debug)]
pub struct Compiled(Vec<(Matcher, Option<Regex>)>);

/// A label name in Prometheus' classic form, `[a-zA-Z_][a-zA-Z0-9_]*`.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Check and compile; every refusal says which matcher and why.
pub fn compile(matchers: &[Matcher]) -> Result<Compiled> {
    if matchers.len() > MAX_MATCHERS {
        return Err(Error::BadRequest(format!(
            "a silence takes at most {MAX_MATCHERS} matchers"
        )));
    }
    let mut compiled = Vec::with_capacity(matchers.len());
    for m in matchers {
        if !valid_name(&m.name) {
            return Err(Error::BadRequest(format!(
                "{:?} is not a label name (letters, digits and '_', not starting with a digit)",
                m.name
            )));
        }
        if m.value.len() > MAX_VALUE {
            return Err(Error::BadRequest(format!(
                "the value of matcher {} is longer than {MAX_VALUE} bytes",
                m.name
            )));
        }
        let regex = match m.is_regex {
            true => Some(Regex::new(&format!("^(?:{})$", m.value)).map_err(|e| {
                Error::BadRequest(format!("matcher {} is not a valid regex: {e}", m.render()))
            })?),
            false => None,
        };
        compiled.push((m.clone(), regex));
    }
    let names_alert = compiled
        .iter()
        .any(|(m, _)| m.name == "alertname" && m.is_equal && !m.value.is_empty());
    if !names_alert {
        return Err(Error::BadRequest(
            "a silence needs an alertname=\"…\" matcher: it may not reach beyond one alert".into(),
        ));
    }
    Ok(Compiled(compiled))
}

impl Compiled {
    /// Whether every matcher matches; a missing label is the empty value,
    /// as in Alertmanager.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.0.iter().all(|(m, regex)| {
            let value = labels.get(&m.name).map_or("", String::as_str);
            let hit = match regex {
                Some(re) => re.is_match(value),
                None => value == m.value,
            };
            hit == m.is_equal
        })
    }

    pub fn matchers(&self) -> impl Iterator<Item = &Matcher> {
        self.0.iter().map(|(m, _)| m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn matches_like_alertmanager() {
        let m = compile(&[
            Matcher::equal("alertname", "A"),
            Matcher {
                is_regex: true,
                ..Matcher::equal("instance", "web.*")
            },
            Matcher {
                is_equal: false,
                ..Matcher::equal("env", "dev")
            },
        ])
        .unwrap();
        assert!(m.matches(&labels(&[("alertname", "A"), ("instance", "web1")])));
        assert!(!m.matches(&labels(&[("alertname", "A"), ("instance", "xweb1")])));
        assert!(!m.matches(&labels(&[
            ("alertname", "A"),
            ("instance", "web1"),
            ("env", "dev")
        ])));
        assert!(!m.matches(&labels(&[("alertname", "B"), ("instance", "web1")])));
    }

    #[test]
    fn refuses_broad_or_malformed_matchers() {
        let reason = |ms: &[Matcher]| compile(ms).unwrap_err().to_string();
        assert!(reason(&[Matcher::equal("instance", "x")]).contains("alertname"));
        assert!(
            reason(&[Matcher {
                is_equal: false,
                ..Matcher::equal("alertname", "A")
            }])
            .contains("alertname")
        );
        assert!(reason(&[Matcher::equal("alertname", "")]).contains("alertname"));
        assert!(
            reason(&[
                Matcher::equal("alertname", "A"),
                Matcher::equal("1bad", "x")
            ])
            .contains("label name")
        );
        let bad_regex = Matcher {
            is_regex: true,
            ..Matcher::equal("job", "(")
        };
        assert!(reason(&[Matcher::equal("alertname", "A"), bad_regex]).contains("regex"));
        let many = vec![Matcher::equal("alertname", "A"); 33];
        assert!(reason(&many).contains("at most"));
    }
}
