//! Output of `watch`: JSON lines (`window`, `alert`, then `summary`) when piped, or a live
//! view redrawn in place on a terminal (rates, sparklines of recent windows, p95 by endpoint,
//! top error types, firing alerts). Formats finished values only: the events, the report and
//! the `LiveView` the watch layer computed; must not read the watcher or its windows. Every
//! log-derived string goes through `escape::term`.

use std::io::{self, Write};
use std::time::Duration;

use serde::Serialize;

use super::escape::term;
use super::{ms, sparkline};
use crate::report::Report;
use crate::watch::event::WatchEvent;
use crate::watch::view::{AlertLine, EndpointP95, ErrorTypeCount, LiveView, WindowPoint};

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
    pub fn draw(&mut self, v: &LiveView, elapsed: Duration, out: &mut dyn Write) -> io::Result<()> {
        let dt = (elapsed - self.last_at).as_secs_f64().max(1e-3);
        let rate = (v.lines - self.last_lines) as f64 / dt;
        self.last_lines = v.lines;
        self.last_at = elapsed;
        let mut s = String::from("\x1b[H\x1b[2J");
        self.header(v, rate, &mut s);
        sparklines(v, &mut s);
        self.alerts(&v.alerts, &mut s);
        self.endpoints(&v.endpoints, &mut s);
        self.error_types(&v.error_types, &mut s);
        s.push_str("\nCtrl-C: stop and print the summary\n");
        out.write_all(s.as_bytes())?;
        out.flush()
    }

    fn header(&self, v: &LiveView, rate: f64, s: &mut String) {
        s.push_str(&self.bold(&format!(
            "logtriage watch  {}  {} lines, {:.0} lines/s",
            self.inputs
                .iter()
                .map(|i| term(i).into_owned())
                .collect::<Vec<_>>()
                .join(", "),
            v.lines,
            rate
        )));
        s.push('\n');
        s.push_str(&format!(
            "event time {} UTC; window {}; lateness {}; late {}; oversized {}; requests in flight {}\n\n",
            v.event_time.as_deref().map_or("-".to_string(), |t| t.replace('T', " ").replace('Z', "")),
            crate::model::human_duration(v.window_secs),
            crate::model::human_duration(v.lateness_secs),
            v.late,
            v.oversized,
            v.in_flight
        ));
    }

    fn alerts(&self, alerts: &[AlertLine], s: &mut String) {
        s.push_str(&self.bold(&format!("ALERTS ({} firing)", alerts.len())));
        s.push('\n');
        for a in alerts {
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
                a.severity,
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
    }

    fn endpoints(&self, rows: &[EndpointP95], s: &mut String) {
        s.push('\n');
        s.push_str(&self.bold("P95 BY ENDPOINT (last 5 windows)"));
        s.push('\n');
        for r in rows {
            let name = format!("{} ({})", term(&r.endpoint), r.side);
            s.push_str(&format!(
                "  {:>9} ms  {:>7}  {name}\n",
                ms(r.p95_ms),
                r.count
            ));
        }
    }

    fn error_types(&self, types: &[ErrorTypeCount], s: &mut String) {
        s.push('\n');
        s.push_str(&self.bold("TOP ERROR TYPES (last 5 min)"));
        s.push('\n');
        for t in types {
            s.push_str(&format!("  {:>7}  {}\n", t.count, term(&t.name)));
        }
    }
}

/// The recent windows as sparklines, with the newest window's numbers.
fn sparklines(v: &LiveView, s: &mut String) {
    let series = |f: fn(&WindowPoint) -> Option<f64>| -> Vec<Option<f64>> {
        v.windows.iter().map(f).collect()
    };
    let lines = series(|x| Some(x.lines as f64));
    let errs = series(|x| Some(x.errors as f64));
    let s5 = series(|x| Some(x.status_5xx as f64));
    let p95 = series(|x| x.p95_ms);
    s.push_str(&format!("lines  {}\n", sparkline(&lines)));
    s.push_str(&format!(
        "errors {}  {:.0}/min now\n",
        sparkline(&errs),
        v.errors_per_min
    ));
    s.push_str(&format!(
        "5xx    {}  {} in the newest window\n",
        sparkline(&s5),
        v.newest_5xx
    ));
    s.push_str(&format!(
        "p95    {}  {} ms\n\n",
        sparkline(&p95),
        p95.last().copied().flatten().map_or("-".to_string(), ms)
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The view from a hand-made `LiveView`: formatting only, log text escaped.
    #[test]
    fn live_view_formats_a_finished_view() {
        let point = |lines, p95_ms| WindowPoint {
            lines,
            errors: lines / 2,
            status_5xx: 1,
            p95_ms,
        };
        let v = LiveView {
            lines: 300,
            event_time: Some("2026-11-25T03:16:09.000Z".to_string()),
            window_secs: 10.0,
            lateness_secs: 5.0,
            late: 2,
            oversized: 0,
            in_flight: 7,
            windows: vec![point(100, Some(12.0)), point(200, None)],
            errors_per_min: 600.0,
            newest_5xx: 1,
            alerts: vec![AlertLine {
                severity: "critical",
                rule: "upstream_timeout".to_string(),
                subject: Some("GET /x\u{1b}]0;t\u{7}".to_string()),
                since: "2026-11-25T03:16:01.000Z".to_string(),
                count: 5,
                detail: None,
            }],
            endpoints: vec![EndpointP95 {
                p95_ms: 2500.0,
                count: 10,
                endpoint: "POST /pay".to_string(),
                side: "nginx",
            }],
            error_types: vec![ErrorTypeCount {
                count: 3,
                name: "Timeout".to_string(),
            }],
        };
        let mut live = Live::new(false, vec!["<stdin>".to_string()]);
        let mut out = Vec::new();
        live.draw(&v, Duration::from_secs(2), &mut out).unwrap();
        let want = "\x1b[H\x1b[2Jlogtriage watch  <stdin>  300 lines, 150 lines/s\n\
            event time 2026-11-25 03:16:09.000 UTC; window 10s; lateness 5s; late 2; oversized 0; requests in flight 7\n\n\
            lines  ▅█\n\
            errors ▅█  600/min now\n\
            5xx    ██  1 in the newest window\n\
            p95    █·  - ms\n\n\
            ALERTS (1 firing)\n  \
            [critical] upstream_timeout GET /x\\x1b]0;t\\x07 since 03:16:01: 5 lines\n\n\
            P95 BY ENDPOINT (last 5 windows)\n       \
            2500 ms       10  POST /pay (nginx)\n\n\
            TOP ERROR TYPES (last 5 min)\n        \
            3  Timeout\n\n\
            Ctrl-C: stop and print the summary\n";
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }
}
