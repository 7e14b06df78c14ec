//! Lines grouped by request id. Ids that are 32 lowercase hex digits (nginx `$request_id`) or
//! canonical UUIDs are stored as 128-bit integers, so a million requests cost ~70 bytes each.
//! Per-request state merges commutatively, so grouping never depends on the split.

use rustc_hash::FxHashMap;

use super::intern::{Interner, NONE, remap};

pub const APP_SEEN: u8 = 1;
/// An app line carried a status or latency: the app finished the request.
pub const APP_DONE: u8 = 2;
pub const NGINX_SEEN: u8 = 4;
const ENDPOINT_FROM_NGINX: u8 = 8;

#[derive(Clone, Copy, Debug)]
pub struct ReqAgg {
    pub first: i64,
    pub last: i64,
    /// The app's latency of the request, ms (negative: none): from its completion line, the
    /// last line with a status and a latency, else its last line with a latency. Counted
    /// once per request in the report's latency, not once per line.
    pub app_ms: f32,
    /// Largest latency nginx reported, ms; negative when none.
    pub nginx_ms: f32,
    pub lines: u32,
    pub endpoint: u32,
    pub error_type: u32,
    pub app_status: u16,
    pub nginx_status: u16,
    pub errors: u16,
    pub flags: u8,
    /// The request's last app message (masked template, interned), when tracked: the app
    /// line latest by (time, position); `last_at` is its time (`i64::MIN` when untimed) and
    /// `last_pos` its position (file index << 40 | byte offset).
    pub last_msg: u32,
    pub last_at: i64,
    pub last_pos: u64,
    /// The time of that line (`i64::MIN` when untimed): where the latency counts.
    pub app_at: i64,
    /// Where the app's lines come from, `file << 4 | format` (the least such; `u32::MAX` before
    /// any): whether that source logs completions decides `unfinished` against `unknown`.
    pub app_src: u32,
}

/// `app_ms` came from a line with a status: such a line outranks every line without one.
const LATENCY_WITH_STATUS: u8 = 16;

impl Default for ReqAgg {
    fn default() -> Self {
        ReqAgg {
            first: i64::MAX,
            last: i64::MIN,
            app_ms: -1.0,
            nginx_ms: -1.0,
            lines: 0,
            endpoint: NONE,
            error_type: NONE,
            app_status: 0,
            nginx_status: 0,
            errors: 0,
            flags: 0,
            last_msg: NONE,
            last_at: i64::MIN,
            last_pos: 0,
            app_at: i64::MIN,
            app_src: u32::MAX,
        }
    }
}

/// What one line says about its request.
pub struct Touch {
    pub ts: Option<i64>,
    pub nginx: bool,
    pub latency_ms: Option<f64>,
    pub status: Option<u16>,
    pub endpoint: u32,
    pub error_type: u32,
    pub is_error: bool,
    /// The line's masked message, interned; `NONE` when untracked or absent.
    pub msg: u32,
    /// File index << 40 | byte offset of the line.
    pub pos: u64,
    /// The line's format (`Format as u8`), for where the app's lines come from.
    pub format: u8,
}

/// A line's position for `Touch::pos`: files up to 1 TiB, a million files.
#[inline]
pub fn position(file: u32, offset: u64) -> u64 {
    ((file as u64) << 40) | (offset & ((1 << 40) - 1))
}

impl ReqAgg {
    pub fn touch(&mut self, t: &Touch, names: &Interner) {
        if let Some(ts) = t.ts {
            self.first = self.first.min(ts);
            self.last = self.last.max(ts);
        }
        self.lines = self.lines.saturating_add(1);
        if t.is_error {
            self.errors = self.errors.saturating_add(1);
        }
        let lat = t.latency_ms.map_or(-1.0, |v| v as f32);
        if t.nginx {
            self.flags |= NGINX_SEEN;
            self.nginx_ms = self.nginx_ms.max(lat);
            self.nginx_status = self.nginx_status.max(t.status.unwrap_or(0));
        } else {
            self.flags |= APP_SEEN;
            if t.status.is_some() || t.latency_ms.is_some() {
                self.flags |= APP_DONE;
            }
            if lat >= 0.0 {
                self.take_latency(lat, t.status.is_some(), t.ts.unwrap_or(i64::MIN));
            }
            self.app_status = self.app_status.max(t.status.unwrap_or(0));
            let src = ((t.pos >> 40) as u32) << 4 | t.format as u32;
            self.app_src = self.app_src.min(src);
        }
        self.take_endpoint(t.endpoint, t.nginx, names);
        self.error_type = pick_name(self.error_type, t.error_type, names);
        if !t.nginx && t.msg != NONE {
            self.take_last(t.msg, t.ts.unwrap_or(i64::MIN), t.pos);
        }
    }

