//! What a PromQL check expects of its answer: a comparison every series
//! must satisfy (`> 0`, `== 0`, `< 0.9`…), or `empty` / `not empty`.

use super::SpecError;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Expectation {
    Compare(Op, f64),
    Empty,
    NotEmpty,
}

impl Expectation {
    pub fn parse(text: &str) -> Result<Expectation, SpecError> {
        let text = text.trim();
        match text.to_ascii_lowercase().as_str() {
            "empty" => return Ok(Expectation::Empty),
            "not empty" | "non-empty" | "nonempty" => return Ok(Expectation::NotEmpty),
            _ => {}
        }
        let ops = [
            (">=", Op::Ge),
            ("<=", Op::Le),
            ("==", Op::Eq),
            ("!=", Op::Ne),
            (">", Op::Gt),
            ("<", Op::Lt),
        ];
        let (op, rest) = ops
            .iter()
            .find_map(|(token, op)| text.strip_prefix(token).map(|rest| (*op, rest)))
            .ok_or_else(|| bad(text))?;
        let number: f64 = rest.trim().parse().map_err(|_| bad(text))?;
        if number.is_nan() {
            return Err(bad(text));
        }
        Ok(Expectation::Compare(op, number))
    }

    /// Whether one value satisfies a comparison (always true otherwise).
    pub fn holds_for(&self, value: f64) -> bool {
        match *self {
            Expectation::Compare(op, n) => match op {
                Op::Gt => value > n,
                Op::Ge => value >= n,
                Op::Lt => value < n,
                Op::Le => value <= n,
                Op::Eq => value == n,
                Op::Ne => value != n,
            },
            Expectation::Empty | Expectation::NotEmpty => true,
        }
    }
}

fn bad(text: &str) -> SpecError {
    SpecError(format!(
        "unknown expectation {text:?}: use `> N`, `>= N`, `< N`, `<= N`, `== N`, `!= N`, `empty` or `not empty`"
    ))
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expectation::Compare(op, n) => {
                let op = match op {
                    Op::Gt => ">",
                    Op::Ge => ">=",
                    Op::Lt => "<",
                    Op::Le => "<=",
                    Op::Eq => "==",
                    Op::Ne => "!=",
                };
                write!(f, "{op} {n}")
            }
            Expectation::Empty => f.write_str("empty"),
            Expectation::NotEmpty => f.write_str("not empty"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_evaluates_every_form() {
        let cases = [
            ("> 0", 1.0, true),
            ("> 0", 0.0, false),
            (">= 1", 1.0, true),
            ("< 2", 1.0, true),
            ("<= 1", 1.5, false),
            ("== 0", 0.0, true),
            ("!= 0", 0.0, false),
            ("<0.9", 0.5, true),
        ];
        for (text, value, holds) in cases {
            assert_eq!(
                Expectation::parse(text).unwrap().holds_for(value),
                holds,
                "{text} {value}"
            );
        }
        assert_eq!(Expectation::parse(" empty ").unwrap(), Expectation::Empty);
        assert_eq!(
            Expectation::parse("not empty").unwrap(),
            Expectation::NotEmpty
        );
        assert_eq!(Expectation::parse(">= 0.1").unwrap().to_string(), ">= 0.1");
        for bad in ["~= 1", "> x", "", "> NaN", "1"] {
            assert!(Expectation::parse(bad).is_err(), "{bad}");
        }
    }
}
