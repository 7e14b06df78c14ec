//! The HTML report's text sections, as the terminal report has them: opening notes,
//! incidents, flags with evidence, error types, patterns, latency, levels and statuses,
//! inputs, sources, the window table, requests (slowest and stuck, linked to their timelines)
//! and unparsed samples. Lays out a finished `Report` through `cells.rs`; must not compute
//! figures or write raw log text (every string goes through `escape::html` or a `Cell`).

use std::collections::BTreeSet;
use std::fmt::Write;

use super::cells::{Cell, Table, request_link};
use crate::model::human_duration;
use crate::render::escape::html::text;
use crate::render::notes::{formats_cell, input_notes, zone_notes};
use crate::render::{ms, short_time};
use crate::report::{LatencySide, Report};

/// Rows of the window table at most (`-f json` has every window).
pub const MAX_WINDOW_ROWS: usize = 500;

fn time(t: &Option<String>) -> Cell {
    Cell::text(&t.as_deref().map(short_time).unwrap_or_else(|| "-".into()))
}

fn ms_cell(v: Option<f64>) -> Cell {
    Cell::value(v, ms)
}

/// A section: `<section id=ID><h2>TITLE</h2>BODY</section>`.
pub fn section(out: &mut String, sid: &str, title: &str, body: &str) {
    let _ = write!(
        out,
        "<section id=\"{sid}\"><h2>{}</h2>{body}</section>",
        text(title)
    );
}

/// What the figures are in and how inputs were read.
pub fn opening(r: &Report) -> String {
    let mut out = String::new();
    let notes = zone_notes(r);
    let _ = write!(
        out,
        "<p class=\"meta\">Times in UTC; naive timestamps read as <code>{}</code>{}; window {}; latency in ms; the timeline shows {}&#39;s 5xx and p95.</p>",
        text(&r.timezone_assumed),
        if notes.is_empty() {
            ""
        } else {
            " unless noted"
        },
        text(&human_duration(r.window_seconds as f64)),
        r.primary_source.name()
    );
    let echoes = input_notes(r);
    if !notes.is_empty() || !echoes.is_empty() {
        out.push_str("<ul class=\"notes\">");
        for n in notes
            .iter()
            .copied()
            .chain(echoes.iter().map(String::as_str))
        {
            let _ = write!(out, "<li>{}</li>", text(n));
        }
        out.push_str("</ul>");
    }
    out
}

/// The incidents, each with its severity, summary and new messages.
pub fn incidents(r: &Report) -> String {
    let mut out = String::from("<ol class=\"incidents\">");
    for (i, inc) in r.incidents.iter().enumerate() {
        let sev = inc.severity.name();
        let _ = write!(
            out,
            "<li id=\"incident-{}\" class=\"sev-{sev}\"><span class=\"badge sev-{sev}\">{sev}</span> {}",
            i + 1,
            text(&inc.summary)
        );
        if !inc.new_patterns.is_empty() {
            let p: Vec<String> = inc
                .new_patterns
                .iter()
                .map(|x| format!("<q>{}</q>", text(x)))
                .collect();
            let _ = write!(
                out,
                "<div class=\"sub\">new messages: {}</div>",
                p.join(", ")
            );
        }
        out.push_str("</li>");
    }
    out.push_str("</ol>");
    out
}

/// The flags with their evidence; request ids link to their timelines.
pub fn flags(r: &Report, linked: &BTreeSet<&str>) -> String {
    let mut t = Table::new(
        "flags-table",
        &["severity", "rule", "count#", "first", "last", "evidence"],
    );
    for f in &r.flags {
        let sev = f.severity.name();
        let mut rule = format!("<code>{}</code>", text(&f.rule));
        if let Some(s) = &f.subject {
            let _ = write!(rule, "<br>{}", text(s));
        }
        let mut ev: Vec<String> = f
            .evidence_lines()
            .iter()
            .filter(|l| !l.starts_with("requests: "))
            .map(|l| text(l).into_owned())
            .collect();
        if !f.request_ids.is_empty() {
            let ids: Vec<String> = f
                .request_ids
                .iter()
                .take(3)
                .map(|x| request_link(x, linked))
                .collect();
            ev.push(format!("requests: {}", ids.join(" ")));
        }
        t.row_class(
            &format!("sev-{sev}"),
            vec![
                Cell::markup(format!("<span class=\"badge sev-{sev}\">{sev}</span>")),
                Cell::markup(rule),
                Cell::count(f.count),
                time(&f.first),
                time(&f.last),
                Cell::markup(ev.join("<br>")),
            ],
        );
    }
    let mut out = t.finish();
    let _ = write!(
        out,
        "<p class=\"meta\">baselines: {}</p>",
        text(r.baseline_rule)
    );
    out
}

