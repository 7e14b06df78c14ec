//! Lines of output for selected events (`trace`, `filter`): `raw` (the original line),
//! `json` (one normalised JSON object per line, the documented contract) and `text` (aligned
//! and escaped for a terminal, tracebacks indented under their line). Sees only finished
//! `Event`s; must not select or reorder them.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::value::RawValue;

use super::escape::term;
use crate::parse::time::format_utc;
use crate::parse::{Format, Level, Micros};
use crate::select::event::{Correlation, EnvInfo, Event};

/// The original line, unchanged (plus a newline).
pub fn raw(e: &Event, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(&e.raw)?;
    out.write_all(b"\n")
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
    raw: Option<std::borrow::Cow<'a, str>>,
}

/// One JSON object per line; `trace` names the id the line was traced for.
pub fn json(e: &Event, path: &str, trace: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    let text = std::str::from_utf8(e.own()).ok();
    let fields: Option<&RawValue> = match (e.format, text) {
        (Some(Format::Json | Format::NginxJson), Some(t)) => serde_json::from_str(t.trim()).ok(),
        _ => None,
    };
    let rec = JsonEvent {
        kind: "event",
        trace,
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
        file: path,
        line: e.line,
        envelope: e.env.as_deref(),
        correlated: e.correlated.as_ref(),
        fields,
        raw: fields.is_none().then(|| e.text()),
    };
    super::json::to_writer_safe(&mut *out, &rec)?;
    out.write_all(b"\n")
}

/// Terminal styling; all of it off unless colour was asked for.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn level(&self, l: Option<Level>) -> String {
        let name = l.map_or("-", Level::name);
        let padded = format!("{name:<5}");
        match l {
            Some(Level::Error | Level::Fatal) => self.paint("1;31", &padded),
            Some(Level::Warn) => self.paint("33", &padded),
            _ => padded,
        }
    }
}

/// `HH:MM:SS.mmm` in UTC; the nginx error log has whole seconds, shown as such.
fn clock(e: &Event) -> String {
    match e.ts {
        Some(t) => {
            let full = format_utc(t);
            let hms = full.get(11..23).unwrap_or(&full).to_string();
            if e.format == Some(Format::NginxError) {
                format!("{}    ", &hms[..8.min(hms.len())])
            } else {
                hms
            }
        }
        None => "--:--:--.---".to_string(),
    }
}

/// `+1.234s` since `start`, by the line's place in the timeline.
fn delta(e: &Event, start: Option<Micros>) -> String {
    match (e.at, start) {
        (Some(t), Some(s)) => format!("+{:.3}s", (t - s) as f64 / 1e6),
        _ => String::new(),
    }
}

/// The fields worth a glance after the message.
fn key_fields(e: &Event) -> String {
    let mut parts = Vec::new();
    if e.format != Some(Format::NginxError)
        && let Some(p) = &e.path
    {
        parts.push(format!("{} {}", e.method.as_deref().unwrap_or(""), p));
    }
    if let Some(s) = e.status {
        parts.push(format!("status={s}"));
    }
    if let Some(ms) = e.latency_ms {
        parts.push(format!("latency={}ms", super::ms(ms)));
    }
    if let Some(c) = &e.client
        && e.format != Some(Format::Json)
    {
        parts.push(format!("client={c}"));
    }
    if let Some(u) = &e.upstream {
        parts.push(format!("upstream={u}"));
    }
    // Where an enveloped line came from, when several sources share a timeline.
    if let Some(env) = &e.env {
        for (k, v) in [
            ("pod", &env.pod),
            ("container", &env.container),
            ("host", &env.host),
            ("unit", &env.unit),
        ] {
            if let Some(v) = v {
                parts.push(format!("{k}={v}"));
            }
        }
        if env.stream == Some("stderr") {
            parts.push("stderr".to_string());
        }
    }
    parts.join(" ")
}

/// Multi-line strings of a JSON line (tracebacks, stacks), in document order; for a text
/// record of several lines, the lines after its first.
fn multiline_values(e: &Event) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) if s.contains('\n') => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    // A record's first line, then its continuation lines (inside their envelopes, the
    // program's own text of each).
    let own = e.own();
    let (first, rest) = match memchr::memchr(b'\n', own) {
        Some(nl) => (&own[..nl], Some(&own[nl + 1..])),
        None => (own, None),
    };
    if matches!(e.format, Some(Format::Json | Format::NginxJson))
        && let Ok(v) = serde_json::from_slice::<serde_json::Value>(first)
    {
        walk(&v, &mut out);
    }
    if let Some(rest) = rest {
        out.push(String::from_utf8_lossy(rest).into_owned());
    }
    out
}

/// Column layout for `text`: the trace's first instant (for `+delta`; `None` outside a
/// trace) and the width of the `file:line` column.
#[derive(Clone, Copy)]
pub struct Layout {
    pub start: Option<Micros>,
    pub place_width: usize,
}

/// `file:line` as `text` shows it.
pub fn place(e: &Event, path: &str) -> String {
    format!("{}:{}", term(path), e.line)
}

/// One event as an aligned terminal line, its tracebacks indented below.
pub fn text(
    e: &Event,
    path: &str,
    layout: Layout,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let start = layout.start;
    let place = place(e, path);
    let body = match (&e.msg, e.format) {
        (Some(m), _) => term(m).into_owned(),
        (None, None) => term(&e.text()).into_owned(),
        (None, Some(_)) => String::new(),
    };
    let mut line = format!("{} ", clock(e));
    if start.is_some() {
        line.push_str(&format!("{:>9} ", delta(e, start)));
    }
    line.push_str(&format!(
        "{place:<w$} {} ",
        style.level(e.level),
        w = layout.place_width
    ));
    if let Some(c) = &e.correlated {
        line.push_str(&style.paint("36", "~ "));
        line.push_str(&body);
        if let Some(t) = &e.error_type {
            line.push_str(&format!(" [{}]", style.paint("1", &term(t))));
        }
        let why = if c.candidates > 1 {
            format!(
                "(correlated by {}; ambiguous: fits {} requests)",
                c.by, c.candidates
            )
        } else {
            format!("(correlated by {})", c.by)
        };
        line.push_str(&format!(" {}", style.paint("2", &why)));
    } else {
        line.push_str(&body);
        let k = key_fields(e);
        if !k.is_empty() {
            line.push_str("  ");
            line.push_str(&style.paint("2", &term(&k)));
        }
        if let Some(t) = &e.error_type
            && e.format != Some(Format::NginxError)
        {
            line.push_str(&format!("  error_type={}", style.paint("1;31", &term(t))));
        }
    }
    writeln!(out, "{line}")?;
    for block in multiline_values(e) {
        for l in block.lines() {
            // Go and Java indent their frames with tabs: shown as spaces, not escaped.
            let l = l.replace('\t', "    ");
            let l = l.as_str();
            let shown = term(l);
            // The exception line (`pkg.Error: message`) is what the reader looks for.
            let shown = match e.error_type.as_deref() {
                Some(t) if l.trim_start().starts_with(t) => style.paint("1;31", &shown),
                _ => shown.into_owned(),
            };
            writeln!(out, "    {shown}")?;
        }
    }
    Ok(())
}
