//! What the live view of `watch` shows, as a finished value (`LiveView`): the stream's
//! counters, the numbers of the recent windows, p95 by endpoint, the top error types and the
//! firing alerts, computed here from the watcher so `render/watch/live.rs` only formats them.
//! Must not format for a terminal or escape: names are the log's text, as it wrote them.

use std::collections::BTreeMap;
use std::time::Duration;

use super::alerts::AlertEvent;
use super::state::Watcher;
use super::window::LiveWin;
use crate::aggregate::latency::{LatStore, STREAM_WINDOW_CAP};
use crate::parse::time::format_utc;
use crate::parse::{Micros, Source};

/// Windows the sparklines show.
const SPARK_WINDOWS: usize = 30;
/// Windows p95 by endpoint is taken over (the renderer's heading says so).
const ENDPOINT_WINDOWS: usize = 5;
/// Rows of p95 by endpoint, and of error types.
const TOP_ROWS: usize = 8;
/// Event time the top error types are counted over (the renderer's heading says so).
const ERROR_TYPES_SPAN: Micros = 300_000_000;

/// The live view at one redraw.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveView {
    /// Lines read so far.
    pub lines: u64,
    /// Lines read per second since the previous redraw (`LineRate`).
    pub lines_per_sec: f64,
    /// The newest event time (`format_utc`), `None` before a timed line.
    pub event_time: Option<String>,
    /// `--window` and `--lateness`, in seconds.
    pub window_secs: f64,
    pub lateness_secs: f64,
    pub late: u64,
    pub oversized: u64,
    pub in_flight: u64,
    /// The recent windows, oldest first.
    pub windows: Vec<WindowPoint>,
    /// Errors of the newest window as a rate per minute (0 before any window).
    pub errors_per_min: f64,
    /// 5xx responses (app and nginx) in the newest window.
    pub newest_5xx: u64,
    /// Firing alerts, most severe first.
    pub alerts: Vec<AlertLine>,
    /// p95 by endpoint over the last windows, slowest first.
    pub endpoints: Vec<EndpointP95>,
    /// Error types over the last minutes of windows, most frequent first.
    pub error_types: Vec<ErrorTypeCount>,
}

/// One window's numbers, for the sparklines.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowPoint {
    pub lines: u64,
    pub errors: u64,
    /// App and nginx together.
    pub status_5xx: u64,
    /// p95 latency of the side with more values (nginx on a tie), unrounded.
    pub p95_ms: Option<f64>,
}

