//! `key=value` text: whole logfmt records (Go slog's TextHandler, logrus, Heroku's router)
//! and the pairs other layouts carry inside a message (`request finished request_id=...
//! status=200 duration_ms=30.4`). Values go through the alias table like JSON keys do.
//! Knows nothing about counting.

use std::borrow::Cow;

use crate::parse::fields::{FieldSpec, KeyCache, ROOT};
use crate::parse::picked::{Picked, Raw};
use crate::parse::swar;

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
        loop {
            let start = self.skip_spaces()?;
            if let Some(pair) = self.scanned_pair(start) {
                return Some(pair);
            }
        }
    }
}

/// A pair `next_guessing` read.
pub struct Guessed<'a> {
    pub key: &'a str,
    /// Where the key starts in the text.
    pub at: usize,
    pub value: Cow<'a, str>,
    /// The key's node when the key cache's guess held (`Some(None)`: a key the alias table
    /// does not know); `None` when the key was scanned.
    pub node: Option<Option<u32>>,
}

impl<'a> Pairs<'a> {
    /// `next`, first trying the key `keys` met at this position of the previous line (its
    /// bytes and then `=`): lines of one logger repeat their keys in order, so one compare
    /// replaces the key's byte scan and its lookup.
    #[inline]
    pub fn next_guessing(&mut self, keys: &mut KeyCache) -> Option<Guessed<'a>> {
        loop {
            let start = self.skip_spaces()?;
            let b = self.s.as_bytes();
            if let Some((child, len)) = keys.speculate_until(ROOT, b, start, b'=') {
                self.i = start + len + 1;
                let key = &self.s[start..start + len];
                let value = self.value();
                return Some(Guessed {
                    key,
                    at: start,
                    value,
                    node: Some(child),
                });
            }
            if let Some((key, value)) = self.scanned_pair(start) {
                return Some(Guessed {
                    key,
                    at: start,
                    value,
                    node: None,
                });
            }
        }
    }

    /// Skips spaces; the next token's start, if any is left.
    #[inline(always)]
    fn skip_spaces(&mut self) -> Option<usize> {
        let b = self.s.as_bytes();
        while self.i < b.len() && b[self.i] == b' ' {
            self.i += 1;
        }
        (self.i < b.len()).then_some(self.i)
    }

    /// The pair whose key starts at `start`, found by scanning the key; `None` (the token
    /// skipped) for a bare word or a stray quote.
    #[inline(always)]
    fn scanned_pair(&mut self, start: usize) -> Option<(&'a str, Cow<'a, str>)> {
        let b = self.s.as_bytes();
        self.i = start;
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
            return None;
        }
        let key = &self.s[start..self.i];
        self.i += 1;
        Some((key, self.value()))
    }

    /// The value starting at the cursor (just after `=`): quoted and unescaped, or bare up
    /// to the next space.
    #[inline(always)]
    fn value(&mut self) -> Cow<'a, str> {
        let b = self.s.as_bytes();
        if b.get(self.i) == Some(&b'"') {
            let open = self.i + 1;
            let close = closing_quote(b, open).unwrap_or(b.len());
            self.i = (close + 1).min(b.len());
            return unquote(&self.s[open..close]);
        }
        let vs = self.i;
        self.i = swar::find(b, vs, b' ');
        Cow::Borrowed(&self.s[vs..self.i])
    }
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

    #[test]
    fn guessing_keys_reads_every_line_as_scanning_does() {
        // Lines of one layout, then ones that shift, drop, rename or lengthen a key, bare
        // words where a key was, a key that is a prefix of the last line's, and an `=` with
        // no key: the guesses must never change what is read.
        let lines = [
            r#"time=2026-12-01T10:05:29Z level=INFO msg="request started" request_id=ab12 path=/x"#,
            r#"time=2026-12-01T10:05:30Z level=INFO msg="request finished" request_id=ab12 status=200"#,
            r#"time=2026-12-01T10:05:31Z lvl=WARN msg="odd" request_id=cd34"#,
            r#"time=2026-12-01T10:05:31Z level msg="no value for level" request_id=cd34"#,
            r#"time=2026-12-01T10:05:32Z leve=x le=y msg=bare request_idx=1"#,
            r#"time=2026-12-01T10:05:33Z level=ERROR msg="a \"quoted\" one" err="boom" a_very_long_key_name=1"#,
            r#"=orphan time=2026-12-01T10:05:34Z level=INFO  msg="two  spaces"  status="#,
            r#"time=2026-12-01T10:05:35Z level=INFO msg="request started" request_id=ab12 path=/x"#,
            "time",
            "",
        ];
        let spec = FieldSpec::defaults();
        let mut keys = KeyCache::default();
        let mut guesses = 0;
        for _ in 0..2 {
            for line in lines {
                let want: Vec<(&str, String)> =
                    pairs(line).map(|(k, v)| (k, v.into_owned())).collect();
                keys.start_line();
                let mut it = pairs(line);
                let mut got = Vec::new();
                while let Some(Guessed {
                    key: k,
                    at,
                    value: v,
                    node: guessed,
                }) = it.next_guessing(&mut keys)
                {
                    assert_eq!(&line[at..at + k.len()], k, "{line}");
                    let node = spec.child(ROOT, k.as_bytes());
                    match guessed {
                        Some(child) => {
                            assert_eq!(child, node, "{line}: {k}");
                            guesses += 1;
                        }
                        None => {
                            let packed = crate::parse::fields::pack_at(k.as_bytes(), 0, k.len());
                            spec.child_cached_packed(ROOT, k.as_bytes(), packed, &mut keys);
                        }
                    }
                    got.push((k, v.into_owned()));
                }
                assert_eq!(got, want, "{line}");
            }
        }
        assert!(guesses > 10, "{guesses}");
    }
}
