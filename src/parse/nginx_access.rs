//! Access-log lines of the `combined`/`common` family, whoever writes them (nginx, and app
//! servers: gunicorn, morgan): optional `$host[:$port]` or an `X-Forwarded-For` chain first,
//! then extra fields (`key=value` pairs, bare trailing numbers, ids, ingress-nginx's
//! `upstreaminfo` tail). Who wrote a file, and so the unit of its bare timing, is decided
//! per input (`Access`). Knows nothing about counting.

use std::borrow::Cow;

use super::event::LogEvent;
use super::fields::Unit;
use super::format::{Format, Source};
use super::request_line::split_request_line;
use super::swar;
use super::time::{self, Zone, ZoneCache};

/// Who writes an input's access lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Producer {
    #[default]
    Nginx,
    Gunicorn,
    Morgan,
}

impl Producer {
    pub fn format(self) -> Format {
        match self {
            Producer::Nginx => Format::NginxAccess,
            Producer::Gunicorn => Format::GunicornAccess,
            Producer::Morgan => Format::Morgan,
        }
    }
}

/// How an input's access lines read: who writes them and the unit of a bare number after
/// the user agent (`$request_time` s, gunicorn's `%(D)s` µs / `%(M)s` ms / `%(L)s` s,
/// morgan's `:response-time` ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    pub producer: Producer,
    pub unit: Unit,
    /// The app server's access lines (uvicorn's, gunicorn's, morgan's) echo what the app
    /// logs itself: the app writes a status for nearly every request they record.
    pub echo: bool,
}

impl Default for Access {
    fn default() -> Access {
        Access {
            producer: Producer::Nginx,
            unit: Unit::S,
            echo: false,
        }
    }
}

/// Parses an access line with nginx's reading. Returns `None` for anything else.
pub fn parse<'a>(line: &'a str, zone: &Zone, cache: &mut ZoneCache) -> Option<LogEvent<'a>> {
    let mut ev = LogEvent::default();
    parse_into(line, zone, cache, &Access::default(), &mut ev).map(|()| ev)
}

/// A client address as access logs write it: IPv4, IPv6, or `-` when unknown.
fn addr_ok(a: &str) -> bool {
    !a.is_empty()
        && a.len() <= 45
        && a.bytes()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, b'.' | b':' | b'-'))
}

fn host_ok(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b':'))
}

/// The client of what comes before ` ident user [`: one address, `$host` then the address,
/// or an `X-Forwarded-For` chain (its last hop is the peer nginx saw, as its error log names
/// it). `None` when it is none of these.
fn client(prefix: &str) -> Option<Option<&str>> {
    let b = prefix.as_bytes();
    if memchr::memchr(b',', b).is_some() {
        let last = prefix.rsplit(", ").next()?;
        let ok = prefix.split(", ").all(|a| addr_ok(a) && !a.contains(' '));
        return ok.then_some((last != "-").then_some(last));
    }
    let addr = match memchr::memchr(b' ', b) {
        None => prefix,
        Some(sp) => {
            let (host, addr) = (&prefix[..sp], &prefix[sp + 1..]);
            if !host_ok(host) || memchr::memchr(b' ', addr.as_bytes()).is_some() {
                return None;
            }
            addr
        }
    };
    addr_ok(addr).then_some((addr != "-").then_some(addr))
}

