//! Evidence for the UTC offset of inputs whose stamps carry no zone (nginx's error log,
//! Python's `asctime`, RFC 3164 syslog), gathered while aggregating and merged like any
//! partial; `infer` turns it into one offset per input. Two kinds: the same request id in a
//! zoned line (access logs, structlog, an envelope's time), and nginx error lines matched to
//! access lines (client, request line, status). Both are bottom-k samples by a hash of the
//! key, so every partial keeps the same keys whatever the split, and memory is fixed. Must
//! not decide which zone a parser uses: callers act on `infer`.

use std::collections::BTreeMap;
use std::hash::BuildHasher;

use crate::parse::{Format, LogEvent};

/// Request ids kept (the smallest hashes of all ids seen).
const IDS: usize = 4_096;
/// nginx request keys kept.
const KEYS: usize = 1_024;
/// Lines kept per request key and side (the earliest).
const PER_KEY: usize = 8;
const SEC: i64 = 1_000_000;
/// Offsets are whole quarter hours (every zone in use is), at most 14 hours either way.
const QUARTER: i64 = 900;
const MAX_OFFSET: i64 = 14 * 3600;

/// Keeps the entries of the `cap` smallest keys: the same keys survive any split of the
/// input, and the counts under each surviving key are complete (a key pushed out of a
/// partial's sample has `cap` smaller keys, so it is out of the merged one too).
#[derive(Clone, Debug)]
struct Sketch<V> {
    map: BTreeMap<u64, V>,
    cap: usize,
    /// Once full, the largest key kept: anything above it is out, at the cost of a compare.
    ceiling: u64,
}

impl<V: Default> Sketch<V> {
    fn new(cap: usize) -> Sketch<V> {
        Sketch {
            map: BTreeMap::new(),
            cap,
            ceiling: u64::MAX,
        }
    }

    fn trim(&mut self) {
        while self.map.len() > self.cap {
            self.map.pop_last();
        }
        if self.map.len() == self.cap {
            self.ceiling = self.map.last_key_value().map_or(u64::MAX, |(k, _)| *k);
        }
    }

    #[inline]
    fn entry(&mut self, key: u64) -> Option<&mut V> {
        if key > self.ceiling {
            return None;
        }
        if let std::collections::btree_map::Entry::Vacant(e) = self.map.entry(key) {
            e.insert(V::default());
            if self.map.len() >= self.cap {
                self.trim();
            }
        }
        self.map.get_mut(&key)
    }

    /// The union, cut to the `cap` smallest keys: one pass over both sorted maps, and a
    /// bulk build of the result.
    fn merge(&mut self, o: Sketch<V>, mut join: impl FnMut(&mut V, V)) {
        if o.map.is_empty() {
            return;
        }
        let mut a = std::mem::take(&mut self.map).into_iter().peekable();
        let mut b = o.map.into_iter().peekable();
        let mut out: Vec<(u64, V)> = Vec::with_capacity(self.cap.min(a.len() + b.len()));
        while out.len() < self.cap {
            let next = match (a.peek(), b.peek()) {
                (Some((x, _)), Some((y, _))) if x == y => {
                    let (k, mut v) = a.next().expect("peeked");
                    join(&mut v, b.next().expect("peeked").1);
                    (k, v)
                }
                (Some((x, _)), Some((y, _))) if x < y => a.next().expect("peeked"),
                (Some(_), Some(_)) => b.next().expect("peeked"),
                (Some(_), None) => a.next().expect("peeked"),
                (None, Some(_)) => b.next().expect("peeked"),
                (None, None) => break,
            };
            out.push(next);
        }
        self.map = out.into_iter().collect();
        self.ceiling = u64::MAX;
        self.trim();
    }
}

/// One request id: its earliest zoned time, and per input its earliest naive reading.
#[derive(Clone, Debug, Default)]
struct IdSeen {
    zoned: Option<i64>,
    naive: Vec<(u32, i64)>,
}

/// One nginx request key (client, method, target): error lines by input (their naive
/// second, implied status) and access lines (UTC second, status), the earliest of each.
#[derive(Clone, Debug, Default)]
struct KeySeen {
    errors: Vec<(u32, i64, Option<u16>)>,
    access: Vec<(i64, u16)>,
}

