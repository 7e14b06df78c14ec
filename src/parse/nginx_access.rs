//! nginx access-log lines in `combined` format, optionally followed by extra fields
//! (`key=value` pairs or bare trailing numbers). Knows nothing about counting.

use std::borrow::Cow;

use super::time::{self, Zone, ZoneCache};
use super::{Format, LogEvent, split_request_line};

/// Parses `$remote_addr - $remote_user [$time_local] "$request" $status $bytes "$referer"
/// "$user_agent" [extras]`. Returns `None` for anything else.
pub fn parse<'a>(line: &'a str, zone: &Zone, cache: &mut ZoneCache) -> Option<LogEvent<'a>> {
    let mut ev = LogEvent::default();
    parse_into(line, zone, cache, &mut ev).map(|()| ev)
}

/// `parse` into a default event of the caller's (nothing moved on the hot path); `None`, the
/// event untouched, for anything else.
pub fn parse_into<'a>(
    line: &'a str,
    zone: &Zone,
    cache: &mut ZoneCache,
    ev: &mut LogEvent<'a>,
) -> Option<()> {
    let (addr, rest) = line.split_once(' ')?;
    if addr.is_empty()
        || !addr
            .bytes()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, b'.' | b':' | b'-'))
    {
        return None;
    }
    // Single-byte searches: `str::find` with a string pattern builds a searcher per call.
    let open = memchr::memchr(b'[', rest.as_bytes())? + 1;
    // `- user` before the bracket: two short tokens.
    if open < 2 || rest.as_bytes()[open - 2] != b' ' || rest[..open - 2].split(' ').count() != 2 {
        return None;
    }
    let close = memchr::memchr(b']', &rest.as_bytes()[open..])? + open;
    if !rest[close..].starts_with("] \"") {
        return None;
    }
    let ts = time::parse_ts(&rest[open..close], zone, cache)?;
    let after = &rest[close + 3..];
    let (request, after) = quoted(after)?;
    let mut it = after.trim_start().splitn(3, ' ');
    let status: u16 = it.next()?.parse().ok()?;
    let _bytes = it.next()?;
    let tail = it.next().unwrap_or("");
    let (_referer, tail) = quoted(tail.strip_prefix('"').unwrap_or(tail)).unwrap_or(("", tail));
    let tail = tail.trim_start();
    let (_agent, extras) = match tail.strip_prefix('"') {
        Some(t) => quoted(t).unwrap_or(("", "")),
        None => ("", tail),
    };
    let (method, target) = split_request_line(request);
    ev.format = Some(Format::NginxAccess);
    ev.ts = Some(ts);
    ev.status = (100..=599).contains(&status).then_some(status);
    ev.method = method.map(Cow::Borrowed);
    ev.path = target.map(Cow::Borrowed);
    ev.client = Some(Cow::Borrowed(addr));
    extra_fields(extras, ev);
    Some(())
}

/// Splits at the closing quote of a string whose opening quote was already consumed.
/// nginx escapes `"` inside variables as `\x22`, so the first `"` followed by a space or the
/// end of line closes it.
fn quoted(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'"', &b[i..]) {
        let q = i + off;
        if q + 1 == b.len() || b[q + 1] == b' ' {
            return Some((&s[..q], &s[q + 1..]));
        }
        i = q + 1;
    }
    None
}

fn extra_fields<'a>(extras: &'a str, ev: &mut LogEvent<'a>) {
    let mut bare_numbers = 0;
    for tok in extras.split_ascii_whitespace() {
        if let Some((k, v)) = tok.split_once('=') {
            let v = v.trim_matches('"');
            if v.is_empty() || v == "-" {
                continue;
            }
            match k {
                "request_id" | "rid" | "req_id" | "x_request_id" | "trace_id" => {
                    ev.request_id = Some(Cow::Borrowed(v));
                }
                "request_time" | "rt" => ev.latency_ms = v.parse::<f64>().ok().map(|s| s * 1e3),
                "upstream_addr" | "ua" => {
                    ev.upstream = Some(Cow::Borrowed(v.trim_end_matches(',')))
                }
                _ => {}
            }
        } else if tok.bytes().all(|c| c.is_ascii_digit() || c == b'.') && tok.contains('.') {
            // Bare trailing numbers: the first is `$request_time` (seconds).
            if bare_numbers == 0 {
                ev.latency_ms = tok.parse::<f64>().ok().map(|s| s * 1e3);
            }
            bare_numbers += 1;
        } else if tok.len() == 32
            && tok.bytes().all(|c| c.is_ascii_hexdigit())
            && ev.request_id.is_none()
        {
            // A bare `$request_id`.
            ev.request_id = Some(Cow::Borrowed(tok));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: &str) -> Option<LogEvent<'_>> {
        parse(
            line,
            &Zone::parse("UTC").unwrap(),
            &mut ZoneCache::default(),
        )
    }

    #[test]
    fn combined_with_key_values() {
        let e = p(r#"10.1.2.3 - - [06/May/2025:04:00:08 +0000] "POST /retrieval/apple_health_data?x=1 HTTP/1.1" 504 160 "-" "okhttp/4.9.3" request_id=0123456789abcdef0123456789abcdef request_time=60.001 upstream_response_time=60.000 upstream_status=504 upstream_addr=10.0.0.7:30016"#).unwrap();
        assert_eq!(e.ts, Some(1_746_504_008_000_000));
        assert_eq!(e.status, Some(504));
        assert_eq!(e.method.as_deref(), Some("POST"));
        assert_eq!(e.path.as_deref(), Some("/retrieval/apple_health_data?x=1"));
        assert_eq!(
            e.request_id.as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(e.latency_ms, Some(60001.0));
        assert_eq!(e.upstream.as_deref(), Some("10.0.0.7:30016"));
        assert_eq!(e.client.as_deref(), Some("10.1.2.3"));
    }

    #[test]
    fn plain_combined_and_bare_numbers() {
        let e = p(r#"::1 - alice [06/May/2025:04:00:08 +0200] "GET / HTTP/1.1" 200 5 "http://x/" "curl/8.0 \"quoted\"""#).unwrap();
        assert_eq!(e.status, Some(200));
        assert_eq!(e.ts, Some(1_746_504_008_000_000 - 7_200_000_000));
        assert!(e.latency_ms.is_none());
        let e = p(r#"1.2.3.4 - - [06/May/2025:04:00:08 +0000] "GET /a HTTP/1.1" 200 5 "-" "ua" 0.250 0.249"#).unwrap();
        assert_eq!(e.latency_ms, Some(250.0));
    }

    #[test]
    fn garbage_request_line() {
        let e = p(r#"1.2.3.4 - - [06/May/2025:04:00:08 +0000] "\x16\x03\x01" 400 157 "-" "-""#)
            .unwrap();
        assert_eq!(e.status, Some(400));
        assert!(e.method.is_none());
    }

    #[test]
    fn rejects_other_text() {
        assert!(p("Serving HTTP on 0.0.0.0 port 8000").is_none());
        assert!(p("hello world").is_none());
        assert!(p("").is_none());
    }
}