    /// Keeps the latency of the best line: one with a status over one without, then the
    /// latest, then the largest. A total order on what is kept, so the choice never depends
    /// on how the input was split.
    fn take_latency(&mut self, ms: f32, with_status: bool, at: i64) {
        let mine = (
            self.flags & LATENCY_WITH_STATUS != 0,
            self.app_at,
            self.app_ms,
        );
        if self.app_ms < 0.0 || (with_status, at, ms) > mine {
            self.app_ms = ms;
            self.app_at = at;
            if with_status {
                self.flags |= LATENCY_WITH_STATUS;
            } else {
                self.flags &= !LATENCY_WITH_STATUS;
            }
        }
    }

    /// Keeps the message of the latest line by (time, position): a total order, so the
    /// choice never depends on how the input was split.
    fn take_last(&mut self, msg: u32, at: i64, pos: u64) {
        if self.last_msg == NONE || (at, pos) > (self.last_at, self.last_pos) {
            self.last_msg = msg;
            self.last_at = at;
            self.last_pos = pos;
        }
    }

    /// nginx's view of the endpoint wins; between equals the smaller name, so the choice
    /// does not depend on which partial saw which line.
    fn take_endpoint(&mut self, ep: u32, from_nginx: bool, names: &Interner) {
        if ep == NONE {
            return;
        }
        let mine_nginx = self.flags & ENDPOINT_FROM_NGINX != 0;
        if from_nginx && !mine_nginx {
            self.endpoint = ep;
            self.flags |= ENDPOINT_FROM_NGINX;
        } else if from_nginx == mine_nginx || self.endpoint == NONE {
            self.endpoint = pick_name(self.endpoint, ep, names);
            if from_nginx {
                self.flags |= ENDPOINT_FROM_NGINX;
            }
        }
    }

    fn merge_with(&mut self, o: &ReqAgg, names: &Interner) {
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        if o.app_ms >= 0.0 {
            self.take_latency(o.app_ms, o.flags & LATENCY_WITH_STATUS != 0, o.app_at);
        }
        self.app_src = self.app_src.min(o.app_src);
        self.nginx_ms = self.nginx_ms.max(o.nginx_ms);
        self.lines = self.lines.saturating_add(o.lines);
        self.errors = self.errors.saturating_add(o.errors);
        self.app_status = self.app_status.max(o.app_status);
        self.nginx_status = self.nginx_status.max(o.nginx_status);
        self.error_type = pick_name(self.error_type, o.error_type, names);
        self.take_endpoint(o.endpoint, o.flags & ENDPOINT_FROM_NGINX != 0, names);
        self.flags |= o.flags & !ENDPOINT_FROM_NGINX;
        if o.last_msg != NONE {
            self.take_last(o.last_msg, o.last_at, o.last_pos);
        }
    }
}

fn pick_name(a: u32, b: u32, names: &Interner) -> u32 {
    match (a, b) {
        (NONE, x) | (x, NONE) => x,
        (x, y) if x == y => x,
        (x, y) if names.name(y) < names.name(x) => y,
        (x, _) => x,
    }
}

/// Request id as stored: compact when it is hex or a UUID, else the string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReqKey {
    Hex(u128),
    Uuid(u128),
    Text(Box<str>),
}

impl ReqKey {
    pub fn render(&self) -> String {
        match self {
            ReqKey::Hex(v) => {
                let mut out = String::with_capacity(32);
                push_hex(&mut out, *v, 32);
                out
            }
            ReqKey::Uuid(v) => {
                let mut out = String::with_capacity(36);
                for (i, (shift, digits)) in [(96, 8), (80, 4), (64, 4), (48, 4), (0, 12)]
                    .into_iter()
                    .enumerate()
                {
                    if i > 0 {
                        out.push('-');
                    }
                    push_hex(&mut out, *v >> shift, digits);
                }
                out
            }
            ReqKey::Text(s) => s.to_string(),
        }
    }
}

