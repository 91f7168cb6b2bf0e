//! Server-made HTML put where its tokens stand after sanitising, in one pass
//! over the page: replacing token by token rescanned the whole page each time
//! (20,000 code blocks took 36 s in a debug build).

use std::sync::LazyLock;

use regex::{Captures, Regex};

/// A token alone in a paragraph (the paragraph goes too), or inline: the
/// shortcode and code block tokens of `document::token`, and the markers of
/// blocks refused as too deep (`limits::marker`).
static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "<p>\u{F8F0}sc(\\d+)\u{F8F1}</p>|\u{F8F0}sc(\\d+)\u{F8F1}|<p>\u{F8F4}deep(\\d+)\u{F8F5}</p>|\u{F8F4}deep(\\d+)\u{F8F5}",
    )
    .expect("token regex")
});

/// `html` with the first occurrence of token `i` replaced by `tokens[i]` and
/// of deep marker `i` by `deep[i]`; anything else is left as it is.
pub fn put(html: &str, tokens: &[String], deep: &[String]) -> String {
    let mut used_tokens = vec![false; tokens.len()];
    let mut used_deep = vec![false; deep.len()];
    TOKEN
        .replace_all(html, |caps: &Captures<'_>| {
            let (list, used, index) =
                match (caps.get(1).or(caps.get(2)), caps.get(3).or(caps.get(4))) {
                    (Some(i), _) => (tokens, &mut used_tokens, i.as_str()),
                    (None, Some(i)) => (deep, &mut used_deep, i.as_str()),
                    (None, None) => return caps[0].to_string(),
                };
            match index.parse::<usize>() {
                Ok(i) if i < list.len() && !used[i] => {
                    used[i] = true;
                    list[i].clone()
                }
                _ => caps[0].to_string(),
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbooks::document::token;
    use crate::runbooks::limits::marker;

    #[test]
    fn paragraphs_go_with_their_token_and_each_token_is_used_once() {
        let html = format!(
            "<p>{}</p><p>a {} b {}</p><p>{}</p>",
            token(0),
            token(1),
            token(1),
            marker(0)
        );
        let out = put(
            &html,
            &["<div>A</div>".into(), "<b>B</b>".into()],
            &["<div>D</div>".into()],
        );
        assert_eq!(
            out,
            format!("<div>A</div><p>a <b>B</b> b {}</p><div>D</div>", token(1))
        );
    }
}
