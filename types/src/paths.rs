//! The runbook URL grammar, in one place for the server's handlers and the
//! browser's router: `/runbooks/{key}` is a page and `/runbooks/{key}/{verb}`
//! an action on it, where the key is `group[/subgroup…]/alert` and the verb
//! is `edit`, `history`, `raw`, `checks/run` or `checks/{id}/run`. The
//! API (`/api/v1/runbooks/…`) uses the same tails.
//!
//! Parsing takes the tail *decoded* (as the routers hand it over); building
//! percent-encodes each segment, so odd names (`(<7Days)`, `100%`) survive
//! the trip. An alert may not be named like a verb ([`RESERVED`]), or its
//! page would be taken for the verb on its group.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Alert names an alert may not have: the page verbs (`…/edit`,
/// `…/history`, `…/raw` would read as the verb on the group) and `_index`
/// (a group's intro file). `run` is not reserved: the check verbs are POST
/// only, and a GET of `…/checks/run` is still the page of that key.
pub const RESERVED: [&str; 4] = ["_index", "edit", "history", "raw"];

/// What a `/runbooks/…` tail asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    /// The runbook (or group) page itself.
    Page,
    Edit,
    History,
    /// The Markdown source (API only).
    Raw,
    /// `checks/{id}/run` (API, POST). An id `checks` would read as
    /// [`Verb::RunAll`] on `{key}/checks`, so runbooks may not declare it
    /// ([`is_reserved_check_id`]).
    RunCheck(String),
    /// `checks/run`: every check of the runbook (API, POST).
    RunAll,
}

/// A runbook key and the verb on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunbookRoute {
    pub key: String,
    pub verb: Verb,
}

impl RunbookRoute {
    pub fn new(key: impl Into<String>, verb: Verb) -> RunbookRoute {
        RunbookRoute {
            key: key.into(),
            verb,
        }
    }

    /// Read a decoded tail (what follows `/runbooks/`). Trailing slashes
    /// are ignored before the verb is looked for; a verb needs a key before
    /// it. Anything else is [`Verb::Page`] with the tail kept as given (the
    /// resolver handles case, `.md` and a trailing slash).
    pub fn parse(tail: &str) -> RunbookRoute {
        let trimmed = tail.trim_end_matches('/');
        let with_key =
            |key: &str, verb: Verb| (!key.is_empty()).then(|| RunbookRoute::new(key, verb));
        let found = if let Some(key) = trimmed.strip_suffix("/checks/run") {
            with_key(key, Verb::RunAll)
        } else if let Some((key, id)) = trimmed
            .strip_suffix("/run")
            .and_then(|rest| rest.rsplit_once("/checks/"))
        {
            with_key(key, Verb::RunCheck(id.to_string()))
        } else {
            trimmed.rsplit_once('/').and_then(|(key, last)| match last {
                "edit" => with_key(key, Verb::Edit),
                "history" => with_key(key, Verb::History),
                "raw" => with_key(key, Verb::Raw),
                _ => None,
            })
        };
        found.unwrap_or_else(|| RunbookRoute::new(tail, Verb::Page))
    }

    /// The decoded tail, `key[/verb]`: what [`RunbookRoute::parse`] reads.
    pub fn tail(&self) -> String {
        format!("{}{}", self.key, self.suffix(str::to_string))
    }

    /// The page URL, `/runbooks/…`, each segment percent-encoded.
    pub fn href(&self) -> String {
        format!("/runbooks/{}", self.encoded_tail())
    }

    /// The API URL, `/api/v1/runbooks/…`.
    pub fn api(&self) -> String {
        format!("/api/v1/runbooks/{}", self.encoded_tail())
    }

    fn encoded_tail(&self) -> String {
        // A check id is one segment, even if it held a `/`.
        format!("{}{}", encode_path(&self.key), self.suffix(encode_segment))
    }

    /// What follows the key, with the check id written by `id`.
    fn suffix(&self, id: fn(&str) -> String) -> String {
        match &self.verb {
            Verb::Page => String::new(),
            Verb::Edit => "/edit".into(),
            Verb::History => "/history".into(),
            Verb::Raw => "/raw".into(),
            Verb::RunCheck(check) => format!("/checks/{}/run", id(check)),
            Verb::RunAll => "/checks/run".into(),
        }
    }
}

/// `/runbooks/{key}`: a runbook's (or a group's) page.
pub fn page(key: &str) -> String {
    RunbookRoute::new(key, Verb::Page).href()
}

/// `/runbooks/{key}/edit`.
pub fn edit(key: &str) -> String {
    RunbookRoute::new(key, Verb::Edit).href()
}

/// `/runbooks/{key}/history`.
pub fn history(key: &str) -> String {
    RunbookRoute::new(key, Verb::History).href()
}

/// Whether `alert` is a verb's name, so no runbook may be called that.
pub fn is_reserved(alert: &str) -> bool {
    RESERVED.contains(&alert)
}

/// Check ids the run URL cannot carry: `{key}/checks/checks/run` reads as
/// "run every check" of `{key}/checks`.
pub fn is_reserved_check_id(id: &str) -> bool {
    id == "checks"
}

