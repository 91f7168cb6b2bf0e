//! `{{ $labels.x }}` in a check, filled from the labels of the page or the
//! incident. A missing label refuses the run: a check silently run with an
//! empty value would answer a different question.

use std::ops::Range;
use std::sync::LazyLock;

use app::types::Labels;
use regex::Regex;

use super::Refusal;

static ANY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{(?s:.*?)\}\}").expect("placeholder regex"));
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\{\{-?\s*\$labels\.([A-Za-z_][A-Za-z0-9_]*)\s*-?\}\}$").expect("label regex")
});

/// Each placeholder's position and label name.
pub fn placeholders(text: &str) -> Result<Vec<(Range<usize>, String)>, String> {
    ANY.find_iter(text)
        .map(|m| match LABEL.captures(m.as_str()) {
            Some(c) => Ok((m.range(), c[1].to_string())),
            None => Err(format!(
                "only {{{{ $labels.name }}}} placeholders work in checks, not {}",
                m.as_str()
            )),
        })
        .collect()
}

/// Refuse, at load time, placeholders a check cannot fill.
pub fn check_syntax(text: &str) -> Result<(), String> {
    placeholders(text).map(|_| ())
}

/// The labels a text needs, in order of appearance.
pub fn needed(text: &str) -> Vec<String> {
    placeholders(text)
        .unwrap_or_default()
        .into_iter()
        .map(|(_, name)| name)
        .collect()
}

/// The first label the text needs that `labels` lacks.
pub fn missing(text: &str, labels: &Labels) -> Option<String> {
    needed(text).into_iter().find(|l| !labels.contains_key(l))
}

/// Replace each placeholder by `encode(occurrence, label name)`.
pub fn substitute(
    text: &str,
    mut encode: impl FnMut(usize, &str) -> Result<String, Refusal>,
) -> Result<String, Refusal> {
    let found = placeholders(text).map_err(Refusal::Unsafe)?;
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (i, (range, name)) in found.into_iter().enumerate() {
        out.push_str(&text[last..range.start]);
        out.push_str(&encode(i, &name)?);
        last = range.end;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// Fill each placeholder with `encode(occurrence, value)`; a missing label
/// refuses.
pub fn fill_with(
    text: &str,
    labels: &Labels,
    mut encode: impl FnMut(usize, &str) -> Result<String, Refusal>,
) -> Result<String, Refusal> {
    substitute(text, |i, name| {
        let value = labels
            .get(name)
            .ok_or_else(|| Refusal::MissingLabel(name.to_string()))?;
        encode(i, value)
    })
}

/// For a host, URL or DNS name: values go in as they are, but never with
/// whitespace or control characters (the allow-list checks the result).
pub fn fill_plain(text: &str, labels: &Labels) -> Result<String, Refusal> {
    fill_with(text, labels, |_, value| {
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Err(Refusal::Unsafe(format!(
                "label value {value:?} contains whitespace or control characters"
            )))
        } else {
            Ok(value.to_string())
        }
    })
}

/// The text for display: known labels filled in, the rest left as written.
pub fn preview(text: &str, labels: &Labels) -> String {
    let Ok(found) = placeholders(text) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (range, name) in found {
        out.push_str(&text[last..range.start]);
        match labels.get(&name) {
            Some(value) => out.push_str(value),
            None => out.push_str(&text[range.clone()]),
        }
        last = range.end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::labels;

    #[test]
    fn fills_refuses_and_previews() {
        let text = "http://{{ $labels.instance }}/x?j={{$labels.job}}";
        assert_eq!(needed(text), ["instance", "job"]);
        let l = labels(&[("instance", "db1:9100")]);
        assert_eq!(missing(text, &l).as_deref(), Some("job"));
        assert!(matches!(fill_plain(text, &l), Err(Refusal::MissingLabel(j)) if j == "job"));
        assert_eq!(preview(text, &l), "http://db1:9100/x?j={{$labels.job}}");
        let l = labels(&[("instance", "db1:9100"), ("job", "node")]);
        assert_eq!(fill_plain(text, &l).unwrap(), "http://db1:9100/x?j=node");
        let l = labels(&[("instance", "a b"), ("job", "n")]);
        assert!(matches!(fill_plain(text, &l), Err(Refusal::Unsafe(_))));
    }

    #[test]
    fn only_label_placeholders_are_accepted() {
        assert!(check_syntax("{{ $value }}").is_err());
        assert!(check_syntax("{{ .Labels.x }}").is_err());
        assert!(check_syntax("plain").is_ok());
    }
}
