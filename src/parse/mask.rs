//! Masks the variable parts of a message (numbers, hex and UUID ids, IP addresses, quoted
//! strings, paths) so messages that differ only in them fall into one class. Pure text in,
//! text out; knows nothing about where the message came from.

/// Returns the masked template: `open() "/a/b" failed (13: Permission denied)` becomes
/// `open() "<*>" failed (<n>: Permission denied)`. Works on bytes and copies unmasked runs
/// whole; it slices only at ASCII positions, so multi-byte characters pass through intact.
pub fn mask(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    mask_into(msg, &mut out);
    out
}

/// `mask`, into a reusable buffer (cleared first).
pub fn mask_into(msg: &str, out: &mut String) {
    out.clear();
    let b = msg.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if (c == b'"' || c == b'\'')
            && let Some(end) = memchr::memchr(c, &b[i + 1..])
        {
            out.push_str(&msg[copied..i]);
            out.push(c as char);
            out.push_str("<*>");
            out.push(c as char);
            i += end + 2;
            copied = i;
            continue;
        }
        let word_start = i == 0 || !is_word(b[i - 1]);
        if !(word_start && (is_word(c) || c == b'/')) {
            i += 1;
            continue;
        }
        if b[i..].starts_with(b"http://") || b[i..].starts_with(b"https://") {
            let end = b[i..]
                .iter()
                .position(|&x| matches!(x, b' ' | b',' | b'"' | b'\''))
                .map_or(b.len(), |e| i + e);
            out.push_str(&msg[copied..i]);
            out.push_str("<url>");
            i = end;
            copied = i;
            continue;
        }
        let mut j = i;
        while j < b.len() && CLASS[b[j] as usize] & TOKEN != 0 {
            j += 1;
        }
        // Trailing punctuation belongs to the sentence, not the token.
        while j > i && matches!(b[j - 1], b'.' | b'-') {
            j -= 1;
        }
        if let Some(kind) = classify(&msg[i..j]) {
            out.push_str(&msg[copied..i]);
            out.push_str(kind);
            copied = j;
        }
        i = j.max(i + 1);
    }
    out.push_str(&msg[copied..]);
}

/// Byte classes, one table lookup each: `is_ascii_alphanumeric` and friends are a chain of
/// range compares, and these run on every byte of every masked message.
const WORD: u8 = 1;
const TOKEN: u8 = 2;
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_alphanumeric() || b == b'_' {
            t[c] = WORD | TOKEN;
        } else if matches!(b, b'.' | b'/' | b'-') {
            t[c] = TOKEN;
        }
        c += 1;
    }
    t
};

#[inline(always)]
fn is_word(c: u8) -> bool {
    CLASS[c as usize] & WORD != 0
}

fn classify(tok: &str) -> Option<&'static str> {
    let b = tok.as_bytes();
    if tok.starts_with('/') && tok.len() > 1 {
        return Some("<path>");
    }
    // One pass over the token (this runs on every word of every masked message): digits,
    // dots, and whether it is still all digits-and-dots or all hex-and-dashes.
    let (mut digits, mut dots, mut numeric, mut hexish) = (0usize, 0usize, true, true);
    for &c in b {
        if c.is_ascii_digit() {
            digits += 1;
        } else if c == b'.' {
            dots += 1;
            hexish = false;
        } else {
            numeric = false;
            if !(c.is_ascii_hexdigit() || c == b'-') {
                return None;
            }
        }
    }
    if digits == b.len() {
        return Some("<n>");
    }
    if numeric && dots == 3 {
        return Some("<ip>");
    }
    if numeric && b[0].is_ascii_digit() {
        return Some("<n>");
    }
    if hexish && b.len() >= 8 && digits > 0 {
        return Some("<id>");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{classify, mask};

    /// The classifier as first written, five passes over the token: the one-pass version
    /// must agree with it on every token.
    fn classify_reference(tok: &str) -> Option<&'static str> {
        let b = tok.as_bytes();
        if tok.starts_with('/') && tok.len() > 1 {
            return Some("<path>");
        }
        if b.iter().all(|c| c.is_ascii_digit()) {
            return Some("<n>");
        }
        if b.iter().all(|c| c.is_ascii_digit() || *c == b'.')
            && b.iter().filter(|c| **c == b'.').count() == 3
        {
            return Some("<ip>");
        }
        if b.iter().all(|c| c.is_ascii_digit() || *c == b'.') && b[0].is_ascii_digit() {
            return Some("<n>");
        }
        let hexish = b.iter().all(|c| c.is_ascii_hexdigit() || *c == b'-');
        if hexish && b.len() >= 8 && b.iter().any(u8::is_ascii_digit) {
            return Some("<id>");
        }
        None
    }

    #[test]
    fn one_pass_classify_agrees_with_the_reference() {
        let alphabet = b"0123456789abcdefxyzAF.-/_";
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = 1 + (state % 12) as usize;
            let tok: String = (0..len)
                .map(|k| {
                    alphabet[((state >> (5 * k % 60)) % alphabet.len() as u64) as usize] as char
                })
                .collect();
            assert_eq!(classify(&tok), classify_reference(&tok), "{tok:?}");
        }
    }

    #[test]
    fn masks_variable_parts() {
        assert_eq!(
            mask(r#"open() "/usr/share/x.png" failed (13: Permission denied)"#),
            r#"open() "<*>" failed (<n>: Permission denied)"#
        );
        assert_eq!(
            mask("connect to 10.0.0.7:30016 took 25 ms"),
            "connect to <ip>:<n> took <n> ms"
        );
        assert_eq!(
            mask("user 6f1c0b8e-9d2a-4c3b-8a7e-5f4d3c2b1a09 gone"),
            "user <id> gone"
        );
        assert_eq!(
            mask("reading /var/cache/nginx/x/1 now."),
            "reading <path> now."
        );
        assert_eq!(mask("plain words stay"), "plain words stay");
        assert_eq!(
            mask("upstream: \"http://10.0.0.7:30016/a\" at 04:00:08"),
            "upstream: \"<*>\" at <n>:<n>:<n>"
        );
        assert_eq!(mask("see http://x.y/z, then"), "see <url>, then");
        assert_eq!(mask("héllo 12"), "héllo <n>");
        assert_eq!(
            mask("v2 1.2 1.2.3.4 .5 ab-12cd34 deadbeef 1e5"),
            "v2 <n> <ip> .<n> <id> deadbeef 1e5"
        );
    }
}