/// Appends the low `digits` hex digits of `v`, most significant first, lowercase.
fn push_hex(out: &mut String, v: u128, digits: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in (0..digits).rev() {
        out.push(HEX[((v >> (i * 4)) & 0xF) as usize] as char);
    }
}

/// Eight lowercase hex digits (first digit most significant) as a u32, or `None`. SWAR: the
/// digit values are computed for all eight bytes at once and validated by re-encoding them.
#[inline]
fn hex8(chunk: &[u8]) -> Option<u32> {
    const LO: u64 = 0x0101_0101_0101_0101;
    let w = u64::from_be_bytes(chunk.try_into().ok()?);
    // Digits are 0x30..0x39 (bit 6 clear), letters 0x61..0x66 (bit 6 set): low nibble, +9.
    let letter = (w & (LO * 0x40)) >> 6;
    let val = (w & (LO * 0x0F)) + letter * 9;
    // Re-encode; only bytes that were exactly `0-9a-f` come back unchanged.
    // (No byte carries into the next: val <= 24, so every sum below stays under 0x100.)
    let ge16 = (val + LO * 0x70) & (LO * 0x80);
    let ge10 = ((val + LO * 0x76) & (LO * 0x80)) >> 7;
    if ge16 != 0 || val + LO * 0x30 + ge10 * 0x27 != w {
        return None;
    }
    let v = (val | (val >> 4)) & 0x00FF_00FF_00FF_00FF;
    let v = (v | (v >> 8)) & 0x0000_FFFF_0000_FFFF;
    Some(((v | (v >> 16)) & 0xFFFF_FFFF) as u32)
}

/// 32 lowercase hex digits as a u128.
fn lower_hex(b: &[u8]) -> Option<u128> {
    if b.len() != 32 {
        return None;
    }
    let mut v: u128 = 0;
    for c in b.chunks_exact(8) {
        v = (v << 32) | hex8(c)? as u128;
    }
    Some(v)
}

/// Partitions per key type. A request always lands in the partition its key hashes to, so
/// partitions are finished independently (in parallel, by the engine) and no final merge ever
/// touches every request.
pub const PARTS: usize = 64;

/// Keys that know their partition; a fixed mix, so the layout never depends on the run.
pub trait PartKey: std::hash::Hash + Eq + Ord + Clone + Send + Sync {
    fn part(&self) -> usize;
}

