//! Docker's json-file log driver: `{"log":"<text>\n","stream":"stdout","time":"<RFC 3339>"}`
//! per line (Go's struct order: `log`, `stream`, optional `attrs`, `time`). Docker splits
//! lines over 16 KiB into entries whose `log` lacks the trailing newline; a record here is
//! such a run of fragments of one stream, joined. Must not parse the program's text.

use super::types::{Envelope, Kind, MAX_JOINED, Stream};
use crate::parse::jstr;

pub const PREFIX: &[u8] = br#"{"log":""#;
const STREAM_KEY: &[u8] = br#"","stream":""#;

/// Where the `log` string ends (the index of `","stream":"`). Read backwards from the end as
/// Docker writes it, `...","stream":"stdout","time":"T"}`, with a search from the end for
/// lines that carry `attrs` (`stream` follows `log`, and unescaped quotes cannot occur
/// inside a string).
#[inline]
fn stream_key(line: &[u8]) -> Option<usize> {
    const TIME: &[u8] = br#"","time":""#;
    let end = line.strip_suffix(b"\r").unwrap_or(line);
    if let Some(body) = end.strip_suffix(b"\"}")
        && let Some(q) = memchr::memrchr(b'"', body)
        && q >= TIME.len() - 1 + 6 + STREAM_KEY.len()
        && &body[q + 1 - TIME.len()..=q] == TIME
    {
        let at = q + 1 - TIME.len() - 6 - STREAM_KEY.len();
        if at >= PREFIX.len() && &line[at..at + STREAM_KEY.len()] == STREAM_KEY {
            return Some(at);
        }
    }
    static REV: std::sync::LazyLock<memchr::memmem::FinderRev<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::FinderRev::new(STREAM_KEY));
    // The key's first quote closes `log`, so it lies past the quote that opens it: in
    // `{"log":","stream":...` the key matched at that opening quote, and slicing `log`
    // then panicked (found by the `records` fuzz target; two such lines aborted `report`).
    REV.rfind(line).filter(|&p| p >= PREFIX.len())
}

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
    let p = stream_key(line)?;
    let rest = &line[p + STREAM_KEY.len()..];
    Stream::parse(&rest[..memchr::memchr(b'"', rest)?])
}

/// The stream of a Docker fragment (an entry whose `log` does not end with a newline).
#[inline]
pub fn fragment_stream(line: &[u8]) -> Option<Stream> {
    if !is_docker(line) {
        return None;
    }
    let p = stream_key(line)?;
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
pub fn unwrap<'a>(record: &'a [u8], env: &mut Envelope<'a>, buf: &mut Vec<u8>) -> Option<()> {
    let mut first = true;
    // Mostly one line: the split only runs for joined fragments.
    let lines: Box<dyn Iterator<Item = &[u8]>> = if memchr::memchr(b'\n', record).is_none() {
        Box::new(std::iter::once(record))
    } else {
        Box::new(record.split(|&b| b == b'\n'))
    };
    for line in lines {
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
            // Read only if the program's text has no time of its own.
            env.ts = None;
            env.stamp = time;
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

/// After the `log` string: the stream, and the time (the last key, right after the stream
/// unless `attrs` come between).
fn tail(rest: &[u8]) -> Option<(Stream, Option<&[u8]>)> {
    let s = rest.strip_prefix(br#","stream":""#)?;
    let close = memchr::memchr(b'"', s)?;
    let stream = Stream::parse(&s[..close])?;
    const TIME: &[u8] = br#""time":""#;
    let after = &s[close..];
    let at = match after.strip_prefix(b"\",") {
        Some(t) if t.starts_with(TIME) => Some(close + 2),
        _ => memchr::memmem::rfind(s, TIME),
    };
    let time = at.and_then(|p| {
        let t = &s[p + TIME.len()..];
        memchr::memchr(b'"', t).map(|e| &t[..e])
    });
    Some((stream, time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_key_inside_the_prefix_is_not_the_end_of_log() {
        let bad = br#"{"log":","stream":"stderr","time":"2025-12-01T08:08:09.548870700Z"}"#;
        assert_eq!(stream_key(bad), None);
        assert_eq!(fragment_stream(bad), None);
        assert_eq!(stream_of(bad), None);
        let empty = br#"{"log":"","stream":"stdout","time":"2025-12-01T08:08:09.5Z"}"#;
        assert_eq!(stream_key(empty), Some(PREFIX.len()));
        assert_eq!(fragment_stream(empty), Some(Stream::Stdout));
    }
}
