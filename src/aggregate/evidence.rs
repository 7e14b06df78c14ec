//! Per-line triage state of a partial: evidence for every line-level rule slot (counts, time
//! range, endpoints, upstreams, clients, earliest request ids and sample lines) and message
//! patterns (masked templates with counts, levels and a sample). Merges like the rest of
//! `Partial`. Must not judge: rules are judged over windows at finalize (`triage::evaluate`).

use rustc_hash::FxHashMap;

use super::intern::{NONE, remap};

/// Request ids kept per flag.
pub const IDS_PER_FLAG: usize = 5;
/// Sample lines shown per flag.
pub const SAMPLES_PER_FLAG: usize = 3;
/// Sample lines kept per rule slot: some may fall outside the windows where the rule fires.
const SAMPLES_KEPT: usize = 8;
const SAMPLE_BYTES: usize = 400;

/// A line kept as evidence: `line` is relative to the partial's first line of `file` until
/// merges make it absolute (`shift`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct LineSample {
    /// The line's time, to keep evidence inside the windows where a rule fired.
    pub ts: Option<i64>,
    pub file: u32,
    pub offset: u64,
    pub line: u64,
    pub text: String,
}

impl LineSample {
    pub fn new(ts: Option<i64>, file: u32, offset: u64, line: u64, raw: &[u8]) -> LineSample {
        let cut = raw.len().min(SAMPLE_BYTES);
        LineSample {
            ts,
            file,
            offset,
            line,
            text: String::from_utf8_lossy(&raw[..cut]).into_owned(),
        }
    }
}

/// Keeps the earliest distinct ids by (time, file, offset).
pub fn add_id(
    ids: &mut Vec<(i64, u32, u64, Box<str>)>,
    key: (i64, u32, u64),
    id: &str,
    keep: usize,
) {
    if let Some(e) = ids.iter_mut().find(|e| &*e.3 == id) {
        if key < (e.0, e.1, e.2) {
            (e.0, e.1, e.2) = key;
        }
    } else if ids.len() < keep || ids.iter().any(|e| key < (e.0, e.1, e.2)) {
        ids.push((key.0, key.1, key.2, id.into()));
    } else {
        return;
    }
    ids.sort_unstable();
    ids.truncate(keep);
}

/// Keeps the first `keep` samples by position in the input.
fn add_sample(samples: &mut Vec<LineSample>, s: LineSample, keep: usize) {
    if samples.len() >= keep
        && samples
            .iter()
            .all(|x| (x.file, x.offset) < (s.file, s.offset))
    {
        return;
    }
    samples.push(s);
    samples.sort_unstable_by_key(|x| (x.file, x.offset));
    samples.truncate(keep);
}

/// Lines per (bucket start, interned name). Buckets are the partial's window buckets
/// (`Windows::width`, which divides every display width), so a flag counts only the names of
/// the lines in the windows where it fired, as its count does; `UNTIMED` holds lines without
/// a time, which are in no window.
pub type Bucketed = FxHashMap<(i64, u32), u64>;

/// The bucket of lines without a time.
pub const UNTIMED: i64 = i64::MIN;

/// Evidence of one line-level rule slot.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Evidence {
    pub count: u64,
    pub first: i64,
    pub last: i64,
    #[serde(with = "super::wire::map")]
    pub endpoints: Bucketed,
    #[serde(with = "super::wire::map")]
    pub upstreams: Bucketed,
    #[serde(with = "super::wire::map")]
    pub clients: Bucketed,
    /// Per bucket, the time of its first line: where a part of the flag began.
    #[serde(with = "super::wire::map")]
    pub firsts: FxHashMap<i64, i64>,
    /// The bucket width the maps are keyed at (0 before any line).
    width: i64,
    pub ids: Vec<(i64, u32, u64, Box<str>)>,
    pub samples: Vec<LineSample>,
}

impl Default for Evidence {
    fn default() -> Self {
        Evidence {
            count: 0,
            first: i64::MAX,
            last: i64::MIN,
            endpoints: FxHashMap::default(),
            upstreams: FxHashMap::default(),
            clients: FxHashMap::default(),
            firsts: FxHashMap::default(),
            width: 0,
            ids: Vec::new(),
            samples: Vec::new(),
        }
    }
}