/// Adds `x` to the sorted `v` of at most `PER_KEY` earliest, without duplicates.
#[inline]
fn add_earliest<T: Ord>(v: &mut Vec<T>, x: T) {
    if v.len() >= PER_KEY && v.last().is_some_and(|l| x >= *l) {
        return;
    }
    if let Err(i) = v.binary_search(&x) {
        v.insert(i, x);
        v.truncate(PER_KEY);
    }
}

#[derive(Clone, Debug)]
pub struct ZoneEvidence {
    /// Per input, lines whose stamp carried no zone, and the earliest time as read.
    pub naive: Vec<u64>,
    pub first: Vec<i64>,
    ids: Sketch<IdSeen>,
    keys: Sketch<KeySeen>,
}

fn hash(parts: &[&[u8]]) -> u64 {
    let mut h = rustc_hash::FxBuildHasher.hash_one(parts);
    // Fx mixes its low bits poorly: a murmur finaliser spreads the whole word, so the
    // smallest hashes are a fair sample.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl ZoneEvidence {
    /// For each request id the input shares with zoned lines, its naive stamp minus the
    /// zoned one, in whole seconds, sorted.
    fn id_diffs(&self, file: u32) -> Vec<i64> {
        let mut diffs: Vec<i64> = Vec::new();
        for seen in self.ids.map.values() {
            if let (Some(z), Some((_, l))) =
                (seen.zoned, seen.naive.iter().find(|(f, _)| *f == file))
            {
                diffs.push((l - z).div_euclid(SEC));
            }
        }
        diffs.sort_unstable();
        diffs
    }

    /// Votes by offset: each nginx error line of the input votes once for every offset at
    /// which it meets an access line of its request.
    fn error_votes(&self, file: u32) -> BTreeMap<i64, u64> {
        let mut votes: BTreeMap<i64, u64> = BTreeMap::new();
        for seen in self.keys.map.values() {
            for &(f, local, implied) in &seen.errors {
                if f != file {
                    continue;
                }
                let mut offsets: Vec<i64> = seen
                    .access
                    .iter()
                    .filter(|(_, status)| implied.is_none_or(|s| s == *status))
                    .filter_map(|&(utc, _)| {
                        let d = local - utc;
                        let o = round_quarter(d);
                        // A line ending the request is written in the access line's second.
                        ((d - o).abs() <= 1 && o.abs() <= MAX_OFFSET).then_some(o)
                    })
                    .collect();
                offsets.sort_unstable();
                offsets.dedup();
                for o in offsets {
                    *votes.entry(o).or_default() += 1;
                }
            }
        }
        votes
    }

    pub fn new(nfiles: usize) -> ZoneEvidence {
        ZoneEvidence {
            naive: vec![0; nfiles],
            first: vec![i64::MAX; nfiles],
            ids: Sketch::new(IDS),
            keys: Sketch::new(KEYS),
        }
    }

    /// What one parsed line of input `file` says.
    #[inline]
    pub fn observe(&mut self, file: u32, ev: &LogEvent<'_>) {
        let Some(t) = ev.ts else { return };
        let local = ev.ts_local;
        if local.is_some() {
            self.naive[file as usize] += 1;
        }
        let first = &mut self.first[file as usize];
        *first = (*first).min(t);
        if let Some(id) = ev.request_id.as_deref()
            && let Some(seen) = self.ids.entry(hash(&[id.as_bytes()]))
        {
            match local {
                None => seen.zoned = Some(seen.zoned.map_or(t, |z| z.min(t))),
                Some(l) => match seen.naive.iter_mut().find(|(f, _)| *f == file) {
                    Some((_, v)) => *v = (*v).min(l),
                    None => seen.naive.push((file, l)),
                },
            }
        }
        let error = ev.format == Some(Format::NginxError) && local.is_some();
        let access = matches!(ev.format, Some(Format::NginxAccess | Format::NginxJson))
            && local.is_none()
            && ev.status.is_some_and(|s| s >= 400);
        if !(error || access) {
            return;
        }
        let (Some(c), Some(m), Some(p)) = (&ev.client, &ev.method, &ev.path) else {
            return;
        };
        let Some(seen) = self
            .keys
            .entry(hash(&[c.as_bytes(), m.as_bytes(), p.as_bytes()]))
        else {
            return;
        };
        match local {
            Some(l) => add_earliest(
                &mut seen.errors,
                (file, l.div_euclid(SEC), ev.implied_status),
            ),
            None => add_earliest(
                &mut seen.access,
                (t.div_euclid(SEC), ev.status.unwrap_or(0)),
            ),
        }
    }
}

