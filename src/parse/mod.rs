//! `LogEvent<'a>`: one parsed line, borrowed from the input; per-line format detection.
//! Owns nothing about counting: aggregation reads events, parsers never see totals.

pub mod fields;
pub mod json;
pub mod json_scan;
pub mod mask;
pub mod nginx_access;
pub mod nginx_error;
pub mod time;

use std::borrow::Cow;

use serde::Serialize;

pub use fields::{Canonical, FieldSpec, KeyCache, Unit};
pub use json_scan::ScanCache;
pub use time::{Micros, Zone, ZoneCache};

/// Normalised severity. Order matters: comparisons mean "this level or worse".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

impl Level {
    pub const ALL: [Level; 6] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Warn,
        Level::Error,
        Level::Fatal,
    ];

    pub fn name(self) -> &'static str {
        ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"][self as usize]
    }

    /// Names used by Python logging, pino, zap, slog, logrus, tracing, syslog and nginx.
    pub fn from_name(s: &str) -> Option<Level> {
        // The spellings loggers actually write, before the general case-folding match.
        match s.as_bytes() {
            b"INFO" | b"info" => return Some(Level::Info),
            b"DEBUG" | b"debug" => return Some(Level::Debug),
            b"WARNING" | b"WARN" | b"warning" | b"warn" => return Some(Level::Warn),
            b"ERROR" | b"error" => return Some(Level::Error),
            _ => {}
        }
        let s = s.trim();
        if s.len() > 11 {
            return None;
        }
        let mut buf = [0u8; 11];
        let lower = &mut buf[..s.len()];
        lower.copy_from_slice(s.as_bytes());
        lower.make_ascii_lowercase();
        Some(match &*lower {
            b"trace" | b"trc" | b"verbose" => Level::Trace,
            b"debug" | b"dbg" | b"d" => Level::Debug,
            b"info" | b"information" | b"informational" | b"inf" | b"notice" | b"i" => Level::Info,
            b"warn" | b"warning" | b"wrn" | b"w" => Level::Warn,
            b"error" | b"err" | b"eror" | b"e" => Level::Error,
            b"fatal" | b"critical" | b"crit" | b"alert" | b"emerg" | b"emergency" | b"panic"
            | b"dpanic" | b"ftl" | b"f" => Level::Fatal,
            _ => return None,
        })
    }

    /// pino/bunyan scale: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
    pub fn from_number(n: f64) -> Option<Level> {
        Some(match n as i64 {
            10..=19 => Level::Trace,
            20..=29 => Level::Debug,
            30..=39 => Level::Info,
            40..=49 => Level::Warn,
            50..=59 => Level::Error,
            60..=69 => Level::Fatal,
            _ => return None,
        })
    }
}

/// Which side of the proxy a line speaks for. Latency and status are never mixed across them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    App,
    Nginx,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::App => "app",
            Source::Nginx => "nginx",
        }
    }
}

/// Line formats, detected per line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Json,
    NginxJson,
    NginxError,
    NginxAccess,
}

impl Format {
    pub const COUNT: usize = 4;
    pub const ALL: [Format; 4] = [
        Format::Json,
        Format::NginxJson,
        Format::NginxError,
        Format::NginxAccess,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::NginxJson => "nginx_json",
            Format::NginxError => "nginx_error",
            Format::NginxAccess => "nginx_access",
        }
    }

    pub fn source(self) -> Source {
        match self {
            Format::Json => Source::App,
            _ => Source::Nginx,
        }
    }
}

