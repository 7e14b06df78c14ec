//! Targeted JSON scanner: walks one object, descends only into keys the alias table names,
//! and skips every other value without decoding it. The line is UTF-8-validated once up
//! front (fast for ASCII), so picked strings are plain slices. Anything unusual (invalid
//! UTF-8, escaped keys, odd structure) returns `None` and the caller falls back to the full
//! serde_json walk in `json.rs`, which decides.

use std::borrow::Cow;

use wide::u8x16;

use super::fields::{FieldSpec, KeyCache, ROOT};
use super::picked::{Picked, Raw};

const MAX_DEPTH: u32 = 32;

/// Per-worker scanner scratch: the key memo, and the quote index of the line being read.
#[derive(Default, Debug)]
pub struct ScanCache {
    pub keys: KeyCache,
    quotes: Vec<u64>,
}

/// Sets bit `i % 64` of word `i / 64` for every `"` at byte `i`, 16 bytes per SIMD compare.
/// Returns whether the line holds a backslash: only without one does every quote delimit a
/// string, so only then may the index stand in for scanning.
fn index_quotes(line: &[u8], quotes: &mut Vec<u64>) -> bool {
    let quote = u8x16::splat(b'"');
    let backslash = u8x16::splat(b'\\');
    let mut escapes = 0u32;
    let mut block = |c: &[u8]| -> u64 {
        let mut w = 0u64;
        for (k, lane) in c.chunks_exact(16).enumerate() {
            let v = u8x16::new(lane.try_into().expect("16 bytes"));
            w |= (v.simd_eq(quote).to_bitmask() as u64) << (16 * k);
            escapes |= v.simd_eq(backslash).to_bitmask();
        }
        w
    };
    quotes.clear();
    let mut chunks = line.chunks_exact(64);
    for c in &mut chunks {
        quotes.push(block(c));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // Zero padding holds no quote, so the index never points past the line.
        let mut pad = [0u8; 64];
        pad[..rest.len()].copy_from_slice(rest);
        quotes.push(block(&pad));
    }
    escapes != 0
}

/// The first quote at or after byte `from`.
#[inline]
fn next_quote(quotes: &[u64], from: usize) -> Option<usize> {
    let mut w = from / 64;
    let mut m = *quotes.get(w)? & (!0u64 << (from % 64));
    while m == 0 {
        w += 1;
        m = *quotes.get(w)?;
    }
    Some(w * 64 + m.trailing_zeros() as usize)
}

struct Cur<'a, 'q> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    /// The line's quote index, when the line holds no backslash; else empty.
    quotes: &'q [u64],
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Index of the first `"` or `\\` in an 8-byte word (SWAR), if any.
#[inline]
fn special_in_word(w: u64) -> Option<usize> {
    let q = w ^ (LO * b'"' as u64);
    let s = w ^ (LO * b'\\' as u64);
    let found = (q.wrapping_sub(LO) & !q & HI) | (s.wrapping_sub(LO) & !s & HI);
    (found != 0).then(|| (found.trailing_zeros() / 8) as usize)
}

#[inline]
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a> Cur<'a, '_> {
    #[inline(always)]
    fn ws(&mut self) {
        // Compact JSON has no whitespace: one compare decides the common case.
        if self.b.get(self.i).is_none_or(|&c| c > b' ') {
            return;
        }
        while self.i < self.b.len() && is_ws(self.b[self.i]) {
            self.i += 1;
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// At an opening quote: returns the raw content and whether it holds escapes.
    #[inline(always)]
    fn string(&mut self) -> Option<(&'a str, bool)> {
        let start = self.i + 1;
        if !self.quotes.is_empty() {
            let end = next_quote(self.quotes, start)?;
            self.i = end + 1;
            return Some((&self.s[start..end], false));
        }
        let mut j = start;
        let mut escaped = false;
        loop {
            // Keys and short values end within a few words: SWAR beats a memchr call there.
            let mut k = j;
            let mut hit = None;
            for _ in 0..4 {
                let Some(word) = self.b.get(k..k + 8) else {
                    break;
                };
                let w = u64::from_le_bytes(word.try_into().expect("8 bytes"));
                if let Some(off) = special_in_word(w) {
                    hit = Some(k + off);
                    break;
                }
                k += 8;
            }
            let k = match hit {
                Some(h) => h,
                None => k + memchr::memchr2(b'"', b'\\', self.b.get(k..)?)?,
            };
            if self.b[k] == b'"' {
                self.i = k + 1;
                return Some((&self.s[start..k], escaped));
            }
            escaped = true;
            j = k + 2;
            if j > self.b.len() {
                return None;
            }
        }
    }

    /// A number or literal: up to the next delimiter.
    #[inline]
    fn token(&mut self) -> &'a str {
        let start = self.i;
        while self.i < self.b.len()
            && !matches!(
                self.b[self.i],
                b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n'
            )
        {
            self.i += 1;
        }
        &self.s[start..self.i]
    }

    /// Skips an object or array, minding strings.
    fn skip_nested(&mut self) -> Option<()> {
        let mut depth = 0usize;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'"' => {
                    self.string()?;
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        self.i += 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
        None
    }

    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => self.skip_nested(),
            _ => {
                let t = self.token();
                (!t.is_empty()).then_some(())
            }
        }
    }
}

