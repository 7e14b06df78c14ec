//! The text of Python servers: `logging` layouts (`%(asctime)s %(levelname)s %(name)s:
//! %(message)s`, the ` - `-separated one, Flask's `[%(asctime)s] %(levelname)s in
//! %(module)s:`, `basicConfig`'s `%(levelname)s:%(name)s:%(message)s`), uvicorn's own lines
//! (`INFO:     message` and its access lines) and gunicorn's error log. Fields come from
//! the layout, then from `key=value` pairs in the message. Knows nothing about counting.

use std::borrow::Cow;

use super::reader::Text;
use crate::parse::fields::{Canonical, Unit};
use crate::parse::format::Format;
use crate::parse::picked::Raw;
use crate::parse::request_line::split_request_line;

/// Python's level names as `logging` writes them (upper case only: prose never matches).
fn py_level(w: &str) -> bool {
    matches!(
        w,
        "DEBUG" | "INFO" | "WARNING" | "WARN" | "ERROR" | "CRITICAL" | "FATAL" | "NOTSET"
    )
}

/// `YYYY-MM-DD HH:MM:SS,mmm` (asctime) at the start; its length.
fn asctime_len(b: &[u8]) -> Option<usize> {
    let ok = b.len() >= 23
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b','
        && b[20..23].iter().all(u8::is_ascii_digit);
    ok.then_some(23)
}

/// A layout after `%(asctime)s`: `LEVEL name: msg`, `- name - LEVEL - msg`, `LEVEL msg`,
/// `[LEVEL] msg` or `name LEVEL msg`. Returns (level, message).
fn after_asctime(rest: &str) -> Option<(&str, &str)> {
    let rest = rest.strip_prefix(' ')?;
    if let Some(r) = rest.strip_prefix("- ") {
        // `%(asctime)s - %(name)s - %(levelname)s - %(message)s`
        let (_name, r) = r.split_once(" - ")?;
        let (level, msg) = r.split_once(" - ").unwrap_or((r, ""));
        return py_level(level).then_some((level, msg));
    }
    let (t0, r0) = rest.split_once(' ').unwrap_or((rest, ""));
    let bare = t0
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches(':');
    if py_level(bare) {
        // `LEVEL name: msg` or `LEVEL msg`.
        let msg = match r0.split_once(' ') {
            Some((name, m)) if name.ends_with(':') && !name.contains('=') => m,
            _ if r0.ends_with(':') && !r0.contains(' ') => "",
            _ => r0,
        };
        return Some((bare, msg));
    }
    // `name LEVEL msg`
    let (t1, r1) = r0.split_once(' ').unwrap_or((r0, ""));
    py_level(t1.trim_end_matches(':')).then_some((t1.trim_end_matches(':'), r1))
}

/// Lines starting with Python's asctime.
pub fn asctime<'a>(t: &mut Text<'_, 'a>, line: &'a str) -> bool {
    let Some(n) = asctime_len(line.as_bytes()) else {
        return false;
    };
    let Some((level, msg)) = after_asctime(&line[n..]) else {
        return false;
    };
    layout(t, &line[..n], level, msg, Format::Python)
}

/// Lines starting with `[`: gunicorn's `[2026-12-01 06:49:31 +0000] [7] [INFO] msg`, or
/// Flask's `[2026-12-01 06:49:31,144] INFO in module: msg`.
pub fn bracketed<'a>(t: &mut Text<'_, 'a>, line: &'a str) -> bool {
    let Some((stamp, rest)) = line[1..].split_once("] ") else {
        return false;
    };
    if !stamp.as_bytes().first().is_some_and(u8::is_ascii_digit) || stamp.len() > 40 {
        return false;
    }
    if let Some(r) = rest.strip_prefix('[')
        && let Some((pid, r)) = r.split_once("] [")
        && pid.bytes().all(|b| b.is_ascii_digit())
        && let Some((level, msg)) = r.split_once("] ")
        && py_level(level)
    {
        return layout(t, stamp, level, msg, Format::Gunicorn);
    }
    let Some((level, r)) = rest.split_once(' ') else {
        return false;
    };
    let Some((_module, msg)) = r.strip_prefix("in ").and_then(|r| r.split_once(": ")) else {
        return false;
    };
    py_level(level) && layout(t, stamp, level, msg, Format::Python)
}

/// Lines starting with an upper-case level and a colon: uvicorn's `INFO:     message`
/// (padded to ten columns) and `basicConfig`'s `INFO:name:message`.
pub fn level_colon<'a>(t: &mut Text<'_, 'a>, line: &'a str) -> bool {
    let Some((level, rest)) = line.split_once(':') else {
        return false;
    };
    if !py_level(level) {
        return false;
    }
    if rest.starts_with(' ') {
        let msg = rest.trim_start();
        if uvicorn_access(t, msg) {
            t.p.offer_layout(Canonical::Level, Unit::Auto, Raw::Str(Cow::Borrowed(level)));
            return t.finish(Format::Uvicorn);
        }
        return layout_untimed(t, level, msg, Format::Uvicorn);
    }
    let Some((_name, msg)) = rest.split_once(':') else {
        return false;
    };
    layout_untimed(t, level, msg, Format::Python)
}

/// uvicorn's access line: `127.0.0.1:5555 - "GET /healthz HTTP/1.1" 200 OK`.
fn uvicorn_access<'a>(t: &mut Text<'_, 'a>, msg: &'a str) -> bool {
    let Some((client, r)) = msg.split_once(" - \"") else {
        return false;
    };
    let Some((request, r)) = r.split_once("\" ") else {
        return false;
    };
    let status = r.split(' ').next().unwrap_or("");
    if status.len() != 3 || !status.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (method, path) = split_request_line(request);
    let (Some(m), Some(p)) = (method, path) else {
        return false;
    };
    let host = client
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(client, |(h, _)| h);
    let pl = &mut t.p;
    let s = |v: &'a str| Raw::Str(Cow::Borrowed(v));
    pl.offer_layout(Canonical::Client, Unit::Auto, s(host));
    pl.offer_layout(Canonical::Method, Unit::Auto, s(m));
    pl.offer_layout(Canonical::Path, Unit::Auto, s(p));
    pl.offer_layout(Canonical::Status, Unit::Auto, s(status));
    pl.offer_layout(Canonical::Msg, Unit::Auto, s(msg));
    true
}

fn layout<'a>(
    t: &mut Text<'_, 'a>,
    stamp: &'a str,
    level: &'a str,
    msg: &'a str,
    f: Format,
) -> bool {
    t.p.offer_layout(Canonical::Ts, Unit::Auto, Raw::Str(Cow::Borrowed(stamp)));
    layout_untimed(t, level, msg, f)
}

fn layout_untimed<'a>(t: &mut Text<'_, 'a>, level: &'a str, msg: &'a str, f: Format) -> bool {
    t.p.offer_layout(Canonical::Level, Unit::Auto, Raw::Str(Cow::Borrowed(level)));
    t.p.offer_layout(Canonical::Msg, Unit::Auto, Raw::Str(Cow::Borrowed(msg)));
    t.pairs(msg);
    t.finish(f)
}
