//! Draw [`GraphData`] as a static SVG line chart on the server: no script,
//! no charting download. Every text is escaped; the output is safe to embed.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::graph::GraphData;
use super::prometheus::Series;

const W: f64 = 800.0;
const H: f64 = 240.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 26.0;
/// Colour-blind-friendly palette (Okabe–Ito plus greys).
pub const PALETTE: [&str; 10] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
    "#999999", "#8C564B",
];

/// A series' label: its label set, `{}` when it has none.
pub fn series_label(s: &Series) -> String {
    let pairs: Vec<String> = s
        .metric
        .iter()
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect();
    format!("{{{}}}", pairs.join(", "))
}

/// The SVG document for `data`.
pub fn render(data: &GraphData) -> String {
    let (t0, t1) = (data.start.timestamp() as f64, data.end.timestamp() as f64);
    let values = data
        .series
        .iter()
        .flat_map(|s| s.values.iter().map(|v| v.value))
        .chain(data.plan.threshold.iter().map(|(_, v)| *v))
        .filter(|v| v.is_finite());
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if (hi - lo).abs() < f64::EPSILON {
        (lo, hi) = (lo - 1.0, hi + 1.0);
    }
    let pad = (hi - lo) * 0.05;
    let (lo, hi) = (lo - pad, hi + pad);
    let x = |t: f64| LEFT + (t - t0) / (t1 - t0).max(1.0) * (W - LEFT - RIGHT);
    let y = |v: f64| TOP + (hi - v) / (hi - lo) * (H - TOP - BOTTOM);

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="alert-graph-svg" viewBox="0 0 {W} {H}" role="img" aria-label="{}">"#,
        attr(&data.plan.plotted)
    );
    for (from, to) in &data.firing {
        let (a, b) = (x(from.max(t0)), x(to.min(t1)));
        if b > a {
            let _ = write!(
                svg,
                r##"<rect class="firing-interval" x="{a:.1}" y="{TOP}" width="{:.1}" height="{:.1}" fill="#c62828" fill-opacity="0.12"><title>firing</title></rect>"##,
                b - a,
                H - TOP - BOTTOM
            );
        }
    }
    for i in 0..=4 {
        let v = lo + (hi - lo) * f64::from(i) / 4.0;
        let _ = write!(
            svg,
            r##"<line class="grid" x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#dde3ea"/><text class="axis" x="{:.1}" y="{:.1}" font-size="10" text-anchor="end" fill="#5f6b7a">{}</text>"##,
            W - RIGHT,
            LEFT - 4.0,
            y(v) + 3.0,
            text(&short(v)),
            y = y(v)
        );
    }
    for i in 0..=5 {
        let t = t0 + (t1 - t0) * f64::from(i) / 5.0;
        let label = DateTime::<Utc>::from_timestamp(t as i64, 0)
            .map(|d| d.format("%H:%M").to_string())
            .unwrap_or_default();
        let anchor = match i {
            0 => "start",
            5 => "end",
            _ => "middle",
        };
        let _ = write!(
            svg,
            r##"<text class="axis" x="{:.1}" y="{:.1}" font-size="10" text-anchor="{anchor}" fill="#5f6b7a">{label}</text>"##,
            x(t),
            H - 8.0
        );
    }
    for (i, series) in data.series.iter().enumerate() {
        let mut path = String::new();
        let mut previous: Option<f64> = None;
        let gap = (t1 - t0) / 240.0 * 1.5;
        for sample in &series.values {
            if !sample.value.is_finite() {
                previous = None;
                continue;
            }
            let cmd = match previous {
                Some(p) if sample.at - p <= gap.max(1.0) => 'L',
                _ => 'M',
            };
            let _ = write!(path, "{cmd}{:.1},{:.1} ", x(sample.at), y(sample.value));
            previous = Some(sample.at);
        }
        let _ = write!(
            svg,
            r#"<path class="series" d="{}" fill="none" stroke="{}" stroke-width="1.5"><title>{}</title></path>"#,
            path.trim_end(),
            PALETTE[i % PALETTE.len()],
            text(&series_label(series))
        );
    }
    if let Some((op, value)) = &data.plan.threshold {
        let _ = write!(
            svg,
            r##"<line class="threshold" x1="{LEFT}" x2="{:.1}" y1="{ty:.1}" y2="{ty:.1}" stroke="#c62828" stroke-dasharray="6 4"/><text class="threshold" x="{:.1}" y="{:.1}" font-size="10" text-anchor="end" fill="#c62828">{}</text>"##,
            W - RIGHT,
            W - RIGHT - 2.0,
            y(*value) - 3.0,
            text(&format!("threshold {op} {}", short(*value))),
            ty = y(*value)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A compact number for axis labels.
fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 || (a < 1e-3 && a > 0.0) {
        format!("{v:.2e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::graph::{GraphData, Plan};
    use super::super::prometheus::Sample;
    use super::*;

    #[test]
    fn draws_series_threshold_and_firing_and_escapes_labels() {
        let end = Utc::now();
        let start = end - chrono::Duration::hours(1);
        let t0 = start.timestamp() as f64;
        let series = Series {
            metric: [("job".to_string(), "<script>".to_string())].into(),
            value: None,
            values: (0..10)
                .map(|i| Sample {
                    at: t0 + f64::from(i) * 15.0,
                    value: f64::from(i),
                })
                .collect(),
        };
        let data = GraphData {
            plan: Plan {
                plotted: "x".into(),
                threshold: Some((">".into(), 5.0)),
            },
            start,
            end,
            series: vec![series],
            total_series: 1,
            firing: vec![(t0 + 90.0, t0 + 150.0)],
        };
        let svg = render(&data);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"class="threshold""#));
        assert!(svg.contains(r#"class="firing-interval""#));
        assert!(svg.contains(r#"class="series" d="M"#));
        assert!(!svg.contains("<script>"), "labels are escaped");
        assert_eq!(short(0.05), "0.05");
        assert_eq!(short(1234.0), "1234");
    }
}
