//! Time windows. Partials bucket at a fine granularity from a fixed ladder and coarsen when a
//! partial holds too many buckets; the display window (a multiple of every finer rung) is
//! chosen at finalize from the whole time span, so any split gives the same windows.

use rustc_hash::FxHashMap;

use crate::parse::Level;

use super::intern::{NONE, remap};
use super::latency::{EXACT_CAP, LatStore};
use super::merge::Merge;

const SEC: i64 = 1_000_000;
const DAY: i64 = 86_400 * SEC;
/// Fine granularities; each divides the next and every display size above it. Steps are at
/// most 4x (or to the next size every larger display size is a multiple of), so a partial can
/// coarsen after `MAX_BUCKETS` buckets without changing the display width: by then its span
/// alone rules out every display size that is not a multiple of the next rung (a unit test
/// checks this for every step).
const LADDER: [i64; 11] = [
    SEC,
    5 * SEC,
    15 * SEC,
    30 * SEC,
    60 * SEC,
    300 * SEC,
    900 * SEC,
    3600 * SEC,
    10_800 * SEC,
    43_200 * SEC,
    DAY,
];
/// Human display sizes, smallest first.
const DISPLAY: [i64; 20] = [
    SEC,
    2 * SEC,
    5 * SEC,
    10 * SEC,
    15 * SEC,
    30 * SEC,
    60 * SEC,
    120 * SEC,
    300 * SEC,
    600 * SEC,
    900 * SEC,
    1800 * SEC,
    3600 * SEC,
    7200 * SEC,
    10_800 * SEC,
    21_600 * SEC,
    43_200 * SEC,
    86_400 * SEC,
    172_800 * SEC,
    604_800 * SEC,
];
/// Buckets a partial holds below a day before it coarsens: small, so a stream's summary
/// (`watch`) keeps at most this many windows whatever its length.
const MAX_BUCKETS: usize = 128;
/// Target upper bound on the number of windows shown.
const TARGET_WINDOWS: i64 = 60;
/// Windows of a user's fixed width held before they widen: bounds memory (and the table)
/// whatever the span, e.g. `-w 1s` over 11 days.
pub const MAX_FIXED_WINDOWS: usize = 20_000;
/// Multiples of a fixed width it widens through; each divides the next, so widening merges
/// whole windows, and from one second every rung is a human size.
const FIXED_RUNGS: [i64; 13] = [
    1, 2, 10, 20, 60, 120, 600, 1200, 3600, 7200, 21_600, 43_200, 86_400,
];

#[derive(Default, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct WinAgg {
    pub lines: u64,
    pub errors: u64,
    pub warnings: u64,
    pub status_5xx: [u64; 2],
    /// Latency by source (app, nginx), health checks excluded.
    pub latency: [LatStore; 2],
    /// Triage (only with rules): lines with a level.
    pub leveled: u64,
    /// Lines with an HTTP status per source (app, nginx): the window's requests.
    pub responses: [u64; 2],
    /// Lines per interned error type (any source).
    #[serde(with = "super::wire::map")]
    pub error_types: FxHashMap<u32, u64>,
    /// Triage: matching lines per rule slot.
    #[serde(with = "super::wire::map")]
    pub hits: FxHashMap<u16, u64>,
    /// Triage: latency of matching lines per custom rule slot.
    #[serde(with = "super::wire::map")]
    pub hit_latency: FxHashMap<u16, LatStore>,
    /// Triage: latency per (source, interned endpoint), health checks excluded.
    #[serde(with = "super::wire::map")]
    pub ep_latency: FxHashMap<(u8, u32), LatStore>,
}

impl WinAgg {
    /// Carries interned endpoint ids into another partial's names; endpoints the map folds
    /// into one merge.
    fn remap(&mut self, map: &[u32], cap: usize) {
        if !self.error_types.is_empty() {
            let old = std::mem::take(&mut self.error_types);
            for (t, n) in old {
                *self.error_types.entry(remap(t, map)).or_default() += n;
            }
        }
        if !self.ep_latency.is_empty() {
            let old = std::mem::take(&mut self.ep_latency);
            for ((s, ep), v) in old {
                self.ep_latency
                    .entry((s, remap(ep, map)))
                    .or_default()
                    .merge(&v, cap);
            }
        }
    }
}

