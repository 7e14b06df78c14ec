//! The HTML report's charts as inline SVG: the timeline (requests, errors, 5xx and p95 per
//! window on one time axis, with incident bands and flag markers), error types over time,
//! p50/p95/p99 per endpoint and the status mix per source. Lays out finished `Report` values
//! with `svg.rs`; must not compute figures (every number shown is one of the report's) nor
//! escape by hand (the primitives escape what they are given).

use std::fmt::Write;

use super::svg::{Linear, Log, Svg, TimeAxis, Tip, num};
use crate::model::LatencySummary;
use crate::render::escape::html::text;
use crate::render::{ms, short_time};
use crate::report::{LatencySide, Report, Window};

/// Windows beyond which the per-window charts are not drawn (the page would grow past any
/// use): a width that fine has `-f json`.
pub const MAX_DRAWN_WINDOWS: usize = 1500;
const W: f64 = 1000.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
/// Colour classes for series of error types and similar (`c0`..`c9` in the style sheet).
const SERIES: usize = 10;

/// One panel of the timeline: its label, colour class and per-window value.
struct Panel {
    label: String,
    class: &'static str,
    unit: &'static str,
    value: fn(&Window) -> Option<f64>,
}

fn panels(r: &Report) -> [Panel; 4] {
    let src = r.primary_source.name();
    [
        Panel {
            label: format!("requests ({src})"),
            class: "req",
            unit: "requests",
            value: |w| Some(w.requests as f64),
        },
        Panel {
            label: "error lines".into(),
            class: "err",
            unit: "error lines",
            value: |w| Some(w.errors as f64),
        },
        Panel {
            label: format!("5xx ({src})"),
            class: "s5",
            unit: "5xx",
            value: |w| Some(w.status_5xx as f64),
        },
        Panel {
            label: format!("p95 ms ({src})"),
            class: "p95",
            unit: "ms p95",
            value: |w| w.p95,
        },
    ]
}

fn axis(r: &Report) -> TimeAxis {
    TimeAxis::of(
        r.windows.iter().map(|w| w.start.as_str()),
        r.window_seconds,
        LEFT,
        W - LEFT - RIGHT,
    )
}

/// Why a per-window chart is not drawn, when it is not.
pub fn not_drawn(r: &Report) -> Option<String> {
    if r.windows.is_empty() {
        Some("No timed lines: nothing to draw over time.".into())
    } else if r.windows.len() > MAX_DRAWN_WINDOWS {
        Some(format!(
            "{} windows are more than the {MAX_DRAWN_WINDOWS} these charts draw; a wider --window draws them (-f json has every window).",
            r.windows.len()
        ))
    } else {
        None
    }
}

/// The timeline: four panels sharing one time axis, incident bands across all of them and a
/// marker over each window in which a rule fired.
pub fn timeline(r: &Report) -> String {
    const TOP: f64 = 16.0;
    const PANEL: f64 = 64.0;
    const GAP: f64 = 22.0;
    let a = axis(r);
    let panels = panels(r);
    let bottom = TOP + panels.len() as f64 * (PANEL + GAP);
    let mut s = Svg::new(
        "timeline",
        W,
        bottom + 22.0,
        "requests, errors, 5xx and p95 per window",
    );
    bands(&mut s, r, &a, (TOP, bottom));
    for (i, p) in panels.iter().enumerate() {
        let base = TOP + GAP + i as f64 * (PANEL + GAP) + PANEL;
        let y = Linear::of(r.windows.iter().filter_map(p.value), base, PANEL);
        panel_frame(&mut s, p, &y, &a);
        s.group(&format!("series {}", p.class));
        if p.class == "p95" {
            line_series(&mut s, r, &a, &y, p);
        } else {
            bar_series(&mut s, r, &a, &y, p);
        }
        s.end_group();
    }
    flag_markers(&mut s, r, &a, TOP);
    for slot in a.ticks(8) {
        let x = a.x(slot);
        s.line("tick", (x, bottom), (x, bottom + 4.0));
        s.text("tl", (x, bottom + 16.0), "middle", &a.label(slot));
    }
    s.finish()
}

fn panel_frame(s: &mut Svg, p: &Panel, y: &Linear, a: &TimeAxis) {
    s.text("pl", (LEFT, y.bottom - y.h - 6.0), "start", &p.label);
    s.text("yl", (LEFT - 6.0, y.bottom - y.h + 8.0), "end", &num(y.max));
    s.text("yl", (LEFT - 6.0, y.bottom), "end", "0");
    s.line("base", (a.x0, y.bottom), (a.x0 + a.w, y.bottom));
    s.line("grid", (a.x0, y.bottom - y.h), (a.x0 + a.w, y.bottom - y.h));
}