/// Error types with their endpoints and request ids.
pub fn error_types(r: &Report, linked: &BTreeSet<&str>) -> String {
    let mut t = Table::new(
        "error-types-table",
        &[
            "type",
            "source",
            "count#",
            "first",
            "last",
            "top endpoints",
            "request ids",
        ],
    );
    for e in &r.error_types {
        let kind = match e.http_status {
            Some(s) => format!("{} [{s}]", e.kind),
            None => e.kind.clone(),
        };
        let eps: Vec<String> = e
            .endpoints
            .iter()
            .take(3)
            .map(|x| format!("{} ({})", x.endpoint, x.count))
            .collect();
        let ids: Vec<String> = e
            .request_ids
            .iter()
            .take(3)
            .map(|x| request_link(x, linked))
            .collect();
        t.row(vec![
            Cell::text(&kind),
            Cell::text(e.source.name()),
            Cell::count(e.count),
            time(&e.first),
            time(&e.last),
            Cell::lines(&eps),
            Cell::markup(ids.join("<br>")),
        ]);
    }
    t.finish()
}

/// Top error patterns.
pub fn patterns(r: &Report) -> String {
    let s = &r.pattern_stats;
    let mut out = format!(
        "<p class=\"meta\">{} lines with a message in {} patterns, {} with errors.</p>",
        s.lines, s.templates, s.error_templates
    );
    let mut t = Table::new(
        "patterns-table",
        &["count#", "levels", "first", "last", "pattern", "sample"],
    );
    for p in &r.patterns {
        let levels: Vec<String> = p.levels.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        let sample = p
            .sample
            .as_ref()
            .map_or(String::new(), |s| format!("{}:{}", s.path, s.line));
        t.row(vec![
            Cell::count(p.count),
            Cell::text(&levels.join(" ")),
            time(&p.first),
            time(&p.last),
            Cell::markup(format!("<code>{}</code>", text(&p.template))),
            Cell::text(&sample),
        ]);
    }
    out.push_str(&t.finish());
    out
}

/// One source's latency: overall, health checks, per endpoint.
pub fn latency(name: &str, side: &LatencySide) -> String {
    let mut out = String::new();
    if let Some(d) = &side.unit_doubt {
        let _ = write!(out, "<p class=\"warn\">{}</p>", text(d));
    }
    let mut t = Table::new(
        &format!("latency-{name}-table"),
        &[
            "endpoint", "count#", "mean#", "p50#", "p90#", "p95#", "p99#", "max#",
        ],
    );
    for r in side.rows() {
        let mut cells = vec![Cell::text(r.name), Cell::count(r.summary.count)];
        cells.extend(r.summary.figures().map(|v| ms_cell(Some(v))));
        t.row_class(if r.total { "total" } else { "" }, cells);
    }
    out.push_str(&t.finish());
    out
}

/// Lines per level and statuses per source.
pub fn levels(r: &Report) -> String {
    let l = &r.levels;
    let mut t = Table::new(
        "levels-table",
        &["TRACE#", "DEBUG#", "INFO#", "WARN#", "ERROR#", "FATAL#"],
    );
    t.row(
        [l.TRACE, l.DEBUG, l.INFO, l.WARN, l.ERROR, l.FATAL]
            .into_iter()
            .map(Cell::count)
            .collect(),
    );
    let mut out = t.finish();
    for (name, m) in [("app", &r.status.app), ("nginx", &r.status.nginx)] {
        if m.is_empty() {
            continue;
        }
        let codes: Vec<String> = m.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        let _ = write!(
            out,
            "<p class=\"status-line\">status ({name}): {}</p>",
            text(&codes.join("  "))
        );
    }
    out
}

/// Per input: formats and line accounting, then the totals.
pub fn inputs(r: &Report) -> String {
    let mut t = Table::new(
        "inputs-table",
        &[
            "file",
            "formats",
            "lines#",
            "parsed#",
            "joined#",
            "unparsed#",
            "blank#",
            "untimed#",
            "bytes#",
            "first",
            "last",
        ],
    );
    for i in &r.inputs {
        let formats = match &i.error {
            Some(e) => format!("ERROR {e}"),
            None => formats_cell(i, ":", " "),
        };
        t.row(vec![
            Cell::text(&i.path),
            Cell::text(&formats),
            Cell::count(i.lines),
            Cell::count(i.parsed),
            Cell::count(i.continuation),
            Cell::count(i.unparsed),
            Cell::count(i.blank),
            Cell::count(i.untimed),
            Cell::count(i.bytes),
            time(&i.first),
            time(&i.last),
        ]);
    }
    let tt = &r.totals;
    let outside = if tt.filtered > 0 {
        format!("{} outside --since/--until", tt.filtered)
    } else {
        String::new()
    };
    t.row_class(
        "total",
        vec![
            Cell::text("total"),
            Cell::text(&outside),
            Cell::count(tt.lines),
            Cell::count(tt.parsed),
            Cell::count(tt.continuation),
            Cell::count(tt.unparsed),
            Cell::count(tt.blank),
            Cell::count(tt.untimed),
            Cell::count(r.inputs.iter().map(|i| i.bytes).sum()),
            Cell::text(""),
            Cell::text(""),
        ],
    );
    t.finish()
}