/// `parse` into a default event of the caller's (nothing moved on the hot path); `None`, the
/// event untouched, for anything else.
pub fn parse_into<'a>(
    line: &'a str,
    zone: &Zone,
    cache: &mut ZoneCache,
    access: &Access,
    ev: &mut LogEvent<'a>,
) -> Option<()> {
    let b = line.as_bytes();
    // Single-byte searches: `str::find` with a string pattern builds a searcher per call.
    let open = memchr::memchr(b'[', b)?;
    if open < 6 || b[open - 1] != b' ' {
        return None;
    }
    // `ident user` before the bracket: two short tokens, after the client part.
    let before = &line[..open - 1];
    let sp = memchr::memrchr(b' ', before.as_bytes())?;
    let (rest, user) = (&before[..sp], &before[sp + 1..]);
    let sp = memchr::memrchr(b' ', rest.as_bytes())?;
    let (prefix, ident) = (&rest[..sp], &rest[sp + 1..]);
    if user.is_empty() || ident.is_empty() || user.len() > 64 || ident.len() > 64 {
        return None;
    }
    let addr = client(prefix)?;
    let close = memchr::memchr(b']', &b[open..])? + open;
    if !line[close..].starts_with("] \"") {
        return None;
    }
    let ts = time::parse_ts(&line[open + 1..close], zone, cache)?;
    let after = &line[close + 3..];
    let (request, after) = quoted(after)?;
    // `status bytes tail`, cut by byte search (`splitn(3, ' ')` costs a searcher per call).
    let after = after.trim_start();
    let sp = memchr::memchr(b' ', after.as_bytes())?;
    let status: u16 = after[..sp].parse().ok()?;
    let rest = &after[sp + 1..];
    let tail = memchr::memchr(b' ', rest.as_bytes()).map_or("", |i| &rest[i + 1..]);
    let (_referer, tail) = match tail.strip_prefix('"') {
        Some(t) => quoted(t).unwrap_or(("", tail)),
        None => ("", tail),
    };
    let tail = tail.trim_start();
    let (_agent, extras) = match tail.strip_prefix('"') {
        Some(t) => quoted(t).unwrap_or(("", "")),
        None => ("", tail),
    };
    let (method, target) = split_request_line(request);
    ev.format = Some(access.producer.format());
    ev.ts = Some(ts);
    ev.status = (100..=599).contains(&status).then_some(status);
    ev.method = method.map(Cow::Borrowed);
    ev.path = target.map(Cow::Borrowed);
    ev.client = addr.map(Cow::Borrowed);
    if !ingress(extras, ev) {
        extra_fields(extras, access, ev);
    }
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

/// A request id written bare: nginx's `$request_id` (32 hex digits) or a UUID.
pub fn is_id(t: &str) -> bool {
    let b = t.as_bytes();
    match b.len() {
        32 => b.iter().all(u8::is_ascii_hexdigit),
        36 => b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        }),
        _ => false,
    }
}

/// A bare number after the user agent; whether it has a fraction and how many digits.
fn number(t: &str) -> Option<(f64, usize)> {
    if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        return None;
    }
    let frac = t.split_once('.').map_or(0, |(_, f)| f.len());
    t.parse().ok().map(|v| (v, frac))
}

/// ingress-nginx's `upstreaminfo` tail: `$request_length $request_time [$proxy_upstream_name]
/// [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length
/// $upstream_response_time $upstream_status $req_id`, retries as `a, b` lists.
fn ingress<'a>(extras: &'a str, ev: &mut LogEvent<'a>) -> bool {
    let extras = extras.trim_start();
    // `$request_length` first: anything else is not this tail.
    if !extras.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let mut it = extras.split(' ');
    let (Some(len), Some(time), Some(name), Some(alt)) =
        (it.next(), it.next(), it.next(), it.next())
    else {
        return false;
    };
    let bracketed = |t: &str| t.starts_with('[') && t.ends_with(']');
    if !bracketed(name)
        || !bracketed(alt)
        || len.is_empty()
        || !len.bytes().all(|c| c.is_ascii_digit())
    {
        return false;
    }
    let Some((secs, _)) = number(time) else {
        return false;
    };
    // The lists that follow, a retry each after `, `: addresses, lengths, times, statuses.
    let mut groups: Vec<Vec<&'a str>> = Vec::with_capacity(5);
    let mut group: Vec<&'a str> = Vec::new();
    for tok in it {
        match tok.strip_suffix(',') {
            Some(t) => group.push(t),
            None => {
                group.push(tok);
                groups.push(std::mem::take(&mut group));
            }
        }
    }
    if groups.len() != 5 {
        return false;
    }
    ev.latency_ms = Some(secs * 1e3);
    ev.upstream = groups[0]
        .last()
        .filter(|a| **a != "-")
        .map(|a| Cow::Borrowed(*a));
    ev.request_id = groups[4]
        .first()
        .filter(|id| **id != "-" && !id.is_empty())
        .map(|id| Cow::Borrowed(*id));
    true
}

/// The space- or tab-separated tokens of `s`: the extras of every access line go through
/// here, and `split_ascii_whitespace` looks at each byte (and a memchr call per token cost
/// more than the search: tokens are short).
fn tokens(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            let end = swar::find2(rest.as_bytes(), 0, b' ', b'\t');
            let tok = &rest[..end];
            rest = &rest[(end + 1).min(rest.len())..];
            if !tok.is_empty() {
                return Some(tok);
            }
        }
    })
}

/// `s` without the `"` at either end (all of them, as `trim_matches('"')`).
fn trim_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    let start = b.iter().position(|&c| c != b'"').unwrap_or(b.len());
    let end = b.iter().rposition(|&c| c != b'"').map_or(start, |i| i + 1);
    &s[start..end]
}

