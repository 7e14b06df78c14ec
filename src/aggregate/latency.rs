//! Latency values and their summary. A store keeps values exactly (f32 milliseconds, merged
//! by concatenation) up to a cap, then as a log histogram whose buckets are at most 1/64
//! wide, so any percentile read from it is within 0.8% of the exact one. Percentiles are nearest-rank
//! (found by selection, not a full sort), the mean is an exact integer sum of microseconds and
//! the max is exact in both forms. A store turns into a histogram exactly when it holds more
//! than its cap, whatever the split, so results never depend on how the input was cut.

/// Values an endpoint's (or a source's) store keeps exactly.
pub const EXACT_CAP: usize = 1 << 16;
/// Values a window's store keeps exactly in an endless stream (`watch`): windows are many,
/// so they turn sooner there. `report` keeps windows exact up to `EXACT_CAP`.
pub const STREAM_WINDOW_CAP: usize = 1 << 10;
/// Buckets are f32 values sharing their exponent and top `MANTISSA_BITS` mantissa bits: a
/// bucket spans at most 1/64 of its lower bound, so its middle is within 0.8% of every value
/// in it. Positive f32 bit patterns order like their values, so the bucket is a shift.
const MANTISSA_BITS: u32 = 6;
const SHIFT: u32 = 23 - MANTISSA_BITS;
/// Values below this (ms) share one bucket and read as 0.
const FLOOR_MS: f32 = 1e-3;

/// Latency values: exact, or a histogram once past the cap.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum LatStore {
    /// Saved sorted: the order values arrived in depends on the split.
    Exact(#[serde(serialize_with = "super::wire::sorted_values")] Vec<f32>),
    Hist(Box<Hist>),
}

impl Default for LatStore {
    fn default() -> Self {
        LatStore::Exact(Vec::new())
    }
}

/// Log histogram: dense counts over the range of buckets seen, plus what stays exact (count,
/// nanosecond sum, max). Dense, so its size follows the range of the values rather than how
/// many distinct buckets they have filled: a long stream's many window histograms stop growing
/// once their range is seen (4 bytes a bucket; 1 ms to 1 min is about 1,000 buckets). Values
/// from `CEIL_MS` up (over a day: garbage, not latency) share one bucket that reads as the max,
/// which bounds a histogram at about 9 KB. A bucket's count saturates at 4,294,967,295 (the
/// exact total is `n`).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Hist {
    /// The bucket of `counts[0]`.
    lo: u16,
    counts: Vec<u32>,
    /// Values under `FLOOR_MS`, and from `CEIL_MS` up.
    low: u64,
    high: u64,
    n: u64,
    sum_us: i128,
    max: f32,
}

/// Values from this (ms) up share the top bucket, read as the max.
const CEIL_MS: f32 = 1e8;

/// Whole microseconds, the precision reports print (ms with three decimals). Through i64 (a
/// hardware conversion; i128 takes a library call), exact to `parse::MAX_LATENCY_MS` (1e15
/// ms is 1e18 µs, under i64's 9.2e18): no value past that reaches a store.
fn us(v: f32) -> i128 {
    (v as f64 * 1e3).round() as i64 as i128
}

impl Hist {
    fn add(&mut self, v: f32) {
        self.add_n(v, 1);
    }

    fn add_n(&mut self, v: f32, count: u64) {
        self.max = if self.n == 0 { v } else { self.max.max(v) };
        self.n += count;
        self.sum_us += us(v) * count as i128;
        if v.is_nan() || v < FLOOR_MS {
            self.low += count;
            return;
        }
        if v >= CEIL_MS {
            self.high += count;
            return;
        }
        let i = self.cover((v.to_bits() >> SHIFT) as u16, 1);
        let c = u32::try_from(count).unwrap_or(u32::MAX);
        self.counts[i] = self.counts[i].saturating_add(c);
    }

    /// Widens `counts` to hold buckets `b..b + len`; returns the index of `b`. Grows by at
    /// least an eighth, so a range found one bucket at a time is not copied each time.
    fn cover(&mut self, b: u16, len: usize) -> usize {
        if self.counts.is_empty() {
            self.lo = b;
        }
        if b < self.lo {
            let more = (self.lo - b) as usize;
            self.room_for(self.counts.len() + more);
            self.counts.splice(0..0, std::iter::repeat_n(0, more));
            self.lo = b;
        }
        let i = (b - self.lo) as usize;
        if i + len > self.counts.len() {
            self.room_for(i + len);
            self.counts.resize(i + len, 0);
        }
        i
    }

