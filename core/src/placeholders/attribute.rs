//! A placeholder inside an attribute value of rendered HTML: which
//! attribute it is, and how a value goes in there (never with markup).

use html_escape::encode_double_quoted_attribute as attr;

use super::url;

/// How a value goes into the attribute a placeholder stands in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum AttributeFill {
    /// A URL attribute (`href`, `src`, …), at this part of the URL.
    Url(url::UrlPart),
    /// Any other attribute (`title`, `alt`): the value as attribute text.
    Text,
}

/// Attributes whose value is a URL: a label value there must not choose
/// where the link goes.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "cite",
    "action",
    "formaction",
    "poster",
    "srcset",
    "longdesc",
    "background",
    "xlink:href",
];

/// How to fill the placeholder at `start`, inside the attribute value
/// opened by the last `quote` before it.
pub(super) fn attribute_fill(html: &str, start: usize, quote: u8) -> AttributeFill {
    let quote = char::from(quote);
    let value_start = html[..start].rfind(quote).map_or(start, |i| i + 1);
    let value_end = html[start..].find(quote).map_or(html.len(), |i| start + i);
    let name = html[..value_start.saturating_sub(1)]
        .trim_end()
        .trim_end_matches('=')
        .trim_end();
    let name = &name[name
        .rfind(|c: char| c.is_whitespace() || c == '<')
        .map_or(0, |i| i + 1)..];
    if URL_ATTRIBUTES.iter().any(|a| a.eq_ignore_ascii_case(name)) {
        let url = &html[value_start..value_end];
        AttributeFill::Url(url::part_at(url, start - value_start))
    } else {
        AttributeFill::Text
    }
}

impl AttributeFill {
    /// The value as it goes into the attribute, or none when it may not
    /// stand there (then the placeholder stays as written).
    pub(super) fn encode(self, value: &str) -> Option<String> {
        match self {
            // A label must never choose the scheme (`javascript:`).
            AttributeFill::Url(url::UrlPart::Scheme) => None,
            AttributeFill::Url(url::UrlPart::Authority) => {
                url::host_port(value).map(|v| attr(v).into_owned())
            }
            AttributeFill::Url(url::UrlPart::Data) => {
                Some(portal_types::paths::encode_segment(value))
            }
            AttributeFill::Text => Some(attr(value).into_owned()),
        }
    }
}
