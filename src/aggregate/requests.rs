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
    /// Largest latency reported by each side, ms; negative when none.
    pub app_ms: f32,
    pub nginx_ms: f32,
    pub lines: u32,
    pub endpoint: u32,
    pub error_type: u32,
    pub app_status: u16,
    pub nginx_status: u16,
    pub errors: u16,
    pub flags: u8,
}

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
            self.app_ms = self.app_ms.max(lat);
            self.app_status = self.app_status.max(t.status.unwrap_or(0));
        }
        self.take_endpoint(t.endpoint, t.nginx, names);
        self.error_type = pick_name(self.error_type, t.error_type, names);
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
        self.app_ms = self.app_ms.max(o.app_ms);
        self.nginx_ms = self.nginx_ms.max(o.nginx_ms);
        self.lines = self.lines.saturating_add(o.lines);
        self.errors = self.errors.saturating_add(o.errors);
        self.app_status = self.app_status.max(o.app_status);
        self.nginx_status = self.nginx_status.max(o.nginx_status);
        self.error_type = pick_name(self.error_type, o.error_type, names);
        self.take_endpoint(o.endpoint, o.flags & ENDPOINT_FROM_NGINX != 0, names);
        self.flags |= o.flags & !ENDPOINT_FROM_NGINX;
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
            ReqKey::Hex(v) => format!("{v:032x}"),
            ReqKey::Uuid(v) => {
                let h = format!("{v:032x}");
                format!(
                    "{}-{}-{}-{}-{}",
                    &h[..8],
                    &h[8..12],
                    &h[12..16],
                    &h[16..20],
                    &h[20..]
                )
            }
            ReqKey::Text(s) => s.to_string(),
        }
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

/// Requests of one key type. Lines land in a small hash map (it stays in cache); every
/// `OPEN_LIMIT` requests it is flushed as a key-sorted run into `runs`, 64 bytes a request
/// with no hash-table slack. Consolidating sorts the runs together (a stable sort merges
/// sorted runs in near-linear time) and folds equal keys, since a request's lines may sit in
/// several runs, chunks or files.
#[derive(Debug, Clone)]
struct Table<K> {
    open: FxHashMap<K, ReqAgg>,
    runs: Vec<(K, ReqAgg)>,
    /// `runs` is one sorted run with unique keys.
    consolidated: bool,
}

impl<K> Default for Table<K> {
    fn default() -> Self {
        Table {
            open: FxHashMap::default(),
            runs: Vec::new(),
            consolidated: true,
        }
    }
}

/// Open requests per key type before a flush: small enough for the map to stay in L2.
const OPEN_LIMIT: usize = 16 * 1024;

impl<K: std::hash::Hash + Eq + Ord + Clone> Table<K> {
    fn flush(&mut self) {
        if self.open.is_empty() {
            return;
        }
        self.consolidated = false;
        let start = self.runs.len();
        self.runs.extend(self.open.drain());
        self.runs[start..].sort_unstable_by(|a, b| a.0.cmp(&b.0));
    }

    fn consolidate(&mut self, names: &Interner) {
        self.flush();
        if self.consolidated {
            return;
        }
        self.consolidated = true;
        self.runs.sort_by(|x, y| x.0.cmp(&y.0));
        self.runs.dedup_by(|later, kept| {
            if later.0 == kept.0 {
                kept.1.merge_with(&later.1, names);
                true
            } else {
                false
            }
        });
    }

    fn merge(&mut self, mut o: Table<K>, names: &Interner) {
        o.flush();
        self.flush();
        if o.runs.is_empty() {
            return self.consolidate(names);
        }
        if self.runs.is_empty() {
            self.runs = o.runs;
            self.consolidated = o.consolidated;
        } else {
            self.runs.reserve_exact(o.runs.len());
            self.runs.extend(o.runs);
            self.consolidated = false;
        }
        self.consolidate(names);
    }

    fn remap(&mut self, map: &[u32]) {
        let fix = |r: &mut ReqAgg| {
            r.endpoint = remap(r.endpoint, map);
            r.error_type = remap(r.error_type, map);
        };
        self.open.values_mut().for_each(fix);
        self.runs.iter_mut().for_each(|(_, r)| fix(r));
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

    /// One sorted entry per request (call before `len` and `iter`).
    pub fn seal(&mut self, names: &Interner) {
        self.hex.consolidate(names);
        self.uuid.consolidate(names);
        self.text.consolidate(names);
    }

    /// Distinct requests; exact once sealed.
    pub fn len(&self) -> usize {
        [
            self.hex.open.len() + self.hex.runs.len(),
            self.uuid.open.len() + self.uuid.runs.len(),
        ]
        .iter()
        .sum::<usize>()
            + self.text.open.len()
            + self.text.runs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rewrites interned ids after the owning partial's names were merged into another's.
    pub fn remap(&mut self, map: &[u32]) {
        self.hex.remap(map);
        self.uuid.remap(map);
        self.text.remap(map);
    }

    /// Merges `o` (already remapped into `names`); both end sealed.
    pub fn merge_names(&mut self, o: Requests, names: &Interner) {
        self.hex.merge(o.hex, names);
        self.uuid.merge(o.uuid, names);
        self.text.merge(o.text, names);
    }

    /// Sealed requests, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (ReqKey, &ReqAgg)> {
        self.hex
            .runs
            .iter()
            .map(|(k, v)| (ReqKey::Hex(*k), v))
            .chain(self.uuid.runs.iter().map(|(k, v)| (ReqKey::Uuid(*k), v)))
            .chain(
                self.text
                    .runs
                    .iter()
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
        r.seal(&Interner::default());
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
        };
        let t2 = Touch {
            ts: Some(9),
            nginx: true,
            latency_ms: Some(30.0),
            status: Some(504),
            endpoint: a_ep,
            error_type: NONE,
            is_error: false,
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
}
