//! `--format json` of `trace` and `filter`: one JSON object per event, its normalised fields
//! then the original ones (docs/lines-schema.md), written through `safe_json`.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::value::RawValue;

use crate::parse::time::format_utc;
use crate::parse::{Format, Level};
use crate::render::Render;
use crate::render::safe_json::write_line;
use crate::select::event::{Correlation, EnvInfo, Event};

/// One JSON line per event; `paths` names the inputs by `Event::file`, `trace` is the id the
/// lines were traced for (`trace` only).
pub struct Json<'a> {
    pub paths: &'a [String],
    pub trace: Option<&'a str>,
}

/// One event as JSON: the normalised fields, then the original ones.
#[derive(Serialize)]
struct JsonEvent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    /// The traced id this line belongs to (trace only).
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<&'a str>,
    ts: Option<String>,
    level: Option<Level>,
    msg: Option<&'a str>,
    request_id: Option<&'a str>,
    error_type: Option<&'a str>,
    latency_ms: Option<f64>,
    status: Option<u16>,
    method: Option<&'a str>,
    path: Option<&'a str>,
    client: Option<&'a str>,
    upstream: Option<&'a str>,
    format: Option<&'static str>,
    file: &'a str,
    line: u64,
    /// What the envelopes said, for lines that came in any.
    #[serde(skip_serializing_if = "Option::is_none")]
    envelope: Option<&'a EnvInfo>,
    correlated: Option<&'a Correlation>,
    /// The original JSON object, for JSON lines.
    fields: Option<&'a RawValue>,
    /// The original text, for lines that are not JSON.
    raw: Option<Cow<'a, str>>,
}

impl Render<Event> for Json<'_> {
    fn render(&self, e: &Event, out: &mut dyn Write) -> io::Result<()> {
        let text = std::str::from_utf8(e.own()).ok();
        let fields: Option<&RawValue> = match (e.format, text) {
            (Some(Format::Json | Format::NginxJson), Some(t)) => {
                serde_json::from_str(t.trim()).ok()
            }
            _ => None,
        };
        let rec = JsonEvent {
            kind: "event",
            trace: self.trace,
            ts: e.ts.map(format_utc),
            level: e.level,
            msg: e.msg.as_deref(),
            request_id: e.request_id.as_deref(),
            error_type: e.error_type.as_deref(),
            latency_ms: e.latency_ms.map(crate::model::round3),
            status: e.status,
            method: e.method.as_deref(),
            path: e.path.as_deref(),
            client: e.client.as_deref(),
            upstream: e.upstream.as_deref(),
            format: e.format.map(Format::name),
            file: &self.paths[e.file as usize],
            line: e.line,
            envelope: e.env.as_deref(),
            correlated: e.correlated.as_ref(),
            fields,
            raw: fields.is_none().then(|| e.text()),
        };
        write_line(out, &rec)
    }
}
