//! nginx error-log lines: `2025/05/06 04:00:08 [error] 1#1: *5 <message>, client: ..., ...`.
//! Extracts the context fields and classes the message; knows nothing about counting.

use std::borrow::Cow;

use memchr::memmem::Finder;

use super::event::LogEvent;
use super::format::Format;
use super::level::Level;
use super::mask::mask;
use super::request_line::split_request_line;
use super::time::{self, Zone, ZoneCache};

/// Cheap shape test so other formats starting with a digit are not tried as nginx errors.
pub fn looks_like(b: &[u8]) -> bool {
    b.len() > 21
        && b[4] == b'/'
        && b[7] == b'/'
        && b[10] == b' '
        && b[13] == b':'
        && b[19] == b' '
        && b[20] == b'['
}

/// Known message classes, the status nginx answers with, and the text that identifies them.
const CLASSES: &[(&str, Option<u16>, &[&str])] = &[
    ("upstream_timed_out", Some(504), &["upstream timed out"]),
    (
        "upstream_prematurely_closed",
        Some(502),
        &["upstream prematurely closed connection"],
    ),
    (
        "upstream_connect_refused",
        Some(502),
        &["(111: Connection refused)", "(111: Unknown error)"],
    ),
    ("no_live_upstreams", Some(502), &["no live upstreams"]),
    (
        "upstream_reset",
        Some(502),
        &["(104: Connection reset by peer)"],
    ),
    (
        "upstream_too_big_header",
        Some(502),
        &["upstream sent too big header"],
    ),
    (
        "client_body_too_large",
        Some(413),
        &["client intended to send too large body"],
    ),
    (
        "worker_connections_exhausted",
        None,
        &["worker_connections are not enough"],
    ),
    ("too_many_open_files", None, &["(24: Too many open files)"]),
    (
        "file_not_found",
        Some(404),
        &["(2: No such file or directory)"],
    ),
    // What a FastCGI app (php-fpm) wrote to stderr: its own words, often over several
    // lines. Last, so that a class nginx itself names wins.
    ("fastcgi_stderr", None, &["FastCGI sent in stderr: "]),
];

/// Indices into `CLASSES` (checked by a test), so the fast path below needs no lookup.
const TIMED_OUT: usize = 0;
const PREMATURELY_CLOSED: usize = 1;
const CONNECT_REFUSED: usize = 2;
const NO_LIVE: usize = 3;
const RESET: usize = 4;
const TOO_BIG_HEADER: usize = 5;
const BODY_TOO_LARGE: usize = 6;
const WORKER_CONNECTIONS: usize = 7;
const OPEN_FILES: usize = 8;
const NOT_FOUND: usize = 9;

/// The common shapes, told apart by how the message starts: one or two short compares
/// instead of a search per class. Anything else goes through the full search.
fn quick_class(msg: &str) -> Option<usize> {
    let tail_has = |tag: &str| msg.len() < 512 && msg.contains(tag);
    Some(match msg.as_bytes().first()? {
        b'u' if msg.starts_with("upstream timed out") => TIMED_OUT,
        b'u' if msg.starts_with("upstream prematurely closed connection") => PREMATURELY_CLOSED,
        b'u' if msg.starts_with("upstream sent too big header") => TOO_BIG_HEADER,
        b'c' if msg.starts_with("connect() failed (111: ") => CONNECT_REFUSED,
        b'c' if msg.starts_with("client intended to send too large body") => BODY_TOO_LARGE,
        b'n' if msg.starts_with("no live upstreams") => NO_LIVE,
        b'r' | b'w' if msg.contains("() failed (104: Connection reset by peer)") => RESET,
        b'o' if msg.starts_with("open() ") && tail_has("(2: No such file or directory)") => {
            NOT_FOUND
        }
        b'a' if msg.starts_with("accept4() failed (24: ") => OPEN_FILES,
        b'0'..=b'9' if msg.contains(" worker_connections are not enough") => WORKER_CONNECTIONS,
        _ => return None,
    })
}

/// Precompiled searches: building a searcher per line (`str::find`) cost more than the
/// search itself.
pub struct Classifier {
    /// Every identifying text of every class, found in one pass.
    tags: aho_corasick::AhoCorasick,
    /// Class index of each tag.
    tag_class: Vec<usize>,
    client: Finder<'static>,
    request: Finder<'static>,
    upstream: Finder<'static>,
    quote_end: Finder<'static>,
}

