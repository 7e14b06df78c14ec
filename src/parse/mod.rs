//! `LogEvent<'a>`: one parsed record, borrowed from the input (or from the caller's buffer
//! when an envelope had to be decoded); per-record envelope unwrapping and format
//! detection. Owns nothing about counting: aggregation reads events, parsers never see
//! totals.

pub mod envelope;
pub mod fields;
pub mod json;
pub mod json_scan;
pub mod jstr;
pub mod log_format;
pub mod mask;
pub mod multiline;
pub mod nginx_access;
pub mod nginx_error;
pub mod picked;
pub mod records;
pub mod stack;
pub mod text;
pub mod time;

use std::borrow::Cow;

use serde::Serialize;

pub use envelope::{Envelope, Stream};
pub use fields::{Canonical, FieldSpec, KeyCache, Unit};
pub use json_scan::ScanCache;
pub use time::{Micros, YearRef, Zone, ZoneCache};

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

/// Line formats, detected per record (of the text inside any envelope).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Json,
    NginxJson,
    NginxError,
    NginxAccess,
    /// Free text inside an envelope: its time and fields come from the envelope, the whole
    /// text is the message.
    Text,
    /// A traceback or stack printed on its own, not through a logger.
    Stack,
    /// uvicorn's own lines: `INFO:     message` and its access lines.
    Uvicorn,
    /// Python `logging` text layouts (`%(asctime)s %(levelname)s %(name)s: %(message)s`, ...).
    Python,
    /// gunicorn's error log: `[2026-12-01 06:49:31 +0000] [7] [INFO] message`.
    Gunicorn,
    /// gunicorn's access log (the app server's view, not the proxy's).
    GunicornAccess,
    /// `key=value` pairs: Go slog's TextHandler, logrus, Heroku.
    Logfmt,
    /// Go's standard `log`: `2026/12/01 06:30:59 message`.
    GoLog,
    /// Express morgan's presets.
    Morgan,
}

impl Format {
    pub const COUNT: usize = 13;
    pub const ALL: [Format; Format::COUNT] = [
        Format::Json,
        Format::NginxJson,
        Format::NginxError,
        Format::NginxAccess,
        Format::Text,
        Format::Stack,
        Format::Uvicorn,
        Format::Python,
        Format::Gunicorn,
        Format::GunicornAccess,
        Format::Logfmt,
        Format::GoLog,
        Format::Morgan,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::NginxJson => "nginx_json",
            Format::NginxError => "nginx_error",
            Format::NginxAccess => "nginx_access",
            Format::Text => "text",
            Format::Stack => "stack",
            Format::Uvicorn => "uvicorn",
            Format::Python => "python",
            Format::Gunicorn => "gunicorn",
            Format::GunicornAccess => "gunicorn_access",
            Format::Logfmt => "logfmt",
            Format::GoLog => "go_log",
            Format::Morgan => "morgan",
        }
    }

    /// The access lines an app server writes for the app (uvicorn's, gunicorn's, morgan's).
    pub fn is_server_access(self) -> bool {
        matches!(
            self,
            Format::Uvicorn | Format::GunicornAccess | Format::Morgan
        )
    }

    pub fn source(self) -> Source {
        match self {
            Format::NginxJson | Format::NginxError | Format::NginxAccess => Source::Nginx,
            _ => Source::App,
        }
    }
}

/// The longest latency read as one (ms, about 31,700 years): past it a value is a unit
/// misread or garbage, and summing it would swamp every figure.
pub const MAX_LATENCY_MS: f64 = 1e15;

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
    /// `ts` as wall-clock digits read as UTC, when its stamp carried no zone and was read in
    /// the input's zone: what zone inference compares with zoned evidence.
    pub ts_local: Option<Micros>,
    /// The envelopes the record came in (empty for a bare line).
    pub env: Envelope<'a>,
    /// The program's own text inside the envelopes, when there were any.
    pub inner: Option<&'a [u8]>,
    /// The own text of the continuation lines under an envelope line (a traceback a runtime
    /// stored one line per entry), decoded; `None` for bare records.
    pub continued: Option<String>,
    /// The line gave a latency no request takes (over `MAX_LATENCY_MS`, negative, or not a
    /// number): dropped from `latency_ms`, counted apart.
    pub latency_out_of_range: bool,
    /// The status of an access line of the app server in an input whose app logs its own
    /// statuses (`nginx_access::Access::echo`): shown, not counted again (`status` is
    /// `None`).
    pub echoed_status: Option<u16>,
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
    /// The node flags (`fields::JOURNAL`, ...) of the last JSON object parsed: the scan that
    /// reads a line's fields also says what kind of record it is, for free.
    pub json_flags: u8,
    /// The unit of the current input's latency keys that state none (`FileCtx`).
    pub auto_latency: Unit,
    /// Key positions of the last text record's `key=value` pairs.
    pub text_keys: KeyCache,
}

