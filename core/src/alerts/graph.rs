//! The alert's expression over the last hours, from `query_range`.
//!
//! **What is plotted.** An alerting expression such as
//! `rate(errors[5m]) / rate(requests[5m]) > 0.05` returns samples only while
//! the condition holds, so plotting it as written shows nothing but gaps until
//! the alert fires — it cannot tell a responder how close to the threshold the
//! system runs. When the expression's top level is a comparison against a
//! number (`<vector> <op> <number>` or `<number> <op> <vector>`, without
//! `bool`), we therefore plot the vector side and draw the number as the
//! threshold line. Any other shape (`absent(…)`, `a > b` between two vectors,
//! `… and …`) is plotted as written. The split uses a real PromQL parser
//! (`promql-parser`), never string surgery.
//!
//! Firing intervals come from Prometheus' own `ALERTS` series.

use chrono::{DateTime, Duration, Utc};
use promql_parser::parser::{self, Expr};

use super::prometheus::{PrometheusClient, QueryResult, Series};
use super::upstream_http::UpstreamError;

/// At most this many series are drawn (the highest at the end of the range).
pub const MAX_SERIES: usize = 10;
/// Points per series.
const STEPS: i64 = 240;

/// Why a graph could not be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GraphError {
    /// The expression is not PromQL (promql-parser's message).
    #[error("{0}")]
    Expression(String),
    #[error("{0}")]
    Upstream(#[from] UpstreamError),
}

/// What to query for an alert expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The expression that is plotted.
    pub plotted: String,
    /// `(operator, value)` when the alert compares against a number.
    pub threshold: Option<(String, f64)>,
}

/// Split `expr` as described in the module documentation.
pub fn plan(expr: &str) -> Result<Plan, GraphError> {
    let parsed = parser::parse(expr).map_err(GraphError::Expression)?;
    let mut top = &parsed;
    while let Expr::Paren(p) = top {
        top = &p.expr;
    }
    if let Expr::Binary(b) = top
        && b.op.is_comparison_operator()
        && !b.return_bool()
    {
        let number = |e: &Expr| match e {
            Expr::NumberLiteral(n) => Some(n.val),
            Expr::Paren(p) => match &*p.expr {
                Expr::NumberLiteral(n) => Some(n.val),
                _ => None,
            },
            _ => None,
        };
        let op = b.op.to_string();
        if let Some(value) = number(&b.rhs) {
            return Ok(Plan {
                plotted: b.lhs.to_string(),
                threshold: Some((op, value)),
            });
        }
        if let Some(value) = number(&b.lhs) {
            return Ok(Plan {
                plotted: b.rhs.to_string(),
                threshold: Some((flip(&op), value)),
            });
        }
    }
    Ok(Plan {
        plotted: expr.trim().to_string(),
        threshold: None,
    })
}

/// `5 < x` is `x > 5`.
fn flip(op: &str) -> String {
    match op {
        "<" => ">",
        ">" => "<",
        "<=" => ">=",
        ">=" => "<=",
        other => other,
    }
    .to_string()
}

/// The data of one graph.
#[derive(Debug, Clone)]
pub struct GraphData {
    pub plan: Plan,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub series: Vec<Series>,
    /// How many series the query returned before the limit.
    pub total_series: usize,
    /// `[from, to)` in unix seconds, merged over instances.
    pub firing: Vec<(f64, f64)>,
}

/// Query the plotted expression and the alert's firing intervals.
pub async fn fetch(
    client: &PrometheusClient,
    alertname: &str,
    expr: &str,
    hours: u32,
) -> Result<GraphData, GraphError> {
    let plan = plan(expr)?;
    let end = Utc::now();
    let start = end - Duration::hours(i64::from(hours));
    let step = u64::try_from((i64::from(hours) * 3600 / STEPS).max(1)).unwrap_or(15);
    let alerts_query = format!(
        "ALERTS{{alertname={},alertstate=\"firing\"}}",
        // A JSON string is a valid PromQL string literal for any name.
        serde_json::Value::from(alertname)
    );
    let (values, alerts) = tokio::join!(
        client.query_range(&plan.plotted, start, end, step),
        client.query_range(&alerts_query, start, end, step)
    );
    let mut series = match values? {
        QueryResult::Matrix(m) => m,
        QueryResult::Vector(v) => v,
        QueryResult::Scalar(s) => vec![Series {
            metric: Default::default(),
            value: None,
            values: vec![s],
        }],
    };
    let total_series = series.len();
    let last = |s: &Series| s.values.last().map_or(f64::NEG_INFINITY, |x| x.value);
    series.sort_by(|a, b| last(b).total_cmp(&last(a)));
    series.truncate(MAX_SERIES);
    // Firing intervals are decoration: a failed ALERTS query only drops them.
    let firing = match alerts {
        Ok(QueryResult::Matrix(m)) => intervals(&m, step as f64),
        _ => Vec::new(),
    };
    Ok(GraphData {
        plan,
        start,
        end,
        series,
        total_series,
        firing,
    })
}

/// Merge the sample times of `ALERTS` series into intervals.
fn intervals(series: &[Series], step: f64) -> Vec<(f64, f64)> {
    let mut times: Vec<f64> = series
        .iter()
        .flat_map(|s| s.values.iter().map(|v| v.at))
        .collect();
    times.sort_by(f64::total_cmp);
    let mut out: Vec<(f64, f64)> = Vec::new();
    for t in times {
        match out.last_mut() {
            Some((_, to)) if t <= *to + step * 1.5 => *to = (*to).max(t + step),
            _ => out.push((t, t + step)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plots_the_left_side_of_a_numeric_comparison() {
        let p = plan("(sum(rate(errors[5m])) / sum(rate(requests[5m]))) > 0.05").unwrap();
        assert_eq!(p.threshold, Some((">".into(), 0.05)));
        assert!(p.plotted.contains("sum(rate(errors[5m]))"), "{}", p.plotted);
        let flipped = plan("10 >= node_load1").unwrap();
        assert_eq!(flipped.threshold, Some(("<=".into(), 10.0)));
        assert_eq!(flipped.plotted, "node_load1");
    }

    #[test]
    fn other_shapes_are_plotted_as_written() {
        for expr in [
            "up == bool 0",
            "absent(up)",
            "a > b",
            "up == 0 and on() vector(1)",
        ] {
            let p = plan(expr).unwrap();
            assert_eq!(p.threshold, None, "{expr}");
            assert_eq!(p.plotted, expr);
        }
        assert!(plan("sum(").is_err());
    }

    #[test]
    fn firing_samples_merge_into_intervals() {
        let s = |ts: &[f64]| Series {
            metric: Default::default(),
            value: None,
            values: ts
                .iter()
                .map(|&at| super::super::prometheus::Sample { at, value: 1.0 })
                .collect(),
        };
        let got = intervals(&[s(&[0.0, 10.0, 20.0]), s(&[60.0])], 10.0);
        assert_eq!(got, vec![(0.0, 30.0), (60.0, 70.0)]);
    }
}