impl ZoneEvidence {
    pub fn merge(&mut self, o: ZoneEvidence) {
        for (mine, theirs) in self.naive.iter_mut().zip(o.naive) {
            *mine += theirs;
        }
        for (mine, theirs) in self.first.iter_mut().zip(o.first) {
            *mine = (*mine).min(theirs);
        }
        self.ids.merge(o.ids, |a, b| {
            a.zoned = match (a.zoned, b.zoned) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            for (f, l) in b.naive {
                match a.naive.iter_mut().find(|(g, _)| *g == f) {
                    Some((_, v)) => *v = (*v).min(l),
                    None => a.naive.push((f, l)),
                }
            }
        });
        self.keys.merge(o.keys, |a, b| {
            for e in b.errors {
                add_earliest(&mut a.errors, e);
            }
            for x in b.access {
                add_earliest(&mut a.access, x);
            }
        });
    }
}

/// What the evidence says of one input with naive stamps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inferred {
    /// Seconds east of UTC; `None` without evidence.
    pub offset: Option<i32>,
    /// Request ids shared with zoned lines, and how many of them point at `offset`.
    pub ids: u64,
    pub ids_agree: u64,
    /// Error lines matched to access lines at `offset`.
    pub matched: u64,
    /// Evidence pointing elsewhere: (offset, how many), the largest first.
    pub other: Vec<(i32, u64)>,
}

impl Inferred {
    /// Whether the evidence does not place the input in one offset: a tenth or more of it
    /// points elsewhere.
    pub fn inconsistent(&self) -> bool {
        let against: u64 = self.other.iter().map(|o| o.1).sum();
        let total = self.ids + self.matched;
        total > 0 && against * 10 >= total
    }
}

fn round_quarter(secs: i64) -> i64 {
    (secs as f64 / QUARTER as f64).round() as i64 * QUARTER
}

impl ZoneEvidence {
    /// The offset of input `file`'s naive stamps: the median difference between its readings
    /// and the zoned times of the same request ids, rounded to a quarter hour, and the offset
    /// at which most of its nginx error lines meet an access line of the same request in the
    /// same second. When both kinds speak, the one with more evidence wins.
    pub fn infer(&self, file: u32) -> Inferred {
        let diffs = self.id_diffs(file);
        let votes = self.error_votes(file);
        let from_ids = diffs.get(diffs.len() / 2).map(|&m| round_quarter(m));
        let from_errors = votes
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.abs().cmp(&a.0.abs())))
            .map(|(o, _)| *o);
        let ids_at = |o: i64| diffs.iter().filter(|&&d| round_quarter(d) == o).count() as u64;
        let offset = match (from_ids, from_errors) {
            (Some(i), Some(e)) if i != e => {
                if ids_at(i) >= votes[&e] {
                    Some(i)
                } else {
                    Some(e)
                }
            }
            (i, e) => i.or(e),
        };
        let Some(o) = offset else {
            return Inferred {
                offset: None,
                ids: 0,
                ids_agree: 0,
                matched: 0,
                other: Vec::new(),
            };
        };
        let other = others(&diffs, &votes, o);
        Inferred {
            offset: Some(o as i32),
            ids: diffs.len() as u64,
            ids_agree: ids_at(o),
            matched: votes.get(&o).copied().unwrap_or(0),
            other,
        }
    }
}

