//! Output of `watch`: JSON lines (`window`, `alert`, then `summary`) when piped, or a live
//! view redrawn in place on a terminal (rates, sparklines of recent windows, p95 by endpoint,
//! top error types, firing alerts). Reads watcher state only; every log-derived string goes
//! through `escape::term`.

use std::io::{self, Write};
use std::time::Duration;

use serde::Serialize;

use super::escape::term;
use super::{ms, sparkline};
use crate::aggregate::latency::{LatStore, STREAM_WINDOW_CAP};
use crate::parse::time::format_utc;
use crate::report::Report;
use crate::watch::state::{WatchEvent, Watcher};

fn io_err(e: serde_json::Error) -> io::Error {
    match e.io_error_kind() {
        Some(kind) => io::Error::new(kind, e),
        None => io::Error::other(e),
    }
}

pub fn json_event(e: &WatchEvent, out: &mut dyn Write) -> io::Result<()> {
    super::json::to_writer_safe(&mut *out, e).map_err(io_err)?;
    out.write_all(b"\n")
}

#[derive(Serialize)]
struct Summary<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    /// Lines skipped for exceeding `--max-line`.
    oversized_lines: u64,
    /// Lines that arrived after their window had closed (they are in the report).
    late_lines: u64,
    report: &'a Report,
}

/// The last line: the report of everything read (docs/report-schema.md).
pub fn json_summary(r: &Report, oversized: u64, late: u64, out: &mut dyn Write) -> io::Result<()> {
    let s = Summary {
        kind: "summary",
        oversized_lines: oversized,
        late_lines: late,
        report: r,
    };
    super::json::to_writer_safe(&mut *out, &s).map_err(io_err)?;
    out.write_all(b"\n")
}

/// The live view's memory between redraws: line counts for the rate.
pub struct Live {
    color: bool,
    inputs: Vec<String>,
    last_lines: u64,
    last_at: Duration,
}

impl Live {
    pub fn new(color: bool, inputs: Vec<String>) -> Live {
        Live {
            color,
            inputs,
            last_lines: 0,
            last_at: Duration::ZERO,
        }
    }

