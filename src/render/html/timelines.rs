//! The HTML report's request timelines: one section per traced request (`#trace-<id>`), its
//! summary and its lines across app and nginx logs in time order, as `logtriage trace ID`
//! prints them. Lays out finished `Trace`s (gathered and capped by `cmd/report.rs`); must
//! not build or reorder timelines, and writes no log text unescaped.

use std::fmt::Write;

use super::cells::{Cell, Table};
use crate::parse::Format;
use crate::parse::time::format_utc;
use crate::render::escape::html::{id, text};
use crate::render::ms;
use crate::select::event::Event;
use crate::trace::{Trace, TraceSummary};

/// Every timeline, in the order given.
pub fn timelines(traces: &[Trace], paths: &[String]) -> String {
    let mut out = String::new();
    for t in traces {
        one(&mut out, t, paths);
    }
    out
}

fn one(out: &mut String, t: &Trace, paths: &[String]) {
    let s = &t.summary;
    let _ = write!(
        out,
        "<section class=\"trace\" id=\"trace-{}\"><h3>request <code>{}</code> <span class=\"outcome o-{}\">{}</span></h3>",
        id(&s.id),
        text(&s.id),
        s.outcome.name(),
        s.outcome.name()
    );
    let _ = write!(out, "<p class=\"meta\">{}</p>", text(&header(s)));
    let mut table = Table::new(
        &format!("trace-table-{}", s.id),
        &["time", "+s#", "place", "level", "message", "fields"],
    );
    let start = t.events.iter().filter_map(|e| e.at).min();
    for e in &t.events {
        let place = format!(
            "{}:{}",
            paths.get(e.file as usize).map_or("?", String::as_str),
            e.line
        );
        let delta = match (e.at, start) {
            (Some(a), Some(b)) => Some((a - b) as f64 / 1e6),
            _ => None,
        };
        let class = if e.correlated.is_some() { "corr" } else { "" };
        table.row_class(
            class,
            vec![
                Cell::text(&clock(e)),
                Cell::value(delta, |v| format!("+{v:.3}")),
                Cell::text(&place),
                Cell::text(e.level.map_or("-", |l| l.name())),
                Cell::text(&message(e)),
                Cell::text(&fields(e)),
            ],
        );
    }
    out.push_str(&table.finish());
    let total = s.lines + s.correlated;
    if total > t.events.len() {
        let _ = write!(
            out,
            "<p class=\"meta\">{} more lines not shown: <code>logtriage trace {}</code> has them all.</p>",
            total - t.events.len(),
            text(&s.id)
        );
    }
    out.push_str("<p class=\"up\"><a href=\"#requests\">back to requests</a></p></section>");
}

/// Endpoint, status, span, durations, counts and files on one line.
fn header(s: &TraceSummary) -> String {
    let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{} ms", ms(v)));
    let mut h = format!(
        "{}  status {}  {} .. {}  app {}  nginx {}  {} lines",
        s.endpoint.as_deref().unwrap_or("-"),
        s.status.map_or("-".to_string(), |v| v.to_string()),
        s.first.as_deref().unwrap_or("-"),
        s.last.as_deref().unwrap_or("-"),
        opt(s.app_ms),
        opt(s.nginx_ms),
        s.lines
    );
    if s.correlated > 0 {
        let _ = write!(h, " + {} correlated", s.correlated);
        if s.ambiguous > 0 {
            let _ = write!(h, " ({} ambiguous)", s.ambiguous);
        }
    }
    if let Some(l) = &s.late {
        let _ = write!(h, "; {}", l.describe(1));
    }
    let _ = write!(h, "; files: {}", s.files.join(", "));
    h
}

/// `HH:MM:SS.mmm` UTC; nginx's error log has whole seconds.
fn clock(e: &Event) -> String {
    match e.ts {
        Some(t) => {
            let full = format_utc(t);
            let end = if e.format == Some(Format::NginxError) {
                19
            } else {
                23
            };
            full.get(11..end).unwrap_or(&full).to_string()
        }
        None => "--:--:--".to_string(),
    }
}

/// The message; for a correlated line, how it was tied to the request.
fn message(e: &Event) -> String {
    let mut m = match (&e.msg, e.format) {
        (Some(m), _) => m.clone(),
        (None, None) => e.text().into_owned(),
        (None, Some(_)) => String::new(),
    };
    if let Some(c) = &e.correlated {
        m = format!("~ {m}");
        if c.candidates > 1 {
            let _ = write!(
                m,
                " (correlated by {}; ambiguous: fits {} requests)",
                c.by, c.candidates
            );
        } else {
            let _ = write!(m, " (correlated by {})", c.by);
        }
    }
    m
}

/// Request line, status, latency, upstream and error type.
fn fields(e: &Event) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &e.path {
        parts.push(format!("{} {p}", e.method.as_deref().unwrap_or("")));
    }
    if let Some(s) = e.status {
        parts.push(format!("status={s}"));
    }
    if let Some(v) = e.latency_ms {
        parts.push(format!("latency={}ms", ms(v)));
    }
    if let Some(u) = &e.upstream {
        parts.push(format!("upstream={u}"));
    }
    if let Some(t) = &e.error_type {
        parts.push(format!("error_type={t}"));
    }
    parts.join("  ")
}
