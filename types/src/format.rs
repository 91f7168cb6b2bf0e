//! Numbers and times as people read them, in one place for the server
//! (`{{ $value }}`, check results) and the browser (tables, timelines).
//! Prometheus writes `4.2e+01`; Go's templates and people say `42`.

use chrono::{DateTime, NaiveDate, Utc};

/// A moment with its date, as a timeline or a table shows it:
/// `2026-12-02 17:31:05 UTC`.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A length of time as a responder says it: `45 s`, `12 min`, `1 h 5 min`,
/// `3 d 4 h` (two units at most; negative spans count as zero).
pub fn duration(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// "12 s ago", "5 min ago", "in 2 h".
pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds();
    let n = secs.unsigned_abs();
    let amount = match n {
        0..=89 => format!("{n} s"),
        90..=5399 => format!("{} min", (n + 30) / 60),
        5400..=172_799 => format!("{} h", (n + 1800) / 3600),
        _ => format!("{} d", (n + 43_200) / 86_400),
    };
    if secs >= 0 {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

/// A moment as a table shows it when the year is known from context:
/// `2 Dec 17:31 UTC`.
pub fn short_timestamp(at: DateTime<Utc>) -> String {
    at.format("%-d %b %H:%M UTC").to_string()
}

/// A front-matter date (RFC 3339, or a bare `YYYY-MM-DD`) as a day:
/// `15 Jan 2025`. `None` when it is neither, so the caller shows it as written.
pub fn day(raw: &str) -> Option<String> {
    let date = match DateTime::parse_from_rfc3339(raw.trim()) {
        Ok(at) => at.with_timezone(&Utc).date_naive(),
        Err(_) => NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()?,
    };
    Some(date.format("%-d %b %Y").to_string())
}

/// A sample value: the shortest text that reads back as the same number
/// (`42`, `0.5`, `1234.5678`), in exponent form only at the extremes
/// (`1e21`, `1.5e-7`, as JavaScript does), and non-finite values spelled as
/// Prometheus spells them (`NaN`, `+Inf`, `-Inf`).
pub fn sample(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else if value.abs() >= 1e21 || (value != 0.0 && value.abs() < 1e-6) {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}

/// A value as Prometheus wrote it (`"4.2e+01"`), formatted like
/// [`sample`]; text that is not a number is kept as written.
pub fn sample_text(text: &str) -> String {
    text.trim()
        .parse::<f64>()
        .map_or_else(|_| text.to_string(), sample)
}

/// `printf "%.Nf"`: a fixed number of decimals (non-finite values and
/// non-numbers as [`sample_text`] gives them).
pub fn fixed(text: &str, precision: usize) -> String {
    match text.trim().parse::<f64>() {
        Ok(number) if number.is_finite() => format!("{number:.precision$}"),
        _ => sample_text(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_days_and_moments_keep_their_date() {
        assert_eq!(
            day("2025-01-15T09:00:00.000Z").as_deref(),
            Some("15 Jan 2025")
        );
        assert_eq!(day("2025-01-15").as_deref(), Some("15 Jan 2025"));
        assert_eq!(day("last tuesday"), None);
        let at = DateTime::parse_from_rfc3339("2026-12-02T17:31:05Z").unwrap();
        assert_eq!(timestamp(at.with_timezone(&Utc)), "2026-12-02 17:31:05 UTC");
    }

    #[test]
    fn relative_times_read_naturally() {
        let now = Utc::now();
        assert_eq!(
            relative(now - chrono::Duration::seconds(12), now),
            "12 s ago"
        );
        assert_eq!(
            relative(now - chrono::Duration::minutes(5), now),
            "5 min ago"
        );
        assert_eq!(relative(now + chrono::Duration::hours(2), now), "in 2 h");
        assert_eq!(relative(now - chrono::Duration::days(3), now), "3 d ago");
    }

    #[test]
    fn durations_read_in_two_units_at_most() {
        for (seconds, want) in [
            (-5, "0 s"),
            (45, "45 s"),
            (60, "1 min"),
            (754, "12 min"),
            (3_600, "1 h"),
            (3_900, "1 h 5 min"),
            (86_400, "1 d"),
            (273_600, "3 d 4 h"),
        ] {
            assert_eq!(duration(seconds), want, "{seconds} s");
        }
    }

    #[test]
    fn prometheus_text_reads_as_people_write_it() {
        for (text, want) in [
            ("4.2e+01", "42"),
            ("1e+00", "1"),
            ("0.5", "0.5"),
            ("1234.5678", "1234.5678"),
            ("-3", "-3"),
            ("NaN", "NaN"),
            ("+Inf", "+Inf"),
            ("-Inf", "-Inf"),
            ("1e+21", "1e21"),
            ("1.5e-07", "1.5e-7"),
            ("0", "0"),
            ("n/a", "n/a"),
        ] {
            assert_eq!(sample_text(text), want, "{text}");
        }
        assert_eq!(sample(1e15), "1000000000000000");
        assert_eq!(sample(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn fixed_precision_like_printf() {
        assert_eq!(fixed("0.12345", 2), "0.12");
        assert_eq!(fixed("4.2e+01", 0), "42");
        assert_eq!(fixed("+Inf", 2), "+Inf");
        assert_eq!(fixed("x", 2), "x");
    }

    /// Formatting is idempotent and loses nothing: the text reads back as
    /// the same number (so a value formatted twice, once by the server and
    /// once by a template, is unchanged).
    #[test]
    fn formatted_values_read_back_the_same() {
        let mut bits = 0x2545_F491_4F6C_DD1D_u64;
        for _ in 0..5000 {
            bits ^= bits << 13;
            bits ^= bits >> 7;
            bits ^= bits << 17;
            let value = f64::from_bits(bits);
            let text = sample(value);
            assert_eq!(sample_text(&text), text);
            let back: f64 = text.parse().unwrap();
            assert!(
                back == value || (back.is_nan() && value.is_nan()),
                "{value:e} → {text}"
            );
        }
    }
}
