//! `--format text` of `trace` and `filter`: one event as an aligned terminal line (clock,
//! `+delta` inside a trace, `file:line`, level, message, key fields), its tracebacks indented
//! below. Every log-derived string goes through `escape::term`; colour only when asked for.

use std::io::{self, Write};

use crate::parse::time::format_utc;
use crate::parse::{Format, Level, Micros};
use crate::render::escape::term;
use crate::render::style::Style;
use crate::render::{Render, ms};
use crate::select::event::Event;

/// The level, padded to five columns; errors red and bold, warnings yellow.
fn level(style: Style, l: Option<Level>) -> String {
    let name = l.map_or("-", Level::name);
    let padded = format!("{name:<5}");
    match l {
        Some(Level::Error | Level::Fatal) => style.paint("1;31", &padded),
        Some(Level::Warn) => style.paint("33", &padded),
        _ => padded,
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
    if let Some(v) = e.latency_ms {
        parts.push(format!("latency={}ms", ms(v)));
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

/// Column layout: the trace's first instant (for `+delta`; `None` outside a trace) and the
/// width of the `file:line` column.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub start: Option<Micros>,
    pub place_width: usize,
}

impl Layout {
    /// For lines of any of `paths` (`filter`): wide enough for any path and a 9-digit line
    /// number, so columns never jump while lines stream.
    pub fn for_files(paths: &[String]) -> Layout {
        Layout {
            start: None,
            place_width: paths.iter().map(|p| p.chars().count()).max().unwrap_or(0) + 10,
        }
    }

    /// For one trace's timeline, all of it known: deltas from its first instant, the
    /// `file:line` column as wide as its widest.
    pub fn for_timeline(events: &[Event], paths: &[String]) -> Layout {
        Layout {
            start: events.iter().filter_map(|e| e.at).min(),
            place_width: events
                .iter()
                .map(|e| place(e, &paths[e.file as usize]).chars().count())
                .max()
                .unwrap_or(0),
        }
    }
}

/// `file:line` as the text shows it.
fn place(e: &Event, path: &str) -> String {
    format!("{}:{}", term(path), e.line)
}

/// One aligned line per event; `paths` names the inputs by `Event::file`.
pub struct Text<'a> {
    pub paths: &'a [String],
    pub layout: Layout,
    pub style: Style,
}

impl Render<Event> for Text<'_> {
    fn render(&self, e: &Event, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", self.line(e))?;
        tracebacks(e, self.style, out)
    }
}

impl Text<'_> {
    /// The event's own line: clock, delta, place, level, then the message with its fields.
    fn line(&self, e: &Event) -> String {
        let style = self.style;
        let start = self.layout.start;
        let place = place(e, &self.paths[e.file as usize]);
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
            level(style, e.level),
            w = self.layout.place_width
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
        line
    }
}

/// The event's multi-line values, indented under its line.
fn tracebacks(e: &Event, style: Style, out: &mut dyn Write) -> io::Result<()> {
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