fn bar_series(s: &mut Svg, r: &Report, a: &TimeAxis, y: &Linear, p: &Panel) {
    let bw = (a.slot_w() * 0.8).clamp(0.5, 40.0);
    for w in &r.windows {
        let Some(v) = (p.value)(w) else { continue };
        let x = a.x(a.slot(&w.start)) + (a.slot_w() - bw) / 2.0;
        let title = format!("{}: {} {}", short_time(&w.start), v, p.unit);
        let tip = Tip {
            title: Some(&title),
            value: Some(v.to_string()),
        };
        s.rect(
            &format!("bar {}", p.class),
            (x, y.y(v), bw, y.bottom - y.y(v)),
            &tip,
        );
    }
}

fn line_series(s: &mut Svg, r: &Report, a: &TimeAxis, y: &Linear, p: &Panel) {
    let mid = |w: &Window| a.x(a.slot(&w.start)) + a.slot_w() / 2.0;
    // Consecutive windows join; a missing value or a gap in time breaks the line.
    let mut pts = Vec::new();
    let mut prev: Option<usize> = None;
    for w in &r.windows {
        let slot = a.slot(&w.start);
        if prev.is_some_and(|p| p + 1 != slot) {
            pts.push(None);
        }
        prev = Some(slot);
        pts.push((p.value)(w).map(|v| (mid(w), y.y(v))));
    }
    s.polyline("line p95", &pts);
    for w in &r.windows {
        let Some(v) = (p.value)(w) else { continue };
        let title = format!("{}: p95 {} ms", short_time(&w.start), ms(v));
        let tip = Tip {
            title: Some(&title),
            value: Some(v.to_string()),
        };
        s.circle("pt p95", (mid(w), y.y(v)), 2.5, &tip);
    }
}

/// A band per incident, behind the panels, from its start to its end.
fn bands(s: &mut Svg, r: &Report, a: &TimeAxis, (top, bottom): (f64, f64)) {
    for (i, inc) in r.incidents.iter().enumerate() {
        let x1 = a.x(a.slot(&inc.start));
        let x2 = a.x(a.slot(&inc.end)).min(a.x0 + a.w).max(x1 + 2.0);
        let title = format!(
            "incident {} [{}] {} .. {}: {}",
            i + 1,
            inc.severity.name(),
            short_time(&inc.start),
            short_time(&inc.end),
            inc.summary
        );
        let tip = Tip {
            title: Some(&title),
            value: Some((i + 1).to_string()),
        };
        let class = format!("band sev-{}", inc.severity.name());
        s.rect(&class, (x1, top, x2 - x1, bottom - top), &tip);
        // At the band's right end: the panels' labels sit at the left.
        s.text("bl", (x2 - 3.0, top + 10.0), "end", &format!("#{}", i + 1));
    }
}

/// A marker over each window in which a rule fired, naming the rules.
fn flag_markers(s: &mut Svg, r: &Report, a: &TimeAxis, top: f64) {
    for w in r.windows.iter().filter(|w| !w.flags.is_empty()) {
        let x = a.x(a.slot(&w.start)) + a.slot_w() / 2.0;
        let title = format!("{}: {}", short_time(&w.start), w.flags.join(", "));
        let tip = Tip {
            title: Some(&title),
            value: Some(w.flags.len().to_string()),
        };
        s.marker("flag", (x, top - 2.0), &tip);
    }
}

/// The error types the report lists, in its order, each name once.
fn listed_types(r: &Report) -> Vec<&str> {
    let mut v: Vec<&str> = Vec::new();
    for e in &r.error_types {
        if !v.contains(&e.kind.as_str()) {
            v.push(&e.kind);
        }
    }
    v
}

/// Error-type lines per window, stacked, on the timeline's axis, with a legend.
pub fn error_types(r: &Report) -> String {
    const TOP: f64 = 10.0;
    const H: f64 = 120.0;
    let types = listed_types(r);
    let a = axis(r);
    let sum = |w: &Window| w.error_types.values().sum::<u64>() as f64;
    let y = Linear::of(r.windows.iter().map(sum), TOP + H, H);
    let mut s = Svg::new("errtypes", W, TOP + H + 24.0, "error types per window");
    s.text("yl", (LEFT - 6.0, TOP + 8.0), "end", &num(y.max));
    s.text("yl", (LEFT - 6.0, TOP + H), "end", "0");
    s.line("base", (a.x0, TOP + H), (a.x0 + a.w, TOP + H));
    let bw = (a.slot_w() * 0.8).clamp(0.5, 40.0);
    for w in &r.windows {
        let x = a.x(a.slot(&w.start)) + (a.slot_w() - bw) / 2.0;
        let mut acc = 0.0;
        for (i, t) in types.iter().enumerate() {
            let Some(&n) = w.error_types.get(*t) else {
                continue;
            };
            let (y1, y0) = (y.y(acc + n as f64), y.y(acc));
            acc += n as f64;
            let title = format!("{}: {} × {}", short_time(&w.start), n, t);
            let tip = Tip {
                title: Some(&title),
                value: Some(n.to_string()),
            };
            let class = format!("seg c{}", i % SERIES);
            s.rect(&class, (x, y1, bw, y0 - y1), &tip);
        }
    }
    for slot in a.ticks(8) {
        s.text("tl", (a.x(slot), TOP + H + 16.0), "middle", &a.label(slot));
    }
    let mut out = s.finish();
    out.push_str("<ul class=\"legend\">");
    for (i, t) in types.iter().enumerate() {
        let _ = write!(
            out,
            "<li><span class=\"sw c{}\"></span>{}</li>",
            i % SERIES,
            text(t)
        );
    }
    out.push_str("</ul>");
    out
}

