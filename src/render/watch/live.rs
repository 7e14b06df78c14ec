//! `watch`'s live view on a terminal, redrawn in place: rates, sparklines of recent windows,
//! p95 by endpoint, top error types, firing alerts. Formats a finished `LiveView` (its
//! figures, the rate included, are the watch layer's); every log-derived string goes through
//! `escape::term`.

use std::io::{self, Write};

use crate::model::human_duration;
use crate::render::escape::term;
use crate::render::{Render, ms, sparkline};
use crate::watch::view::{AlertLine, EndpointP95, ErrorTypeCount, LiveView, WindowPoint};

/// The live view of the named inputs.
pub struct Live {
    pub color: bool,
    pub inputs: Vec<String>,
}

impl Render<LiveView> for Live {
    /// Redraws the whole view from the top of the screen.
    fn render(&self, v: &LiveView, out: &mut dyn Write) -> io::Result<()> {
        let mut s = String::from("\x1b[H\x1b[2J");
        self.header(v, &mut s);
        sparklines(v, &mut s);
        self.alerts(&v.alerts, &mut s);
        self.endpoints(&v.endpoints, &mut s);
        self.error_types(&v.error_types, &mut s);
        s.push_str("\nCtrl-C: stop and print the summary\n");
        out.write_all(s.as_bytes())?;
        out.flush()
    }
}

impl Live {
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

    fn header(&self, v: &LiveView, s: &mut String) {
        s.push_str(&self.bold(&format!(
            "logtriage watch  {}  {} lines, {:.0} lines/s",
            self.inputs
                .iter()
                .map(|i| term(i).into_owned())
                .collect::<Vec<_>>()
                .join(", "),
            v.lines,
            v.lines_per_sec
        )));
        s.push('\n');
        s.push_str(&format!(
            "event time {} UTC; window {}; lateness {}; late {}; oversized {}; requests in flight {}\n\n",
            v.event_time.as_deref().map_or("-".to_string(), |t| t.replace('T', " ").replace('Z', "")),
            human_duration(v.window_secs),
            human_duration(v.lateness_secs),
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
