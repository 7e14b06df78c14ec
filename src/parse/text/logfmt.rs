//! `key=value` text: whole logfmt records (Go slog's TextHandler, logrus, Heroku's router)
//! and the pairs other layouts carry inside a message (`request finished request_id=...
//! status=200 duration_ms=30.4`). Values go through the alias table like JSON keys do.
//! Knows nothing about counting.

use std::borrow::Cow;

use crate::parse::fields::{FieldSpec, ROOT};
use crate::parse::picked::{Picked, Raw};

/// The `key=value` pairs of a text, in order. Quoted values (`msg="request failed"`) are
/// unescaped as Go's `strconv.Quote` writes them; words without `=` are skipped.
pub struct Pairs<'a> {
    s: &'a str,
    i: usize,
}

pub fn pairs(s: &str) -> Pairs<'_> {
    Pairs { s, i: 0 }
}

/// A logfmt key: what slog, logrus and Heroku write (dotted groups included). A table,
/// since it runs on every byte of every key.
const KEY_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'@' | b'/');
        c += 1;
    }
    t
};

#[inline(always)]
fn key_byte(b: u8) -> bool {
    KEY_BYTE[b as usize]
}

impl<'a> Iterator for Pairs<'a> {
    type Item = (&'a str, Cow<'a, str>);

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.s.as_bytes();
        loop {
            while self.i < b.len() && b[self.i] == b' ' {
                self.i += 1;
            }
            if self.i >= b.len() {
                return None;
            }
            let start = self.i;
            while self.i < b.len() && key_byte(b[self.i]) {
                self.i += 1;
            }
            if self.i == start || self.i >= b.len() || b[self.i] != b'=' {
                // A bare word (or a stray quote): skip it whole.
                if b[self.i..].first() == Some(&b'"') {
                    self.i += 1;
                    self.i = closing_quote(b, self.i).map_or(b.len(), |q| q + 1);
                }
                while self.i < b.len() && b[self.i] != b' ' {
                    self.i += 1;
                }
                continue;
            }
            let key = &self.s[start..self.i];
            self.i += 1;
            if b.get(self.i) == Some(&b'"') {
                let open = self.i + 1;
                let close = closing_quote(b, open).unwrap_or(b.len());
                self.i = (close + 1).min(b.len());
                return Some((key, unquote(&self.s[open..close])));
            }
            let vs = self.i;
            self.i = space_at(b, vs);
            return Some((key, Cow::Borrowed(&self.s[vs..self.i])));
        }
    }
}

/// The first space at or after `i` (else the end), eight bytes a step: bare values are too
/// short for a memchr call's set-up to pay and long enough for a byte loop to cost.
#[inline]
fn space_at(b: &[u8], mut i: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    while let Some(w) = b.get(i..i + 8) {
        let x = u64::from_le_bytes(w.try_into().expect("8 bytes")) ^ (LO * b' ' as u64);
        // The lowest flagged byte is the first space (false flags sit only above a true one).
        let found = x.wrapping_sub(LO) & !x & HI;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && b[i] != b' ' {
        i += 1;
    }
    i
}

/// The closing `"` of a quoted value opened before `from`, skipping escaped ones.
fn closing_quote(b: &[u8], mut from: usize) -> Option<usize> {
    while from < b.len() {
        let at = from + memchr::memchr2(b'"', b'\\', &b[from..])?;
        if b[at] == b'"' {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

/// Go's quoting undone: `\"`, `\\`, `\n`, `\t`, `\r`, `\xNN`, `\uNNNN`; anything else kept.
fn unquote(s: &str) -> Cow<'_, str> {
    if memchr::memchr(b'\\', s.as_bytes()).is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('x') => {
                let h: String = it.by_ref().take(2).collect();
                match u8::from_str_radix(&h, 16) {
                    Ok(v) if v.is_ascii() => out.push(v as char),
                    _ => out.push('\u{fffd}'),
                }
            }
            Some('u') => {
                let h: String = it.by_ref().take(4).collect();
                out.push(
                    u32::from_str_radix(&h, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .unwrap_or('\u{fffd}'),
                );
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

/// Offers every pair of `text` whose key the alias table knows; returns how many it knew.
pub fn offer_pairs<'a>(text: &'a str, spec: &FieldSpec, out: &mut Picked<'a>) -> usize {
    let mut known = 0;
    for (k, v) in pairs(text) {
        if let Some(node) = spec.child(ROOT, k.as_bytes()) {
            let n = spec.node(node);
            out.mark(n.flags);
            if let Some(leaf) = n.leaf {
                out.offer_leaf(leaf, 1, Raw::Str(v));
                known += 1;
            }
        }
    }
    known
}

/// Whether a line opens with a logfmt pair (`time=`, `level=`, `at=`...).
pub fn looks_like(b: &[u8]) -> bool {
    let k = b.iter().take_while(|&&c| key_byte(c)).count();
    k > 0 && b.get(k) == Some(&b'=') && b[0].is_ascii_alphabetic()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_at_finds_the_first_space() {
        let text = b"abcdefgh ijklmnopqrstu vw x  \x80\xff yz";
        for from in 0..=text.len() {
            let want = text[from..]
                .iter()
                .position(|&c| c == b' ')
                .map_or(text.len(), |p| from + p);
            assert_eq!(space_at(text, from), want, "from {from}");
        }
    }

    #[test]
    fn pairs_quoted_bare_and_escaped() {
        let got: Vec<(&str, String)> = pairs(
            r#"time=2026-12-01T10:05:29.741Z level=INFO msg="request \"x\" failed" stray err="card declined" empty= n=1"#,
        )
        .map(|(k, v)| (k, v.into_owned()))
        .collect();
        assert_eq!(
            got,
            vec![
                ("time", "2026-12-01T10:05:29.741Z".to_owned()),
                ("level", "INFO".to_owned()),
                ("msg", "request \"x\" failed".to_owned()),
                ("err", "card declined".to_owned()),
                ("empty", String::new()),
                ("n", "1".to_owned()),
            ]
        );
        assert_eq!(pairs("no pairs here").count(), 0);
        assert_eq!(
            pairs(r#"a="unterminated"#).next().unwrap().1,
            "unterminated"
        );
    }

    #[test]
    fn shape() {
        assert!(looks_like(b"time=2026 level=INFO"));
        assert!(looks_like(b"at=info method=GET"));
        assert!(!looks_like(b"=x"));
        assert!(!looks_like(b"request finished a=b"));
    }
}
