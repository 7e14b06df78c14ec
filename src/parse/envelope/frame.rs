//! An envelope line's frame without reading it: where the program's own text starts (a
//! Docker line's opening bytes decoded), and what says which program and stream wrote it
//! (the stream, kubectl's `[pod/NAME/CONTAINER]`, syslog's `host tag[pid]:`). Lets the
//! record rules join a traceback that a runtime stored one envelope line per line. Reads no
//! stamps, sets no fields: `peel` and `outer` do that for the record's head.

use super::types::MAX_DEPTH;
use super::{docker, kube, syslog};
use crate::parse::jstr;

/// The decoded opening bytes of a Docker line's text kept: enough for every continuation
/// rule (markers, exception names, nginx's FastCGI words near the start).
pub const TEXT_MAX: usize = 256;

/// What frames one line: the envelopes met (one bit each, outermost first), the bytes that
/// name its writer in each, and its text (whole, or a Docker line's opening bytes).
#[derive(Debug)]
pub struct Frame<'a> {
    kinds: u16,
    keys: [&'a [u8]; MAX_DEPTH],
    depth: usize,
    pub text: &'a [u8],
}

impl<'a> Frame<'a> {
    /// Whether two lines were written by the same program to the same stream, as far as
    /// their envelopes say.
    pub fn same_writer(&self, other: &Frame<'_>) -> bool {
        self.kinds == other.kinds && self.keys[..self.depth] == other.keys[..other.depth]
    }

    fn push(&mut self, bit: u16, key: &'a [u8]) {
        self.kinds |= bit;
        if self.depth < MAX_DEPTH {
            self.keys[self.depth] = key;
            self.depth += 1;
        }
    }
}

/// The frame of `line`, `None` for a bare line. A Docker line's text is decoded into `buf`
/// (at most about `TEXT_MAX` bytes of it); the other envelopes' text is a slice of `line`.
pub fn frame<'a>(line: &'a [u8], buf: &'a mut Vec<u8>) -> Option<Frame<'a>> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut f = Frame {
        kinds: 0,
        keys: [&[]; MAX_DEPTH],
        depth: 0,
        text: line,
    };
    if line.first() == Some(&b'{') {
        if !docker::is_docker(line) {
            return None;
        }
        let stream = docker::stream_of(line)?;
        buf.clear();
        jstr::decode_up_to(line, docker::PREFIX.len() - 1, TEXT_MAX, buf)?;
        if buf.ends_with(b"\n") {
            buf.pop();
        }
        f.push(bit(0), stream.name().as_bytes());
        f.text = buf;
        return Some(f);
    }
    let mut text = line;
    for _ in 0..MAX_DEPTH {
        let next = match text.first() {
            Some(b'0'..=b'9') if kube::iso_stamp(text) => {
                if let Some((stream, inner)) = kube::cri_text(text) {
                    f.push(bit(1), stream.name().as_bytes());
                    Some(inner)
                } else if let Some(h) = syslog::iso_rest(text).and_then(syslog::split_host_tag) {
                    f.push(bit(2), h.key);
                    Some(h.text)
                } else if let Some(inner) = kube::timestamps_text(text) {
                    f.push(bit(3), b"");
                    Some(inner)
                } else {
                    None
                }
            }
            Some(b'[') => kube::prefix_text(text).map(|(key, inner)| {
                f.push(bit(4), key);
                inner
            }),
            Some(b'<') => {
                if let Some(([_, host, _, procid], inner)) = syslog::rfc5424_fields(text) {
                    // Host, app and process id as one key: the bytes from host to procid.
                    let start = host.as_ptr() as usize - text.as_ptr() as usize;
                    let end = procid.as_ptr() as usize - text.as_ptr() as usize + procid.len();
                    f.push(bit(5), &text[start..end]);
                    // rsyslog keeps the space a legacy sender put after its tag.
                    Some(inner.strip_prefix(b" ").unwrap_or(inner))
                } else {
                    rfc3164(text, &mut f)
                }
            }
            Some(b'A'..=b'S') => rfc3164(text, &mut f),
            _ => None,
        };
        match next {
            Some(inner) => text = inner,
            None => break,
        }
    }
    f.text = text;
    (f.depth > 0).then_some(f)
}

/// Whether `line` may have a frame, by its first bytes: most bare lines stop here.
#[inline(always)]
pub fn may_frame(line: &[u8]) -> bool {
    match line.first() {
        Some(b'{') => docker::is_docker(line),
        Some(b'0'..=b'9') => kube::iso_stamp(line),
        Some(b'[') => line.starts_with(b"[pod/"),
        Some(b'<') => true,
        Some(b'A'..=b'S') => syslog::rfc3164_rest(line).is_some(),
        _ => false,
    }
}