struct Walk<'s, 'p, 'a> {
    spec: &'s FieldSpec,
    out: &'p mut Picked<'a>,
    keys: &'p mut KeyCache,
    /// Arrays open around the cursor.
    arrays: u32,
}

impl<'a> Walk<'_, '_, 'a> {
    fn value(&mut self, c: &mut Cur<'a, '_>, node: u32, depth: u32) -> Option<()> {
        let n = self.spec.node(node);
        self.out.mark(n.flags);
        match c.peek()? {
            b'{' if depth < MAX_DEPTH => self.object(c, node, depth),
            b'[' if depth < MAX_DEPTH => {
                // Arrays keep their node and depth (as the serde walk does), so `depth` does
                // not bound their recursion: `[[[[...` under a picked key overflowed the
                // stack. Past `MAX_DEPTH` open arrays serde_json decides (its own nesting
                // limit refuses such lines).
                if self.arrays == MAX_DEPTH {
                    return None;
                }
                self.arrays += 1;
                let r = self.array(c, node, depth);
                self.arrays -= 1;
                r
            }
            b'{' | b'[' => c.skip_nested(),
            b'"' => {
                let (raw, escaped) = c.string()?;
                if let Some(leaf) = n.leaf {
                    let s = if escaped {
                        // Rare: let serde_json unescape this one string.
                        let quoted = &c.s[c.i - raw.len() - 2..c.i];
                        Cow::Owned(serde_json::from_str::<String>(quoted).ok()?)
                    } else {
                        Cow::Borrowed(raw)
                    };
                    self.out.offer_leaf(leaf, depth, Raw::Str(s));
                }
                Some(())
            }
            _ => {
                let t = c.token();
                if t.is_empty() {
                    return None;
                }
                if let Some(leaf) = n.leaf {
                    if let Some(v) = number(t) {
                        self.out.offer_leaf(leaf, depth, v);
                    } else if !matches!(t, "true" | "false" | "null") {
                        return None;
                    }
                }
                Some(())
            }
        }
    }