impl WinAgg {
    /// Adds a later part of the same window; stores keep `cap` values exactly.
    fn merge(&mut self, o: WinAgg, cap: usize) {
        self.lines += o.lines;
        self.errors += o.errors;
        self.warnings += o.warnings;
        for i in 0..2 {
            self.status_5xx[i] += o.status_5xx[i];
            self.latency[i].merge(&o.latency[i], cap);
            self.responses[i] += o.responses[i];
        }
        self.leveled += o.leveled;
        for (k, n) in o.error_types {
            *self.error_types.entry(k).or_default() += n;
        }
        for (k, n) in o.hits {
            *self.hits.entry(k).or_default() += n;
        }
        for (k, v) in o.hit_latency {
            self.hit_latency.entry(k).or_default().merge(&v, cap);
        }
        for (k, v) in o.ep_latency {
            self.ep_latency.entry(k).or_default().merge(&v, cap);
        }
    }
}

/// Marks a custom rule's slot in `WinLine::hits`: only their hits keep latency (p95
/// conditions).
pub const CUSTOM_SLOT: u16 = 0x8000;

/// What one timed (or placed) line adds to its window. The partial keeps the last one in its
/// scratch, so `watch`'s live windows add exactly what the partial's windows got.
#[derive(Clone, Debug, Default)]
pub struct WinLine {
    /// Source index (app 0, nginx 1).
    pub src: usize,
    pub level: Option<Level>,
    pub status: Option<u16>,
    /// The line's latency, as custom rules' `p95_above` of matching lines sees it.
    pub latency_ms: Option<f64>,
    /// The latency this line adds to the window's latency views now: its own for lines
    /// without a request id and for nginx; `None` for an app line of a request, whose
    /// latency counts once per request when the request is finished.
    pub view_ms: Option<f64>,
    /// Interned endpoint, `NONE` without a path.
    pub endpoint: u32,
    pub health: bool,
    /// Interned error type, `NONE` without one.
    pub error_type: u32,
    /// Interned masked message (when patterns or last words are tracked), `NONE` otherwise.
    /// Not a window count: `watch` keeps it as a request's last words.
    pub template: u32,
    /// Rules are being judged: the triage counts are kept.
    pub triaging: bool,
    /// Rule slots the line hit (custom slots marked by `CUSTOM_SLOT`).
    pub hits: Vec<u16>,
}

impl WinAgg {
    /// Adds one line; stores keep `cap` values exactly.
    pub fn add(&mut self, l: &WinLine, cap: usize) {
        self.lines += 1;
        match l.level {
            Some(v) if v >= Level::Error => self.errors += 1,
            Some(Level::Warn) => self.warnings += 1,
            _ => {}
        }
        if l.status.is_some_and(|s| s >= 500) {
            self.status_5xx[l.src] += 1;
        }
        self.responses[l.src] += l.status.is_some() as u64;
        if l.error_type != NONE {
            *self.error_types.entry(l.error_type).or_default() += 1;
        }
        if let Some(ms) = l.view_ms {
            self.add_latency(l.src, l.endpoint, l.health, ms, cap, l.triaging);
        }
        if !l.triaging {
            return;
        }
        self.leveled += l.level.is_some() as u64;
        for &marked in &l.hits {
            let slot = marked & !CUSTOM_SLOT;
            *self.hits.entry(slot).or_default() += 1;
            if let (Some(ms), true) = (l.latency_ms, marked & CUSTOM_SLOT != 0) {
                self.hit_latency
                    .entry(slot)
                    .or_default()
                    .push(ms as f32, cap);
            }
        }
    }
}

