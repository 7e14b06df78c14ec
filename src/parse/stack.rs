//! Tracebacks and stacks: the exception class a Python, Java, Node or Go stack names, what a
//! record's continuation lines add to the event of its first line, and records that are a
//! bare stack (printed to stderr, not through a logger). Never counts.

use std::borrow::Cow;

use super::event::LogEvent;
use super::format::Format;
use super::level::Level;

/// The exception class of a traceback: Python prints it on the last line
/// (`storage.DatabaseError: connection lost`), Java and Node on the first.
pub fn exception_type(tb: &str) -> Option<&str> {
    let python = tb.contains("Traceback (most recent call last)");
    let line = if python {
        tb.lines().rev().find(|l| !l.trim().is_empty())?
    } else {
        tb.lines().find(|l| !l.trim().is_empty())?
    };
    let line = line.trim();
    let head = line.split(':').next()?.trim();
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '.' || c == '$';
    (!head.is_empty()
        && head.len() <= 200
        && head.chars().all(ident)
        && head.chars().next()?.is_alphabetic())
    .then_some(head)
}

/// Fills in what the continuation lines of a record say and its first line did not: the
/// exception class of the traceback under a log line, and that it is an error.
pub fn add_tail<'a>(ev: &mut LogEvent<'a>, tail: &'a [u8]) {
    let Ok(text) = std::str::from_utf8(tail) else {
        return;
    };
    if ev.error_type.is_none()
        && let Some(t) = exception_type(text)
    {
        ev.error_type = Some(Cow::Borrowed(t));
        if ev.level.is_none() {
            ev.level = Some(Level::Error);
        }
    }
}

/// `add_tail` for continuation lines that envelopes wrapped, given as their decoded own
/// text: an event of format `text` (the envelope's line no format read) that opens a stack
/// becomes the stack's error event, as `bare` makes it of a bare record.
pub fn add_framed_tail(ev: &mut LogEvent<'_>, tail: String) {
    let owned = |s: &str| Some(Cow::Owned(s.to_owned()));
    if ev.format == Some(Format::Text) {
        let head = ev.msg.as_deref().unwrap_or("");
        if let Some(b) = bare(head.as_bytes(), Some(tail.as_bytes())) {
            let (t, m) = (
                b.error_type.as_deref().and_then(owned),
                b.msg.as_deref().and_then(owned),
            );
            ev.format = Some(Format::Stack);
            ev.level = Some(Level::Error);
            ev.error_type = t;
            ev.msg = m;
        }
    }
    if ev.error_type.is_none()
        && let Some(t) = exception_type(&tail)
    {
        ev.error_type = owned(t);
        if ev.level.is_none() {
            ev.level = Some(Level::Error);
        }
    }
    ev.continued = Some(tail);
}

/// A record no format read whose lines are a stack: a Python traceback printed on its own
/// (`Traceback (most recent call last):` first), a Node or Java error (`PaymentError: card
/// declined` over `at` frames), or a Go `panic:`. An error event of format `stack`.
pub fn bare<'a>(head: &'a [u8], tail: Option<&'a [u8]>) -> Option<LogEvent<'a>> {
    let head = std::str::from_utf8(head).ok()?.trim_end();
    let tail = tail.and_then(|t| std::str::from_utf8(t).ok());
    let (error_type, msg): (&str, &str) = if head.starts_with("Traceback (most recent call last)") {
        let tail = tail?;
        let last = tail.lines().rev().find(|l| !l.trim().is_empty())?.trim();
        (exception_type(last)?, last)
    } else if let Some(rest) = head.strip_prefix("panic: ") {
        ("panic", rest)
    } else {
        let frames = tail?;
        let at = frames.lines().next()?.trim_start();
        if !(at.starts_with("at ") || at.starts_with("...")) {
            return None;
        }
        (exception_type(head)?, head)
    };
    Some(LogEvent {
        format: Some(Format::Stack),
        level: Some(Level::Error),
        error_type: Some(Cow::Borrowed(error_type)),
        msg: Some(Cow::Borrowed(msg)),
        ..LogEvent::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_types() {
        assert_eq!(
            exception_type("java.lang.IllegalStateException: bad\n\tat x.y(Z.java:1)"),
            Some("java.lang.IllegalStateException")
        );
        assert_eq!(
            exception_type("Traceback (most recent call last):\n  File \"x\"\nKeyError: 'a'\n"),
            Some("KeyError")
        );
        assert_eq!(exception_type("   "), None);
        assert_eq!(exception_type("oops something (bad)"), None);
    }

    #[test]
    fn bare_stacks() {
        let e = bare(
            b"PaymentError: card declined",
            Some(b"    at pay (/app/app.js:10:11)\n    at next (/app/r.js:1:1)"),
        )
        .unwrap();
        assert_eq!(e.error_type.as_deref(), Some("PaymentError"));
        assert_eq!(e.level, Some(Level::Error));
        let e = bare(
            b"Traceback (most recent call last):",
            Some(b"  File \"x.py\", line 1, in <module>\n    f()\nshop.PaymentError: card declined\n"),
        )
        .unwrap();
        assert_eq!(e.error_type.as_deref(), Some("shop.PaymentError"));
        assert_eq!(e.msg.as_deref(), Some("shop.PaymentError: card declined"));
        assert_eq!(
            bare(b"panic: boom", Some(b"\ngoroutine 1 [running]:"))
                .unwrap()
                .error_type
                .as_deref(),
            Some("panic")
        );
        // A lone line that only looks like an exception is not a stack.
        assert!(bare(b"Note: nothing", None).is_none());
        assert!(bare(b"Note: nothing", Some(b"  more text")).is_none());
    }

    #[test]
    fn tails_name_the_error() {
        let mut e = LogEvent {
            level: Some(Level::Error),
            ..LogEvent::default()
        };
        add_tail(&mut e, b"Traceback (most recent call last):\n  File \"a\"\nValueError: x\n\nThe above exception was the direct cause of the following exception:\n\nTraceback (most recent call last):\n  File \"b\"\nshop.PaymentError: card declined");
        assert_eq!(e.error_type.as_deref(), Some("shop.PaymentError"));
    }
}
