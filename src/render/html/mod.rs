//! `report -f html`: the finished `Report` and the timelines of its slowest and stuck
//! requests as one self-contained page: inline style sheet (light and dark, print), inline
//! SVG charts (`charts.rs` over `svg.rs`), the terminal report's sections as tables
//! (`tables.rs`, `cells.rs`) and the timelines (`timelines.rs`), plus a small inline script
//! that only sorts and filters tables. This file holds the page skeleton and the section
//! order. Nothing on the page refers to anything outside it (no external script, style,
//! font, image or link; the content security policy forbids loading any). Renders finished
//! values only; must not compute figures, read input, or write log text unescaped.

mod cells;
mod charts;
mod svg;
mod tables;
mod timelines;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::Render;
use crate::render::escape::html::text;
use crate::report::Report;
use crate::trace::Trace;

const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("script.js");
/// No network, ever: only the page's own inline style and script run.
const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/// What the page shows: the report, and the timelines `cmd/report.rs` gathered for it.
pub struct Page<'a> {
    pub report: &'a Report,
    /// Timelines of the linked requests (slowest, then stuck), lines capped.
    pub traces: &'a [Trace],
    /// Input names, by file index of the timelines' lines.
    pub paths: &'a [String],
    /// Said above the timelines (e.g. that standard input could not be read again).
    pub trace_note: Option<String>,
}

/// The HTML renderer; it holds no settings.
pub struct Html;

impl Render<Page<'_>> for Html {
    fn render(&self, p: &Page<'_>, out: &mut dyn Write) -> io::Result<()> {
        let mut html = String::with_capacity(256 * 1024);
        head(&mut html, p.report);
        body(&mut html, p);
        let _ = writeln!(html, "<script>{SCRIPT}</script></body></html>");
        out.write_all(html.as_bytes())
    }
}

fn head(out: &mut String, r: &Report) {
    let span = r.time_range.as_ref().map_or(String::new(), |t| {
        format!(
            " {} .. {}",
            crate::render::short_time(&t.start),
            crate::render::short_time(&t.end)
        )
    });
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"color-scheme\" content=\"light dark\"><title>Incident log report{}</title><style>{STYLE}</style></head>",
        text(&span)
    );
}

/// Section ids and titles, in page order, for those the report has.
fn contents(p: &Page<'_>) -> Vec<(&'static str, &'static str)> {
    let r = p.report;
    let mut v = vec![("timeline", "Timeline")];
    if !r.incidents.is_empty() {
        v.push(("incidents", "Incidents"));
    }
    if !r.flags.is_empty() {
        v.push(("flags", "Flags"));
    }
    v.push(("inputs", "Inputs"));
    v.push(("levels", "Levels and status"));
    if !r.error_types.is_empty() {
        v.push(("error-types", "Error types"));
    }
    if !r.patterns.is_empty() {
        v.push(("patterns", "Top error patterns"));
    }
    v.push(("latency", "Latency"));
    if !r.sources.is_empty() {
        v.push(("sources", "Sources"));
    }
    if !r.windows.is_empty() {
        v.push(("windows", "Windows"));
    }
    if r.requests.total > 0 {
        v.push(("requests", "Requests"));
    }
    if !p.traces.is_empty() || p.trace_note.is_some() {
        v.push(("timelines", "Request timelines"));
    }
    if !r.unparsed_samples.is_empty() {
        v.push(("unparsed", "Unparsed samples"));
    }
    v
}

fn body(out: &mut String, p: &Page<'_>) {
    let r = p.report;
    let _ = write!(
        out,
        "<body><header><h1>Incident log report</h1><p class=\"headline\">{}</p>{}</header><nav><ul>",
        text(&r.headline),
        tables::opening(r)
    );
    let toc = contents(p);
    for (sid, title) in &toc {
        let _ = write!(out, "<li><a href=\"#{sid}\">{title}</a></li>");
    }
    out.push_str("</ul></nav><main>");
    let linked: BTreeSet<&str> = p.traces.iter().map(|t| t.summary.id.as_str()).collect();
    for (sid, title) in toc {
        let body = match sid {
            "timeline" => timeline(r),
            "incidents" => tables::incidents(r),
            "flags" => tables::flags(r, &linked),
            "inputs" => tables::inputs(r),
            "levels" => levels(r),
            "error-types" => error_types(r, &linked),
            "patterns" => tables::patterns(r),
            "latency" => latency(r),
            "sources" => tables::sources(r),
            "windows" => tables::windows(r),
            "requests" => tables::requests(r, &linked),
            "timelines" => trace_section(p),
            _ => tables::unparsed(r),
        };
        tables::section(out, sid, title, &body);
    }
    let _ = write!(
        out,
        "</main><footer>logtriage {} report; every figure is also in <code>logtriage report -f json</code>.</footer>",
        env!("CARGO_PKG_VERSION")
    );
}

fn timeline(r: &Report) -> String {
    match charts::not_drawn(r) {
        Some(why) => format!("<p class=\"meta\">{}</p>", text(&why)),
        None => format!(
            "<figure>{}<figcaption>Per window of {}: bands are incidents, triangles mark windows in which a rule fired; hover for exact values.</figcaption></figure>",
            charts::timeline(r),
            text(&crate::model::human_duration(r.window_seconds as f64))
        ),
    }
}

fn levels(r: &Report) -> String {
    let mut out = tables::levels(r);
    if !r.status.app.is_empty() || !r.status.nginx.is_empty() {
        let _ = write!(
            out,
            "<figure>{}<figcaption>Status mix per source.</figcaption></figure>",
            charts::status_mix(r)
        );
    }
    out
}

fn error_types(r: &Report, linked: &BTreeSet<&str>) -> String {
    let mut out = tables::error_types(r, linked);
    if charts::not_drawn(r).is_none() {
        let _ = write!(
            out,
            "<figure>{}<figcaption>Lines of these error types per window.</figcaption></figure>",
            charts::error_types(r)
        );
    }
    out
}

fn latency(r: &Report) -> String {
    let mut out = String::new();
    for (name, side) in [("app", &r.latency.app), ("nginx", &r.latency.nginx)] {
        if side.overall.is_none() && side.health.is_none() {
            continue;
        }
        let _ = write!(out, "<h3 id=\"latency-{name}\">{name}, ms</h3>");
        if side.overall.is_some() || !side.endpoints.is_empty() {
            let _ = write!(
                out,
                "<figure>{}<ul class=\"legend\"><li><span class=\"sw c2\"></span>p50</li><li><span class=\"sw c3\"></span>p95</li><li><span class=\"sw c1\"></span>p99</li></ul><figcaption>p50, p95 and p99 per endpoint ({name}), ms on a log scale; the number is p99.</figcaption></figure>",
                charts::endpoint_latency(name, side)
            );
        }
        out.push_str(&tables::latency(name, side));
    }
    if out.is_empty() {
        out.push_str("<p class=\"meta\">No latency in these logs.</p>");
    }
    out
}

fn trace_section(p: &Page<'_>) -> String {
    let mut out = String::new();
    if let Some(n) = &p.trace_note {
        let _ = write!(out, "<p class=\"meta\">{}</p>", text(n));
    }
    out.push_str(&timelines::timelines(p.traces, p.paths));
    out
}