impl WinAgg {
    /// One latency in the window's views (health checks kept out); per endpoint too when
    /// triaging.
    pub fn add_latency(
        &mut self,
        src: usize,
        endpoint: u32,
        health: bool,
        ms: f64,
        cap: usize,
        triaging: bool,
    ) {
        if health {
            return;
        }
        self.latency[src].push(ms as f32, cap);
        if triaging && endpoint != NONE {
            self.ep_latency
                .entry((src as u8, endpoint))
                .or_default()
                .push(ms as f32, cap);
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Windows {
    /// Bucket width in microseconds.
    pub width: i64,
    /// The user's width, if they chose one: it only widens (by `FIXED_RUNGS`) past
    /// `MAX_FIXED_WINDOWS` windows.
    fixed: Option<i64>,
    /// `limit_for` the current width.
    limit: usize,
    /// Latency values each window store keeps exactly.
    pub cap: usize,
    #[serde(with = "super::wire::map")]
    pub buckets: FxHashMap<i64, WinAgg>,
}

impl Windows {
    pub fn new(fixed_width: Option<i64>) -> Windows {
        Windows::with_cap(fixed_width, EXACT_CAP)
    }

    /// No windows yet, bucketed as `self` is: for a part built apart and merged back.
    pub fn empty_like(&self) -> Windows {
        Windows {
            width: self.width,
            fixed: self.fixed,
            limit: self.limit,
            cap: self.cap,
            buckets: FxHashMap::default(),
        }
    }

    /// `new`, with window latency stores that keep `cap` values exactly.
    pub fn with_cap(fixed_width: Option<i64>, cap: usize) -> Windows {
        Windows {
            width: fixed_width.unwrap_or(LADDER[0]),
            fixed: fixed_width,
            limit: Self::limit_for(fixed_width, fixed_width.unwrap_or(LADDER[0])),
            cap,
            buckets: FxHashMap::default(),
        }
    }

    #[inline]
    pub fn at(&mut self, ts: i64) -> &mut WinAgg {
        let mut key = ts.div_euclid(self.width);
        if self.buckets.len() >= self.limit && !self.buckets.contains_key(&key) {
            self.widen();
            key = ts.div_euclid(self.width);
        }
        self.buckets.entry(key).or_default()
    }

    /// Buckets held before the next one widens them.
    fn limit_for(fixed: Option<i64>, width: i64) -> usize {
        match fixed {
            None if width < DAY => MAX_BUCKETS,
            None => usize::MAX,
            Some(_) => MAX_FIXED_WINDOWS,
        }
    }

    /// One rung coarser: the auto ladder's, or the fixed width's next multiple.
    fn widen(&mut self) {
        let next = match self.fixed {
            None => next_rung(self.width),
            Some(w) => next_fixed(w, self.width),
        };
        self.coarsen_to(next);
    }

    /// Widens automatic windows to the rung one partial reading the whole input would hold
    /// (the narrowest within the limit): a merge keeps the widest of its parts, which
    /// depends on the split. Fixed widths are settled by every merge already.
    pub fn settle(&mut self) {
        while self.fixed.is_none() && self.buckets.len() > self.limit {
            self.widen();
        }
    }

    /// The user's width when it had to widen to stay within `MAX_FIXED_WINDOWS`.
    pub fn widened_from(&self) -> Option<i64> {
        self.fixed.filter(|&w| w != self.width)
    }

    fn coarsen_to(&mut self, width: i64) {
        if width <= self.width {
            return;
        }
        self.limit = Self::limit_for(self.fixed, width);
        let factor = width / self.width;
        let old = std::mem::take(&mut self.buckets);
        self.width = width;
        for (k, v) in old {
            self.buckets
                .entry(k.div_euclid(factor))
                .or_default()
                .merge(v, self.cap);
        }
    }

    /// Sorted windows of the display width (start in µs, merged bucket).
    pub fn finish(mut self, display: i64) -> Vec<(i64, WinAgg)> {
        self.coarsen_to(display);
        let mut v: Vec<(i64, WinAgg)> = self
            .buckets
            .into_iter()
            .map(|(k, a)| (k * display, a))
            .collect();
        v.sort_unstable_by_key(|(k, _)| *k);
        v
    }

    /// The display width for a time span: a user's fixed width, else the smallest human size
    /// giving at most 60 windows that is a multiple of the bucket width.
    pub fn display_width(&self, span: i64) -> i64 {
        if self.fixed.is_some() {
            return self.width;
        }
        for &w in &DISPLAY {
            if w >= self.width && w % self.width == 0 && span / w < TARGET_WINDOWS {
                return w;
            }
        }
        // Past the largest human size, whole days: independent of the bucket width.
        ((span / TARGET_WINDOWS / DAY + 1) * DAY).max(self.width)
    }
}

/// The next multiple of a user's width `fixed` after `width`; past the rungs, doubling.
fn next_fixed(fixed: i64, width: i64) -> i64 {
    FIXED_RUNGS
        .iter()
        .map(|m| m * fixed)
        .find(|&r| r > width)
        .unwrap_or(width * 2)
}

/// The next coarser bucket width; a day is the coarsest, as whole-day display sizes need not
/// be multiples of anything larger.
fn next_rung(width: i64) -> i64 {
    LADDER.iter().copied().find(|&r| r > width).unwrap_or(width)
}

impl Windows {
    /// `merge`, carrying the other partial's interned ids into ours.
    pub fn merge_remapped(&mut self, mut o: Windows, map: &[u32]) {
        let cap = o.cap;
        for v in o.buckets.values_mut() {
            v.remap(map, cap);
        }
        self.merge(o);
    }
}

impl Merge for Windows {
    fn merge(&mut self, mut o: Windows) {
        let w = self.width.max(o.width);
        self.coarsen_to(w);
        o.coarsen_to(w);
        if self.buckets.len() < o.buckets.len() {
            std::mem::swap(&mut self.buckets, &mut o.buckets);
        }
        for (k, v) in o.buckets {
            self.buckets.entry(k).or_default().merge(v, self.cap);
        }
        // Each part kept within the limit, their union may not: widen as one part would
        // have (the whole input's windows at this width are more than the limit too).
        while self.fixed.is_some() && self.buckets.len() > MAX_FIXED_WINDOWS {
            self.widen();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_width_targets_human_sizes() {
        let w = Windows::new(None);
        assert_eq!(w.display_width(3600 * SEC), 120 * SEC);
        assert_eq!(w.display_width(2 * 3600 * SEC), 300 * SEC);
        assert_eq!(w.display_width(30 * SEC), SEC);
        assert_eq!(w.display_width(90 * SEC), 2 * SEC);
        assert_eq!(
            Windows::new(Some(7 * SEC)).display_width(3600 * SEC),
            7 * SEC
        );
    }

    /// A partial coarsens from `p` to the next rung once it holds more than `MAX_BUCKETS`
    /// buckets, so its span exceeds `(MAX_BUCKETS - 1) * p`; for every such span the display
    /// width must be the one a partial that never coarsened would choose.
    #[test]
    fn coarsening_never_changes_the_display_width() {
        let fine = Windows::new(None);
        for pair in LADDER.windows(2) {
            let (p, next) = (pair[0], pair[1]);
            let coarse = Windows {
                width: next,
                ..Windows::new(None)
            };
            let least = (MAX_BUCKETS as i64 - 1) * p + 1;
            let mut span = least;
            while span < 400 * 365 * DAY {
                for s in [span, span + 1, span * 3 / 2] {
                    assert_eq!(
                        coarse.display_width(s),
                        fine.display_width(s),
                        "rung {p} -> {next}, span {s}"
                    );
                }
                span = span * 21 / 20;
            }
        }
        // Past a day, buckets stay a day wide: no further coarsening.
        assert_eq!(next_rung(DAY), DAY);
    }

    #[test]
    fn coarsening_keeps_totals_and_merge_is_split_independent() {
        let stamps: Vec<i64> = (0..20_000).map(|i| i * 7 * SEC + 3).collect();
        let mut whole = Windows::new(None);
        for &t in &stamps {
            whole.at(t).lines += 1;
        }
        let mut a = Windows::new(None);
        let mut b = Windows::new(None);
        for &t in &stamps[..300] {
            a.at(t).lines += 1;
        }
        for &t in &stamps[300..] {
            b.at(t).lines += 1;
        }
        a.merge(b);
        let span = stamps[stamps.len() - 1] - stamps[0];
        let dw = whole.display_width(span);
        assert_eq!(dw, a.display_width(span));
        let x: Vec<(i64, u64)> = whole
            .finish(dw)
            .into_iter()
            .map(|(k, v)| (k, v.lines))
            .collect();
        let y: Vec<(i64, u64)> = a
            .finish(dw)
            .into_iter()
            .map(|(k, v)| (k, v.lines))
            .collect();
        assert_eq!(x, y);
        assert_eq!(x.iter().map(|p| p.1).sum::<u64>(), 20_000);
    }
}
