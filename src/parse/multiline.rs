//! Which physical lines continue the record above them: Python tracebacks (chained ones
//! with their blank lines), Java and Node stack frames, Go panic stacks, and nginx FastCGI
//! messages whose text ran over several lines. Decides from the lines' text alone (the
//! record's first and last lines and the next one); never parses a record, never counts.

use super::level::Level;

/// Whether the non-blank line `next` continues the record whose first line is `first` and
/// whose last non-blank line is `last`.
pub fn continues(first: &[u8], last: &[u8], next: &[u8]) -> bool {
    let next = trim_cr(next);
    if matches!(next.first(), Some(b' ' | b'\t')) {
        return true;
    }
    if starts_record(next) {
        return false;
    }
    marker(next)
        || (exception_line(next) && frame(last))
        || qualified_exception(next)
        || closes_props(last, next)
        || go_frame(last, next)
        || (fastcgi_opens(first) && !fastcgi_closes(last))
}

/// The `}` that ends the own properties Node prints after a stack (`at f (a.js:1:2) {`,
/// `  code: 'E_X'`, `}`).
fn closes_props(last: &[u8], next: &[u8]) -> bool {
    matches!(next, b"}" | b"]" | b"})") && matches!(last.first(), Some(b' ' | b'\t'))
}

/// False only where `next` starts a record whatever the record before it (see
/// `input::chunk::Joiner::may_join`); the envelope fragments are the caller's to add.
pub fn may_continue(last: &[u8], next: &[u8]) -> bool {
    let next = trim_cr(next);
    if matches!(next.first(), Some(b' ' | b'\t') | None) {
        return true;
    }
    if starts_record(next) {
        return false;
    }
    // A FastCGI message may run on after its first line or after any line of its text
    // (which never starts a record, or it would have ended the message).
    let last = trim_cr(last);
    marker(next)
        || (exception_line(next) && frame(last))
        || qualified_exception(next)
        || closes_props(last, next)
        || go_frame(last, next)
        || fastcgi_opens(last)
        || (!starts_record(last) && !fastcgi_closes(last))
}

fn trim_cr(l: &[u8]) -> &[u8] {
    l.strip_suffix(b"\r").unwrap_or(l)
}

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

const METHODS: [&[u8]; 9] = [
    b"GET ",
    b"POST ",
    b"PUT ",
    b"DELETE ",
    b"PATCH ",
    b"HEAD ",
    b"OPTIONS ",
    b"CONNECT ",
    b"TRACE ",
];

/// Lines that open a record of a format this tool reads, so never continue one: JSON,
/// bracketed or numeric stamps, syslog, coloured text, `key=value` (logfmt), `LEVEL:`
/// (uvicorn, `logging.basicConfig`), an HTTP method (morgan's short presets), and
/// access-log lines whose first field is a host name.
pub fn starts_record(l: &[u8]) -> bool {
    let Some(&b0) = l.first() else {
        return false;
    };
    match b0 {
        b'{' | b'[' | b'<' | b'0'..=b'9' | 0x1b | b':' => return true,
        b'A'..=b'Z' | b'a'..=b'z' | b'_' => {}
        _ => return false,
    }
    let word = l
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')))
        .unwrap_or(l.len());
    match l.get(word) {
        Some(b'=') => return true,
        Some(b':')
            if std::str::from_utf8(&l[..word])
                .is_ok_and(|w| Level::from_name(w).is_some() && w.len() > 1) =>
        {
            return true;
        }
        _ => {}
    }
    if l.len() > 4 && MONTHS.iter().any(|m| l.starts_with(*m)) && l[3] == b' ' {
        return true;
    }
    if METHODS.iter().any(|m| l.starts_with(m)) {
        return true;
    }
    clf_stamp_near(l)
}

