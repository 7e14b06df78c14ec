//! What every export format shares: the `Export` trait (encode a group of rows on any
//! thread, write the pieces in order), a row's cells as the text formats write them
//! (`Cells`), and times with microseconds (`Stamp`). Must not write a format of its own.

use std::io::{self, Write};

use serde::Serialize;

use crate::parse::Micros;
use crate::select::row::{Row, Text};

/// One output format. `encode` turns one group of rows into a piece on any thread (it must
/// depend on nothing but the rows and the settings); `write` appends the pieces in input
/// order; `finish` ends the output (a Parquet footer, or a CSV header when there were no
/// rows). Rows are grouped by count alone, so the same rows give the same bytes whatever
/// the threads or chunks that read them.
pub trait Export: Sync {
    type Piece: Send;
    fn encode(&self, rows: &[Row]) -> io::Result<Self::Piece>;
    fn write(&mut self, piece: Self::Piece, out: &mut dyn Write) -> io::Result<()>;
    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()>;
}

/// A row's cells as the text formats write them, with the file's name: the serde field
/// order is the column order of `row::COLUMNS` (checked by a test).
#[derive(Serialize)]
pub struct Cells<'a> {
    pub ts: Option<Stamp>,
    pub file: &'a str,
    pub line: u64,
    pub source: &'static str,
    pub format: Option<&'static str>,
    pub level: Option<&'static str>,
    pub request_id: Option<&'a str>,
    pub method: Option<&'a str>,
    pub endpoint: Option<&'a str>,
    pub path: Option<&'a str>,
    pub status: Option<u16>,
    pub latency_ms: Option<f64>,
    pub error_type: Option<&'a str>,
    pub message: Option<&'a str>,
    pub template: Option<&'a str>,
    pub nginx_class: Option<&'a str>,
    pub upstream: Option<&'a str>,
    pub client: Option<&'a str>,
    pub stream: Option<&'static str>,
    pub pod: Option<&'a str>,
    pub container: Option<&'a str>,
    pub unit: Option<&'a str>,
    pub host: Option<&'a str>,
}

impl<'a> Cells<'a> {
    /// The cells of `r`; `paths` are the inputs' names as given on the command line.
    pub fn of(r: &'a Row, paths: &'a [String]) -> Cells<'a> {
        Cells {
            ts: r.ts.map(Stamp::of),
            file: paths.get(r.file as usize).map_or("", String::as_str),
            line: r.line,
            source: r.source.name(),
            format: r.format_name(),
            level: r.level_name(),
            request_id: r.text(Text::RequestId),
            method: r.text(Text::Method),
            endpoint: r.text(Text::Endpoint),
            path: r.text(Text::Path),
            status: r.status,
            latency_ms: r.latency_ms,
            error_type: r.text(Text::ErrorType),
            message: r.text(Text::Message),
            template: r.text(Text::Template),
            nginx_class: r.text(Text::NginxClass),
            upstream: r.text(Text::Upstream),
            client: r.text(Text::Client),
            stream: r.stream_name(),
            pod: r.text(Text::Pod),
            container: r.text(Text::Container),
            unit: r.text(Text::Unit),
            host: r.text(Text::Host),
        }
    }
}

/// A time as RFC 3339 in UTC with microseconds (`2026-11-25T03:15:42.123456Z`), built on
/// the stack: the text formats write one per row.
pub struct Stamp {
    buf: [u8; 40],
    len: usize,
}

impl Stamp {
    pub fn of(t: Micros) -> Stamp {
        use chrono::{Datelike, Timelike};
        let mut s = Stamp {
            buf: [0; 40],
            len: 0,
        };
        let mut w = &mut s.buf[..];
        let _ = match chrono::DateTime::from_timestamp_micros(t) {
            Some(dt) if (0..=9999).contains(&dt.year()) => write!(
                w,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
                dt.year(),
                dt.month(),
                dt.day(),
                dt.hour(),
                dt.minute(),
                dt.second(),
                dt.timestamp_subsec_micros().min(999_999)
            ),
            Some(dt) => write!(w, "{}", dt.format("%Y-%m-%dT%H:%M:%S%.6fZ")),
            None => write!(w, "invalid"),
        };
        s.len = 40 - w.len();
        s
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII was written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("invalid")
    }
}

impl Serialize for Stamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