/// Outcome of looking at one line. Not boxed: one is built per line on the hot path.
#[allow(clippy::large_enum_variant)]
pub enum Parsed<'a> {
    Blank,
    Unparsed,
    Event(LogEvent<'a>),
}

/// What the parser knows of one input besides its lines.
#[derive(Clone, Debug, Default)]
pub struct FileCtx {
    /// The zone of this input's naive stamps; `None`: the parser's zone.
    pub zone: Option<Zone>,
    /// The date this input's year-less stamps are placed near (its mtime, or its newest
    /// dated line); `None`: the parser's.
    pub year: Option<YearRef>,
    /// Who writes this input's access lines, and the unit of their bare timing.
    pub access: nginx_access::Access,
    /// The unit of its latency keys whose name states none (`duration`: Go's slog writes
    /// integer nanoseconds), when its head showed them; `Auto` reads them as seconds.
    pub auto_latency: Unit,
}

/// Everything a worker needs to parse lines; cheap to share across threads.
pub struct Parser {
    pub fields: FieldSpec,
    pub zone: Zone,
    /// Per input, by index; inputs beyond the list take the defaults.
    files: Vec<FileCtx>,
    year: YearRef,
    nginx_error: nginx_error::Classifier,
    /// The user's access-log formats, tried before the built-in readers.
    log_formats: Vec<log_format::LogFormat>,
}

impl Parser {
    pub fn new(fields: FieldSpec, zone: Zone) -> Parser {
        let now = chrono::Utc::now().timestamp_micros();
        Parser {
            fields,
            zone,
            files: Vec::new(),
            year: YearRef::of(now).expect("the current date"),
            nginx_error: nginx_error::Classifier::new(),
            log_formats: Vec::new(),
        }
    }

    /// Reads access lines with these formats first (`--nginx-log-format`, `--nginx-conf`).
    pub fn with_log_formats(mut self, formats: Vec<log_format::LogFormat>) -> Parser {
        self.log_formats = formats;
        self
    }

    /// Sets what is known of each input (by index).
    pub fn with_files(mut self, files: Vec<FileCtx>) -> Parser {
        self.files = files;
        self
    }

    /// Reads input `file`'s naive stamps in `zone` from now on.
    pub fn set_zone(&mut self, file: u32, zone: Zone) {
        let i = file as usize;
        if self.files.len() <= i {
            self.files.resize(i + 1, FileCtx::default());
        }
        self.files[i].zone = Some(zone);
    }

    pub fn file(&self, file: u32) -> Option<&FileCtx> {
        self.files.get(file as usize)
    }

    /// How input `file`'s access lines read.
    pub fn access_of(&self, file: u32) -> &nginx_access::Access {
        static NGINX: nginx_access::Access = nginx_access::Access {
            producer: nginx_access::Producer::Nginx,
            unit: Unit::S,
            echo: false,
        };
        self.file(file).map_or(&NGINX, |f| &f.access)
    }

    /// The zone naive stamps of input `file` are read in.
    pub fn zone_of(&self, file: u32) -> &Zone {
        self.file(file)
            .and_then(|f| f.zone.as_ref())
            .unwrap_or(&self.zone)
    }