/// `[dd/Mon/yyyy:` within the first fields: an access line whatever comes before the stamp
/// (`$host`, an `X-Forwarded-For` chain).
fn clf_stamp_near(l: &[u8]) -> bool {
    let head = &l[..l.len().min(256)];
    memchr::memchr_iter(b'[', head).any(|i| {
        let s = &head[i + 1..];
        s.len() > 12
            && s[0].is_ascii_digit()
            && s[1].is_ascii_digit()
            && s[2] == b'/'
            && s[6] == b'/'
            && s[11] == b':'
    })
}

/// Lines that only ever continue a record: the headers of Python tracebacks and of their
/// chained causes, Java's `Caused by:`, a Go goroutine header.
fn marker(l: &[u8]) -> bool {
    const MARKERS: [&[u8]; 5] = [
        b"Traceback (most recent call last):",
        b"During handling of the above exception, another exception occurred:",
        b"The above exception was the direct cause of the following exception:",
        b"Caused by: ",
        b"goroutine ",
    ];
    MARKERS.iter().any(|m| l.starts_with(m)) && (!l.starts_with(b"goroutine ") || l.ends_with(b":"))
}

/// `PaymentError: card declined`, `storage.DatabaseError`, `KeyError: 'x'`: a (dotted)
/// class name with a capital letter, alone or before `: `.
fn exception_line(l: &[u8]) -> bool {
    let name = l
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.')))
        .unwrap_or(l.len());
    name > 0
        && l[..name].iter().any(u8::is_ascii_uppercase)
        && !l[..name].ends_with(b".")
        && (name == l.len() || l[name..].starts_with(b": ") || &l[name..] == b":")
}

/// An exception named by its package (`java.lang.IllegalStateException: boom`,
/// `org.postgresql.util.PSQLException`): what Java's loggers print right under the log line
/// whose throwable it is. Lower-case package segments, then a class ending in `Exception`,
/// `Error` or `Throwable`; never how a record of a format read here starts.
fn qualified_exception(l: &[u8]) -> bool {
    if !exception_line(l) {
        return false;
    }
    let name = &l[..memchr::memchr(b':', l).unwrap_or(l.len())];
    let mut parts = name.rsplit(|&b| b == b'.');
    let class = parts.next().unwrap_or_default();
    let mut packages = 0;
    for p in parts {
        if !p.first().is_some_and(u8::is_ascii_lowercase) {
            return false;
        }
        packages += 1;
    }
    packages > 0
        && class.first().is_some_and(u8::is_ascii_uppercase)
        && [&b"Exception"[..], b"Error", b"Throwable"]
            .iter()
            .any(|s| class.ends_with(s))
}

/// A traceback line an exception line may follow: indented source or frame text, but not a
/// Java or Node `at` frame (after those a class name starts the next error).
fn frame(last: &[u8]) -> bool {
    let t = last.trim_ascii_start();
    t.len() < last.len() && !t.starts_with(b"at ")
}

/// A Go stack's function line (`main.handler(...)`, `created by net/http...`) after the
/// goroutine header or a tab-indented `file.go:line` line.
fn go_frame(last: &[u8], next: &[u8]) -> bool {
    (last.starts_with(b"goroutine ") || last.starts_with(b"\t"))
        && (next.starts_with(b"created by ")
            || (next.ends_with(b")")
                && next
                    .iter()
                    .position(|&b| b == b'(')
                    .is_some_and(|p| p > 0 && !next[..p].contains(&b' '))))
}

/// An nginx error line whose FastCGI stderr text is still open at its end.
fn fastcgi_opens(first: &[u8]) -> bool {
    super::nginx_error::looks_like(first)
        && memchr::memmem::find(first, b"sent in stderr: \"").is_some()
        && !fastcgi_closes(first)
}

