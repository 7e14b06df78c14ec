//! syslog as hosts keep it: RFC 3164 (`Dec  1 06:30:59 host app[123]: text`, as rsyslog writes
//! `/var/log/syslog` and journalctl prints by default; no year, no zone), the same with an
//! ISO stamp (journalctl `-o short-iso`, rsyslog's `RSYSLOG_FileFormat`), and RFC 5424
//! (`<165>1 2026-12-01T06:30:59.123Z host app 123 - - text`). Must not parse the program's
//! text.

use std::borrow::Cow;

use super::journald::severity;
use super::types::{Ctx, Envelope, Kind};
use crate::parse::level::Level;
use crate::parse::time::{self, ZoneCache};

/// `<PRI>` at the start: the severity, and the rest.
fn pri(b: &[u8]) -> Option<(u8, &[u8])> {
    let rest = b.strip_prefix(b"<")?;
    let close = memchr::memchr(b'>', &rest[..rest.len().min(4)])?;
    let n: u16 = std::str::from_utf8(&rest[..close]).ok()?.parse().ok()?;
    (close > 0 && n <= 191).then(|| ((n % 8) as u8, &rest[close + 1..]))
}

/// `host tag[pid]: text` after the stamp and its space: the host, the tag's name, its pid,
/// and the text.
pub(super) struct HostTag<'a> {
    pub host: &'a str,
    pub name: &'a str,
    pub pid: Option<&'a [u8]>,
    /// `host tag[pid]:` whole: what one program's lines on one host share.
    pub key: &'a [u8],
    pub text: &'a [u8],
}

pub(super) fn split_host_tag(b: &[u8]) -> Option<HostTag<'_>> {
    let sp = memchr::memchr(b' ', &b[..b.len().min(256)])?;
    let host = std::str::from_utf8(&b[..sp]).ok()?;
    // A program's own `<time> LEVEL target: message` must not pass for a host and a tag.
    if host.is_empty() || Level::from_name(host).is_some() {
        return None;
    }
    let rest = &b[sp + 1..];
    let colon = memchr::memchr(b':', &rest[..rest.len().min(128)])?;
    let tag = &rest[..colon];
    let (name, pid) = match memchr::memchr(b'[', tag) {
        Some(open) => {
            let pid = tag[open + 1..].strip_suffix(b"]")?;
            (&tag[..open], Some(pid))
        }
        None => (tag, None),
    };
    if name.is_empty() || name.contains(&b' ') {
        return None;
    }
    let text = &rest[colon + 1..];
    Some(HostTag {
        host,
        name: std::str::from_utf8(name).ok()?,
        pid,
        key: &b[..sp + 1 + colon + 1],
        text: text.strip_prefix(b" ").unwrap_or(text),
    })
}

fn host_tag<'a>(b: &'a [u8], env: &mut Envelope<'a>) -> Option<&'a [u8]> {
    let h = split_host_tag(b)?;
    let names = env.names_mut();
    names.host = Some(Cow::Borrowed(h.host));
    names.ident = Some(Cow::Borrowed(h.name));
    env.pid = h
        .pid
        .and_then(|p| std::str::from_utf8(p).ok()?.parse().ok());
    Some(h.text)
}

/// RFC 3164's stamp (`Dec  1 06:30:59`) by its shape, after any `<PRI>`: the rest after it
/// and its space.
pub(super) fn rfc3164_rest(b: &[u8]) -> Option<&[u8]> {
    let rest = pri(b).map_or(b, |(_, r)| r);
    let shaped = rest.len() > 16
        && rest[3] == b' '
        && rest[6] == b' '
        && rest[9] == b':'
        && rest[12] == b':'
        && rest[15] == b' ';
    shaped.then(|| &rest[16..])
}

/// The ISO stamp of `iso` by its shape: the rest after it and its space.
pub(super) fn iso_rest(b: &[u8]) -> Option<&[u8]> {
    let sp = memchr::memchr(b' ', &b[..b.len().min(40)])?;
    let t = &b[..sp];
    let zoned =
        t.len() >= 20 && t[10] == b'T' && t[19..].iter().any(|c| matches!(c, b'+' | b'-' | b'Z'));
    zoned.then(|| &b[sp + 1..])
}