/// The alert name of an `/alerts/{name}` link, as the raw path segment or
/// as a router decoded it: decoded, without the trailing `/` or `.md` that
/// links copied from the srerun file paths carry.
pub fn alert_link_name(segment: &str) -> String {
    let decoded = percent_decode_str(segment).decode_utf8_lossy();
    decoded
        .trim_end_matches('/')
        .trim_end_matches(".md")
        .to_string()
}

/// Percent-encode one path segment (or one query value): RFC 3986
/// unreserved characters stay, every other byte becomes `%XX`. The one
/// encoder for links, redirects and check URLs.
pub fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, NOT_UNRESERVED).to_string()
}

/// Every byte but RFC 3986's unreserved characters.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encode each `/`-separated segment of a key.
pub fn encode_path(key: &str) -> String {
    key.split('/')
        .map(encode_segment)
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(key: &str, verb: Verb) -> RunbookRoute {
        RunbookRoute::new(key, verb)
    }

    #[test]
    fn alert_links_name_the_alert_decoded() {
        assert_eq!(alert_link_name("HostOutOfDiskSpace"), "HostOutOfDiskSpace");
        assert_eq!(
            alert_link_name("TraefikServiceDown.md/"),
            "TraefikServiceDown"
        );
        assert_eq!(
            alert_link_name("SslCertificateExpiry(%3C7Days)"),
            "SslCertificateExpiry(<7Days)"
        );
        assert_eq!(alert_link_name("Disk100%25Full"), "Disk100%Full");
    }

    #[test]
    fn tails_parse_into_key_and_verb() {
        let cases = [
            ("g/A", route("g/A", Verb::Page)),
            ("g/A/", route("g/A/", Verb::Page)),
            ("g/A/edit", route("g/A", Verb::Edit)),
            ("g/A/edit/", route("g/A", Verb::Edit)),
            ("a/b/A/history", route("a/b/A", Verb::History)),
            ("g/A/raw", route("g/A", Verb::Raw)),
            ("g/A/checks/run", route("g/A", Verb::RunAll)),
            (
                "g/A/checks/disk-free/run",
                route("g/A", Verb::RunCheck("disk-free".into())),
            ),
            (
                "g/A/checks//run",
                route("g/A", Verb::RunCheck(String::new())),
            ),
            // A verb needs a key before it.
            ("edit", route("edit", Verb::Page)),
            ("/edit", route("/edit", Verb::Page)),
            ("checks/run", route("checks/run", Verb::Page)),
            ("g", route("g", Verb::Page)),
            ("", route("", Verb::Page)),
            ("g/editor", route("g/editor", Verb::Page)),
        ];
        for (tail, want) in cases {
            assert_eq!(RunbookRoute::parse(tail), want, "{tail:?}");
        }
    }

    #[test]
    fn urls_are_encoded_per_segment() {
        assert_eq!(
            page("ssl/SslCertificateExpiry(<7Days)"),
            "/runbooks/ssl/SslCertificateExpiry%28%3C7Days%29"
        );
        assert_eq!(page("names/Disk100%Full"), "/runbooks/names/Disk100%25Full");
        assert_eq!(edit("g/a b"), "/runbooks/g/a%20b/edit");
        assert_eq!(history("g/é"), "/runbooks/g/%C3%A9/history");
        assert_eq!(
            route("g/A", Verb::RunCheck("x/y".into())).api(),
            "/api/v1/runbooks/g/A/checks/x%2Fy/run"
        );
        assert_eq!(route("g/A", Verb::Raw).api(), "/api/v1/runbooks/g/A/raw");
        assert_eq!(encode_segment("a-b_c.d~e/f?g#h"), "a-b_c.d~e%2Ff%3Fg%23h");
        assert!(is_reserved("edit") && is_reserved("_index") && !is_reserved("run"));
    }

    /// `%XX` back to bytes, for the round trip below.
    fn decode(s: &str) -> String {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .expect("UTF-8")
            .into_owned()
    }

    /// parse(build(x)) == x over generated keys and verbs (a small
    /// deterministic generator; the alphabet has the characters that broke
    /// links before, and verb names as segments).
    #[test]
    fn parse_of_build_is_identity() {
        const WORDS: [&str; 12] = [
            "g", "Alert", "checks", "edit", "history", "raw", "run", "(<7Days)", "100%", "a b",
            "é€", "x.md",
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..2000 {
            let segments: Vec<&str> = (0..1 + next(4)).map(|_| WORDS[next(WORDS.len())]).collect();
            let key = segments.join("/");
            let id = match WORDS[next(WORDS.len())] {
                "checks" => "checks2",
                id => id,
            }
            .to_string();
            let verb = match next(6) {
                0 => Verb::Page,
                1 => Verb::Edit,
                2 => Verb::History,
                3 => Verb::Raw,
                4 => Verb::RunCheck(id),
                _ => Verb::RunAll,
            };
            let last = segments[segments.len() - 1];
            if verb == Verb::Page && (is_reserved(last) || last == "run") {
                // Not a page a runbook can have (see RESERVED).
                continue;
            }
            let built = route(&key, verb);
            let href = built.href();
            let tail = decode(href.strip_prefix("/runbooks/").unwrap());
            assert_eq!(tail, built.tail());
            assert_eq!(RunbookRoute::parse(&tail), built, "{href}");
            assert_eq!(built.api(), format!("/api/v1{href}"));
        }
    }
}
