//! Latency values and their summary. Values are kept exactly (f32 milliseconds) and merged by
//! concatenation; percentiles are nearest-rank over the sorted values at finalize, so the
//! result cannot depend on how the input was split. Cost: 4 bytes per latency-bearing line
//! per view (endpoint and window).

use serde::Serialize;

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

pub fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Nearest rank: the smallest value with at least p% of values at or below it.
fn rank(sorted: &[f32], p: f64) -> f64 {
    let n = sorted.len();
    let r = ((p / 100.0) * n as f64).ceil().max(1.0) as usize;
    sorted[r.min(n) - 1] as f64
}

/// Sorts `values` in place and summarises them; `None` when empty.
pub fn summarize(values: &mut [f32]) -> Option<LatencySummary> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f32::total_cmp);
    // Summing in sorted order makes the mean independent of merge order.
    let sum: f64 = values.iter().map(|&v| v as f64).sum();
    Some(LatencySummary {
        count: values.len() as u64,
        mean: round3(sum / values.len() as f64),
        p50: round3(rank(values, 50.0)),
        p90: round3(rank(values, 90.0)),
        p95: round3(rank(values, 95.0)),
        p99: round3(rank(values, 99.0)),
        max: round3(*values.last().unwrap() as f64),
    })
}

/// p95 only, for windows.
pub fn p95(values: &mut [f32]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f32::total_cmp);
    Some(round3(rank(values, 95.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let mut v: Vec<f32> = (1..=100).rev().map(|x| x as f32).collect();
        let s = summarize(&mut v).unwrap();
        assert_eq!(
            (s.p50, s.p90, s.p95, s.p99, s.max),
            (50.0, 90.0, 95.0, 99.0, 100.0)
        );
        assert_eq!(s.mean, 50.5);
        let mut one = vec![7.5];
        let s = summarize(&mut one).unwrap();
        assert_eq!((s.p50, s.p99, s.count), (7.5, 7.5, 1));
        assert!(summarize(&mut []).is_none());
    }
}