    /// Unwraps the envelopes of one record of input `file` (a line without its newline, or
    /// several that `envelope::joins` joined), detects the format of the text inside from
    /// its first bytes and parses it. Decoded text lives in `buf`, which the event borrows.
    pub fn parse<'a>(
        &self,
        file: u32,
        record: &'a [u8],
        cache: &mut ParseCache,
        buf: &'a mut Vec<u8>,
    ) -> Parsed<'a> {
        let mut out = Parsed::Blank;
        self.parse_into(file, record, cache, buf, &mut out);
        out
    }

    /// Parses one record as the reader delivered it: its head (the line, or its envelope
    /// fragments) by format, then what its continuation lines add (a traceback's error type),
    /// or, when no format read the head, whether the whole record is a bare stack.
    pub fn parse_record_into<'a>(
        &self,
        file: u32,
        record: &'a [u8],
        head: usize,
        cache: &mut ParseCache,
        buf: &'a mut Vec<u8>,
        out: &mut Parsed<'a>,
    ) {
        let (h, tail) = match record.get(head) {
            Some(_) => (&record[..head], Some(&record[head + 1..])),
            None => (record, None),
        };
        self.parse_into(file, h, cache, buf, out);
        if let Parsed::Event(e) = out
            && let Some(ms) = e.latency_ms
            && !(0.0..=MAX_LATENCY_MS).contains(&ms)
        {
            e.latency_ms = None;
            e.latency_out_of_range = true;
        }
        if let Parsed::Event(e) = out
            && e.status.is_some()
            && e.format.is_some_and(Format::is_server_access)
            && self.access_of(file).echo
        {
            e.echoed_status = e.status.take();
        }
        match out {
            Parsed::Event(e) => {
                if let Some(t) = tail {
                    if e.env.kinds != 0 {
                        stack::add_framed_tail(e, envelope::frame::texts(t));
                    } else {
                        stack::add_tail(e, t);
                    }
                }
            }
            Parsed::Unparsed => {
                if let Some(e) = stack::bare(h.strip_suffix(b"\r").unwrap_or(h), tail) {
                    *out = Parsed::Event(e);
                }
            }
            Parsed::Blank => {}
        }
    }

    /// `parse_record_into`, returned.
    pub fn parse_record<'a>(
        &self,
        file: u32,
        record: &'a [u8],
        head: usize,
        cache: &mut ParseCache,
        buf: &'a mut Vec<u8>,
    ) -> Parsed<'a> {
        let mut out = Parsed::Blank;
        self.parse_record_into(file, record, head, cache, buf, &mut out);
        out
    }

    /// `parse` into the caller's value: the event is built where it stays, which on the hot
    /// path saves moving a few hundred bytes per line.
    pub fn parse_into<'a>(
        &self,
        file: u32,
        record: &'a [u8],
        cache: &mut ParseCache,
        buf: &'a mut Vec<u8>,
        out: &mut Parsed<'a>,
    ) {
        let line = record.strip_suffix(b"\r").unwrap_or(record);
        // A byte-order mark opens files some Windows tools write (and every file after the
        // first in a concatenation of them): not part of the line.
        let line = match line {
            [0xEF, 0xBB, 0xBF, rest @ ..] => rest,
            _ => line,
        };
        let fc = self.file(file);
        cache.auto_latency = fc.map_or(Unit::Auto, |f| f.auto_latency);
        let zone = fc.and_then(|f| f.zone.as_ref()).unwrap_or(&self.zone);
        let ctx = envelope::Ctx {
            zone,
            year: fc.and_then(|f| f.year).unwrap_or(self.year),
        };
        // A bare JSON line, the common case: no envelope to peel. A journald entry's keys
        // come in any order; the JSON scan of the line says whether it is one.
        if line.first() == Some(&b'{') && !envelope::docker::is_docker(line) {
            cache.zone.naive_local = None;
            cache.json_flags = 0;
            *out = Parsed::Event(LogEvent::default());
            let Parsed::Event(e) = out else {
                unreachable!("just set")
            };
            if !json::parse_into(line, &self.fields, zone, cache, e) {
                *out = Parsed::Unparsed;
                return;
            }
            e.ts_local = e.ts.and(cache.zone.naive_local);
            let mut env = Envelope::default();
            if cache.json_flags & fields::JOURNAL != 0
                && envelope::journald::unwrap(line, &mut env, buf).is_some()
            {
                let decoded: &'a Vec<u8> = buf;
                self.inner(file, decoded, &mut env, &ctx, cache, out);
            }
            return;
        }
        let mut env = Envelope::default();
        let bare = match envelope::outer(line, &mut env, buf) {
            envelope::Outer::Bare => true,
            envelope::Outer::Buf => false,
        };
        if bare {
            self.inner(file, line, &mut env, &ctx, cache, out);
            // A line no format read for its invalid UTF-8 (nginx writes request bytes raw
            // into its error log) is read again with the bad bytes replaced.
            if matches!(out, Parsed::Unparsed) && std::str::from_utf8(line).is_err() {
                buf.clear();
                buf.extend_from_slice(String::from_utf8_lossy(line).as_bytes());
                let mut env = Envelope::default();
                let lossy: &'a Vec<u8> = buf;
                self.inner(file, lossy, &mut env, &ctx, cache, out);
            }
            return;
        }
        let decoded: &'a Vec<u8> = buf;
        self.inner(file, decoded, &mut env, &ctx, cache, out);
    }

    /// Peels the envelopes that only frame `text`, detects and parses the program's text,
    /// and lets the envelope fill in what the text lacks.
    fn inner<'a>(
        &self,
        file: u32,
        text: &'a [u8],
        env: &mut Envelope<'a>,
        ctx: &envelope::Ctx<'_>,
        cache: &mut ParseCache,
        out: &mut Parsed<'a>,
    ) {
        let text = envelope::peel(text, env, ctx, &mut cache.zone);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        let start = text.iter().position(|b| !b.is_ascii_whitespace());
        if start.is_none() && env.kinds == 0 {
            *out = Parsed::Blank;
            return;
        }
        let body = &text[start.unwrap_or(text.len())..];
        cache.zone.naive_local = None;
        cache.json_flags = 0;
        *out = Parsed::Event(LogEvent::default());
        let Parsed::Event(e) = out else {
            unreachable!("just set")
        };
        // An envelope with no text (journalctl's null for a long field) still says when.
        let access = self.access_of(file);
        let parsed = !body.is_empty() && self.detect(body, ctx.zone, access, cache, e);
        if parsed {
            e.ts_local = e.ts.and(cache.zone.naive_local);
        } else if env.kinds == 0 {
            *out = Parsed::Unparsed;
            return;
        } else {
            e.format = Some(Format::Text);
            e.msg = (!body.is_empty()).then(|| match std::str::from_utf8(body) {
                Ok(s) => Cow::Borrowed(s.trim_end()),
                Err(_) => Cow::Owned(String::from_utf8_lossy(body).trim_end().to_owned()),
            });
        }
        if env.kinds == 0 {
            return;
        }
        if e.ts.is_none() {
            env.read_stamp(ctx, &mut cache.zone);
            e.ts = env.ts;
            e.ts_local = env.ts_local;
        }
        e.level = e.level.or(env.level);
        e.inner = Some(body);
        e.env = std::mem::take(env);
    }

    /// The formats of a program's own text, told apart by the first byte; fills `ev` (a
    /// default event) and says whether one matched.
    #[inline]
    fn detect<'a>(
        &self,
        body: &'a [u8],
        zone: &Zone,
        access: &nginx_access::Access,
        cache: &mut ParseCache,
        ev: &mut LogEvent<'a>,
    ) -> bool {
        match body[0] {
            b'{' => json::parse_into(body, &self.fields, zone, cache, ev),
            b'0'..=b'9' if nginx_error::looks_like(body) => std::str::from_utf8(body)
                .ok()
                .and_then(|s| self.nginx_error.parse_into(s, zone, &mut cache.zone, ev))
                .is_some(),
            _ => {
                let Ok(s) = std::str::from_utf8(body) else {
                    return false;
                };
                if self
                    .log_formats
                    .iter()
                    .any(|f| f.parse_into(s, zone, &mut cache.zone, ev))
                {
                    return true;
                }
                nginx_access::parse_into(s, zone, &mut cache.zone, access, ev).is_some()
                    || text::parse_into(
                        s,
                        &self.fields,
                        zone,
                        &mut cache.zone,
                        &mut cache.text_keys,
                        cache.auto_latency,
                        ev,
                    )
            }
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