/// What one matching line contributes; names are this partial's interned ids.
pub struct Hit<'a> {
    pub ts: Option<i64>,
    /// The partial's window bucket width when the line came.
    pub width: i64,
    pub endpoint: u32,
    pub upstream: u32,
    pub client: u32,
    pub request_id: Option<&'a str>,
    pub file: u32,
    pub offset: u64,
    pub line: u64,
    pub raw: &'a [u8],
}

impl Evidence {
    pub fn add(&mut self, h: &Hit<'_>) {
        self.count += 1;
        if let Some(t) = h.ts {
            self.first = self.first.min(t);
            self.last = self.last.max(t);
        }
        if h.width != self.width {
            self.coarsen(h.width);
        }
        let b = h.ts.map_or(UNTIMED, |t| bucket(t, self.width));
        if let Some(t) = h.ts {
            add_first(&mut self.firsts, b, t);
        }
        for (map, id) in [
            (&mut self.endpoints, h.endpoint),
            (&mut self.upstreams, h.upstream),
            (&mut self.clients, h.client),
        ] {
            if id != NONE {
                *map.entry((b, id)).or_default() += 1;
            }
        }
        if let Some(rid) = h.request_id {
            add_id(
                &mut self.ids,
                (h.ts.unwrap_or(i64::MAX), h.file, h.offset),
                rid,
                IDS_PER_FLAG,
            );
        }
        let cheap_reject = self.samples.len() >= SAMPLES_KEPT
            && self
                .samples
                .iter()
                .all(|x| (x.file, x.offset) < (h.file, h.offset));
        if !cheap_reject {
            add_sample(
                &mut self.samples,
                LineSample::new(h.ts, h.file, h.offset, h.line, h.raw),
                SAMPLES_KEPT,
            );
        }
    }

    /// Re-keys the maps at `width` when it is coarser: the buckets keep to what windows
    /// hold, so memory stays bounded by them (widths only grow, each a multiple of the last).
    fn coarsen(&mut self, width: i64) {
        if width <= self.width {
            return;
        }
        let old = self.width;
        self.width = width;
        if old == 0 {
            return;
        }
        for m in [&mut self.endpoints, &mut self.upstreams, &mut self.clients] {
            let taken = std::mem::take(m);
            for ((b, id), n) in taken {
                *m.entry((rebucket(b, width), id)).or_default() += n;
            }
        }
        let taken = std::mem::take(&mut self.firsts);
        for (b, t) in taken {
            add_first(&mut self.firsts, rebucket(b, width), t);
        }
    }

    fn merge_remapped(&mut self, o: Evidence, map: &[u32]) {
        self.count += o.count;
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        self.coarsen(o.width);
        let width = self.width;
        for (mine, theirs) in [
            (&mut self.endpoints, o.endpoints),
            (&mut self.upstreams, o.upstreams),
            (&mut self.clients, o.clients),
        ] {
            for ((b, k), n) in theirs {
                *mine.entry((rebucket(b, width), remap(k, map))).or_default() += n;
            }
        }
        for (b, t) in o.firsts {
            add_first(&mut self.firsts, rebucket(b, width), t);
        }
        for (t, f, off, id) in o.ids {
            add_id(&mut self.ids, (t, f, off), &id, IDS_PER_FLAG);
        }
        for s in o.samples {
            add_sample(&mut self.samples, s, SAMPLES_KEPT);
        }
    }
}

/// The start of the bucket of width `width` holding time `t`.
fn bucket(t: i64, width: i64) -> i64 {
    if width > 0 {
        t.div_euclid(width) * width
    } else {
        t
    }
}

fn add_first(firsts: &mut FxHashMap<i64, i64>, b: i64, t: i64) {
    let first = firsts.entry(b).or_insert(t);
    *first = (*first).min(t);
}

/// A bucket start at a finer width, as the start of the bucket of `width` holding it.
fn rebucket(b: i64, width: i64) -> i64 {
    if b == UNTIMED { b } else { bucket(b, width) }
}

/// One message template.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PatAgg {
    pub count: u64,
    pub first: i64,
    pub last: i64,
    /// TRACE..FATAL, then lines without a level.
    pub levels: [u64; 7],
    pub sample: Option<LineSample>,
}

impl Default for PatAgg {
    fn default() -> Self {
        PatAgg {
            count: 0,
            first: i64::MAX,
            last: i64::MIN,
            levels: [0; 7],
            sample: None,
        }
    }
}

