//! Where a placeholder stands in a URL, and what a label value may be there.
//! Used by http checks (which refuse what does not fit) and by links on a
//! page (which leave such a placeholder as written). A value can never pick
//! the scheme; in the host position it must be `host[:port]`; anywhere else
//! it is data inside one component and is percent-encoded.

/// The part of a URL a position falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlPart {
    /// Before `://`, or in a URL with no `://` at all before any `/`, `?`
    /// or `#` (a value there could be `javascript:`).
    Scheme,
    Authority,
    /// Path, query or fragment: the value is data inside one component.
    Data,
}

/// The part of `url` that byte `at` falls in.
pub fn part_at(url: &str, at: usize) -> UrlPart {
    let Some(scheme_end) = url.find("://") else {
        // A relative URL: its scheme is the page's once a `/`, `?` or `#`
        // comes first; a bare start could still become `javascript:`.
        return match url.find(['/', '?', '#']) {
            Some(i) if i <= at => UrlPart::Data,
            _ => UrlPart::Scheme,
        };
    };
    if at < scheme_end {
        return UrlPart::Scheme;
    }
    let authority = scheme_end + 3;
    let authority_end = url[authority..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| authority + i);
    if at < authority_end {
        UrlPart::Authority
    } else {
        UrlPart::Data
    }
}

/// `value` when it is `host`, `host:port`, `[v6]` or `[v6]:port`.
pub fn host_port(value: &str) -> Option<&str> {
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        v6.parse::<std::net::Ipv6Addr>().ok()?;
        match after {
            "" => (None, None),
            _ => (None, Some(after.strip_prefix(':')?)),
        }
    } else {
        match value.rsplit_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(value), None),
        }
    };
    if let Some(host) = host
        && (host.is_empty()
            || host.len() > 253
            || !host.split('.').all(|l| !l.is_empty() && is_name(l)))
    {
        return None;
    }
    if let Some(port) = port
        && port.parse::<u16>().is_err()
    {
        return None;
    }
    Some(value)
}

/// Letters, digits, `-` and `_` (as host names in real inventories have).
pub fn is_name(label: &str) -> bool {
    label
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_absolute_and_relative_urls() {
        let url = "https://{{h}}/d?i={{v}}";
        assert_eq!(part_at(url, 0), UrlPart::Scheme);
        assert_eq!(part_at(url, 8), UrlPart::Authority);
        assert_eq!(part_at(url, url.find("{{v").unwrap()), UrlPart::Data);
        assert_eq!(part_at("{{u}}", 0), UrlPart::Scheme);
        assert_eq!(part_at("{{u}}/x", 0), UrlPart::Scheme);
        assert_eq!(part_at("/runbooks/{{j}}", 10), UrlPart::Data);
        assert_eq!(part_at("?i={{v}}", 3), UrlPart::Data);
        assert_eq!(part_at("#{{v}}", 1), UrlPart::Data);
    }

    #[test]
    fn hosts_and_ports() {
        for ok in ["db1", "db1:9100", "a.b-c_d", "[::1]", "[::1]:80"] {
            assert_eq!(host_port(ok), Some(ok));
        }
        for bad in ["", "a/b", "h:x", "h:99999", "[zz]", "a..b", "evil.com/x?"] {
            assert_eq!(host_port(bad), None, "{bad}");
        }
    }
}