/// A firing alert, as the view lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertLine {
    pub severity: &'static str,
    pub rule: String,
    pub subject: Option<String>,
    /// Since when it fires (`format_utc`).
    pub since: String,
    pub count: u64,
    pub detail: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EndpointP95 {
    pub p95_ms: f64,
    /// Latencies behind it.
    pub count: usize,
    pub endpoint: String,
    /// `app` or `nginx`.
    pub side: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ErrorTypeCount {
    pub count: u64,
    pub name: String,
}

/// The read rate between redraws: remembers the count and time of the last one.
#[derive(Clone, Debug, Default)]
pub struct LineRate {
    last_lines: u64,
    last_at: Duration,
}

impl LineRate {
    /// Lines per second from the last call (or the start) to `elapsed`, when `lines` have
    /// been read; a redraw within a millisecond counts as one millisecond.
    pub fn per_sec(&mut self, lines: u64, elapsed: Duration) -> f64 {
        let dt = (elapsed - self.last_at).as_secs_f64().max(1e-3);
        let rate = (lines - self.last_lines) as f64 / dt;
        self.last_lines = lines;
        self.last_at = elapsed;
        rate
    }
}

impl LiveView {
    /// The view of `w` at `elapsed` since watching began; `rate` carries the read rate from
    /// one redraw to the next.
    pub fn of(w: &Watcher, rate: &mut LineRate, elapsed: Duration) -> LiveView {
        let c = &w.counters;
        let p = w.params();
        let recent = w.recent(SPARK_WINDOWS);
        let per_min = 60e6 / p.window as f64;
        let last = recent.last().map(|(_, x)| &x.agg);
        LiveView {
            lines: c.lines,
            lines_per_sec: rate.per_sec(c.lines, elapsed),
            event_time: w.watermark.map(format_utc),
            window_secs: p.window as f64 / 1e6,
            lateness_secs: p.lateness as f64 / 1e6,
            late: c.late,
            oversized: c.oversized,
            in_flight: c.in_flight,
            windows: recent.iter().map(|(_, x)| point(x)).collect(),
            errors_per_min: last.map_or(0.0, |x| x.errors as f64 * per_min),
            newest_5xx: last.map_or(0, |x| x.status_5xx[0] + x.status_5xx[1]),
            alerts: w.firing().into_iter().map(alert_line).collect(),
            endpoints: endpoints(w, &recent),
            error_types: error_types(w, &recent),
        }
    }
}

fn point(x: &LiveWin) -> WindowPoint {
    let l = &x.agg.latency;
    let side = if l[1].len() >= l[0].len() { 1 } else { 0 };
    WindowPoint {
        lines: x.agg.lines,
        errors: x.agg.errors,
        status_5xx: x.agg.status_5xx[0] + x.agg.status_5xx[1],
        p95_ms: l[side].p95(),
    }
}

fn alert_line(a: &AlertEvent) -> AlertLine {
    AlertLine {
        severity: a.severity.name(),
        rule: a.rule.clone(),
        subject: a.subject.clone(),
        since: a.since.clone(),
        count: a.count,
        detail: a.detail.clone(),
    }
}

/// p95 by endpoint over the newest `ENDPOINT_WINDOWS` of `recent`, slowest first (then by
/// name and side).
fn endpoints(w: &Watcher, recent: &[(Micros, &LiveWin)]) -> Vec<EndpointP95> {
    let names = &w.summary.names;
    let mut eps: BTreeMap<(u8, u32), LatStore> = BTreeMap::new();
    for (_, x) in recent.iter().rev().take(ENDPOINT_WINDOWS) {
        for (k, v) in &x.agg.ep_latency {
            eps.entry(*k).or_default().merge(v, STREAM_WINDOW_CAP);
        }
    }
    let mut rows: Vec<EndpointP95> = eps
        .iter()
        .filter_map(|((src, ep), v)| {
            v.p95().map(|q| EndpointP95 {
                p95_ms: q,
                count: v.len(),
                endpoint: names.name(*ep).to_string(),
                side: if *src == Source::App as u8 {
                    "app"
                } else {
                    "nginx"
                },
            })
        })
        .collect();
    // Ties by the label the view prints (`endpoint (side)`), so rows keep their order.
    let label = |r: &EndpointP95| format!("{} ({})", r.endpoint, r.side);
    rows.sort_by(|a, b| {
        b.p95_ms
            .total_cmp(&a.p95_ms)
            .then_with(|| label(a).cmp(&label(b)))
    });
    rows.truncate(TOP_ROWS);
    rows
}

/// Error types over the newest `ERROR_TYPES_SPAN` of windows, most frequent first (then by
/// name).
fn error_types(w: &Watcher, recent: &[(Micros, &LiveWin)]) -> Vec<ErrorTypeCount> {
    let names = &w.summary.names;
    let span = (ERROR_TYPES_SPAN / w.params().window).max(1) as usize;
    let mut types: BTreeMap<u32, u64> = BTreeMap::new();
    for (_, x) in recent.iter().rev().take(span) {
        for (k, n) in &x.error_types {
            *types.entry(*k).or_default() += n;
        }
    }
    let mut types: Vec<(u64, &str)> = types.iter().map(|(k, n)| (*n, names.name(*k))).collect();
    types.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    types
        .into_iter()
        .take(TOP_ROWS)
        .map(|(count, name)| ErrorTypeCount {
            count,
            name: name.to_string(),
        })
        .collect()
}
