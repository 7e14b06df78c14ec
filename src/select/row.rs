//! `Row`: one parsed record as `export` writes it, a finished value with every column of
//! `docs/export-schema.md` resolved (endpoint named, message masked into its template, the
//! nginx message class of every nginx error-log line). Built from a `LogEvent`; must not
//! write bytes (`render/export/` does) nor decide which records are rows (`cmd/export.rs`).

use crate::parse::endpoint;
use crate::parse::mask::mask_into;
use crate::parse::nginx_error::Classifier;
use crate::parse::origin::{PathNames, of_path};
use crate::parse::{Format, Level, LogEvent, Micros, Source, Stream};

/// The columns, in the order every format writes them. `render/export/` checks its schema
/// and headers against this list.
pub const COLUMNS: [&str; 23] = [
    "ts",
    "file",
    "line",
    "source",
    "format",
    "level",
    "request_id",
    "method",
    "endpoint",
    "path",
    "status",
    "latency_ms",
    "error_type",
    "message",
    "template",
    "nginx_class",
    "upstream",
    "client",
    "stream",
    "pod",
    "container",
    "unit",
    "host",
];

/// The free-text columns of a row, held in one buffer (`Row::text`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    RequestId,
    Method,
    Endpoint,
    Path,
    ErrorType,
    Message,
    Template,
    NginxClass,
    Upstream,
    Client,
    Pod,
    Container,
    Unit,
    Host,
}

impl Text {
    pub const COUNT: usize = 14;
}

/// Where a text column sits in `Row::buf`; `start == NULL` for a null.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u32,
    len: u32,
}

const NULL: u32 = u32::MAX;

/// One exported record. The text columns share one buffer, so building a row costs one
/// allocation, not one per column; that matters at millions of rows.
#[derive(Clone, Debug)]
pub struct Row {
    pub ts: Option<Micros>,
    /// The input's index on the command line (`render/export/` holds the names).
    pub file: u32,
    /// 1-based physical line in its input where the record starts.
    pub line: u64,
    pub source: Source,
    pub format: Option<Format>,
    pub level: Option<Level>,
    pub status: Option<u16>,
    pub latency_ms: Option<f64>,
    pub stream: Option<Stream>,
    buf: String,
    spans: [Span; Text::COUNT],
}

/// What building rows needs besides the event: the nginx message classifier (built once,
/// shared by every worker).
#[derive(Default)]
pub struct RowBuilder {
    classes: Classifier,
    /// Per input, the names its path gives (`parse::origin`).
    origins: Vec<PathNames>,
}

impl RowBuilder {
    /// A builder for inputs at `paths` (as named on the command line).
    pub fn for_paths(paths: &[String]) -> RowBuilder {
        RowBuilder {
            origins: paths.iter().map(|p| of_path(p)).collect(),
            ..RowBuilder::default()
        }
    }

    /// The row of `ev`, read from input `file`; its line number is set by the caller once
    /// known (`Row::line`). `scratch` is a reusable buffer.
    pub fn build(&self, file: u32, ev: &LogEvent<'_>, scratch: &mut String) -> Row {
        let mut row = Row {
            ts: ev.ts,
            file,
            line: 0,
            source: ev.source(),
            format: ev.format,
            level: ev.level,
            // The status the line states: an app server's access line whose request the
            // app logged itself keeps its status here (the report counts it once, there).
            status: ev.status.or(ev.echoed_status),
            latency_ms: ev.latency_ms,
            stream: ev.env.stream,
            buf: String::with_capacity(ev.msg.as_deref().map_or(0, str::len) * 2 + 96),
            spans: [Span {
                start: NULL,
                len: 0,
            }; Text::COUNT],
        };
        row.set(Text::RequestId, ev.request_id.as_deref());
        row.set(Text::Method, ev.method.as_deref());
        if let Some(p) = ev.path.as_deref() {
            endpoint::normalize(ev.method.as_deref(), p, scratch);
            row.set(Text::Endpoint, Some(scratch));
        }
        row.set(Text::Path, ev.path.as_deref());
        row.set(Text::ErrorType, ev.error_type.as_deref());
        row.set(Text::Message, ev.msg.as_deref());
        if let Some(m) = ev.msg.as_deref() {
            mask_into(m, scratch);
            row.set(Text::Template, Some(scratch));
        }
        if ev.format == Some(Format::NginxError) {
            // The parser classes only [error] and worse (what the report counts as error
            // types); the export names the class of every nginx error-log line.
            match ev.error_type.as_deref() {
                Some(c) => row.set(Text::NginxClass, Some(c)),
                None => {
                    let class = self.classes.classify(ev.msg.as_deref().unwrap_or(""));
                    row.set(Text::NginxClass, Some(&class.0));
                }
            }
        }
        row.set(Text::Upstream, ev.upstream.as_deref());
        row.set(Text::Client, ev.client.as_deref());
        // The envelope's names, else the ones the file's path gives (kubelet, Docker).
        let by_path = self.origins.get(file as usize);
        let pod = ev.env.pod().or(by_path.and_then(|o| o.pod.as_deref()));
        let container = ev
            .env
            .container()
            .or(by_path.and_then(|o| o.container.as_deref()));
        row.set(Text::Pod, pod);
        row.set(Text::Container, container);
        row.set(Text::Unit, ev.env.unit());
        row.set(Text::Host, ev.env.host());
        row
    }
}