/// How an input's naive stamps were read, and why: `inputs[].timezone` of the report.
#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The zone they were read in: an IANA name, an offset as given, or `UTC+01:00`.
    pub zone: String,
    /// `tz` (the `--tz` option), `inferred` (from the evidence, unlike the local zone),
    /// `confirmed` (the local zone, which the evidence agrees with), or `assumed` (the local
    /// zone, with nothing to check it against).
    pub how: &'static str,
    /// Request ids shared with zoned lines, and how many of them agree with `zone`.
    pub request_ids: u64,
    pub ids_agreeing: u64,
    /// nginx error lines that met their access line at `zone`'s offset.
    pub matched_error_lines: u64,
    /// Evidence pointing at other offsets, by offset.
    pub conflicting: BTreeMap<String, u64>,
    /// The report's sentence about it.
    pub note: String,
    /// The offset to read the input in on a second pass, when it differs from the one used.
    #[serde(skip)]
    pub reread: Option<i32>,
}

/// Every `Reading::how`: what a saved reading may say.
pub const HOWS: [&str; 4] = ["tz", "inferred", "confirmed", "assumed"];

/// What is known of an input when its zone is decided.
pub struct InputFacts<'a> {
    pub path: &'a str,
    /// Lines with naive stamps.
    pub naive: u64,
    /// Its earliest time as first read (in the local zone).
    pub first: i64,
}

/// Decides how input `file`'s naive stamps are read: `--tz` always wins; otherwise the
/// evidence's offset when it has one, noting whether it agrees with the local zone `zone`.
pub fn decide(
    evidence: Option<&ZoneEvidence>,
    file: u32,
    facts: &InputFacts<'_>,
    zone: &crate::parse::Zone,
    zone_name: &str,
    explicit: bool,
) -> Option<Reading> {
    use crate::parse::Zone;
    if facts.naive == 0 {
        return None;
    }
    let mut r = Reading {
        zone: zone_name.to_string(),
        how: "assumed",
        request_ids: 0,
        ids_agreeing: 0,
        matched_error_lines: 0,
        conflicting: BTreeMap::new(),
        note: String::new(),
        reread: None,
    };
    if explicit {
        r.how = "tz";
        r.note = format!("{}: read as {zone_name} (--tz)", facts.path);
        return Some(r);
    }
    let inferred = evidence.map(|e| e.infer(file));
    let Some(inf) = inferred.filter(|i| i.offset.is_some()) else {
        r.note = format!(
            "{}: read as {zone_name}, the local zone, not checked: no request id or access line to compare with (use --tz if it was written elsewhere)",
            facts.path
        );
        return Some(r);
    };
    let o = inf.offset.expect("an offset");
    r.request_ids = inf.ids;
    r.ids_agreeing = inf.ids_agree;
    r.matched_error_lines = inf.matched;
    r.conflicting = inf
        .other
        .iter()
        .map(|(off, n)| (Zone::offset_name(*off), *n))
        .collect();
    explain(
        &mut r,
        &inf,
        o,
        zone.offset_at(facts.first) == o,
        facts.path,
        zone_name,
    );
    Some(r)
}

/// Sets how the reading was made and the report's sentence about it, from the evidence for
/// offset `o` (`local`: the local zone has that offset).
fn explain(r: &mut Reading, inf: &Inferred, o: i32, local: bool, path: &str, zone_name: &str) {
    use crate::parse::Zone;
    let mut why = Vec::new();
    if inf.ids_agree > 0 {
        why.push(format!(
            "{} of {} shared request ids",
            inf.ids_agree, inf.ids
        ));
    }
    if inf.matched > 0 {
        why.push(format!("{} matched access lines", inf.matched));
    }
    let why = why.join(" and ");
    if local {
        r.how = "confirmed";
        r.note = format!(
            "{path}: read as {zone_name} ({}), confirmed by {why}",
            Zone::offset_name(o)
        );
    } else {
        r.how = "inferred";
        r.zone = Zone::offset_name(o);
        r.reread = Some(o);
        r.note = format!(
            "{path}: read as {}, from {why} (not the local {zone_name})",
            r.zone
        );
    }
    if inf.inconsistent() {
        let others: Vec<String> = r
            .conflicting
            .iter()
            .map(|(z, n)| format!("{n} say {z}"))
            .collect();
        r.note.push_str(&format!(
            "; it cannot be placed consistently in one zone: {} (did the host's zone change while it was written? split it, or use --tz)",
            others.join(", ")
        ));
    }
}

