//! Label values into PromQL, safely. Each placeholder must sit inside a
//! quoted string; its value goes in escaped for that string (and
//! regex-escaped inside `=~`/`!~` matchers). Then the real parser
//! (`promql-parser`) proves the filled query has exactly the structure of
//! the template with the values where the placeholders were: anything that
//! would add a matcher, an operator or a comment is refused.

use portal_types::Labels;
use promql_parser::label::MatchOp;
use promql_parser::parser::{self, Expr, VectorSelector};

use super::template;
use super::{Refusal, SpecError};

/// The quote a placeholder sits in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Quote {
    Double,
    Single,
    Backtick,
}

/// Load-time check: placeholders are quoted and the query parses.
pub fn validate(query: &str) -> Result<(), SpecError> {
    Skeleton::of(query).map(|_| ())
}

/// The query with `labels` filled in, or why it must not run.
pub fn fill(query: &str, labels: &Labels) -> Result<String, Refusal> {
    if template::needed(query).is_empty() {
        return Ok(query.to_string());
    }
    let skeleton = Skeleton::of(query).map_err(|e| Refusal::Unsafe(e.0))?;
    // The raw value each occurrence stands for, regex-escaped where needed.
    let mut values = Vec::new();
    let filled = template::fill_with(query, labels, |i, value| {
        let value = if skeleton.in_regex[i] {
            regex::escape(value)
        } else {
            value.to_string()
        };
        let quoted = escape(&value, skeleton.quotes[i])?;
        values.push(value);
        Ok(quoted)
    })?;
    let parsed = parser::parse(&filled)
        .map_err(|e| Refusal::Unsafe(format!("with these labels the query does not parse: {e}")))?;
    let mut expected = skeleton.expr;
    visit_strings(&mut expected, &mut |text, _| {
        for (i, value) in values.iter().enumerate() {
            *text = text.replace(&sentinel(i), value);
        }
    });
    if parsed.to_string() != expected.to_string() {
        return Err(Refusal::Unsafe(
            "a label value would change the structure of the query".into(),
        ));
    }
    Ok(filled)
}

/// The template parsed with a unique sentinel per placeholder.
struct Skeleton {
    expr: Expr,
    quotes: Vec<Quote>,
    /// Whether each occurrence lands in a regular-expression matcher.
    in_regex: Vec<bool>,
}

impl Skeleton {
    fn of(query: &str) -> Result<Skeleton, SpecError> {
        let quotes = quote_contexts(query)?;
        let with_sentinels = template::substitute(query, |i, _| Ok(sentinel(i)))
            .map_err(|r| SpecError(r.to_string()))?;
        let mut expr = parser::parse(&with_sentinels)
            .map_err(|e| SpecError(format!("the query does not parse: {e}")))?;
        let mut found = vec![false; quotes.len()];
        let mut in_regex = vec![false; quotes.len()];
        visit_strings(&mut expr, &mut |text, regex| {
            for i in 0..quotes.len() {
                if text.contains(&sentinel(i)) {
                    found[i] = true;
                    in_regex[i] |= regex;
                }
            }
        });
        if let Some(i) = found.iter().position(|f| !f) {
            return Err(SpecError(format!(
                "placeholder {} must be inside a label value or string literal",
                i + 1
            )));
        }
        Ok(Skeleton {
            expr,
            quotes,
            in_regex,
        })
    }
}

fn sentinel(i: usize) -> String {
    format!("rbpsentinel{i}x")
}

/// Escape `value` for a PromQL string delimited by `quote`.
fn escape(value: &str, quote: Quote) -> Result<String, Refusal> {
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Refusal::Unsafe(format!(
            "label value contains the control character {c:?}"
        )));
    }
    if quote == Quote::Backtick {
        // Raw strings have no escapes: a backtick or newline cannot be represented.
        if value.contains('`') || value.contains('\n') {
            return Err(Refusal::Unsafe(
                "label value contains a backtick or newline inside a `raw` string".into(),
            ));
        }
        return Ok(value.to_string());
    }
    let mut out = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' if quote == Quote::Double => out.push_str("\\\""),
            '\'' if quote == Quote::Single => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// For each placeholder, the quote it sits in; an unquoted one is refused.
fn quote_contexts(query: &str) -> Result<Vec<Quote>, SpecError> {
    let spots = template::placeholders(query)?;
    let mut quotes = Vec::with_capacity(spots.len());
    let mut state: Option<Quote> = None;
    let mut chars = query.char_indices().peekable();
    let mut next_spot = spots.iter().peekable();
    while let Some((at, c)) = chars.next() {
        if let Some((range, name)) = next_spot.peek()
            && at == range.start
        {
            let quote = state.ok_or_else(|| {
                SpecError(format!("{{{{ $labels.{name} }}}} must be inside quotes, e.g. job=\"{{{{ $labels.{name} }}}}\""))
            })?;
            quotes.push(quote);
            let end = range.end;
            next_spot.next();
            while chars.peek().is_some_and(|(i, _)| *i < end) {
                chars.next();
            }
            continue;
        }
        state = match (state, c) {
            (None, '"') => Some(Quote::Double),
            (None, '\'') => Some(Quote::Single),
            (None, '`') => Some(Quote::Backtick),
            (None, '#') => {
                // A comment runs to the end of the line.
                while chars.peek().is_some_and(|(_, c)| *c != '\n') {
                    chars.next();
                }
                None
            }
            (Some(Quote::Double | Quote::Single), '\\') => {
                chars.next();
                state
            }
            (Some(Quote::Double), '"')
            | (Some(Quote::Single), '\'')
            | (Some(Quote::Backtick), '`') => None,
            (state, _) => state,
        };
    }
    if quotes.len() < spots.len() {
        return Err("a placeholder inside a # comment is not allowed".into());
    }
    Ok(quotes)
}