/// The own text of enveloped lines (a record's continuation lines), decoded whole, one line
/// each; a line without a frame as it is. Invalid UTF-8 replaced.
pub fn texts(lines: &[u8]) -> String {
    let mut out = Vec::with_capacity(lines.len() / 2);
    let mut buf = Vec::new();
    for (i, line) in lines.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        buf.clear();
        let decoded = docker::is_docker(line)
            && jstr::decode(line, docker::PREFIX.len() - 1, &mut buf).is_some();
        let text = if decoded {
            buf.strip_suffix(b"\n").unwrap_or(&buf)
        } else {
            match frame(line, &mut buf) {
                Some(f) => f.text,
                None => line,
            }
        };
        out.extend_from_slice(text);
    }
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Whether an envelope line's own text is empty (Docker's `"log":"\n"`, a CRI line with no
/// text, a syslog line with an empty message): a blank line of the program's.
#[inline(never)]
pub fn blank(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if !may_frame(line) {
        return false;
    }
    match line.first() {
        Some(b'{') => {
            docker::is_docker(line) && {
                let log = &line[docker::PREFIX.len()..];
                log.starts_with(br#"\n""#)
                    || log.starts_with(br#"""#)
                    || log.starts_with(br#"\r\n""#)
            }
        }
        Some(b'0'..=b'9' | b'[' | b'<' | b'A'..=b'S') => {
            frame(line, &mut Vec::new()).is_some_and(|f| f.text.iter().all(u8::is_ascii_whitespace))
        }
        _ => false,
    }
}

fn rfc3164<'a>(text: &'a [u8], f: &mut Frame<'a>) -> Option<&'a [u8]> {
    let h = syslog::rfc3164_rest(text).and_then(syslog::split_host_tag)?;
    f.push(bit(6), h.key);
    Some(h.text)
}

fn bit(n: u16) -> u16 {
    1 << n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(line: &str) -> Option<String> {
        let mut buf = Vec::new();
        frame(line.as_bytes(), &mut buf).map(|f| String::from_utf8_lossy(f.text).into_owned())
    }

    #[test]
    fn texts_inside_envelopes() {
        assert_eq!(
            text_of(r#"{"log":"  File \"a.py\", line 1\n","stream":"stderr","time":"2026-12-01T08:08:14.2Z"}"#)
                .as_deref(),
            Some("  File \"a.py\", line 1")
        );
        assert_eq!(
            text_of(r#"{"log":"\tat x.Y(Z.java:1)\n","stream":"stdout","time":"2026-12-01T08:08:14.2Z"}"#)
                .as_deref(),
            Some("\tat x.Y(Z.java:1)")
        );
        assert_eq!(
            text_of("2026-12-01T08:08:14.298711212Z stderr F Traceback (most recent call last):")
                .as_deref(),
            Some("Traceback (most recent call last):")
        );
        assert_eq!(
            text_of("[pod/shop-api-1/api] 2026-12-01T08:08:14.298711212Z   File \"x\"").as_deref(),
            Some("  File \"x\"")
        );
        assert_eq!(
            text_of("Dec  1 08:08:14 web-1 uvicorn[311]:   File \"x\"").as_deref(),
            Some("  File \"x\"")
        );
        assert_eq!(
            text_of("2026-12-01T08:08:14.298711+00:00 web-1 uvicorn[311]: ValueError: x")
                .as_deref(),
            Some("ValueError: x")
        );
        assert_eq!(
            // rsyslog's 5424 template keeps the space after a legacy tag: one is dropped.
            text_of("<14>1 2026-12-01T08:08:14.298Z web-1 uvicorn 311 - -      raise exc")
                .as_deref(),
            Some("    raise exc")
        );
        // A bare line, and a program's own stamped lines, have no frame.
        assert_eq!(text_of(r#"{"level":"info"}"#), None);
        assert_eq!(text_of("2026-12-01 08:08:14,144 ERROR shop: x"), None);
        assert_eq!(text_of("  File \"x\""), None);
    }

    #[test]
    fn writers_told_apart() {
        let same = |a: &str, b: &str| {
            let (mut x, mut y) = (Vec::new(), Vec::new());
            let fa = frame(a.as_bytes(), &mut x).unwrap();
            let fb = frame(b.as_bytes(), &mut y).unwrap();
            fa.same_writer(&fb)
        };
        let d =
            |s: &str| format!(r#"{{"log":"x\n","stream":"{s}","time":"2026-12-01T08:08:14.2Z"}}"#);
        assert!(same(&d("stderr"), &d("stderr")));
        assert!(!same(&d("stderr"), &d("stdout")));
        assert!(same(
            "Dec  1 08:08:14 web-1 uvicorn[311]: a",
            "Dec  1 08:08:15 web-1 uvicorn[311]: b"
        ));
        assert!(!same(
            "Dec  1 08:08:14 web-1 uvicorn[311]: a",
            "Dec  1 08:08:14 web-1 uvicorn[312]: b"
        ));
        assert!(!same(
            "[pod/a/api] 2026-12-01T08:08:14.298711212Z x",
            "[pod/b/api] 2026-12-01T08:08:14.298711212Z x"
        ));
    }
}