fn extra_fields<'a>(extras: &'a str, access: &Access, ev: &mut LogEvent<'a>) {
    let mut numbers = 0;
    for tok in tokens(extras) {
        // Byte searches: `str::split_once(char)` and `trim_matches` cost a third of the
        // access line's parse in callgrind.
        let eq = swar::find(tok.as_bytes(), 0, b'=');
        if eq < tok.len() {
            let (k, v) = (&tok[..eq], trim_quotes(&tok[eq + 1..]));
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
        } else if let Some((v, frac)) = number(tok) {
            // The first bare number is the timing: nginx's `$request_time` always has a
            // fraction (an integer there is a byte count); app servers' may not.
            if numbers == 0 && (frac > 0 || access.producer == Producer::Gunicorn) {
                ev.latency_ms = Some(access.unit.to_ms(v));
            }
            numbers += 1;
        } else if ev.request_id.is_none() && is_id(tok) {
            ev.request_id = Some(Cow::Borrowed(tok));
        }
    }
}

/// The shape of the first bare number after an access line's user agent, for deciding who
/// wrote an input (`Evidence`).
/// `None` for ingress-nginx's `upstreaminfo` tail, whose first number is a byte count.
pub fn first_number(line: &str) -> Option<(f64, usize)> {
    let after = line.rsplit_once("\" ")?.1;
    let mut it = after.split_ascii_whitespace();
    let first = it.next().and_then(number)?;
    let ingress = it.next().is_some_and(|t| number(t).is_some())
        && it.next().is_some_and(|t| t.starts_with('['));
    (!ingress).then_some(first)
}

/// What the head of an input says about who writes its access lines.
#[derive(Default, Debug)]
pub struct Evidence {
    /// Access lines seen, and of them those whose first extra is an integer or a number
    /// with six decimals (what gunicorn writes, never nginx).
    pub lines: u32,
    pub int_lines: u32,
    /// The integers themselves (a sample), whose median tells µs from ms.
    pub integers: Vec<f64>,
    pub micros_decimals: u32,
    /// Lines of the app servers' own formats in the same input.
    pub gunicorn_lines: u32,
    pub morgan_lines: u32,
    /// Records with a status: the app server's access lines, and the app's own lines.
    pub server_statuses: u32,
    pub app_statuses: u32,
}

impl Evidence {
    /// One parsed record of the input (`head`: its first line as read).
    pub fn observe(&mut self, ev: &LogEvent<'_>, head: &[u8]) {
        if ev.status.is_some() && ev.source() == Source::App {
            // (Access lines read before the producer is known are `nginx_access`, source
            // nginx: `decide` adds them when an app server wrote them.)
            match ev.format {
                Some(f) if f.is_server_access() => self.server_statuses += 1,
                _ => self.app_statuses += 1,
            }
        }
        match ev.format {
            Some(Format::NginxAccess) => {
                self.lines += 1;
                let own = ev.inner.unwrap_or(head);
                match std::str::from_utf8(own).ok().and_then(first_number) {
                    Some((v, 0)) => {
                        self.int_lines += 1;
                        if self.integers.len() < 4096 {
                            self.integers.push(v);
                        }
                    }
                    Some((_, 6)) => self.micros_decimals += 1,
                    _ => {}
                }
            }
            Some(Format::Gunicorn) => self.gunicorn_lines += 1,
            Some(Format::Morgan) => self.morgan_lines += 1,
            _ => {}
        }
    }

    /// Who writes the access lines of input `name`, and the unit of their bare timing.
    pub fn decide(&mut self, name: &str) -> Access {
        let n = name.to_ascii_lowercase();
        let half = |k: u32| self.lines > 0 && k * 2 > self.lines;
        let producer = if n.contains("gunicorn") || self.gunicorn_lines > 0 {
            Producer::Gunicorn
        } else if n.contains("morgan") || n.contains("express") || self.morgan_lines > 0 {
            Producer::Morgan
        } else if half(self.int_lines) || half(self.micros_decimals) {
            Producer::Gunicorn
        } else {
            Producer::Nginx
        };
        let unit = match producer {
            Producer::Nginx => Unit::S,
            Producer::Morgan => Unit::Ms,
            Producer::Gunicorn if half(self.micros_decimals) => Unit::S,
            Producer::Gunicorn => {
                // `%(D)s` (µs) and `%(M)s` (ms) are both integers: a web request's median
                // under a millisecond is rarer than one over it.
                self.integers.sort_by(f64::total_cmp);
                match self.integers.get(self.integers.len() / 2) {
                    Some(m) if *m < 1000.0 => Unit::Ms,
                    _ => Unit::Us,
                }
            }
        };
        // Three app statuses for four of the server's lines: the app logs every request
        // (not only its failures), so counting both would count each request twice.
        let server = self.server_statuses
            + if producer == Producer::Nginx {
                0
            } else {
                self.lines
            };
        let echo = server > 0 && self.app_statuses * 4 >= server * 3;
        Access {
            producer,
            unit,
            echo,
        }
    }
}

#[cfg(test)]
mod tests;