    /// Capacity for `want` buckets, growing by at least an eighth.
    fn room_for(&mut self, want: usize) {
        if want > self.counts.capacity() {
            let len = self.counts.len();
            self.counts.reserve_exact(want.max(len * 9 / 8 + 8) - len);
        }
    }

    fn merge(&mut self, o: &Hist) {
        let max = if self.n == 0 {
            o.max
        } else if o.n == 0 {
            self.max
        } else {
            self.max.max(o.max)
        };
        self.n += o.n;
        self.sum_us += o.sum_us;
        self.low += o.low;
        self.high += o.high;
        self.max = max;
        if !o.counts.is_empty() {
            let at = self.cover(o.lo, o.counts.len());
            for (mine, theirs) in self.counts[at..].iter_mut().zip(&o.counts) {
                *mine = mine.saturating_add(*theirs);
            }
        }
    }

    fn from_exact(v: &[f32]) -> Hist {
        let mut h = Hist::default();
        for &x in v {
            h.add(x);
        }
        h
    }

    /// Nearest-rank pN: the middle of the bucket holding that rank, never above the max.
    fn percentile(&self, p: f64) -> f64 {
        let k = rank_index(self.n as usize, p) as u64 + 1;
        let mut seen = self.low;
        if seen >= k {
            return 0.0;
        }
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c as u64;
            if seen >= k {
                let b = self.lo as u32 + i as u32;
                let lo = f32::from_bits(b << SHIFT) as f64;
                let hi = f32::from_bits((b + 1) << SHIFT) as f64;
                return ((lo + hi) / 2.0).min(self.max as f64);
            }
        }
        self.max as f64
    }
}