impl Default for Classifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Classifier {
    pub fn new() -> Classifier {
        let mut tags = Vec::new();
        let mut tag_class = Vec::new();
        for (i, (_, _, needles)) in CLASSES.iter().enumerate() {
            for n in *needles {
                tags.push(*n);
                tag_class.push(i);
            }
        }
        Classifier {
            tags: aho_corasick::AhoCorasick::new(&tags).expect("fixed patterns build"),
            tag_class,
            client: Finder::new(", client: "),
            request: Finder::new(", request: \""),
            upstream: Finder::new(", upstream: \""),
            quote_end: Finder::new("\", "),
        }
    }

    /// Value after `key` up to the next `, ` (or, for quoted values, the closing quote).
    fn field<'a>(&self, ctx: &'a str, key: &Finder<'_>, quoted: bool) -> Option<&'a str> {
        let start = key.find(ctx.as_bytes())? + key.needle().len();
        let v = &ctx[start..];
        let end = if quoted {
            self.quote_end.find(v.as_bytes()).or_else(|| v.rfind('"'))?
        } else {
            memchr::memchr(b',', v.as_bytes()).unwrap_or(v.len())
        };
        Some(&v[..end])
    }

    /// Class name and implied status of a message; unknown messages get their masked text.
    pub fn classify<'a>(&self, msg: &str) -> (Cow<'a, str>, Option<u16>) {
        if let Some(i) = quick_class(msg) {
            let (name, status, _) = CLASSES[i];
            return (Cow::Borrowed(name), status);
        }
        // Several tags could occur; the earliest class in CLASSES wins, as documented.
        let best = self
            .tags
            .find_iter(msg)
            .map(|m| self.tag_class[m.pattern().as_usize()])
            .min();
        if let Some(i) = best {
            let (name, status, _) = CLASSES[i];
            return (Cow::Borrowed(name), status);
        }
        (Cow::Owned(mask(msg)), None)
    }

    pub fn parse<'a>(
        &self,
        line: &'a str,
        zone: &Zone,
        cache: &mut ZoneCache,
    ) -> Option<LogEvent<'a>> {
        let mut ev = LogEvent::default();
        self.parse_into(line, zone, cache, &mut ev).map(|()| ev)
    }

    /// `parse` into a default event of the caller's (nothing moved on the hot path); `None`,
    /// the event untouched, for anything else.
    pub fn parse_into<'a>(
        &self,
        line: &'a str,
        zone: &Zone,
        cache: &mut ZoneCache,
        ev: &mut LogEvent<'a>,
    ) -> Option<()> {
        let b = line.as_bytes();
        // The shape first: it also makes the fixed offsets below in bounds (a library caller
        // may pass any text).
        if !looks_like(b) {
            return None;
        }
        let ts = time::parse_nginx_error_ts(b, zone, cache)?;
        let close = line[21..].find(']')? + 21;
        let level = Level::from_name(&line[21..close])?;
        let mut rest = line[close + 1..].trim_start();
        // `PID#TID: ` then an optional `*CONNECTION `.
        if let Some(colon) = memchr::memchr(b':', rest.as_bytes())
            && rest.as_bytes().get(colon + 1) == Some(&b' ')
            && rest[..colon]
                .bytes()
                .all(|c| c.is_ascii_digit() || c == b'#')
        {
            rest = &rest[colon + 2..];
        }
        if let Some(r) = rest.strip_prefix('*') {
            let digits = r.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 {
                rest = r[digits..].trim_start();
            }
        }
        let (msg, ctx) = match self.client.find(rest.as_bytes()) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        // Only [error] and worse get a class: [warn] and below (temp-file buffering, client
        // hang-ups) are routine, and masking them would cost more than the rest of the line.
        let (class, implied) = if level >= Level::Error {
            let (c, s) = self.classify(msg);
            (Some(c), s)
        } else {
            (None, None)
        };
        ev.format = Some(Format::NginxError);
        ev.ts = Some(ts);
        ev.level = Some(level);
        ev.msg = Some(Cow::Borrowed(msg));
        ev.error_type = class;
        ev.implied_status = implied;
        if !ctx.is_empty() {
            ev.client = self.field(ctx, &self.client, false).map(Cow::Borrowed);
            ev.upstream = self.field(ctx, &self.upstream, true).map(Cow::Borrowed);
            if let Some(req) = self.field(ctx, &self.request, true)
                && let (Some(m), Some(t)) = split_request_line(req)
            {
                ev.method = Some(Cow::Borrowed(m));
                ev.path = Some(Cow::Borrowed(t));
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_or_odd_input_never_panics() {
        let c = Classifier::new();
        let mut cache = ZoneCache::default();
        let line = "2025/05/06 04:00:08 [error] 1#1: *5 upstream timed out, client: 1.2.3.4";
        for end in 0..=line.len() {
            let _ = c.parse(&line[..end], &Zone::parse("UTC").unwrap(), &mut cache);
        }
        for odd in [
            "2025/05/06 04:00:08 [é",
            "2025/05/06 04:00:08 [",
            "é2025/05/06 04:00:08 [error]",
        ] {
            let _ = c.parse(odd, &Zone::parse("UTC").unwrap(), &mut cache);
        }
    }

    use super::*;

    fn p(line: &str) -> LogEvent<'_> {
        Classifier::new()
            .parse(
                line,
                &Zone::parse("UTC").unwrap(),
                &mut ZoneCache::default(),
            )
            .unwrap()
    }

    #[test]
    fn upstream_timeout_line() {
        let e = p(
            r#"2025/05/06 04:00:08 [error] 214903#214903: *5482906 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.1.2.3, server: api.example.com, request: "POST /retrieval/apple_health_data HTTP/1.1", upstream: "http://10.0.0.7:30016/retrieval/apple_health_data", host: "api.example.com""#,
        );
        assert_eq!(e.ts, Some(1_746_504_008_000_000));
        assert_eq!(e.level, Some(Level::Error));
        assert_eq!(e.error_type.as_deref(), Some("upstream_timed_out"));
        assert_eq!(e.implied_status, Some(504));
        assert_eq!(e.client.as_deref(), Some("10.1.2.3"));
        assert_eq!(e.method.as_deref(), Some("POST"));
        assert_eq!(e.path.as_deref(), Some("/retrieval/apple_health_data"));
        assert_eq!(
            e.upstream.as_deref(),
            Some("http://10.0.0.7:30016/retrieval/apple_health_data")
        );
        assert!(e.msg.as_deref().unwrap().starts_with("upstream timed out"));
    }

    #[test]
    fn classes() {
        let c = Classifier::new();
        let cases = [
            (
                "upstream prematurely closed connection while reading response header from upstream",
                "upstream_prematurely_closed",
            ),
            (
                "connect() failed (111: Connection refused) while connecting to upstream",
                "upstream_connect_refused",
            ),
            (
                "no live upstreams while connecting to upstream",
                "no_live_upstreams",
            ),
            (
                "recv() failed (104: Connection reset by peer) while reading response header from upstream",
                "upstream_reset",
            ),
            (
                "upstream sent too big header while reading response header from upstream",
                "upstream_too_big_header",
            ),
            (
                "client intended to send too large body: 1048577 bytes",
                "client_body_too_large",
            ),
            (
                "1024 worker_connections are not enough",
                "worker_connections_exhausted",
            ),
            (
                "accept4() failed (24: Too many open files)",
                "too_many_open_files",
            ),
            (
                r#"open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory)"#,
                "file_not_found",
            ),
        ];
        for (msg, want) in cases {
            assert_eq!(c.classify(msg).0, want, "{msg}");
        }
        assert_eq!(
            c.classify(r#"open() "/a" failed (13: Permission denied)"#)
                .0,
            r#"open() "<*>" failed (<n>: Permission denied)"#
        );
    }

    #[test]
    fn fast_path_indices_name_their_classes() {
        let named = [
            (TIMED_OUT, "upstream_timed_out"),
            (PREMATURELY_CLOSED, "upstream_prematurely_closed"),
            (CONNECT_REFUSED, "upstream_connect_refused"),
            (NO_LIVE, "no_live_upstreams"),
            (RESET, "upstream_reset"),
            (TOO_BIG_HEADER, "upstream_too_big_header"),
            (BODY_TOO_LARGE, "client_body_too_large"),
            (WORKER_CONNECTIONS, "worker_connections_exhausted"),
            (OPEN_FILES, "too_many_open_files"),
            (NOT_FOUND, "file_not_found"),
        ];
        for (i, name) in named {
            assert_eq!(CLASSES[i].0, name);
        }
    }

    #[test]
    fn notice_without_context() {
        let e = p("2025/05/06 04:00:00 [notice] 1#1: signal process started");
        assert_eq!(e.level, Some(Level::Info));
        assert_eq!(e.msg.as_deref(), Some("signal process started"));
        assert!(e.client.is_none());
    }

    #[test]
    fn shape() {
        assert!(!looks_like(b"2025-05-06 04:00:08 [error]"));
        assert!(looks_like(b"2025/05/06 04:00:08 [error] 1#1: x"));
    }
}