#[inline]
fn mix(v: u64) -> usize {
    (v.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize
}

impl PartKey for u128 {
    #[inline]
    fn part(&self) -> usize {
        mix(*self as u64 ^ (*self >> 64) as u64)
    }
}

impl PartKey for Box<str> {
    fn part(&self) -> usize {
        use std::hash::{BuildHasher, BuildHasherDefault};
        mix(BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(&**self))
    }
}

/// Entries flushed into one partition, with the map that still has to carry their interned
/// ids into the owning partial's names (merges only compose maps; finishing applies them).
#[derive(Debug, Clone)]
pub struct Segment<K> {
    remap: Option<std::sync::Arc<[u32]>>,
    rows: Vec<(K, ReqAgg)>,
}

/// Requests of one key type. Lines land in a small hash map (it stays in cache); every
/// `OPEN_LIMIT` requests it is flushed into its partitions' segments, 64 bytes a request with
/// no hash-table slack. Finishing a partition sorts its segments together and folds equal
/// keys, since a request's lines may sit in several flushes, chunks or files.
#[derive(Debug, Clone)]
struct Table<K> {
    open: FxHashMap<K, ReqAgg>,
    /// `PARTS` lists of segments once anything was flushed; the last segment of each list is
    /// the one this partial is still appending to.
    parts: Vec<Vec<Segment<K>>>,
    /// Every partition is one sorted segment with unique keys and no pending remap.
    finished: bool,
}

impl<K> Default for Table<K> {
    fn default() -> Self {
        Table {
            open: FxHashMap::default(),
            parts: Vec::new(),
            finished: true,
        }
    }
}

/// Open requests per key type before a flush: small enough for the map to stay in cache.
const OPEN_LIMIT: usize = 16 * 1024;

impl<K: PartKey> Table<K> {
    fn flush(&mut self) {
        if self.open.is_empty() {
            return;
        }
        self.finished = false;
        if self.parts.is_empty() {
            self.parts = (0..PARTS).map(|_| Vec::new()).collect();
        }
        for (k, v) in self.open.drain() {
            let segs = &mut self.parts[k.part()];
            match segs.last_mut() {
                Some(seg) if seg.remap.is_none() => seg.rows.push((k, v)),
                _ => segs.push(Segment {
                    remap: None,
                    rows: vec![(k, v)],
                }),
            }
        }
    }

    /// Moves `o`'s segments behind ours; `map` carries its interned ids into ours.
    fn merge(&mut self, mut o: Table<K>, map: &std::sync::Arc<[u32]>) {
        o.flush();
        self.flush();
        if o.parts.is_empty() {
            return;
        }
        if self.parts.is_empty() {
            self.parts = (0..PARTS).map(|_| Vec::new()).collect();
        }
        self.finished = false;
        for (mine, theirs) in self.parts.iter_mut().zip(o.parts) {
            for mut seg in theirs {
                seg.remap = Some(match seg.remap {
                    None => map.clone(),
                    Some(inner) => inner.iter().map(|&id| remap(id, map)).collect(),
                });
                mine.push(seg);
            }
        }
    }

    /// Whether the partitions are all finished.
    fn is_finished(&self) -> bool {
        self.finished && self.open.is_empty()
    }

    fn len(&self) -> usize {
        self.open.len()
            + self
                .parts
                .iter()
                .flatten()
                .map(|s| s.rows.len())
                .sum::<usize>()
    }
}

/// Sorts one partition's segments into one with unique keys, applying pending remaps.
fn finish_part<K: PartKey>(segs: &mut Vec<Segment<K>>, names: &Interner) {
    if segs.len() == 1 && segs[0].remap.is_none() && segs[0].rows.is_sorted_by(|a, b| a.0 < b.0) {
        return;
    }
    let total = segs.iter().map(|s| s.rows.len()).sum();
    let mut rows: Vec<(K, ReqAgg)> = Vec::with_capacity(total);
    for seg in segs.drain(..) {
        let start = rows.len();
        rows.extend(seg.rows);
        if let Some(map) = seg.remap {
            for (_, r) in &mut rows[start..] {
                r.endpoint = remap(r.endpoint, &map);
                r.error_type = remap(r.error_type, &map);
                r.last_msg = remap(r.last_msg, &map);
            }
        }
    }
    // Equal keys are folded by a commutative merge, so an unstable sort is deterministic.
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    rows.dedup_by(|later, kept| {
        if later.0 == kept.0 {
            kept.1.merge_with(&later.1, names);
            true
        } else {
            false
        }
    });
    segs.push(Segment { remap: None, rows });
}

/// One partition of one table, to be finished on any thread.
pub enum PartJob<'a> {
    Hex(&'a mut Vec<Segment<u128>>),
    Uuid(&'a mut Vec<Segment<u128>>),
    Text(&'a mut Vec<Segment<Box<str>>>),
}

impl PartJob<'_> {
    pub fn run(self, names: &Interner) {
        match self {
            PartJob::Hex(s) | PartJob::Uuid(s) => finish_part(s, names),
            PartJob::Text(s) => finish_part(s, names),
        }
    }
}

/// One partition of requests.
pub enum Shard<'a> {
    Wide(&'a [Segment<u128>]),
    Text(&'a [Segment<Box<str>>]),
}

impl Shard<'_> {
    pub fn aggs(&self) -> Box<dyn Iterator<Item = &ReqAgg> + '_> {
        match self {
            Shard::Wide(s) => Box::new(s.iter().flat_map(|g| g.rows.iter().map(|r| &r.1))),
            Shard::Text(s) => Box::new(s.iter().flat_map(|g| g.rows.iter().map(|r| &r.1))),
        }
    }
}

/// Three tables rather than one of an enum key: a u128 key is 16 bytes, the enum 32.
#[derive(Default, Debug, Clone)]
pub struct Requests {
    hex: Table<u128>,
    uuid: Table<u128>,
    text: Table<Box<str>>,
}

impl Requests {
    #[inline]
    pub fn entry(&mut self, id: &str) -> &mut ReqAgg {
        let b = id.as_bytes();
        if b.len() == 32
            && let Some(v) = lower_hex(b)
        {
            return self.hex.open.entry(v).or_default();
        }
        if b.len() == 36 && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-') {
            let mut buf = [0u8; 32];
            let mut n = 0;
            for &c in b.iter().filter(|&&c| c != b'-') {
                if n == 32 {
                    break;
                }
                buf[n] = c;
                n += 1;
            }
            if n == 32
                && let Some(v) = lower_hex(&buf)
            {
                return self.uuid.open.entry(v).or_default();
            }
        }
        let text = &mut self.text.open;
        if !text.contains_key(id) {
            text.insert(id.into(), ReqAgg::default());
        }
        text.get_mut(id).expect("just inserted")
    }

    /// Flushes the open maps when they outgrow the cache; call between lines.
    #[inline]
    pub fn maybe_flush(&mut self) {
        if self.hex.open.len() >= OPEN_LIMIT {
            self.hex.flush();
        }
        if self.uuid.open.len() >= OPEN_LIMIT {
            self.uuid.flush();
        }
        if self.text.open.len() >= OPEN_LIMIT {
            self.text.flush();
        }
    }

    /// Ends line-by-line accumulation: open requests move into their partitions.
    pub fn seal(&mut self) {
        self.hex.flush();
        self.uuid.flush();
        self.text.flush();
    }

    /// Seals, and returns every partition not yet finished, for the engine to finish on
    /// any threads. Every job must run (`PartJob::run`); then `iter` and `len` are exact.
    pub fn part_jobs(&mut self) -> Vec<PartJob<'_>> {
        self.seal();
        let mut jobs = Vec::new();
        if !self.hex.finished {
            self.hex.finished = true;
            jobs.extend(self.hex.parts.iter_mut().map(PartJob::Hex));
        }
        if !self.uuid.finished {
            self.uuid.finished = true;
            jobs.extend(self.uuid.parts.iter_mut().map(PartJob::Uuid));
        }
        if !self.text.finished {
            self.text.finished = true;
            jobs.extend(self.text.parts.iter_mut().map(PartJob::Text));
        }
        jobs
    }

    /// Finishes every partition on this thread.
    pub fn finish(&mut self, names: &Interner) {
        for job in self.part_jobs() {
            job.run(names);
        }
    }

    /// Whether `iter` and `len` are exact.
    pub fn is_finished(&self) -> bool {
        self.hex.is_finished() && self.uuid.is_finished() && self.text.is_finished()
    }

    /// Distinct requests; exact once finished.
    pub fn len(&self) -> usize {
        self.hex.len() + self.uuid.len() + self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Merges `o`, whose interned ids `map` carries into ours; the remap is applied when the
    /// partitions are finished, so merging costs a move per segment, not a pass per request.
    pub fn merge(&mut self, o: Requests, map: &[u32]) {
        let map: std::sync::Arc<[u32]> = map.into();
        self.hex.merge(o.hex, &map);
        self.uuid.merge(o.uuid, &map);
        self.text.merge(o.text, &map);
    }

    /// Removes the requests whose newest line is before `before`, handing each to `gone`
    /// first (a stream that cannot keep every request: `watch`). Finishes the partitions.
    pub fn retire(&mut self, before: i64, names: &Interner, mut gone: impl FnMut(ReqKey, &ReqAgg)) {
        self.finish(names);
        let keep = |r: &ReqAgg| r.last == i64::MIN || r.last >= before;
        for seg in self.hex.parts.iter_mut().flatten() {
            seg.rows.retain(|(k, r)| {
                keep(r) || {
                    gone(ReqKey::Hex(*k), r);
                    false
                }
            });
        }
        for seg in self.uuid.parts.iter_mut().flatten() {
            seg.rows.retain(|(k, r)| {
                keep(r) || {
                    gone(ReqKey::Uuid(*k), r);
                    false
                }
            });
        }
        for seg in self.text.parts.iter_mut().flatten() {
            seg.rows.retain(|(k, r)| {
                keep(r) || {
                    gone(ReqKey::Text(k.clone()), r);
                    false
                }
            });
        }
    }

    /// The partitions, to work on their requests in parallel.
    pub fn shards(&self) -> Vec<Shard<'_>> {
        self.hex
            .parts
            .iter()
            .chain(&self.uuid.parts)
            .map(|p| Shard::Wide(p))
            .chain(self.text.parts.iter().map(|p| Shard::Text(p)))
            .collect()
    }

    /// Finished requests: partition by partition, in key order within each.
    pub fn iter(&self) -> impl Iterator<Item = (ReqKey, &ReqAgg)> {
        debug_assert!(self.is_finished(), "iterating unfinished requests");
        self.hex
            .parts
            .iter()
            .flatten()
            .flat_map(|s| s.rows.iter())
            .map(|(k, v)| (ReqKey::Hex(*k), v))
            .chain(
                self.uuid
                    .parts
                    .iter()
                    .flatten()
                    .flat_map(|s| s.rows.iter())
                    .map(|(k, v)| (ReqKey::Uuid(*k), v)),
            )
            .chain(
                self.text
                    .parts
                    .iter()
                    .flatten()
                    .flat_map(|s| s.rows.iter())
                    .map(|(k, v)| (ReqKey::Text(k.clone()), v)),
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex8_matches_a_plain_decoder() {
        let plain = |c: &[u8]| -> Option<u32> {
            let s = std::str::from_utf8(c).ok()?;
            if !s
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return None;
            }
            u32::from_str_radix(s, 16).ok()
        };
        let mut seed = 0x1234_5678_u64;
        let alphabet = b"0123456789abcdefABCDEFgxz/:@`G\x00\xff";
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut c = [0u8; 8];
            for (i, b) in c.iter_mut().enumerate() {
                // Mostly valid digits, sometimes anything from the alphabet.
                let r = (seed >> (i * 7)) as usize;
                *b = if r.is_multiple_of(5) {
                    alphabet[r % alphabet.len()]
                } else {
                    b"0123456789abcdef"[r % 16]
                };
            }
            assert_eq!(hex8(&c), plain(&c), "{:?}", String::from_utf8_lossy(&c));
        }
        assert_eq!(hex8(b"deadbeef"), Some(0xdead_beef));
        assert_eq!(hex8(b"00000000"), Some(0));
        assert_eq!(hex8(b"ffffffff"), Some(u32::MAX));
        for bad in [
            b"DEADBEEF",
            b"0000000g",
            b"/0000000",
            b":0000000",
            b"`0000000",
            b"G0000000",
        ] {
            assert_eq!(hex8(bad), None);
        }
    }

    #[test]
    fn compact_ids_round_trip() {
        let mut r = Requests::default();
        r.entry("0123456789abcdef0123456789abcdef").lines = 1;
        r.entry("6f1c0b8e-9d2a-4c3b-8a7e-5f4d3c2b1a09").lines = 2;
        r.entry("ABCDEF0123456789ABCDEF0123456789").lines = 3;
        r.entry("req-1").lines = 4;
        r.finish(&Interner::default());
        let mut got: Vec<(String, u32)> = r.iter().map(|(k, v)| (k.render(), v.lines)).collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                ("0123456789abcdef0123456789abcdef".into(), 1),
                ("6f1c0b8e-9d2a-4c3b-8a7e-5f4d3c2b1a09".into(), 2),
                ("ABCDEF0123456789ABCDEF0123456789".into(), 3),
                ("req-1".into(), 4)
            ]
        );
    }

    /// One partial's worth: its own interner, and requests touched with its own ids.
    fn partial(eps: &[&str], lines: &[(&str, usize)]) -> (Interner, Requests) {
        let mut names = Interner::default();
        let ids: Vec<u32> = eps.iter().map(|e| names.intern(e)).collect();
        let mut r = Requests::default();
        for &(id, ep) in lines {
            let t = Touch {
                ts: Some(1),
                nginx: false,
                latency_ms: None,
                status: None,
                endpoint: ids[ep],
                error_type: NONE,
                is_error: false,
                msg: NONE,
                pos: 0,
                format: 0,
            };
            r.entry(id).touch(&t, &names);
        }
        r.seal();
        (names, r)
    }

    fn merged(mut a: (Interner, Requests), b: (Interner, Requests)) -> (Interner, Requests) {
        let map = a.0.absorb(&b.0);
        a.1.merge(b.1, &map);
        a
    }

    fn listing((names, mut r): (Interner, Requests)) -> Vec<(String, String, u32)> {
        r.finish(&names);
        let mut v: Vec<_> = r
            .iter()
            .map(|(k, a)| (k.render(), names.name(a.endpoint).to_string(), a.lines))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn pending_remaps_compose_across_nested_merges() {
        // Each partial interns the endpoints in another order, so ids disagree; requests span
        // partials. ((a + b) + c) and (a + (b + c)) must name the same endpoints.
        let hex = "0123456789abcdef0123456789abcdef";
        let a = || partial(&["GET /a", "GET /b"], &[(hex, 0), ("t-1", 1)]);
        let b = || partial(&["GET /c", "GET /b", "GET /a"], &[(hex, 2), ("t-2", 0)]);
        let c = || partial(&["GET /b", "GET /c"], &[("t-1", 0), ("t-2", 1), ("t-3", 1)]);
        let left = listing(merged(merged(a(), b()), c()));
        let right = listing(merged(a(), merged(b(), c())));
        assert_eq!(left, right);
        assert_eq!(
            left,
            vec![
                (hex.to_string(), "GET /a".to_string(), 2),
                ("t-1".to_string(), "GET /b".to_string(), 2),
                ("t-2".to_string(), "GET /c".to_string(), 2),
                ("t-3".to_string(), "GET /c".to_string(), 1),
            ]
        );
    }

    #[test]
    fn merge_is_order_independent() {
        let mut names = Interner::default();
        let a_ep = names.intern("GET /a");
        let b_ep = names.intern("GET /b");
        let t1 = Touch {
            ts: Some(5),
            nginx: false,
            latency_ms: None,
            status: None,
            endpoint: b_ep,
            error_type: NONE,
            is_error: false,
            msg: NONE,
            pos: 0,
            format: 0,
        };
        let t2 = Touch {
            ts: Some(9),
            nginx: true,
            latency_ms: Some(30.0),
            status: Some(504),
            endpoint: a_ep,
            error_type: NONE,
            is_error: false,
            msg: NONE,
            pos: 0,
            format: 0,
        };
        let (mut x, mut y) = (ReqAgg::default(), ReqAgg::default());
        x.touch(&t1, &names);
        y.touch(&t2, &names);
        let mut xy = x;
        xy.merge_with(&y, &names);
        let mut yx = y;
        yx.merge_with(&x, &names);
        for r in [xy, yx] {
            assert_eq!(
                (r.first, r.last, r.lines, r.nginx_status, r.endpoint),
                (5, 9, 2, 504, a_ep)
            );
            assert_eq!(
                r.flags & (APP_SEEN | NGINX_SEEN | APP_DONE),
                APP_SEEN | NGINX_SEEN
            );
        }
    }

    #[test]
    fn last_message_is_the_latest_line_by_time_then_position() {
        let mut names = Interner::default();
        let started = names.intern("request started");
        let calling = names.intern("calling payment provider");
        let line = |ts: Option<i64>, nginx: bool, msg: u32, pos: u64| Touch {
            ts,
            nginx,
            latency_ms: None,
            status: None,
            endpoint: NONE,
            error_type: NONE,
            is_error: false,
            msg,
            pos,
            format: 0,
        };
        // Same millisecond: the later position wins, whichever partial saw which line.
        let a = line(Some(7), false, started, position(0, 100));
        let b = line(Some(7), false, calling, position(0, 180));
        // nginx lines never speak for the app, however late.
        let n = line(Some(9), true, started, position(1, 0));
        let (mut x, mut y, mut z) = (ReqAgg::default(), ReqAgg::default(), ReqAgg::default());
        x.touch(&a, &names);
        y.touch(&b, &names);
        z.touch(&n, &names);
        for order in [[x, y, z], [z, y, x], [y, x, z]] {
            let mut m = ReqAgg::default();
            for r in order {
                m.merge_with(&r, &names);
            }
            assert_eq!(m.last_msg, calling);
        }
        // A timed line is later than an untimed one.
        let mut r = ReqAgg::default();
        r.touch(&line(Some(1), false, started, position(0, 0)), &names);
        r.touch(&line(None, false, calling, position(0, 50)), &names);
        assert_eq!(r.last_msg, started);
    }
}
