//! JSON string decoding into a caller's buffer, for envelopes whose payload is a JSON string
//! (Docker's `log`, journald's `MESSAGE`). Must not allocate per call: the buffer is reused.

/// The text of a JSON value as written (`"..."` with its quotes): borrowed when it holds no
/// escape, decoded otherwise; `None` for any other value or invalid UTF-8.
pub fn text(raw: &str) -> Option<std::borrow::Cow<'_, str>> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(std::borrow::Cow::Borrowed(inner));
    }
    let mut out = Vec::with_capacity(inner.len());
    decode(raw.as_bytes(), 0, &mut out)?;
    String::from_utf8(out).ok().map(std::borrow::Cow::Owned)
}

/// Decodes the JSON string whose opening quote is at `b[at]`, appending its bytes to `out`.
/// Returns the index just past the closing quote, or `None` when the string is malformed
/// or unterminated. Lone surrogates become U+FFFD, as Docker writes invalid UTF-8.
pub fn decode(b: &[u8], at: usize, out: &mut Vec<u8>) -> Option<usize> {
    decode_up_to(b, at, usize::MAX, out)
}

/// `decode`, stopping once `out` holds `limit` bytes or more (then `Some` of where it
/// stopped, though the string may run on): the opening bytes of a long string, cheaply.
pub fn decode_up_to(b: &[u8], at: usize, limit: usize, out: &mut Vec<u8>) -> Option<usize> {
    if b.get(at) != Some(&b'"') {
        return None;
    }
    let mut i = at + 1;
    loop {
        if out.len() >= limit {
            return Some(i);
        }
        let run = special(&b[i..])?;
        out.extend_from_slice(&b[i..i + run]);
        i += run;
        if b[i] == b'"' {
            return Some(i + 1);
        }
        let esc = *b.get(i + 1)?;
        i += 2;
        match esc {
            b'"' | b'\\' | b'/' => out.push(esc),
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'u' => {
                let hi = hex4(b.get(i..i + 4)?)?;
                i += 4;
                let c = if (0xD800..0xDC00).contains(&hi) {
                    match b.get(i..i + 6) {
                        Some([b'\\', b'u', rest @ ..]) => match hex4(rest) {
                            Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                                i += 6;
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            }
                            _ => None,
                        },
                        _ => None,
                    }
                } else {
                    char::from_u32(hi)
                };
                let mut tmp = [0u8; 4];
                out.extend_from_slice(c.unwrap_or('\u{FFFD}').encode_utf8(&mut tmp).as_bytes());
            }
            _ => return None,
        }
    }
}

/// Length of the run before the first `"` or `\`; `None` when the string never ends.
#[inline]
fn special(b: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut k = 0;
    // Escaped JSON inside JSON has a backslash every few bytes: a word at a time beats a
    // memchr call per run there, and long runs fall through to memchr.
    for _ in 0..4 {
        let Some(word) = b.get(k..k + 8) else { break };
        let w = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        let q = w ^ (LO * b'"' as u64);
        let s = w ^ (LO * b'\\' as u64);
        let found = (q.wrapping_sub(LO) & !q & HI) | (s.wrapping_sub(LO) & !s & HI);
        if found != 0 {
            return Some(k + (found.trailing_zeros() / 8) as usize);
        }
        k += 8;
    }
    memchr::memchr2(b'"', b'\\', &b[k..]).map(|p| k + p)
}

fn hex4(h: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(h.get(..4)?).ok()?;
    u32::from_str_radix(s, 16).ok()
}

/// The index just past the JSON string starting at `b[at]` (its opening quote), without
/// decoding it.
pub fn skip(b: &[u8], at: usize) -> Option<usize> {
    if b.get(at) != Some(&b'"') {
        return None;
    }
    let mut i = at + 1;
    loop {
        i += special(&b[i..])?;
        if b[i] == b'"' {
            return Some(i + 1);
        }
        i += 2;
        if i > b.len() {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Option<(String, usize)> {
        let mut out = Vec::new();
        let end = decode(s.as_bytes(), 0, &mut out)?;
        Some((String::from_utf8(out).unwrap(), end))
    }

    #[test]
    fn agrees_with_serde_json() {
        for s in [
            r#""plain""#,
            r#""{\"level\": \"INFO\", \"msg\": \"caf\u00e9 \ud83d\ude00\"}\n""#,
            r#""tab\there \\ slash\/ \u003cscript\u003e \u0026""#,
            r#""a rather long run of text without any escapes at all, longer than 32 bytes""#,
            r#""""#,
        ] {
            let want: String = serde_json::from_str(s).unwrap();
            assert_eq!(dec(s), Some((want, s.len())), "{s}");
            assert_eq!(skip(s.as_bytes(), 0), Some(s.len()));
        }
    }

    #[test]
    fn malformed_and_lone_surrogates() {
        assert_eq!(dec(r#""unterminated"#), None);
        assert_eq!(dec(r#""bad \x escape""#), None);
        assert_eq!(dec(r#""\u12"#), None);
        assert_eq!(dec(r#""x\"#), None);
        assert_eq!(dec(r#""lone \ud800 x""#).unwrap().0, "lone \u{FFFD} x");
        assert_eq!(skip(br#""x\"#, 0), None);
        assert_eq!(dec("no quote"), None);
    }
}
