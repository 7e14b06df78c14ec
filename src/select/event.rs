//! `Event`: one selected log line, owned, with its origin (file, line, byte offset) and its
//! parsed fields, for the commands that print lines (`trace`, `filter`). Built from a
//! `LogEvent`; must not print or decide what is selected.

use crate::parse::{Envelope, Format, Level, LogEvent, Micros, Source};

/// What the envelopes of a line said (empty for a bare line); `--format json`'s `envelope`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct EnvInfo {
    /// Envelope kinds, outermost first (`docker`, `cri`, `kubectl_prefix`, ...).
    pub kinds: Vec<&'static str>,
    pub stream: Option<&'static str>,
    pub pod: Option<String>,
    pub container: Option<String>,
    pub unit: Option<String>,
    pub host: Option<String>,
    /// syslog's tag or journald's `SYSLOG_IDENTIFIER`.
    pub program: Option<String>,
    pub pid: Option<u32>,
    /// A log store's stream name (CloudWatch's `logStreamName`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_stream: Option<String>,
    /// A log store's labels or attributes as it names them (Loki's stream labels, GCP's
    /// resource labels, OTLP resource attributes, the fields Filebeat added).
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "as_map")]
    pub labels: Vec<(String, String)>,
}

/// Labels as a JSON object, in the store's order.
fn as_map<S: serde::Serializer>(labels: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(labels.len()))?;
    for (k, v) in labels {
        m.serialize_entry(k, v)?;
    }
    m.end()
}

impl EnvInfo {
    pub fn of(env: &Envelope<'_>) -> EnvInfo {
        let own = |c: Option<&str>| c.map(str::to_owned);
        EnvInfo {
            kinds: env.kinds().map(|k| k.name()).collect(),
            stream: env.stream.map(|s| s.name()),
            pod: own(env.pod()),
            container: own(env.container()),
            unit: own(env.unit()),
            host: own(env.host()),
            program: own(env.ident()),
            pid: env.pid,
            log_stream: own(env.log_stream()),
            labels: env.names.as_deref().map_or_else(Vec::new, |n| {
                n.labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            }),
        }
    }
}

/// How a line without the request id was tied to a traced request.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Correlation {
    /// What agreed, e.g. `client, request line, time, status`.
    pub by: &'static str,
    /// Requests the line fits equally well (1 = unambiguous).
    pub candidates: usize,
}

#[derive(Clone, Debug)]
pub struct Event {
    pub file: u32,
    /// 1-based line number in its file.
    pub line: u64,
    /// Byte offset of the line in its (decompressed) input.
    pub offset: u64,
    /// The record as read (a line without its newline, or joined fragments).
    pub raw: Vec<u8>,
    /// The program's own text inside the envelopes, when there were any.
    pub inner: Option<Vec<u8>>,
    /// What the envelopes said; `None` for a bare line (boxed: most lines have none).
    pub env: Option<Box<EnvInfo>>,
    pub format: Option<Format>,
    pub ts: Option<Micros>,
    pub level: Option<Level>,
    pub msg: Option<String>,
    pub request_id: Option<String>,
    pub error_type: Option<String>,
    pub latency_ms: Option<f64>,
    pub status: Option<u16>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub client: Option<String>,
    pub upstream: Option<String>,
    /// For nginx error classes that end a request with a known status.
    pub implied_status: Option<u16>,
    /// Set when the line was tied to a request by correlation rather than by its id.
    pub correlated: Option<Correlation>,
    /// Where the line sits in a timeline: its timestamp, or for a whole-second nginx stamp
    /// the best estimate within that second (see `trace`).
    pub at: Option<Micros>,
}

impl Event {
    /// An event for a parsed line; `line` is filled in once the line number is known.
    pub fn new(offset: u64, raw: &[u8], ev: &LogEvent<'_>) -> Event {
        let own = |c: &Option<std::borrow::Cow<'_, str>>| c.as_deref().map(str::to_owned);
        Event {
            file: 0,
            line: 0,
            offset,
            raw: raw.to_vec(),
            inner: ev.inner.map(|i| match &ev.continued {
                Some(t) => [i, b"\n", t.as_bytes()].concat(),
                None => i.to_vec(),
            }),
            env: (ev.env.kinds != 0).then(|| Box::new(EnvInfo::of(&ev.env))),
            format: ev.format,
            ts: ev.ts,
            level: ev.level,
            msg: own(&ev.msg),
            request_id: own(&ev.request_id),
            error_type: own(&ev.error_type),
            latency_ms: ev.latency_ms,
            status: ev.status.or(ev.echoed_status),
            method: own(&ev.method),
            path: own(&ev.path),
            client: own(&ev.client),
            upstream: own(&ev.upstream),
            implied_status: ev.implied_status,
            correlated: None,
            at: ev.ts,
        }
    }

    /// An event for a line no format matched: only its origin and text.
    pub fn unparsed(offset: u64, raw: &[u8]) -> Event {
        Event::new(offset, raw, &LogEvent::default())
    }

    pub fn source(&self) -> Source {
        self.format.map(Format::source).unwrap_or(Source::App)
    }

    /// An nginx access record (combined or JSON).
    pub fn is_access(&self) -> bool {
        matches!(self.format, Some(Format::NginxAccess | Format::NginxJson))
    }

    /// The original line as text (invalid UTF-8 replaced).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.raw)
    }

    /// The program's own text: inside the envelopes, or the whole line.
    pub fn own(&self) -> &[u8] {
        self.inner.as_deref().unwrap_or(&self.raw)
    }
}
