//! Docker's json-file log driver: `{"log":"<text>\n","stream":"stdout","time":"<RFC 3339>"}`
//! per line (Go's struct order: `log`, `stream`, optional `attrs`, `time`). Docker splits
//! lines over 16 KiB into entries whose `log` lacks the trailing newline; a record here is
//! such a run of fragments of one stream, joined. Must not parse the program's text.

use super::super::jstr;
use super::super::time::{self, ZoneCache};
use super::{Ctx, Envelope, Kind, MAX_JOINED, Stream};

const PREFIX: &[u8] = br#"{"log":""#;
const STREAM_KEY: &[u8] = br#"","stream":""#;

#[inline]
pub fn is_docker(line: &[u8]) -> bool {
    line.starts_with(PREFIX)
}

/// The stream of a Docker line, read from its tail (`stream` follows the `log` string, and
/// unescaped quotes cannot occur inside it).
#[inline]
pub fn stream_of(line: &[u8]) -> Option<Stream> {
    if !is_docker(line) {
        return None;
    }
    let p = memchr::memmem::rfind(line, STREAM_KEY)?;
    let rest = &line[p + STREAM_KEY.len()..];
    Stream::parse(&rest[..memchr::memchr(b'"', rest)?])
}

/// The stream of a Docker fragment (an entry whose `log` does not end with a newline).
#[inline]
pub fn fragment_stream(line: &[u8]) -> Option<Stream> {
    if !is_docker(line) {
        return None;
    }
    let p = memchr::memmem::rfind(line, STREAM_KEY)?;
    // `log` ends at `p`: a complete entry ends with the escape `\n`, whose backslash is not
    // itself escaped (an odd run of backslashes before the `n`).
    let log = &line[PREFIX.len()..p];
    let complete = log.ends_with(b"n")
        && log[..log.len() - 1]
            .iter()
            .rev()
            .take_while(|&&c| c == b'\\')
            .count()
            % 2
            == 1;
    if complete {
        return None;
    }
    let rest = &line[p + STREAM_KEY.len()..];
    Stream::parse(&rest[..memchr::memchr(b'"', rest)?])
}

/// Decodes a record (one entry, or a run of fragments) into `buf`: the joined `log` without
/// its final newline. The time is the first entry's.
pub fn unwrap<'a>(
    record: &'a [u8],
    env: &mut Envelope<'a>,
    buf: &mut Vec<u8>,
    ctx: &Ctx<'_>,
    cache: &mut ZoneCache,
) -> Option<()> {
    let mut first = true;
    for line in record.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !is_docker(line) {
            return None;
        }
        if buf.len() > MAX_JOINED {
            // Past the cap the rest of a runaway record is dropped, not buffered.
            jstr::skip(line, PREFIX.len() - 1)?;
            continue;
        }
        let end = jstr::decode(line, PREFIX.len() - 1, buf)?;
        let (stream, time) = tail(&line[end..])?;
        if first {
            env.mark(Kind::Docker);
            env.stream = Some(stream);
            if let Some(t) = time {
                let s = std::str::from_utf8(t).ok()?;
                if let Some(ts) = time::parse_ts(s, ctx.zone, cache) {
                    env.time(ts, cache);
                }
            }
            first = false;
        }
    }
    if buf.ends_with(b"\n") {
        buf.pop();
        if buf.ends_with(b"\r") {
            buf.pop();
        }
    }
    Some(())
}

/// After the `log` string: the stream, and the time (the last key).
fn tail(rest: &[u8]) -> Option<(Stream, Option<&[u8]>)> {
    let s = rest.strip_prefix(br#","stream":""#)?;
    let stream = Stream::parse(&s[..memchr::memchr(b'"', s)?])?;
    const TIME: &[u8] = br#""time":""#;
    let time = memchr::memmem::rfind(s, TIME).and_then(|p| {
        let t = &s[p + TIME.len()..];
        memchr::memchr(b'"', t).map(|e| &t[..e])
    });
    Some((stream, time))
}