/// The end of nginx's context after a FastCGI message: `" while reading ...` or `, client:`.
fn fastcgi_closes(l: &[u8]) -> bool {
    memchr::memmem::find(l, b"\" while ").is_some()
        || memchr::memmem::find(l, b", client: ").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(lines: &[&str]) -> Vec<bool> {
        let first = lines[0].as_bytes();
        let mut last = first;
        let mut out = Vec::new();
        for next in &lines[1..] {
            let n = next.as_bytes();
            let c = continues(first, last, n);
            // `may_continue` is necessary for `continues`.
            assert!(!c || may_continue(last, n), "{next:?} after {last:?}");
            out.push(c);
            last = n;
        }
        out
    }

    #[test]
    fn python_traceback_and_next_record() {
        let t = [
            "2026-12-01 06:49:31,144 ERROR shop.api: request failed",
            "Traceback (most recent call last):",
            "  File \"/app/shop.py\", line 40, in pay",
            "    raise PaymentError(\"card declined\") from exc",
            "shop.PaymentError: card declined",
            "INFO:     127.0.0.1:5555 - \"GET /healthz HTTP/1.1\" 200 OK",
        ];
        assert_eq!(join(&t), [true, true, true, true, false]);
    }

    #[test]
    fn node_and_java_stacks() {
        let t = [
            "PaymentError: card declined",
            "    at pay (/app/app.js:10:11)",
            "    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5) {",
            "  code: 'card_declined'",
            "}",
            "PaymentError: card declined",
        ];
        assert_eq!(join(&t), [true, true, true, true, false]);
        let j = [
            "2026-12-01 06:49:31.144 ERROR [main] o.a.Foo - failed",
            "java.lang.IllegalStateException: boom",
            "\tat o.a.Foo.bar(Foo.java:10)",
            "Caused by: java.io.IOException: closed",
            "\t... 3 more",
        ];
        // The exception under its log line (Logback's and log4j's layouts) is part of it.
        assert_eq!(join(&j), [true, true, true, true]);
        // A Node error names no package: it starts a record of its own.
        let n = [
            "2026-12-01 06:49:31.144 ERROR [main] o.a.Foo - failed",
            "PaymentError: card declined",
            "app.Main is not an exception: x",
        ];
        assert_eq!(join(&n), [false, false]);
    }

    #[test]
    fn go_panic_stack() {
        let t = [
            "2026/12/01 06:30:59 http: panic serving 127.0.0.1:5555: boom",
            "goroutine 6 [running]:",
            "net/http.(*conn).serve.func1()",
            "\t/usr/local/go/src/net/http/server.go:1903 +0xbe",
            "panic({0x6b6f20?, 0x7a3b10?})",
            "\t/usr/local/go/src/runtime/panic.go:770 +0x132",
            "created by net/http.(*Server).Serve in goroutine 1",
            "\t/usr/local/go/src/net/http/server.go:3285 +0x4b4",
            "2026/12/01 06:31:00 request finished",
        ];
        assert_eq!(join(&t), [true, true, true, true, true, true, true, false]);
    }

    #[test]
    fn fastcgi_message_over_lines() {
        let t = [
            "2026/12/01 06:30:59 [error] 7#7: *1 FastCGI sent in stderr: \"line one",
            "line two",
            "line three\" while reading response header from upstream, client: 127.0.0.1",
            "after",
        ];
        assert_eq!(join(&t), [true, true, false]);
    }

    #[test]
    fn record_starts_never_continue() {
        for l in [
            "{\"level\":\"info\"}",
            "time=2026-12-01T06:49:31Z level=INFO msg=x",
            "INFO:     Started server process [7]",
            "ERROR:shop:request failed",
            "Dec  1 06:49:31 host app[1]: hi",
            "GET /api/items/1 200 12 - 3.456 ms",
            "api.test 127.0.0.1 - - [01/Dec/2026:06:49:31 +0000] \"GET / HTTP/1.1\" 200 5",
            "\u{1b}[0mGET /x \u{1b}[32m200\u{1b}[0m",
            "::ffff:127.0.0.1 - - [01/Dec/2026:06:49:31 +0000] \"GET / HTTP/1.1\" 200 5",
        ] {
            assert!(starts_record(l.as_bytes()), "{l}");
            assert!(!may_continue(b"  File \"x\", line 1", l.as_bytes()), "{l}");
        }
        assert!(!starts_record(b"PaymentError: card declined"));
        assert!(!starts_record(b"E: something"));
    }
}