/// Evidence pointing away from offset `o`, by offset, the most first.
fn others(diffs: &[i64], votes: &BTreeMap<i64, u64>, o: i64) -> Vec<(i32, u64)> {
    let mut other: BTreeMap<i64, u64> = BTreeMap::new();
    for &d in diffs {
        let r = round_quarter(d);
        if r != o {
            *other.entry(r).or_default() += 1;
        }
    }
    for (&v, &n) in votes {
        if v != o {
            *other.entry(v).or_default() += n;
        }
    }
    let mut other: Vec<(i32, u64)> = other.into_iter().map(|(k, v)| (k as i32, v)).collect();
    other.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    other
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    const T: i64 = 1_796_112_000 * SEC;

    fn app(id: &str, t: i64, local: Option<i64>) -> LogEvent<'_> {
        LogEvent {
            format: Some(Format::Json),
            ts: Some(t),
            ts_local: local,
            request_id: Some(Cow::Borrowed(id)),
            ..LogEvent::default()
        }
    }

    fn nginx(fmt: Format, t: i64, local: Option<i64>, status: Option<u16>) -> LogEvent<'static> {
        LogEvent {
            format: Some(fmt),
            ts: Some(t),
            ts_local: local,
            client: Some("10.0.0.1".into()),
            method: Some("POST".into()),
            path: Some("/pay".into()),
            status: status.filter(|_| fmt != Format::NginxError),
            implied_status: status.filter(|_| fmt == Format::NginxError),
            ..LogEvent::default()
        }
    }

    #[test]
    fn ids_give_the_median_offset_and_any_split_agrees() {
        let ids: Vec<String> = (0..300).map(|i| format!("req-{i}")).collect();
        let mut lines = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let t = T + i as i64 * SEC;
            // The naive input (file 1) was written at UTC+01:00 and read as UTC; its line comes
            // up to 2 s before the zoned access line (file 0).
            lines.push((
                1u32,
                app(id, t - 2 * SEC + 3600 * SEC, Some(t - 2 * SEC + 3600 * SEC)),
            ));
            lines.push((0u32, app(id, t, None)));
        }
        let whole = {
            let mut z = ZoneEvidence::new(2);
            for (f, e) in &lines {
                z.observe(*f, e);
            }
            z
        };
        let got = whole.infer(1);
        assert_eq!(got.offset, Some(3600));
        assert_eq!((got.ids, got.ids_agree), (300, 300));
        assert!(!got.inconsistent());
        assert_eq!(whole.infer(0).offset, None);
        for cut in [1, 7, 299, 450] {
            let mut a = ZoneEvidence::new(2);
            let mut b = ZoneEvidence::new(2);
            for (i, (f, e)) in lines.iter().enumerate() {
                if i < cut {
                    a.observe(*f, e)
                } else {
                    b.observe(*f, e)
                }
            }
            a.merge(b);
            assert_eq!(a.infer(1), got, "cut {cut}");
        }
    }

    #[test]
    fn error_lines_vote_by_matching_access_lines() {
        let mut z = ZoneEvidence::new(2);
        // Three 504s of one request key, each with its error line at UTC-05:00 in file 1.
        for k in 0..3 {
            let t = T + k * 40 * SEC;
            z.observe(0, &nginx(Format::NginxAccess, t, None, Some(504)));
            let l = t - 5 * 3600 * SEC;
            z.observe(1, &nginx(Format::NginxError, l, Some(l), Some(504)));
        }
        let got = z.infer(1);
        assert_eq!(got.offset, Some(-5 * 3600));
        assert_eq!(got.matched, 3);
    }

    #[test]
    fn a_file_written_in_two_zones_is_inconsistent() {
        let mut z = ZoneEvidence::new(2);
        for i in 0..20 {
            let id = format!("r{i}");
            let t = T + i * SEC;
            let off = if i < 10 { 3600 } else { 0 };
            let l = t + off * SEC;
            z.observe(0, &app(&id, t, None));
            z.observe(1, &app(&id, l, Some(l)));
        }
        let got = z.infer(1);
        assert!(got.inconsistent(), "{got:?}");
        assert_eq!(got.other.len(), 1);
    }
}
