//! Go's standard `log` (`2026/12/01 06:30:59 message`, with or without microseconds and a
//! `file.go:12:` prefix), and what net/http writes through it: `http: panic serving ADDR:
//! value`, an error whose stack follows on continuation lines. Knows nothing about counting.

use super::reader::Text;
use crate::parse::fields::Canonical;
use crate::parse::format::Format;

/// The length of `2026/12/01 06:30:59` or `2026/12/01 06:30:59.123456` at the start.
fn stamp_len(b: &[u8]) -> Option<usize> {
    let ok = b.len() > 20
        && b[4] == b'/'
        && b[7] == b'/'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':';
    if !ok {
        return None;
    }
    match b[19] {
        b' ' => Some(19),
        b'.' => {
            let n = b[20..].iter().take_while(|c| c.is_ascii_digit()).count();
            (n > 0 && b.get(20 + n) == Some(&b' ')).then_some(20 + n)
        }
        _ => None,
    }
}

pub fn parse<'a>(t: &mut Text<'_, 'a>, line: &'a str) -> bool {
    let Some(n) = stamp_len(line.as_bytes()) else {
        return false;
    };
    let mut msg = &line[n + 1..];
    // `log.Lshortfile`/`Llongfile`: `main.go:42: message`.
    if let Some((file, rest)) = msg.split_once(": ")
        && !file.contains(' ')
        && file.contains(".go:")
    {
        msg = rest;
    }
    t.offer(Canonical::Ts, &line[..n]);
    t.offer(Canonical::Msg, msg);
    if msg.starts_with("http: panic serving ") || msg.starts_with("panic: ") {
        t.offer(Canonical::Level, "ERROR");
        t.offer(Canonical::ErrorType, "panic");
    }
    t.pairs(msg);
    t.finish(Format::GoLog)
}