    /// Hides the cursor; `stop` shows it again.
    pub fn start(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"\x1b[?25l")?;
        out.flush()
    }

    pub fn stop(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"\x1b[?25h\n")?;
        out.flush()
    }

    fn bold(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// Redraws the whole view from the top of the screen.
    pub fn draw(&mut self, w: &Watcher, elapsed: Duration, out: &mut dyn Write) -> io::Result<()> {
        let c = &w.counters;
        let dt = (elapsed - self.last_at).as_secs_f64().max(1e-3);
        let rate = (c.lines - self.last_lines) as f64 / dt;
        self.last_lines = c.lines;
        self.last_at = elapsed;
        let p = w.params();
        let mut s = String::from("\x1b[H\x1b[2J");
        s.push_str(&self.bold(&format!(
            "logtriage watch  {}  {} lines, {:.0} lines/s",
            self.inputs
                .iter()
                .map(|i| term(i).into_owned())
                .collect::<Vec<_>>()
                .join(", "),
            c.lines,
            rate
        )));
        s.push('\n');
        s.push_str(&format!(
            "event time {} UTC; window {}; lateness {}; late {}; oversized {}; requests in flight {}\n\n",
            w.watermark.map_or("-".to_string(), |t| format_utc(t).replace('T', " ").replace('Z', "")),
            crate::report::human_duration(p.window as f64 / 1e6),
            crate::report::human_duration(p.lateness as f64 / 1e6),
            c.late,
            c.oversized,
            c.in_flight
        ));
        let recent = w.recent(30);
        let per_min = 60e6 / p.window as f64;
        let errs: Vec<Option<f64>> = recent
            .iter()
            .map(|(_, x)| Some(x.agg.errors as f64))
            .collect();
        let s5: Vec<Option<f64>> = recent
            .iter()
            .map(|(_, x)| Some((x.agg.status_5xx[0] + x.agg.status_5xx[1]) as f64))
            .collect();
        let lines: Vec<Option<f64>> = recent
            .iter()
            .map(|(_, x)| Some(x.agg.lines as f64))
            .collect();
        let p95: Vec<Option<f64>> = recent
            .iter()
            .map(|(_, x)| {
                let l = &x.agg.latency;
                let side = if l[1].len() >= l[0].len() { 1 } else { 0 };
                l[side].p95()
            })
            .collect();
        let last = recent.last().map(|(_, x)| &x.agg);
        s.push_str(&format!("lines  {}\n", sparkline(&lines)));
        s.push_str(&format!(
            "errors {}  {:.0}/min now\n",
            sparkline(&errs),
            last.map_or(0.0, |x| x.errors as f64 * per_min)
        ));
        s.push_str(&format!(
            "5xx    {}  {} in the newest window\n",
            sparkline(&s5),
            last.map_or(0, |x| x.status_5xx[0] + x.status_5xx[1])
        ));
        s.push_str(&format!(
            "p95    {}  {} ms\n\n",
            sparkline(&p95),
            p95.last().copied().flatten().map_or("-".to_string(), ms)
        ));

        let firing = w.firing();
        s.push_str(&self.bold(&format!("ALERTS ({} firing)", firing.len())));
        s.push('\n');
        for a in firing {
            let subject = a
                .subject
                .as_deref()
                .map_or(String::new(), |x| format!(" {}", term(x)));
            let detail = a
                .detail
                .as_deref()
                .map_or(String::new(), |x| format!("; {}", term(x)));
            let line = format!(
                "  [{}] {}{subject} since {}: {} lines{detail}\n",
                a.severity.name(),
                term(&a.rule),
                a.since.get(11..19).unwrap_or(&a.since),
                a.count,
            );
            s.push_str(&if self.color {
                format!("\x1b[31m{line}\x1b[0m")
            } else {
                line
            });
        }

        // p95 by endpoint over the last 5 windows, slowest first.
        let names = &w.summary.names;
        let mut eps: std::collections::BTreeMap<(u8, u32), LatStore> = Default::default();
        for (_, x) in recent.iter().rev().take(5) {
            for (k, v) in &x.agg.ep_latency {
                eps.entry(*k).or_default().merge(v, STREAM_WINDOW_CAP);
            }
        }
        let mut rows: Vec<(f64, usize, String)> = eps
            .iter()
            .filter_map(|((src, ep), v)| {
                v.p95().map(|q| {
                    let side = if *src == 0 { "app" } else { "nginx" };
                    (q, v.len(), format!("{} ({side})", term(names.name(*ep))))
                })
            })
            .collect();
        rows.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
        s.push('\n');
        s.push_str(&self.bold("P95 BY ENDPOINT (last 5 windows)"));
        s.push('\n');
        for (q, n, name) in rows.iter().take(8) {
            s.push_str(&format!("  {:>9} ms  {:>7}  {name}\n", ms(*q), n));
        }

        // Error types over the last 5 minutes of windows.
        let span = (300_000_000 / p.window).max(1) as usize;
        let mut types: std::collections::BTreeMap<u32, u64> = Default::default();
        for (_, x) in recent.iter().rev().take(span) {
            for (k, n) in &x.error_types {
                *types.entry(*k).or_default() += n;
            }
        }
        let mut types: Vec<(u64, &str)> = types.iter().map(|(k, n)| (*n, names.name(*k))).collect();
        types.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        s.push('\n');
        s.push_str(&self.bold("TOP ERROR TYPES (last 5 min)"));
        s.push('\n');
        for (n, t) in types.iter().take(8) {
            s.push_str(&format!("  {n:>7}  {}\n", term(t)));
        }
        s.push_str("\nCtrl-C: stop and print the summary\n");
        out.write_all(s.as_bytes())?;
        out.flush()
    }
}