impl LatStore {
    pub fn len(&self) -> usize {
        match self {
            LatStore::Exact(v) => v.len(),
            LatStore::Hist(h) => h.n as usize,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds a value; past `cap` values the store becomes a histogram.
    #[inline]
    pub fn push(&mut self, v: f32, cap: usize) {
        match self {
            LatStore::Exact(vals) => {
                vals.push(v);
                if vals.len() > cap {
                    *self = LatStore::Hist(Box::new(Hist::from_exact(vals)));
                }
            }
            LatStore::Hist(h) => h.add(v),
        }
    }

    /// Adds another store's values (same `cap` as every push to it).
    pub fn merge(&mut self, o: &LatStore, cap: usize) {
        match (&mut *self, o) {
            (LatStore::Exact(a), LatStore::Exact(b)) => {
                a.extend_from_slice(b);
                if a.len() > cap {
                    *self = LatStore::Hist(Box::new(Hist::from_exact(a)));
                }
            }
            (LatStore::Hist(a), LatStore::Exact(b)) => {
                for &x in b {
                    a.add(x);
                }
            }
            (LatStore::Exact(a), LatStore::Hist(b)) => {
                let mut h = (**b).clone();
                for &x in a.iter() {
                    h.add(x);
                }
                *self = LatStore::Hist(Box::new(h));
            }
            (LatStore::Hist(a), LatStore::Hist(b)) => a.merge(b),
        }
    }

    /// Summary (reorders exact values); `None` when empty.
    pub fn summarize(&mut self) -> Option<LatencySummary> {
        match self {
            LatStore::Exact(v) => summarize(v),
            LatStore::Hist(h) if h.n > 0 => Some(LatencySummary {
                count: h.n,
                mean: round3(h.sum_us as f64 / h.n as f64 / 1e3),
                p50: round3(h.percentile(50.0)),
                p90: round3(h.percentile(90.0)),
                p95: round3(h.percentile(95.0)),
                p99: round3(h.percentile(99.0)),
                max: round3(h.max as f64),
            }),
            LatStore::Hist(_) => None,
        }
    }

    /// Nearest-rank p95 without reordering the store.
    pub fn p95(&self) -> Option<f64> {
        match self {
            LatStore::Exact(v) => p95(v),
            LatStore::Hist(h) if h.n > 0 => Some(h.percentile(95.0)),
            _ => None,
        }
    }
}

pub use crate::model::{LatencySummary, round3};

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

/// Nearest-rank p95 of `values` (left as they are); `None` when empty.
pub fn p95(values: &[f32]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some(select(&mut values.to_vec(), &[95.0])[0])
}

/// Summarises `values` (reordering them); `None` when empty.
pub fn summarize(values: &mut [f32]) -> Option<LatencySummary> {
    if values.is_empty() {
        return None;
    }
    // Whole microseconds summed as integers: exact, so the mean ignores merge order.
    let sum_us: i128 = values.iter().map(|&v| us(v)).sum();
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let p = select(values, &[50.0, 90.0, 95.0, 99.0]);
    Some(LatencySummary {
        count: values.len() as u64,
        mean: round3(sum_us as f64 / values.len() as f64 / 1e3),
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
    fn histogram_percentiles_stay_within_one_percent_and_ignore_the_split() {
        // A skewed spread over five decades, more values than the cap.
        let mut seed = 7u64;
        let values: Vec<f32> = (0..5000)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (10f64.powf((seed % 10_000) as f64 / 2000.0) * 0.05) as f32
            })
            .collect();
        let mut exact = values.clone();
        let want = summarize(&mut exact).unwrap();
        let whole = {
            let mut s = LatStore::default();
            for &v in &values {
                s.push(v, 1000);
            }
            s
        };
        assert!(matches!(whole, LatStore::Hist(_)));
        // Any split, merged in any order, gives the same store contents.
        let mut parts: Vec<LatStore> = values
            .chunks(700)
            .map(|c| {
                let mut s = LatStore::default();
                for &v in c {
                    s.push(v, 1000);
                }
                s
            })
            .collect();
        parts.reverse();
        let mut merged = LatStore::default();
        for p in &parts {
            merged.merge(p, 1000);
        }
        let a = whole.clone().summarize().unwrap();
        let b = merged.summarize().unwrap();
        assert_eq!(a, b);
        assert_eq!((a.count, a.mean, a.max), (want.count, want.mean, want.max));
        for (got, exact) in [
            (a.p50, want.p50),
            (a.p90, want.p90),
            (a.p95, want.p95),
            (a.p99, want.p99),
        ] {
            assert!(((got - exact) / exact).abs() <= 0.0101, "{got} vs {exact}");
        }
        // Under the cap nothing changes: exact.
        let mut small = LatStore::default();
        for &v in &values[..10] {
            small.push(v, 1000);
        }
        let mut ten = values[..10].to_vec();
        assert_eq!(small.summarize(), summarize(&mut ten));
    }

    #[test]
    fn every_bucket_fits_sixteen_bits() {
        assert!(f32::MAX.to_bits() >> SHIFT <= u16::MAX as u32);
        assert!(f32::INFINITY.to_bits() >> SHIFT <= u16::MAX as u32);
        let mut h = Hist::default();
        for v in [FLOOR_MS, 1.0, 1e9, f32::MAX] {
            h.add(v);
        }
        assert_eq!(h.percentile(100.0), f32::MAX as f64);
    }

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

    #[test]
    fn histogram_size_follows_the_range_and_garbage_values_read_as_the_max() {
        let mut h = Hist::default();
        for i in 0..100_000u32 {
            h.add(1.0 + (i % 1000) as f32);
        }
        let full = h.counts.len();
        // Ten times the values over the same range: not one bucket more.
        for i in 0..1_000_000u32 {
            h.add(1.0 + (i % 1000) as f32);
        }
        assert_eq!(h.counts.len(), full);
        assert!(full <= 64 * 10 + 1, "1 ms to 1 s is ten octaves: {full}");
        // A nonsense latency does not stretch the range; above the 99th percentile it reads
        // as the exact max.
        h.add(3e30);
        h.add(0.0);
        assert_eq!(h.counts.len(), full);
        assert_eq!(h.n, 1_100_002);
        assert_eq!(h.percentile(100.0), 3e30f32 as f64);
        let p50 = h.percentile(50.0);
        assert!((p50 - 500.5).abs() / 500.5 < 0.008, "{p50}");
    }
}