/// Call `f` on every string of the expression (matcher values, metric names,
/// string literals), telling whether it is a regular expression.
fn visit_strings(expr: &mut Expr, f: &mut impl FnMut(&mut String, bool)) {
    match expr {
        Expr::Aggregate(a) => {
            visit_strings(&mut a.expr, f);
            if let Some(param) = a.param.as_mut() {
                visit_strings(param, f);
            }
        }
        Expr::Unary(u) => visit_strings(&mut u.expr, f),
        Expr::Binary(b) => {
            visit_strings(&mut b.lhs, f);
            visit_strings(&mut b.rhs, f);
        }
        Expr::Paren(p) => visit_strings(&mut p.expr, f),
        Expr::Subquery(s) => visit_strings(&mut s.expr, f),
        Expr::StringLiteral(s) => f(&mut s.val, false),
        Expr::VectorSelector(vs) => visit_selector(vs, f),
        Expr::MatrixSelector(ms) => visit_selector(&mut ms.vs, f),
        Expr::Call(call) => {
            for arg in call.args.args.iter_mut() {
                visit_strings(arg, f);
            }
        }
        Expr::NumberLiteral(_) | Expr::Extension(_) => {}
    }
}

fn visit_selector(vs: &mut VectorSelector, f: &mut impl FnMut(&mut String, bool)) {
    if let Some(name) = vs.name.as_mut() {
        f(name, false);
    }
    let groups =
        std::iter::once(&mut vs.matchers.matchers).chain(vs.matchers.or_matchers.iter_mut());
    for group in groups {
        for matcher in group.iter_mut() {
            let regex = matches!(matcher.op, MatchOp::Re(_) | MatchOp::NotRe(_));
            f(&mut matcher.name, false);
            f(&mut matcher.value, regex);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::labels;

    const QUERY: &str = r#"sum(up{job="{{ $labels.job }}"})"#;

    #[test]
    fn plain_values_are_filled() {
        let filled = fill(QUERY, &labels(&[("job", "node")])).unwrap();
        assert_eq!(filled, r#"sum(up{job="node"})"#);
        let q = r#"up{instance=~"{{ $labels.instance }}"}"#;
        let filled = fill(q, &labels(&[("instance", "db1.example:9100")])).unwrap();
        assert_eq!(
            filled, r#"up{instance=~"db1\\.example:9100"}"#,
            "regex-escaped"
        );
        let q = "up{job='{{ $labels.job }}'}";
        assert_eq!(
            fill(q, &labels(&[("job", "it's")])).unwrap(),
            r"up{job='it\'s'}"
        );
    }

    #[test]
    fn injection_attempts_are_harmless_or_refused() {
        let attempts = [
            r#"x"}) or vector(1) #"#,
            r#"x"} or on() vector(1)"#,
            r#"\"#,
            r#"\"} or vector(1) or up{a=""#,
            "a\nb",
            "x\"\n} or vector(1)",
            "x\u{201d}} or vector(1)",
            "x\u{0}",
            "x`",
        ];
        for value in attempts {
            match fill(QUERY, &labels(&[("job", value)])) {
                Ok(filled) => {
                    // Harmless: parses to one matcher whose value is the input.
                    let Expr::Aggregate(agg) = parser::parse(&filled).unwrap() else {
                        panic!("structure changed for {value:?}: {filled}");
                    };
                    let Expr::VectorSelector(vs) = *agg.expr else {
                        panic!("structure changed for {value:?}: {filled}");
                    };
                    assert_eq!(vs.matchers.matchers.len(), 1, "{filled}");
                    assert_eq!(vs.matchers.matchers[0].value, value, "{filled}");
                }
                Err(refusal) => assert!(matches!(refusal, Refusal::Unsafe(_)), "{value:?}"),
            }
        }
    }

    #[test]
    fn unquoted_or_missing_placeholders_are_refused() {
        assert!(validate("rate(x[{{ $labels.window }}])").is_err());
        assert!(validate("up # {{ $labels.job }}").is_err());
        assert!(validate(QUERY).is_ok());
        assert!(validate("sum(up{job=\"x\"").is_err());
        assert!(matches!(
            fill(QUERY, &Labels::new()),
            Err(Refusal::MissingLabel(l)) if l == "job"
        ));
        assert!(matches!(
            fill(r#"up{job=`{{ $labels.job }}`}"#, &labels(&[("job", "a`b")])),
            Err(Refusal::Unsafe(_))
        ));
    }
}