/// One parsed line. Strings borrow from the input unless unescaping forced a copy.
#[derive(Debug, Default, Clone)]
pub struct LogEvent<'a> {
    pub format: Option<Format>,
    pub ts: Option<Micros>,
    pub level: Option<Level>,
    pub msg: Option<Cow<'a, str>>,
    pub request_id: Option<Cow<'a, str>>,
    /// App exception type, or the nginx error-log message class.
    pub error_type: Option<Cow<'a, str>>,
    pub latency_ms: Option<f64>,
    pub method: Option<Cow<'a, str>>,
    pub path: Option<Cow<'a, str>>,
    pub status: Option<u16>,
    pub client: Option<Cow<'a, str>>,
    pub upstream: Option<Cow<'a, str>>,
    /// For nginx error classes known to end a request with a status (504, 502, 413).
    pub implied_status: Option<u16>,
}

impl LogEvent<'_> {
    pub fn source(&self) -> Source {
        self.format.map(Format::source).unwrap_or(Source::App)
    }
}

/// Per-worker parsing memos; results never depend on them.
#[derive(Default)]
pub struct ParseCache {
    pub zone: ZoneCache,
    pub scan: ScanCache,
}

/// Outcome of looking at one line. Not boxed: one is built per line on the hot path.
#[allow(clippy::large_enum_variant)]
pub enum Parsed<'a> {
    Blank,
    Unparsed,
    Event(LogEvent<'a>),
}

/// Everything a worker needs to parse lines; cheap to share across threads.
pub struct Parser {
    pub fields: FieldSpec,
    pub zone: Zone,
    nginx_error: nginx_error::Classifier,
}

impl Parser {
    pub fn new(fields: FieldSpec, zone: Zone) -> Parser {
        Parser {
            fields,
            zone,
            nginx_error: nginx_error::Classifier::new(),
        }
    }

    /// Detects the format from the first bytes and parses. `line` has no trailing newline.
    pub fn parse<'a>(&self, line: &'a [u8], cache: &mut ParseCache) -> Parsed<'a> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let start = match line.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => i,
            None => return Parsed::Blank,
        };
        let body = &line[start..];
        let ev = match body[0] {
            b'{' => json::parse(body, &self.fields, &self.zone, cache),
            b'0'..=b'9' if nginx_error::looks_like(body) => std::str::from_utf8(body)
                .ok()
                .and_then(|s| self.nginx_error.parse(s, &self.zone, &mut cache.zone)),
            _ => std::str::from_utf8(body)
                .ok()
                .and_then(|s| nginx_access::parse(s, &self.zone, &mut cache.zone)),
        };
        match ev {
            Some(e) => Parsed::Event(e),
            None => Parsed::Unparsed,
        }
    }
}

/// Splits nginx's `$request` ("GET /path?q HTTP/1.1") into method and target.
pub fn split_request_line(r: &str) -> (Option<&str>, Option<&str>) {
    let mut it = r.splitn(3, ' ');
    let method = it
        .next()
        .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_uppercase()));
    let target = it.next().filter(|t| !t.is_empty());
    match (method, target) {
        (Some(m), Some(t)) => (Some(m), Some(t)),
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_names() {
        assert_eq!(Level::from_name("WARNING"), Some(Level::Warn));
        assert_eq!(Level::from_name("critical"), Some(Level::Fatal));
        assert_eq!(Level::from_name("emerg"), Some(Level::Fatal));
        assert_eq!(Level::from_name("notice"), Some(Level::Info));
        assert_eq!(Level::from_name("Err"), Some(Level::Error));
        assert_eq!(Level::from_name("banana"), None);
        assert_eq!(Level::from_name("a very long level name"), None);
    }

    #[test]
    fn level_numbers() {
        assert_eq!(Level::from_number(30.0), Some(Level::Info));
        assert_eq!(Level::from_number(50.0), Some(Level::Error));
        assert_eq!(Level::from_number(60.0), Some(Level::Fatal));
        assert_eq!(Level::from_number(5.0), None);
    }

    #[test]
    fn request_line() {
        assert_eq!(
            split_request_line("GET /a?b=1 HTTP/1.1"),
            (Some("GET"), Some("/a?b=1"))
        );
        assert_eq!(split_request_line("\\x16\\x03\\x01"), (None, None));
    }
}
