//! Small value types and formats every layer above parsing shares: per-source pairs
//! (`BySource`), RFC 3339 times and rounded milliseconds as the JSON contract writes them, and
//! human durations. Must not hold state or import anything above `parse`.

use serde::Serialize;

use crate::parse::time::format_utc;

#[derive(Serialize, Debug, Clone, Default)]
pub struct BySource<T> {
    pub app: T,
    pub nginx: T,
}

/// A time as RFC 3339 UTC, or `None` for the empty-range markers `i64::MIN`/`MAX`.
pub fn ts(t: i64) -> Option<String> {
    (t != i64::MAX && t != i64::MIN).then(|| format_utc(t))
}

/// A logged latency (negative: none) in ms, rounded to 1 µs.
pub fn opt_ms(v: f32) -> Option<f64> {
    (v >= 0.0).then(|| round3(v as f64))
}

/// `90` -> `1m30s`, `7200` -> `2h00m`: a span as people say it.
pub fn human_duration(secs: f64) -> String {
    let s = secs.round() as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d{:02}h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// Count, mean and nearest-rank percentiles in milliseconds (rounded to 1 µs).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    pub count: u64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl LatencySummary {
    /// The figures after the count, in the order every latency table shows them: mean,
    /// p50, p90, p95, p99, max.
    pub fn figures(&self) -> [f64; 6] {
        [self.mean, self.p50, self.p90, self.p95, self.p99, self.max]
    }
}

/// Milliseconds rounded to 1 µs, as every figure of the JSON contract is.
pub fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Sorts by count (most first), ties by name, and keeps the first `n`: every ranked list of
/// the report orders this way, so equal counts never depend on hash order.
pub fn keep_top<T>(v: &mut Vec<T>, n: usize, key: impl Fn(&T) -> (u64, &str)) {
    v.sort_by(|a, b| {
        let (ca, na) = key(a);
        let (cb, nb) = key(b);
        cb.cmp(&ca).then_with(|| na.cmp(nb))
    });
    v.truncate(n);
}