impl PatAgg {
    /// Adds another part's lines; the sample stays the earliest by position.
    pub fn merge(&mut self, o: &PatAgg) {
        self.count += o.count;
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        for i in 0..7 {
            self.levels[i] += o.levels[i];
        }
        if let Some(s) = &o.sample
            && self
                .sample
                .as_ref()
                .is_none_or(|m| (s.file, s.offset) < (m.file, m.offset))
        {
            self.sample = Some(s.clone());
        }
    }
}

/// Triage state of one partial.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Triage {
    /// One per rule slot of the rule set.
    pub evidence: Vec<Evidence>,
    /// By interned template.
    #[serde(with = "super::wire::map")]
    pub patterns: FxHashMap<u32, PatAgg>,
    /// nginx error lines of the class slots, to tie to their requests (`links::resolve`).
    pub links: Vec<super::links::ErrLink>,
}

impl Triage {
    pub fn new(slots: usize) -> Triage {
        Triage {
            evidence: vec![Evidence::default(); slots],
            patterns: FxHashMap::default(),
            links: Vec::new(),
        }
    }

    pub fn pattern(
        &mut self,
        template: u32,
        ts: Option<i64>,
        level: Option<crate::parse::Level>,
        at: (u32, u64, u64),
        raw: &[u8],
    ) {
        let p = self.patterns.entry(template).or_default();
        p.count += 1;
        if let Some(t) = ts {
            p.first = p.first.min(t);
            p.last = p.last.max(t);
        }
        p.levels[level.map_or(6, |l| l as usize)] += 1;
        if p.sample.is_none() {
            // Lines arrive in input order within a partial: the first one stays.
            p.sample = Some(LineSample::new(ts, at.0, at.1, at.2, raw));
        }
    }

    /// Makes the other partial's relative line numbers absolute: `lines_before[file]` is how
    /// many lines of each file the earlier partial holds.
    pub fn shift(&mut self, lines_before: &[u64]) {
        let fix = |s: &mut LineSample| s.line += lines_before[s.file as usize];
        for e in &mut self.evidence {
            e.samples.iter_mut().for_each(fix);
        }
        for p in self.patterns.values_mut() {
            if let Some(s) = p.sample.as_mut() {
                fix(s);
            }
        }
    }

    /// Every rule's buckets at `width` at least (the windows' settled width).
    pub fn coarsen_to(&mut self, width: i64) {
        for e in &mut self.evidence {
            e.coarsen(width);
        }
    }

    pub fn merge_remapped(&mut self, o: Triage, map: &[u32]) {
        if self.evidence.len() < o.evidence.len() {
            self.evidence.resize(o.evidence.len(), Evidence::default());
        }
        for (mine, theirs) in self.evidence.iter_mut().zip(o.evidence) {
            mine.merge_remapped(theirs, map);
        }
        for (k, v) in o.patterns {
            self.patterns.entry(remap(k, map)).or_default().merge(&v);
        }
        // A bag: `resolve` sorts it, so the order of merging does not matter.
        self.links.extend(o.links);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_keeps_the_earliest_ids_and_samples_whatever_the_split() {
        let lines: Vec<(i64, u64, String)> = (0..40)
            .map(|i| (1000 - i as i64 * 7 % 13, i * 100, format!("r{}", i % 9)))
            .collect();
        let hit = |(ts, off, id): &(i64, u64, String)| {
            let raw = format!("line at {off}");
            let mut e = Evidence::default();
            e.add(&Hit {
                ts: Some(*ts),
                width: 1,
                endpoint: 1,
                upstream: NONE,
                client: 2,
                request_id: Some(id),
                file: 0,
                offset: *off,
                line: off / 100 + 1,
                raw: raw.as_bytes(),
            });
            e
        };
        let map = [0, 1, 2];
        let mut whole = Evidence::default();
        for l in &lines {
            whole.merge_remapped(hit(l), &map);
        }
        let mut rev = Evidence::default();
        for l in lines.iter().rev() {
            rev.merge_remapped(hit(l), &map);
        }
        assert_eq!(whole.count, 40);
        assert_eq!(whole.ids, rev.ids);
        assert_eq!(whole.ids.len(), IDS_PER_FLAG);
        let offs: Vec<u64> = whole.samples.iter().map(|s| s.offset).collect();
        assert_eq!(offs, (0..8).map(|i| i * 100).collect::<Vec<_>>());
        assert_eq!(
            offs,
            rev.samples.iter().map(|s| s.offset).collect::<Vec<_>>()
        );
        assert_eq!(whole.endpoints.values().sum::<u64>(), 40);
    }
}
