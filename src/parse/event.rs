//! `LogEvent<'a>`, one parsed record borrowed from the input (or the caller's decode
//! buffer), and `Parsed`, what looking at one line gave. Plain values: filled by the readers,
//! read by aggregation; nothing here parses or counts.

use std::borrow::Cow;

use super::envelope::types::Envelope;
use super::format::{Format, Source};
use super::level::Level;
use super::time::Micros;

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

/// Outcome of looking at one line. Not boxed: one is built per line on the hot path.
#[allow(clippy::large_enum_variant)]
pub enum Parsed<'a> {
    Blank,
    Unparsed,
    Event(LogEvent<'a>),
}