/// Per source of enveloped lines.
pub fn sources(r: &Report) -> String {
    let mut t = Table::new(
        "sources-table",
        &["source", "lines#", "errors#", "5xx#", "p95 ms#"],
    );
    for s in &r.sources {
        t.row(vec![
            Cell::text(&s.source),
            Cell::count(s.lines),
            Cell::count(s.errors),
            Cell::count(s.status_5xx),
            ms_cell(s.p95),
        ]);
    }
    t.finish()
}

/// The windows as a table (at most `MAX_WINDOW_ROWS`).
pub fn windows(r: &Report) -> String {
    let mut t = Table::new(
        "windows-table",
        &[
            "window start",
            "lines#",
            "requests#",
            "errors#",
            "warn#",
            "5xx#",
            "p95 ms#",
            "incident#",
            "flags",
        ],
    );
    for w in r.windows.iter().take(MAX_WINDOW_ROWS) {
        let class = if w.incident.is_some() {
            "in-incident"
        } else {
            ""
        };
        t.row_class(
            class,
            vec![
                Cell::text(&short_time(&w.start)),
                Cell::count(w.lines),
                Cell::count(w.requests),
                Cell::count(w.errors),
                Cell::count(w.warnings),
                Cell::count(w.status_5xx),
                ms_cell(w.p95),
                Cell::value(w.incident.map(f64::from), |v| v.to_string()),
                Cell::text(&w.flags.join(" ")),
            ],
        );
    }
    let mut out = t.finish();
    if r.windows.len() > MAX_WINDOW_ROWS {
        let _ = write!(
            out,
            "<p class=\"meta\">The first {MAX_WINDOW_ROWS} of {} windows; -f json has every one.</p>",
            r.windows.len()
        );
    }
    out
}

/// Requests by id: outcomes, the slowest, and the stuck with their last words.
pub fn requests(r: &Report, linked: &BTreeSet<&str>) -> String {
    let q = &r.requests;
    let mut out = format!("<p class=\"meta\">{}.</p>", q.outcome_sentence());
    if !q.slowest.is_empty() {
        out.push_str("<h3 id=\"slowest\">Slowest requests</h3>");
        out.push_str(&slowest(r, linked));
    }
    if !q.stuck.is_empty() {
        out.push_str("<h3 id=\"stuck\">Stuck requests and their last words</h3>");
        out.push_str(&stuck(r, linked));
    }
    out
}

fn slowest(r: &Report, linked: &BTreeSet<&str>) -> String {
    let mut t = Table::new(
        "slowest-table",
        &[
            "request",
            "endpoint",
            "ms#",
            "app ms#",
            "nginx ms#",
            "status#",
            "outcome",
            "first",
            "lines#",
        ],
    );
    for s in &r.requests.slowest {
        t.row(vec![
            Cell::request(&s.id, linked),
            Cell::text(s.endpoint.as_deref().unwrap_or("")),
            ms_cell(Some(s.duration_ms)),
            ms_cell(s.app_ms),
            ms_cell(s.nginx_ms),
            Cell::value(s.status.map(f64::from), |v| v.to_string()),
            Cell::text(s.outcome.name()),
            time(&s.first),
            Cell::count(s.lines),
        ]);
    }
    t.finish()
}

fn stuck(r: &Report, linked: &BTreeSet<&str>) -> String {
    let mut t = Table::new(
        "stuck-table",
        &[
            "request",
            "endpoint",
            "outcome",
            "status#",
            "first",
            "last",
            "lines#",
            "last words",
        ],
    );
    for s in &r.requests.stuck {
        t.row(vec![
            Cell::request(&s.id, linked),
            Cell::text(s.endpoint.as_deref().unwrap_or("")),
            Cell::text(s.outcome.name()),
            Cell::value(s.status.map(f64::from), |v| v.to_string()),
            time(&s.first),
            time(&s.last),
            Cell::count(s.lines),
            Cell::markup(match &s.last_words {
                Some(w) => format!("<q>{}</q>", text(w)),
                None => "-".into(),
            }),
        ]);
    }
    t.finish()
}

/// Samples of lines no format matched.
pub fn unparsed(r: &Report) -> String {
    let mut out = String::from("<ul class=\"samples\">");
    for s in &r.unparsed_samples {
        let _ = write!(
            out,
            "<li><span class=\"place\">{}:{}</span> <code>{}</code></li>",
            text(&s.path),
            s.line,
            text(&s.text)
        );
    }
    out.push_str("</ul>");
    out
}
