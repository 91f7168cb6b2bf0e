//! Alert names as words: `TraefikServiceDown` is searched, and suggested,
//! as `Traefik Service Down`. In one place for the search index, the
//! unknown-alert page and its search link.

/// `TraefikServiceDown` → `Traefik Service Down`, `HTTPProbeFailed` →
/// `HTTP Probe Failed`, so alert names match the words in them.
pub fn split_words(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let boundary = i > 0 && {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            (c.is_uppercase()
                && (prev.is_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_uppercase() && next_lower)))
                || (c.is_ascii_digit() && prev.is_alphabetic())
        };
        if boundary {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn camel_case_names_split_into_words() {
        assert_eq!(
            super::split_words("KubePodCrashLooping"),
            "Kube Pod Crash Looping"
        );
        assert_eq!(super::split_words("HTTPProbeFailed"), "HTTP Probe Failed");
    }
}
