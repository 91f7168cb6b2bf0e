//! Holding placeholders out of a text while a tool that does not know them
//! works on it: the highlighter would split `{{ $labels.mountpoint }}` over
//! several spans, and Markdown would refuse a link whose target holds the
//! spaces of `{{ $labels.instance }}` (or percent-encode its braces). Each
//! placeholder becomes a stand-in, a plain lowercase identifier that every
//! grammar keeps in one token and URLs carry unchanged, and is released
//! afterwards.

use std::borrow::Cow;

use super::find;

const PREFIX: &str = "zqportalplaceholder";
const SUFFIX: &str = "qz";

/// The placeholders taken out of a text, in order.
#[derive(Debug, Default)]
pub struct Held {
    originals: Vec<String>,
}

/// `text` with each placeholder replaced by its stand-in. A text that
/// already holds the stand-in prefix is left alone (nothing is held), so a
/// stand-in written by hand can never be confused with one of ours.
pub fn hold(text: &str) -> (Cow<'_, str>, Held) {
    let mut held = Held::default();
    if text.contains(PREFIX) {
        return (Cow::Borrowed(text), held);
    }
    let mut masked = String::new();
    let mut last = 0;
    for found in find(text) {
        if found.reference().is_none() {
            continue;
        }
        masked.push_str(&text[last..found.range.start]);
        masked.push_str(&format!("{PREFIX}{}{SUFFIX}", held.originals.len()));
        held.originals.push(found.text.to_string());
        last = found.range.end;
    }
    if held.originals.is_empty() {
        return (Cow::Borrowed(text), held);
    }
    masked.push_str(&text[last..]);
    (Cow::Owned(masked), held)
}

/// The escape for a text that stays a text (no escaping).
pub fn verbatim(text: &str) -> Cow<'_, str> {
    Cow::Borrowed(text)
}

impl Held {
    pub fn is_empty(&self) -> bool {
        self.originals.is_empty()
    }

    /// `text` with every stand-in replaced by its placeholder, passed
    /// through `escape` for where it lands. One pass over the text.
    pub fn release<'t>(
        &self,
        text: &'t str,
        escape: impl Fn(&str) -> Cow<'_, str>,
    ) -> Cow<'t, str> {
        if self.is_empty() || !text.contains(PREFIX) {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find(PREFIX) {
            out.push_str(&rest[..at]);
            let after = &rest[at + PREFIX.len()..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            let original = after[..digits]
                .parse::<usize>()
                .ok()
                .filter(|_| after[digits..].starts_with(SUFFIX))
                .and_then(|i| self.originals.get(i));
            match original {
                Some(original) => {
                    out.push_str(&escape(original));
                    rest = &after[digits + SUFFIX.len()..];
                }
                None => {
                    out.push_str(PREFIX);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_placeholders_come_back_escaped_for_where_they_land() {
        let text = "df -h {{ $labels.mountpoint }} {{ .Values.x }} \"{{ $value }}\"";
        let (masked, held) = hold(text);
        assert!(!masked.contains("{{ $"), "{masked}");
        assert!(masked.contains("{{ .Values.x }}"), "other actions stay");
        assert_eq!(held.release(&masked, verbatim), text);
        let escaped = held.release("<a title=\"zqportalplaceholder1qz\">", |s| {
            html_escape::encode_double_quoted_attribute(s)
        });
        assert_eq!(escaped, "<a title=\"{{ $value }}\">");
    }

    #[test]
    fn a_text_with_a_hand_written_stand_in_is_left_alone() {
        let text = "zqportalplaceholder0qz {{ $labels.a }}";
        let (masked, held) = hold(text);
        assert_eq!(masked, text);
        assert!(held.is_empty());
        assert_eq!(held.release(text, verbatim), text);
    }

    #[test]
    fn unknown_stand_ins_pass_through() {
        let (_, held) = hold("{{ $labels.a }}");
        assert_eq!(
            held.release("zqportalplaceholder7qz zqportalplaceholderqz", verbatim),
            "zqportalplaceholder7qz zqportalplaceholderqz"
        );
    }
}