    /// The elements of an array, each at the array's node and depth.
    fn array(&mut self, c: &mut Cur<'a, '_>, node: u32, depth: u32) -> Option<()> {
        c.i += 1;
        c.ws();
        if c.peek()? == b']' {
            c.i += 1;
            return Some(());
        }
        loop {
            c.ws();
            self.value(c, node, depth)?;
            c.ws();
            match c.peek()? {
                b',' => c.i += 1,
                b']' => {
                    c.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn object(&mut self, c: &mut Cur<'a, '_>, node: u32, depth: u32) -> Option<()> {
        c.i += 1;
        c.ws();
        if c.peek()? == b'}' {
            c.i += 1;
            return Some(());
        }
        loop {
            c.ws();
            if c.peek()? != b'"' {
                return None;
            }
            // Lines of one logger repeat their keys in order: when the bytes here are the
            // key this position held last line, skip scanning it.
            let child = match self.keys.speculate(node, c.b, c.i + 1) {
                Some((child, len)) => {
                    c.i += len + 2;
                    child
                }
                None => {
                    let (key, escaped) = c.string()?;
                    if escaped {
                        return None;
                    }
                    // The key's bytes end just before the closing quote the cursor passed.
                    let key_start = c.i - 1 - key.len();
                    let packed = super::fields::pack_at(c.b, key_start, key.len());
                    self.spec
                        .child_cached_packed(node, key.as_bytes(), packed, self.keys)
                }
            };
            c.ws();
            if c.peek()? != b':' {
                return None;
            }
            c.i += 1;
            c.ws();
            match child {
                Some(ch) => self.value(c, ch, depth + 1)?,
                None => c.skip_value()?,
            }
            c.ws();
            match c.peek()? {
                b',' => c.i += 1,
                b'}' => {
                    c.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

fn number(s: &str) -> Option<Raw<'static>> {
    let t = s.as_bytes();
    if !t.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        if t[0] == b'-' {
            // serde_json reads `-0` as the float -0.0 (an integer has no negative zero), and
            // a message of `-0` is then "-0", not "0": the same here, so both walks pick the
            // same value (found by the `json_scan` fuzz target).
            if let Ok(v) = s.parse::<i64>()
                && v != 0
            {
                return Some(Raw::I(v));
            }
        } else if let Ok(v) = s.parse::<u64>() {
            return Some(Raw::U(v));
        }
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite()).map(Raw::F)
}

/// Picks the aliased values from one JSON object line; `None` means "ask serde_json".
pub fn pick<'a>(line: &'a [u8], spec: &FieldSpec, cache: &mut ScanCache) -> Option<Picked<'a>> {
    let mut out = Picked::default();
    pick_into(line, spec, cache, &mut out).then_some(out)
}

/// `pick` into a caller's (empty) value; `false` means "ask serde_json".
pub fn pick_into<'a>(
    line: &'a [u8],
    spec: &FieldSpec,
    cache: &mut ScanCache,
    out: &mut Picked<'a>,
) -> bool {
    walk(line, spec, cache, out).is_some()
}

fn walk<'a>(
    line: &'a [u8],
    spec: &FieldSpec,
    cache: &mut ScanCache,
    out: &mut Picked<'a>,
) -> Option<()> {
    let ScanCache { keys, quotes } = cache;
    keys.start_line();
    let s = simdutf8::basic::from_utf8(line).ok()?;
    let escapes = index_quotes(line, quotes);
    let mut c = Cur {
        s,
        b: line,
        i: 0,
        quotes: if escapes { &[] } else { quotes },
    };
    c.ws();
    if c.peek()? != b'{' {
        return None;
    }
    Walk {
        spec,
        out,
        keys,
        arrays: 0,
    }
    .value(&mut c, ROOT, 0)?;
    c.ws();
    (c.i == line.len()).then_some(())
}

#[cfg(test)]
mod tests {
    use crate::parse::fields::FieldSpec;

    #[test]
    fn nested_arrays_under_a_picked_key_do_not_overflow_the_stack() {
        // Found writing the `json_scan` fuzz target: 20,000 `[` under `msg` (a 40 KB line)
        // aborted `report` with a stack overflow on a worker thread.
        let n = 100_000;
        let line = format!("{{\"msg\":{}{}}}", "[".repeat(n), "]".repeat(n));
        let spec = FieldSpec::defaults();
        assert!(super::pick(line.as_bytes(), &spec, &mut Default::default()).is_none());
        assert!(
            crate::parse::json::pick(line.as_bytes(), &spec, &mut Default::default()).is_none()
        );
        // Nesting the scanner still reads agrees with the serde walk.
        let line = format!("{{\"msg\":{}\"x\"{}}}", "[".repeat(20), "]".repeat(20));
        let fast = super::pick(line.as_bytes(), &spec, &mut Default::default()).unwrap();
        let slow = crate::parse::json::pick_serde(line.as_bytes(), &spec).unwrap();
        assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
    }

    #[test]
    fn negative_zero_is_a_float_as_serde_reads_it() {
        let spec = FieldSpec::defaults();
        for line in [r#"{"time" :-0}"#, r#"{"msg":-0,"status":-0}"#] {
            let fast = super::pick(line.as_bytes(), &spec, &mut Default::default()).unwrap();
            let slow = crate::parse::json::pick_serde(line.as_bytes(), &spec).unwrap();
            assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{line}");
        }
    }

    #[test]
    fn swar_finds_first_special() {
        let w = |b: &[u8; 8]| super::special_in_word(u64::from_le_bytes(*b));
        assert_eq!(w(b"abcdefgh"), None);
        assert_eq!(w(b"abc\"efgh"), Some(3));
        assert_eq!(w(b"\\bc\"efgh"), Some(0));
        assert_eq!(w(b"abcdefg\""), Some(7));
        assert_eq!(w(&[0x80, 0xff, 0x22, 0, 0, 0, 0, 0]), Some(2));
    }
}