/// p50, p95 and p99 per endpoint of one source, on a log scale of milliseconds.
pub fn endpoint_latency(name: &str, side: &LatencySide) -> String {
    const ROW: f64 = 24.0;
    const LABEL: f64 = 300.0;
    let mut rows: Vec<(String, &LatencySummary)> = Vec::new();
    if let Some(o) = &side.overall {
        rows.push(("(all but health checks)".into(), o));
    }
    rows.extend(
        side.endpoints
            .iter()
            .map(|e| (e.endpoint.clone(), &e.summary)),
    );
    let vals = rows.iter().flat_map(|(_, s)| [s.p50, s.p95, s.p99]);
    let x = Log::of(vals, LABEL, W - LABEL - RIGHT - 40.0);
    let h = 24.0 + rows.len() as f64 * ROW;
    let mut s = Svg::new(
        "eplat",
        W,
        h,
        &format!("p50, p95 and p99 latency per endpoint ({name})"),
    );
    for t in x.ticks() {
        s.line("grid", (x.x(t), 4.0), (x.x(t), h - 18.0));
        s.text("tl", (x.x(t), h - 4.0), "middle", &format!("{} ms", num(t)));
    }
    for (i, (label, sum)) in rows.iter().enumerate() {
        let top = 8.0 + i as f64 * ROW;
        s.text("el", (LABEL - 8.0, top + 13.0), "end", &clip(label, 44));
        for (j, (q, v)) in [("p50", sum.p50), ("p95", sum.p95), ("p99", sum.p99)]
            .into_iter()
            .enumerate()
        {
            let title = format!("{label} {q}: {} ms ({} requests)", ms(v), sum.count);
            let tip = Tip {
                title: Some(&title),
                value: Some(v.to_string()),
            };
            let y = top + 2.0 + j as f64 * 6.0;
            s.rect(&format!("q {q}"), (x.x0, y, x.x(v) - x.x0, 5.0), &tip);
        }
        s.text(
            "vl",
            (x.x(sum.p99) + 4.0, top + 14.0),
            "start",
            &ms(sum.p99),
        );
    }
    s.finish()
}

/// The first `n` characters of a label, `…` marking a cut (the hover title has it whole).
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// Each source's statuses as one bar of 100%, a segment per status code.
pub fn status_mix(r: &Report) -> String {
    const ROW: f64 = 30.0;
    let sides: Vec<(&str, _)> = [("app", &r.status.app), ("nginx", &r.status.nginx)]
        .into_iter()
        .filter(|(_, m)| !m.is_empty())
        .collect();
    let mut s = Svg::new(
        "status",
        W,
        8.0 + sides.len() as f64 * ROW,
        "HTTP status mix per source",
    );
    let (x0, w) = (LEFT, W - LEFT - RIGHT);
    for (i, (name, m)) in sides.iter().enumerate() {
        let top = 6.0 + i as f64 * ROW;
        let total: u64 = m.values().sum();
        s.text("el", (x0 - 8.0, top + 15.0), "end", name);
        let mut acc = 0u64;
        for (code, &n) in m.iter() {
            let (xa, xb) = (
                x0 + w * acc as f64 / total as f64,
                x0 + w * (acc + n) as f64 / total as f64,
            );
            acc += n;
            let pct = 100.0 * n as f64 / total as f64;
            let title = format!("{name} {code}: {n} of {total} ({pct:.1}%)");
            let tip = Tip {
                title: Some(&title),
                value: Some(n.to_string()),
            };
            let class = format!("st s{}xx", code.chars().next().unwrap_or('0'));
            s.rect(&class, (xa, top, xb - xa, 22.0), &tip);
            if xb - xa > 44.0 {
                s.text(
                    "sl",
                    ((xa + xb) / 2.0, top + 15.0),
                    "middle",
                    &format!("{code}: {n}"),
                );
            }
        }
    }
    s.finish()
}
