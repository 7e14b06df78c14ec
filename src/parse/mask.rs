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
        while j < b.len() && (is_word(b[j]) || matches!(b[j], b'.' | b'/' | b'-')) {
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

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn classify(tok: &str) -> Option<&'static str> {
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

#[cfg(test)]
mod tests {
    use super::mask;

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
    }
}
