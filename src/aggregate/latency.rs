//! Latency values and their summary. Values are kept exactly (f32 milliseconds) and merged by
//! concatenation; percentiles are nearest-rank over the exact values at finalize (found by
//! selection, not a full sort) and the mean is an exact integer sum, so the result cannot
//! depend on how the input was split. Cost: 4 bytes per latency-bearing line per view
//! (endpoint and window).

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

/// 0-based index of the nearest-rank pN: the smallest value with at least p% at or below it.
fn rank_index(n: usize, p: f64) -> usize {
    let r = ((p / 100.0) * n as f64).ceil().max(1.0) as usize;
    r.min(n) - 1
}

/// Selects the nearest-rank percentiles `ps` (ascending) in place, in O(n) each.
fn select(values: &mut [f32], ps: &[f64]) -> Vec<f64> {
    let n = values.len();
    let mut lo = 0;
    let mut out = Vec::with_capacity(ps.len());
    for &p in ps {
        let k = rank_index(n, p);
        // Everything left of `lo` is already <= the previous pick, so search only the rest.
        let (_, v, _) = values[lo..].select_nth_unstable_by(k - lo, f32::total_cmp);
        out.push(*v as f64);
        lo = k;
    }
    out
}

/// Summarises `values` (reordering them); `None` when empty.
pub fn summarize(values: &mut [f32]) -> Option<LatencySummary> {
    if values.is_empty() {
        return None;
    }
    // Whole nanoseconds summed as integers: exact, so the mean ignores merge order. Each value
    // goes through i64 (a hardware conversion; i128 takes a library call), which caps a
    // single value at 292 years.
    let sum_ns: i128 = values
        .iter()
        .map(|&v| (v as f64 * 1e6).round() as i64 as i128)
        .sum();
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let p = select(values, &[50.0, 90.0, 95.0, 99.0]);
    Some(LatencySummary {
        count: values.len() as u64,
        mean: round3(sum_ns as f64 / values.len() as f64 / 1e6),
        p50: round3(p[0]),
        p90: round3(p[1]),
        p95: round3(p[2]),
        p99: round3(p[3]),
        max: round3(max as f64),
    })
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
        let mut v: Vec<f32> = vec![3.0, 1.0, 2.0, 2.0, 9.0, 1.0, 1.0];
        let s = summarize(&mut v).unwrap();
        // sorted: 1 1 1 2 2 3 9 -> p50 is rank ceil(3.5) = 4 -> 2; p90 rank 7 -> 9
        assert_eq!((s.p50, s.p90, s.max, s.count), (2.0, 9.0, 9.0, 7));
        let mut one = vec![7.5];
        let s = summarize(&mut one).unwrap();
        assert_eq!((s.p50, s.p99, s.count), (7.5, 7.5, 1));
        assert!(summarize(&mut []).is_none());
    }
}