impl Row {
    fn set(&mut self, t: Text, v: Option<&str>) {
        let Some(v) = v else { return };
        // A record is at most a few MiB (`--max-line`, `MAX_JOINED`): far below 4 GiB.
        let start = self.buf.len();
        self.buf.push_str(v);
        self.spans[t as usize] = Span {
            start: start as u32,
            len: v.len() as u32,
        };
    }

    /// A text column; `None` for a null.
    pub fn text(&self, t: Text) -> Option<&str> {
        let s = self.spans[t as usize];
        (s.start != NULL).then(|| &self.buf[s.start as usize..(s.start + s.len) as usize])
    }

    pub fn level_name(&self) -> Option<&'static str> {
        self.level.map(Level::name)
    }

    pub fn format_name(&self) -> Option<&'static str> {
        self.format.map(Format::name)
    }

    pub fn stream_name(&self) -> Option<&'static str> {
        self.stream.map(Stream::name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{FieldSpec, ParseCache, Parsed, Parser, Zone};

    fn row_of(line: &[u8]) -> Row {
        let parser = Parser::new(FieldSpec::defaults(), Zone::parse("UTC").unwrap());
        let mut buf = Vec::new();
        match parser.parse(0, line, &mut ParseCache::default(), &mut buf) {
            Parsed::Event(ev) => RowBuilder::default().build(0, &ev, &mut String::new()),
            _ => panic!("not parsed"),
        }
    }

    #[test]
    fn an_app_line_names_its_endpoint_and_template() {
        let r = row_of(
            br#"{"time":"2025-05-06T04:00:08.5Z","level":"error","msg":"user 42 failed","request_id":"r1","method":"GET","path":"/api/items/123?x=1","status":500,"latency_ms":12.5,"error_type":"KeyError"}"#,
        );
        assert_eq!(r.ts, Some(1_746_504_008_500_000));
        assert_eq!(r.source, Source::App);
        assert_eq!(r.format_name(), Some("json"));
        assert_eq!(r.level_name(), Some("ERROR"));
        assert_eq!(r.text(Text::RequestId), Some("r1"));
        assert_eq!(r.text(Text::Endpoint), Some("GET /api/items/:id"));
        assert_eq!(r.text(Text::Path), Some("/api/items/123?x=1"));
        assert_eq!(r.text(Text::Message), Some("user 42 failed"));
        assert_eq!(r.text(Text::Template), Some("user <n> failed"));
        assert_eq!(r.text(Text::ErrorType), Some("KeyError"));
        assert_eq!(r.text(Text::NginxClass), None);
        assert_eq!(r.status, Some(500));
        assert_eq!(r.latency_ms, Some(12.5));
        assert_eq!(r.text(Text::Pod), None);
    }

    #[test]
    fn nginx_warnings_get_a_class_but_no_error_type() {
        let warn = row_of(
            b"2025/05/06 04:00:08 [warn] 7#7: *9 an upstream response is buffered to a temporary file /var/cache/nginx/1 while reading upstream, client: 10.0.0.1, server: x, request: \"GET /a HTTP/1.1\"",
        );
        assert_eq!(warn.source, Source::Nginx);
        assert_eq!(warn.text(Text::ErrorType), None);
        assert!(
            warn.text(Text::NginxClass)
                .is_some_and(|c| c.contains("<path>"))
        );
        let err = row_of(
            b"2025/05/06 04:00:08 [error] 7#7: *9 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.1, server: x, request: \"GET /a/7 HTTP/1.1\", upstream: \"http://10.0.0.2:80/a/7\"",
        );
        assert_eq!(err.text(Text::ErrorType), Some("upstream_timed_out"));
        assert_eq!(err.text(Text::NginxClass), Some("upstream_timed_out"));
        assert_eq!(err.text(Text::Endpoint), Some("GET /a/:id"));
        assert_eq!(err.text(Text::Client), Some("10.0.0.1"));
        assert_eq!(err.text(Text::Upstream), Some("http://10.0.0.2:80/a/7"));
    }

    #[test]
    fn envelope_names_are_columns() {
        let r = row_of(
            br#"[pod/web-7d9f/api] {"time":"2025-05-06T04:00:08Z","level":"info","msg":"hi"}"#,
        );
        assert_eq!(r.text(Text::Pod), Some("web-7d9f"));
        assert_eq!(r.text(Text::Container), Some("api"));
        assert_eq!(r.text(Text::Message), Some("hi"));
        assert_eq!(r.text(Text::Method), None);
    }
}
