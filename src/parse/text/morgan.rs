//! Express morgan's short presets: `tiny` (`GET /x 200 15 - 1.305 ms`), `short`
//! (`127.0.0.1 - GET /x HTTP/1.1 200 15 - 1.305 ms`) and `dev` (ANSI-coloured `GET /x 200
//! 1.305 ms - 15`), their `:response-time` in milliseconds. `combined` and `common` are
//! access lines (see `nginx_access`). Knows nothing about counting.

use std::borrow::Cow;

use super::reader::Text;
use crate::parse::fields::{Canonical, Unit};
use crate::parse::format::Format;
use crate::parse::picked::Raw;

fn status_ok(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit())
}

fn method_ok(s: &str) -> bool {
    !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_uppercase())
}

fn offer<'a>(
    t: &mut Text<'_, 'a>,
    method: Cow<'a, str>,
    path: Cow<'a, str>,
    status: Cow<'a, str>,
    ms: Cow<'a, str>,
) -> bool {
    let p = &mut t.p;
    p.offer_layout(Canonical::Method, Unit::Auto, Raw::Str(method));
    p.offer_layout(Canonical::Path, Unit::Auto, Raw::Str(path));
    p.offer_layout(Canonical::Status, Unit::Auto, Raw::Str(status));
    if ms != "-" {
        p.offer_layout(Canonical::Latency, Unit::Ms, Raw::Str(ms));
    }
    t.finish(Format::Morgan)
}

/// `:method :url :status :res[content-length] - :response-time ms`
pub fn tiny<'a>(t: &mut Text<'_, 'a>, line: &'a str) -> bool {
    let f: Vec<&str> = line.split(' ').collect();
    if f.len() != 7 || !method_ok(f[0]) || !status_ok(f[2]) || f[4] != "-" || f[6] != "ms" {
        return false;
    }
    offer(t, f[0].into(), f[1].into(), f[2].into(), f[5].into())
}

/// `:remote-addr :remote-user :method :url HTTP/:http-version :status :res[content-length] - :response-time ms`
pub fn short<'a>(t: &mut Text<'_, 'a>, line: &'a str) -> bool {
    let f: Vec<&str> = line.split(' ').collect();
    if f.len() != 10
        || !method_ok(f[2])
        || !f[4].starts_with("HTTP/")
        || !status_ok(f[5])
        || f[7] != "-"
        || f[9] != "ms"
    {
        return false;
    }
    t.offer(Canonical::Client, f[0]);
    offer(t, f[2].into(), f[3].into(), f[5].into(), f[8].into())
}

/// `dev`: `:method :url :status :response-time ms - :res[content-length]`, coloured.
pub fn dev<'a>(t: &mut Text<'_, 'a>, line: &'a str) -> bool {
    let plain = strip_ansi(line);
    let f: Vec<&str> = plain.split(' ').collect();
    if f.len() != 7 || !method_ok(f[0]) || !status_ok(f[2]) || f[4] != "ms" || f[5] != "-" {
        return false;
    }
    let own = |s: &str| Cow::Owned(s.to_owned());
    let (m, p, s, ms) = (own(f[0]), own(f[1]), own(f[2]), own(f[3]));
    offer(t, m, p, s, ms)
}

/// Text with ANSI SGR sequences (`ESC [ ... m`) removed.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\u{1b}' && it.peek() == Some(&'[') {
            it.next();
            for d in it.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}
