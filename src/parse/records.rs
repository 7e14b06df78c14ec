//! Which physical lines make one record, for every reader of the crate: envelope fragments
//! (Docker's and CRI's split lines), then continuation lines (tracebacks, stacks), read in
//! bare lines and inside envelopes alike (a traceback a runtime stored one line per entry).
//! Decides from lines' text only; never parses a record, never counts.

use std::cell::RefCell;

use super::envelope::{self, docker, frame};
use super::multiline;
use crate::input::chunk::{self, is_blank};

/// The record rules `input::chunk` applies.
pub struct RecordRules;

/// The rules every reader of the crate applies.
pub static RULES: RecordRules = RecordRules;

thread_local! {
    /// Decoded opening bytes of Docker lines: the next line, the record's last and first.
    static TEXTS: RefCell<[Vec<u8>; 3]> = const { RefCell::new([Vec::new(), Vec::new(), Vec::new()]) };
}

/// Whether a Docker line's text opens with `{` (an app's JSON line: it starts a record), read
/// without decoding: most lines of a containerised JSON logger stop here.
#[inline]
fn docker_json(line: &[u8]) -> bool {
    docker::is_docker(line) && line.get(docker::PREFIX.len()) == Some(&b'{')
}

impl chunk::Joiner for RecordRules {
    #[inline(always)]
    fn fragment(&self, last: &[u8], next: &[u8]) -> bool {
        envelope::joins(last, next)
    }

    #[inline(always)]
    fn continues(&self, first: &[u8], last: &[u8], next: &[u8]) -> bool {
        if !frame::may_frame(next) {
            return multiline::continues(first, last, next);
        }
        if docker_json(next) {
            return false;
        }
        framed_continues(first, last, next)
    }

    fn may_join(&self, last: &[u8], next: &[u8]) -> bool {
        if envelope::joins(last, next) {
            return true;
        }
        TEXTS.with_borrow_mut(|[nb, lb, _]| match frame::frame(next, nb) {
            None => multiline::may_continue(last, next),
            Some(n) => frame::frame(last, lb)
                .is_some_and(|l| l.same_writer(&n) && multiline::may_continue(l.text, n.text)),
        })
    }

    /// A bare JSON line: `{` never continues a record (`multiline::starts_record`), and
    /// outside Docker's envelope it is no fragment either. A `-` at byte 4 might pass for a
    /// CRI stamp (`envelope::kube`), so such a line takes the long way.
    #[inline(always)]
    fn alone(&self, line: &[u8]) -> bool {
        line.first() == Some(&b'{') && line.get(4) != Some(&b'-') && !docker::is_docker(line)
    }

    #[inline(always)]
    fn blank(&self, line: &[u8]) -> bool {
        is_blank(line) || (frame::may_frame(line) && frame::blank(line))
    }
}

/// `continues` for a `next` line that may sit in an envelope: out of line, so that the
/// common bare line pays for none of it.
#[inline(never)]
fn framed_continues(first: &[u8], last: &[u8], next: &[u8]) -> bool {
    if envelope::joins(last, next) {
        // The rest of a continuation line the runtime split.
        return true;
    }
    TEXTS.with_borrow_mut(|[nb, lb, fb]| {
        let Some(n) = frame::frame(next, nb) else {
            return multiline::continues(first, last, next);
        };
        let Some(l) = frame::frame(last, lb) else {
            return false;
        };
        if !l.same_writer(&n) {
            return false;
        }
        let first_text = if std::ptr::eq(first, last) {
            l.text
        } else {
            match frame::frame(first, fb) {
                Some(f) if f.same_writer(&n) => f.text,
                _ => return false,
            }
        };
        multiline::continues(first_text, l.text, n.text)
    })
}

#[cfg(test)]
mod tests {
    use super::RULES;
    use crate::input::chunk::Joiner;

    #[test]
    fn a_line_alone_neither_joins_nor_continues_anything() {
        let before: [&[u8]; 7] = [
            br#"{"log":"part one without newline","stream":"stdout","time":"2025-05-06T04:00:08.1Z"}"#,
            b"2025-05-06T04:00:08.123456789Z stdout P first half",
            b"Traceback (most recent call last):",
            b"  File \"/app/x.py\", line 3, in f",
            br#"{"level":"error","msg":"boom","stack":"Error: boom"}"#,
            b"ERROR: boom",
            b"    at f (a.js:1:2) {",
        ];
        let next: [&[u8]; 5] = [
            br#"{"timestamp":"2025-05-06T00:00:00.006+00:00","level":"INFO"}"#,
            br#"{"msg":"x"}"#,
            b"{",
            b"{}\r",
            br#"{"log":"x\n","stream":"stdout","time":"2025-05-06T04:00:08.1Z"}"#,
        ];
        for line in next {
            if !RULES.alone(line) {
                continue;
            }
            assert!(!RULES.blank(line));
            for last in before {
                for first in before {
                    assert!(!RULES.fragment(last, line), "{last:?} {line:?}");
                    assert!(!RULES.continues(first, last, line), "{line:?}");
                }
                assert!(!RULES.may_join(last, line), "{line:?}");
            }
        }
        assert!(!RULES.alone(next[4]), "a Docker line takes the long way");
        assert!(!RULES.alone(b"{abc-2025-05-06T04:00:08.1Z stdout P x"));
    }
}
