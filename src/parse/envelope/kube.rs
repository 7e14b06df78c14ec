//! Kubernetes: the CRI log files of the node (`<RFC 3339 nano> <stdout|stderr> <P|F> <text>`,
//! `P` fragments of a line over 16 KiB up to its `F`), and what `kubectl logs` prints with
//! `--timestamps` (`<time> <text>`, the kubelet's nine-digit fraction) and `--prefix`
//! (`[pod/NAME/CONTAINER] <text>`). Must not parse the program's text.

use std::borrow::Cow;

use super::types::{Ctx, Envelope, Kind, MAX_JOINED, Stream};
use crate::parse::time::{self, ZoneCache};

/// A CRI line's head: its time token, stream, whether it is a `P` fragment, and where the
/// text starts.
struct Head<'a> {
    time: &'a [u8],
    stream: Stream,
    partial: bool,
    text: usize,
}

/// Whether `b` starts like an RFC 3339 stamp (`2026-12-01T`...): four fixed bytes, before
/// anything dearer.
#[inline]
pub fn iso_stamp(b: &[u8]) -> bool {
    b.len() >= 20 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':'
}

fn looks_like_stamp(t: &[u8]) -> bool {
    t.len() >= 20 && t[4] == b'-' && t[7] == b'-' && t[10] == b'T' && t[13] == b':'
}

#[inline]
fn head(line: &[u8]) -> Option<Head<'_>> {
    let sp = memchr::memchr(b' ', &line[..line.len().min(40)])?;
    let time = &line[..sp];
    if !looks_like_stamp(time) {
        return None;
    }
    let rest = &line[sp + 1..];
    let stream = Stream::parse(rest.get(..6)?)?;
    if rest.get(6) != Some(&b' ') {
        return None;
    }
    let tags = &rest[7..];
    let end = memchr::memchr(b' ', tags).unwrap_or(tags.len());
    // Tags are `:`-separated; `P` marks a fragment, `F` a full (or final) line.
    let mut partial = None;
    for t in tags[..end].split(|&b| b == b':') {
        match t {
            b"P" => partial = Some(true),
            b"F" => partial = Some(false),
            _ => {}
        }
    }
    Some(Head {
        time,
        stream,
        partial: partial?,
        text: (sp + 1 + 7 + end + 1).min(line.len()),
    })
}

/// The stream of a CRI `P` fragment.
#[inline]
pub fn cri_partial_stream(line: &[u8]) -> Option<Stream> {
    head(line).filter(|h| h.partial).map(|h| h.stream)
}

#[inline]
pub fn cri_stream(line: &[u8]) -> Option<Stream> {
    head(line).map(|h| h.stream)
}

fn stamp(t: &[u8], env: &mut Envelope<'_>, ctx: &Ctx<'_>, cache: &mut ZoneCache) -> Option<()> {
    let ts = time::parse_ts(std::str::from_utf8(t).ok()?, ctx.zone, cache)?;
    env.time(ts, cache);
    Some(())
}

/// A CRI line's stream and text, its stamp unread.
pub fn cri_text(line: &[u8]) -> Option<(Stream, &[u8])> {
    head(line).map(|h| (h.stream, &line[h.text..]))
}

/// One CRI line: its text.
pub fn cri<'a>(line: &'a [u8], env: &mut Envelope<'a>) -> Option<&'a [u8]> {
    let h = head(line)?;
    // Read only if the program's text has no time of its own.
    env.ts = None;
    env.stamp = Some(h.time);
    env.mark(Kind::Cri);
    env.stream = Some(h.stream);
    Some(&line[h.text..])
}

/// A run of CRI fragments (several physical lines) joined into `buf`; the time is the first
/// fragment's.
pub fn join_cri<'a>(record: &'a [u8], env: &mut Envelope<'a>, buf: &mut Vec<u8>) -> Option<()> {
    for (i, line) in record.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let h = head(line)?;
        if i == 0 {
            env.ts = None;
            env.stamp = Some(h.time);
            env.mark(Kind::Cri);
            env.stream = Some(h.stream);
        }
        if buf.len() <= MAX_JOINED {
            buf.extend_from_slice(&line[h.text..]);
        }
    }
    Some(())
}

/// `kubectl logs --timestamps`: the kubelet's `2006-01-02T15:04:05.000000000Z07:00`, a space,
/// the text. The fixed nine-digit fraction keeps programs' own ISO stamps out.
pub fn timestamps<'a>(
    line: &'a [u8],
    env: &mut Envelope<'a>,
    ctx: &Ctx<'_>,
    cache: &mut ZoneCache,
) -> Option<&'a [u8]> {
    let text = timestamps_text(line)?;
    stamp(&line[..line.len() - text.len() - 1], env, ctx, cache)?;
    env.mark(Kind::KubectlTimestamps);
    Some(text)
}

/// The text after `kubectl logs --timestamps`'s stamp, the stamp judged by its shape only.
pub fn timestamps_text(line: &[u8]) -> Option<&[u8]> {
    let sp = memchr::memchr(b' ', &line[..line.len().min(40)])?;
    let t = &line[..sp];
    let nine = t.len() >= 30
        && looks_like_stamp(t)
        && t[19] == b'.'
        && t[20..29].iter().all(u8::is_ascii_digit)
        && matches!(t[29], b'Z' | b'+' | b'-');
    nine.then(|| &line[sp + 1..])
}

/// `kubectl logs --prefix`: `[pod/NAME/CONTAINER] ` before the text.
pub fn prefix<'a>(line: &'a [u8], env: &mut Envelope<'a>) -> Option<&'a [u8]> {
    let (key, text) = prefix_text(line)?;
    let name = std::str::from_utf8(&key[5..key.len() - 1]).ok()?;
    let (pod, container) = name.split_once('/')?;
    env.mark(Kind::KubectlPrefix);
    let names = env.names_mut();
    names.pod = Some(Cow::Borrowed(pod));
    names.container = Some(Cow::Borrowed(container));
    Some(text)
}

/// `[pod/NAME/CONTAINER]` (the key) and the text after it and its space.
pub fn prefix_text(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = line.strip_prefix(b"[pod/")?;
    let close = memchr::memchr(b']', &rest[..rest.len().min(512)])?;
    if rest.get(close + 1) != Some(&b' ') {
        return None;
    }
    let name = std::str::from_utf8(&rest[..close]).ok()?;
    let (pod, container) = name.split_once('/')?;
    if pod.is_empty() || container.is_empty() || container.contains('/') {
        return None;
    }
    Some((&line[..5 + close + 1], &rest[close + 2..]))
}