/// RFC 5424's header fields and message, unread: (stamp, host, app, procid, message).
pub(super) fn rfc5424_fields(b: &[u8]) -> Option<([&[u8]; 4], &[u8])> {
    let (_, rest) = pri(b)?;
    let rest = rest.strip_prefix(b"1 ")?;
    let mut fields = [&b""[..]; 5];
    let mut at = 0;
    for f in &mut fields {
        let sp = memchr::memchr(b' ', &rest[at..])?;
        *f = &rest[at..at + sp];
        at += sp + 1;
    }
    let [stamp, host, app, procid, _msgid] = fields;
    let text = structured_data(&rest[at..])?;
    // The message may open with a UTF-8 byte-order mark (RFC 5424 6.4).
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    Some(([stamp, host, app, procid], text))
}

/// RFC 3164, with or without `<PRI>`.
pub fn rfc3164<'a>(
    b: &'a [u8],
    env: &mut Envelope<'a>,
    ctx: &Ctx<'_>,
    cache: &mut ZoneCache,
) -> Option<&'a [u8]> {
    let (sev, rest) = match pri(b) {
        Some((s, r)) => (Some(s), r),
        None => (None, b),
    };
    if rest.get(15) != Some(&b' ') {
        return None;
    }
    let ts = time::syslog_ts(rest, &ctx.year, ctx.zone, cache)?;
    let mut probe = Envelope::default();
    let text = host_tag(&rest[16..], &mut probe)?;
    env.mark(Kind::Syslog);
    env.time(ts, cache);
    take(env, probe, sev);
    Some(text)
}

/// An ISO stamp with a zone, then `host tag: text`.
pub fn iso<'a>(
    b: &'a [u8],
    env: &mut Envelope<'a>,
    ctx: &Ctx<'_>,
    cache: &mut ZoneCache,
) -> Option<&'a [u8]> {
    let rest = iso_rest(b)?;
    let t = &b[..b.len() - rest.len() - 1];
    let mut probe = Envelope::default();
    let text = host_tag(rest, &mut probe)?;
    let ts = time::parse_ts(std::str::from_utf8(t).ok()?, ctx.zone, cache)?;
    env.mark(Kind::SyslogIso);
    env.time(ts, cache);
    take(env, probe, None);
    Some(text)
}

/// RFC 5424: `<PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]`.
pub fn rfc5424<'a>(
    b: &'a [u8],
    env: &mut Envelope<'a>,
    ctx: &Ctx<'_>,
    cache: &mut ZoneCache,
) -> Option<&'a [u8]> {
    let (sev, _) = pri(b)?;
    let ([stamp, host, app, procid], text) = rfc5424_fields(b)?;
    let nil = |f: &'a [u8]| (f != b"-").then_some(f);
    let mut probe = Envelope::default();
    if let Some(t) = nil(stamp) {
        let ts = time::parse_ts(std::str::from_utf8(t).ok()?, ctx.zone, cache)?;
        probe.time(ts, cache);
    }
    let host = nil(host).and_then(|h| std::str::from_utf8(h).ok());
    let app = nil(app).and_then(|a| std::str::from_utf8(a).ok());
    if host.is_some() || app.is_some() {
        let names = probe.names_mut();
        names.host = host.map(Cow::Borrowed);
        names.ident = app.map(Cow::Borrowed);
    }
    probe.pid = nil(procid).and_then(|p| std::str::from_utf8(p).ok()?.parse().ok());
    env.mark(Kind::Syslog5424);
    if probe.ts.is_some() {
        env.ts = probe.ts;
        env.ts_local = probe.ts_local;
    }
    take(env, probe, Some(sev));
    Some(text)
}

/// Skips `-` or `[id k="v" ...]...` (with `\]` escapes inside values); returns the message.
fn structured_data(b: &[u8]) -> Option<&[u8]> {
    if let Some(rest) = b.strip_prefix(b"-") {
        return Some(rest.strip_prefix(b" ").unwrap_or(rest));
    }
    let mut i = 0;
    while b.get(i) == Some(&b'[') {
        let mut escaped = false;
        i += 1;
        loop {
            match *b.get(i)? {
                b'\\' if !escaped => escaped = true,
                b']' if !escaped => break,
                _ => escaped = false,
            }
            i += 1;
        }
        i += 1;
    }
    (i > 0).then(|| {
        let rest = &b[i..];
        rest.strip_prefix(b" ").unwrap_or(rest)
    })
}

fn take<'a>(env: &mut Envelope<'a>, probe: Envelope<'a>, sev: Option<u8>) {
    if let Some(p) = probe.names {
        let names = env.names_mut();
        names.host = p.host.or(names.host.take());
        names.ident = p.ident.or(names.ident.take());
    }
    env.pid = probe.pid.or(env.pid);
    if let Some(s) = sev.and_then(severity) {
        env.level = Some(s);
    }
}
