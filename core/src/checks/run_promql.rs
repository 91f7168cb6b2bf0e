//! Run a (filled, verified) PromQL check and judge the answer against its
//! expectation. Every series must satisfy a comparison; the failing ones are
//! listed first so the responder sees what is wrong without scrolling.

use portal_types::{CheckStatus, SeriesValue};

use super::Outcome;
use super::expect::Expectation;
use crate::alerts::prometheus::{PrometheusClient, QueryResult};

/// Series shown in a result.
const MAX_SERIES: usize = 20;

pub async fn run(
    query: &str,
    expect: &Expectation,
    upstream: Option<&str>,
    clients: &[(String, PrometheusClient)],
) -> Outcome {
    let client = match upstream {
        Some(name) => clients.iter().find(|(n, _)| n == name),
        None => clients.first(),
    };
    let Some((_, client)) = client else {
        return Outcome::error(match upstream {
            Some(name) => format!("no Prometheus named {name:?} is configured"),
            None => "no Prometheus is configured".into(),
        });
    };
    match client.query(query).await {
        Ok(result) => judge(result, expect),
        Err(e) => Outcome::error(format!("Prometheus: {e}")),
    }
}

pub fn judge(result: QueryResult, expect: &Expectation) -> Outcome {
    let series: Vec<SeriesValue> = match result {
        QueryResult::Vector(series) => series
            .into_iter()
            .map(|s| SeriesValue {
                labels: s.metric,
                value: s.value.map_or(f64::NAN, |v| v.value),
            })
            .collect(),
        QueryResult::Scalar(sample) => vec![SeriesValue {
            labels: Default::default(),
            value: sample.value,
        }],
        QueryResult::Matrix(_) => {
            return Outcome::error(
                "the query returns a range vector; a check needs an instant vector or a scalar"
                    .into(),
            );
        }
    };
    let n = series.len();
    let (mut failing, passing): (Vec<SeriesValue>, Vec<SeriesValue>) =
        series.into_iter().partition(|s| !expect.holds_for(s.value));
    let (status, message) = match expect {
        Expectation::Empty if n == 0 => (CheckStatus::Pass, "no series: as expected".to_string()),
        Expectation::Empty => (CheckStatus::Fail, format!("{n} series, expected none")),
        Expectation::NotEmpty if n == 0 => (CheckStatus::Fail, "no series returned".to_string()),
        Expectation::NotEmpty => (CheckStatus::Pass, format!("{n} series")),
        Expectation::Compare(..) if n == 0 => (
            CheckStatus::Fail,
            format!("no series returned, expected values {expect}"),
        ),
        Expectation::Compare(..) if failing.is_empty() => {
            (CheckStatus::Pass, format!("{n} series, all {expect}"))
        }
        Expectation::Compare(..) => (
            CheckStatus::Fail,
            format!("{} of {n} series not {expect}", failing.len()),
        ),
    };
    let value = failing
        .first()
        .or(passing.first())
        .map(|s| portal_types::format::sample(s.value));
    failing.extend(passing);
    let more_series = failing.len().saturating_sub(MAX_SERIES);
    failing.truncate(MAX_SERIES);
    let mut outcome = Outcome::new(status, message);
    outcome.value = value;
    outcome.series = failing;
    outcome.more_series = more_series;
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::prometheus::{Sample, Series};

    fn vector(values: &[f64]) -> QueryResult {
        QueryResult::Vector(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| Series {
                    metric: [("i".to_string(), i.to_string())].into(),
                    value: Some(Sample { at: 0.0, value: *v }),
                    values: Vec::new(),
                })
                .collect(),
        )
    }

    #[test]
    fn every_series_must_satisfy_a_comparison() {
        let gt0 = Expectation::parse("> 0").unwrap();
        assert_eq!(judge(vector(&[1.0, 2.0]), &gt0).status, CheckStatus::Pass);
        let out = judge(vector(&[1.0, 0.0]), &gt0);
        assert_eq!(out.status, CheckStatus::Fail);
        assert_eq!(out.series[0].value, 0.0, "failing series first");
        assert_eq!(out.value.as_deref(), Some("0"));
        assert_eq!(judge(vector(&[]), &gt0).status, CheckStatus::Fail);
    }

    #[test]
    fn empty_and_scalars_and_limits() {
        assert_eq!(
            judge(vector(&[]), &Expectation::Empty).status,
            CheckStatus::Pass
        );
        assert_eq!(
            judge(vector(&[1.0]), &Expectation::Empty).status,
            CheckStatus::Fail
        );
        assert_eq!(
            judge(vector(&[1.0]), &Expectation::NotEmpty).status,
            CheckStatus::Pass
        );
        let scalar = QueryResult::Scalar(Sample {
            at: 0.0,
            value: 0.5,
        });
        assert_eq!(
            judge(scalar, &Expectation::parse("< 0.9").unwrap()).status,
            CheckStatus::Pass
        );
        let many = judge(vector(&[1.0; 25]), &Expectation::NotEmpty);
        assert_eq!((many.series.len(), many.more_series), (20, 5));
        assert_eq!(
            judge(QueryResult::Matrix(vec![]), &Expectation::NotEmpty).status,
            CheckStatus::Error
        );
    }
}
