//! `{{ $labels.x }}` in a check, filled from the labels of the page or the
//! incident (the syntax is `placeholders`; here, how each value
//! is made safe for where it goes). A missing label refuses the run: a
//! check silently run with an empty value would answer a different question.

use std::ops::Range;

use portal_types::Labels;
use portal_types::paths::encode_segment;

use super::Refusal;
use crate::placeholders::url::{self, UrlPart};
use crate::placeholders::{self, SyntaxError};

/// Each placeholder's position and label name (checks take only bare
/// `{{ $labels.name }}`: see `placeholders`).
pub fn placeholders(text: &str) -> Result<Vec<(Range<usize>, String)>, SyntaxError> {
    placeholders::labels_only(text)
}

/// Refuse, at load time, placeholders a check cannot fill.
pub fn check_syntax(text: &str) -> Result<(), SyntaxError> {
    placeholders(text).map(|_| ())
}

/// A placeholder a check cannot fill makes its value unsafe to use.
impl From<SyntaxError> for Refusal {
    fn from(error: SyntaxError) -> Refusal {
        Refusal::Unsafe(error.to_string())
    }
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
    let found = placeholders(text)?;
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

/// Where a placeholder stands in an http check's URL, decided by the
/// template's own characters (a value never moves the boundaries).
/// An http check's URL with its labels filled: a value in the host position
/// must be `host[:port]`, anywhere else it is percent-encoded for its
/// component. (Filled as it was, `instance=127.0.0.1:P/admin?x=` turned
/// `http://{{ $labels.instance }}/healthz` into a request for `/admin`.)
pub fn fill_url(text: &str, labels: &Labels) -> Result<String, Refusal> {
    let found = placeholders(text)?;
    let parts: Vec<UrlPart> = found
        .iter()
        .map(|(range, _)| url::part_at(text, range.start))
        .collect();
    fill_with(text, labels, |i, value| match parts[i] {
        UrlPart::Scheme => Err(Refusal::Unsafe(
            "a label cannot choose the URL scheme".into(),
        )),
        UrlPart::Authority => host_port(value).map(str::to_string),
        // Unreserved characters stay, so `a/b?c#d` is one segment or value.
        UrlPart::Data => Ok(encode_segment(value)),
    })
}

/// A tcp check's `host:port` address: each value must be `host[:port]`.
pub fn fill_address(text: &str, labels: &Labels) -> Result<String, Refusal> {
    fill_with(text, labels, |_, value| {
        host_port(value).map(str::to_string)
    })
}

/// A dns check's name: each value must be (part of) a DNS name.
pub fn fill_dns_name(text: &str, labels: &Labels) -> Result<String, Refusal> {
    fill_with(text, labels, |_, value| {
        if !value.is_empty()
            && value
                .split('.')
                .all(|label| label.len() <= 63 && url::is_name(label))
        {
            Ok(value.to_string())
        } else {
            Err(Refusal::Unsafe(format!(
                "label value {value:?} is not a DNS name"
            )))
        }
    })
}

/// `value` when it may stand where a host goes.
fn host_port(value: &str) -> Result<&str, Refusal> {
    url::host_port(value).ok_or_else(|| {
        Refusal::Unsafe(format!(
            "label value {value:?} is not host[:port]; it stands where a host goes"
        ))
    })
}

/// The text for display: known labels filled in, the rest left as written.
pub fn preview(text: &str, labels: &Labels) -> String {
    match placeholders(text) {
        Ok(_) => placeholders::fill_text(text, labels),
        Err(_) => text.to_string(),
    }
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
        assert!(matches!(fill_url(text, &l), Err(Refusal::MissingLabel(j)) if j == "job"));
        assert_eq!(preview(text, &l), "http://db1:9100/x?j={{$labels.job}}");
        let l = labels(&[("instance", "db1:9100"), ("job", "node")]);
        assert_eq!(fill_url(text, &l).unwrap(), "http://db1:9100/x?j=node");
        let l = labels(&[("instance", "a b"), ("job", "n")]);
        assert!(matches!(fill_url(text, &l), Err(Refusal::Unsafe(_))));
    }

    #[test]
    fn a_value_in_the_host_position_is_host_and_port_only() {
        let text = "http://{{ $labels.instance }}/healthz";
        for good in [
            "127.0.0.1:9100",
            "db-1.example.com",
            "[::1]:80",
            "[2001:db8::1]",
            "node_1:1",
        ] {
            assert_eq!(
                fill_url(text, &labels(&[("instance", good)])).unwrap(),
                format!("http://{good}/healthz")
            );
        }
        for bad in [
            "127.0.0.1:1/admin/users?x=",
            "evil.example#",
            "a@b",
            "host:99999",
            "host:",
            "[::1]x",
            "exa%2fmple",
            "",
        ] {
            assert!(
                matches!(
                    fill_url(text, &labels(&[("instance", bad)])),
                    Err(Refusal::Unsafe(_))
                ),
                "{bad:?}"
            );
        }
        assert!(matches!(
            fill_url("{{ $labels.s }}://x/", &labels(&[("s", "http")])),
            Err(Refusal::Unsafe(_))
        ));
    }

    #[test]
    fn values_elsewhere_are_encoded_for_their_component() {
        let text = "http://h:1/api/{{ $labels.job }}?q={{ $labels.q }}#{{ $labels.f }}";
        let l = labels(&[("job", "a/../b"), ("q", "x&admin=1 #"), ("f", "é")]);
        assert_eq!(
            fill_url(text, &l).unwrap(),
            "http://h:1/api/a%2F..%2Fb?q=x%26admin%3D1%20%23#%C3%A9"
        );
    }

    #[test]
    fn tcp_addresses_and_dns_names_take_only_their_shape() {
        let l = labels(&[("instance", "db1:5432"), ("bad", "db1:5432/x")]);
        assert_eq!(
            fill_address("{{ $labels.instance }}", &l).unwrap(),
            "db1:5432"
        );
        assert!(fill_address("{{ $labels.bad }}", &l).is_err());
        let l = labels(&[
            ("host", "db1.example.com"),
            ("bad", "db1:53"),
            ("sp", "a b"),
        ]);
        assert_eq!(
            fill_dns_name("{{ $labels.host }}", &l).unwrap(),
            "db1.example.com"
        );
        assert!(fill_dns_name("{{ $labels.bad }}", &l).is_err());
        assert!(fill_dns_name("x.{{ $labels.sp }}", &l).is_err());
    }

    #[test]
    fn only_label_placeholders_are_accepted() {
        assert!(check_syntax("{{ $value }}").is_err());
        assert!(check_syntax("{{ .Labels.x }}").is_err());
        assert!(check_syntax("plain").is_ok());
    }
}
