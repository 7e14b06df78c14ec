//! `watch`'s live view on a terminal, redrawn in place: rates, sparklines of recent windows,
//! firing alerts, p95 by endpoint, top error types, all fitted to the terminal's width and
//! height. Formats a finished `LiveView` (its figures, the rate included, are the watch
//! layer's); every log-derived string goes through `escape::term`.

use std::io::{self, Write};

use crate::model::human_duration;
use crate::render::escape::term;
use crate::render::fit::{clip, resample};
use crate::render::{Render, ms, sparkline};
use crate::watch::view::{AlertLine, EndpointP95, ErrorTypeCount, LiveView, WindowPoint};

/// The live view of the named inputs, in a terminal of `width` x `height`.
#[derive(Clone)]
pub struct Live {
    pub color: bool,
    pub inputs: Vec<String>,
    pub width: usize,
    pub height: usize,
}

/// The smallest terminal the view lays itself out for; smaller ones get it clipped.
const MIN: (usize, usize) = (40, 12);

impl Render<LiveView> for Live {
    /// Redraws the view over the previous one: each line overwritten and cleared to its end,
    /// then the rest of the screen cleared, inside a synchronized update, so the terminal
    /// never shows a blank or half-drawn screen.
    fn render(&self, v: &LiveView, out: &mut dyn Write) -> io::Result<()> {
        let mut s = String::from("\x1b[?2026h\x1b[H");
        for line in self.lines(v) {
            s.push_str(&line);
            s.push_str("\x1b[K\r\n");
        }
        s.push_str("\x1b[J\x1b[?2026l");
        out.write_all(s.as_bytes())?;
        out.flush()
    }
}

/// A line of the view and how it is drawn.
enum Line {
    Plain(String),
    Bold(String),
    Alert(String),
}

impl Live {
    /// The same view for a terminal now `width` x `height`.
    pub fn sized(&self, width: usize, height: usize) -> Live {
        Live {
            width,
            height,
            ..self.clone()
        }
    }

    /// Hides the cursor and clears the screen once; `stop` shows the cursor again.
    pub fn start(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"\x1b[?25l\x1b[H\x1b[2J")?;
        out.flush()
    }

    pub fn stop(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"\x1b[?25h\n")?;
        out.flush()
    }

    /// The view's lines, at most the terminal's height less one (the cursor's line): the
    /// header and sparklines always, then alerts, endpoints and error types sharing what is
    /// left, each list cut with a `+N more` line.
    fn lines(&self, v: &LiveView) -> Vec<String> {
        let width = self.width.max(MIN.0);
        let height = self.height.max(MIN.1) - 1;
        let mut fixed = self.header(v);
        fixed.extend(sparklines(v, width));
        let footer = "Ctrl-C: stop and print the summary".to_string();
        let lists: Vec<(String, Vec<String>)> = vec![
            (
                format!("ALERTS ({} firing)", v.alerts.len()),
                v.alerts.iter().map(alert_line).collect(),
            ),
            (
                "P95 BY ENDPOINT (last 5 windows)".to_string(),
                v.endpoints.iter().map(endpoint_line).collect(),
            ),
            (
                "TOP ERROR TYPES (last 5 min)".to_string(),
                v.error_types.iter().map(error_line).collect(),
            ),
        ];
        // Each list's title and blank line are kept; its rows share the remaining height,
        // alerts first.
        let mut room = height.saturating_sub(fixed.len() + 1 + lists.len() * 2);
        let mut out: Vec<Line> = fixed.into_iter().map(Line::Plain).collect();
        for (i, (title, rows)) in lists.into_iter().enumerate() {
            out.push(Line::Plain(String::new()));
            out.push(Line::Bold(title));
            let later_min = 2 - i.min(2);
            let take = if rows.len() <= room.saturating_sub(later_min) {
                rows.len()
            } else {
                room.saturating_sub(later_min + 1)
            };
            let more = rows.len() - take;
            for r in rows.into_iter().take(take) {
                out.push(if i == 0 {
                    Line::Alert(r)
                } else {
                    Line::Plain(r)
                });
            }
            room = room.saturating_sub(take);
            if more > 0 {
                out.push(Line::Plain(format!("  (+{more} more)")));
                room = room.saturating_sub(1);
            }
        }
        out.push(Line::Plain(String::new()));
        out.push(Line::Plain(footer));
        out.truncate(height);
        out.into_iter().map(|l| self.draw(l, width)).collect()
    }

    fn draw(&self, l: Line, width: usize) -> String {
        match l {
            Line::Plain(s) => clip(&s, width).into_owned(),
            Line::Bold(s) if self.color => format!("\x1b[1m{}\x1b[0m", clip(&s, width)),
            Line::Alert(s) if self.color => format!("\x1b[31m{}\x1b[0m", clip(&s, width)),
            Line::Bold(s) | Line::Alert(s) => clip(&s, width).into_owned(),
        }
    }

    fn header(&self, v: &LiveView) -> Vec<String> {
        let names: Vec<String> = self.inputs.iter().map(|i| term(i).into_owned()).collect();
        vec![
            format!(
                "logtriage watch  {}  {} lines, {:.0} lines/s",
                names.join(", "),
                v.lines,
                v.lines_per_sec
            ),
            format!(
                "event time {} UTC; window {}; lateness {}; late {}; oversized {}; in flight {}",
                v.event_time
                    .as_deref()
                    .map_or("-".to_string(), |t| t.replace('T', " ").replace('Z', "")),
                human_duration(v.window_secs),
                human_duration(v.lateness_secs),
                v.late,
                v.oversized,
                v.in_flight
            ),
        ]
    }
}

fn alert_line(a: &AlertLine) -> String {
    let subject = a
        .subject
        .as_deref()
        .map_or(String::new(), |x| format!(" {}", term(x)));
    let detail = a
        .detail
        .as_deref()
        .map_or(String::new(), |x| format!("; {}", term(x)));
    format!(
        "  [{}] {}{subject} since {}: {} lines{detail}",
        a.severity,
        term(&a.rule),
        a.since.get(11..19).unwrap_or(&a.since),
        a.count,
    )
}

fn endpoint_line(r: &EndpointP95) -> String {
    format!(
        "  {:>9} ms  {:>7}  {} ({})",
        ms(r.p95_ms),
        r.count,
        term(&r.endpoint),
        r.side
    )
}

fn error_line(t: &ErrorTypeCount) -> String {
    format!("  {:>7}  {}", t.count, term(&t.name))
}

/// One window's value for a sparkline.
type Series = fn(&WindowPoint) -> Option<f64>;

/// The recent windows as sparklines no wider than the terminal, with the newest window's
/// numbers.
fn sparklines(v: &LiveView, width: usize) -> Vec<String> {
    let p95_now = v
        .windows
        .last()
        .and_then(|w| w.p95_ms)
        .map_or("-".to_string(), ms);
    let rows: [(&str, Series, String); 4] = [
        ("lines ", |x| Some(x.lines as f64), String::new()),
        (
            "errors",
            |x| Some(x.errors as f64),
            format!("{:.0}/min now", v.errors_per_min),
        ),
        (
            "5xx   ",
            |x| Some(x.status_5xx as f64),
            format!("{} in the newest window", v.newest_5xx),
        ),
        ("p95   ", |x| x.p95_ms, format!("{p95_now} ms")),
    ];
    let suffix = rows.iter().map(|r| r.2.chars().count()).max().unwrap_or(0);
    let room = width.saturating_sub(7 + 2 + suffix).max(8);
    let out: Vec<String> = rows
        .iter()
        .map(|(label, f, now)| {
            let series: Vec<Option<f64>> = v.windows.iter().map(f).collect();
            // The newest windows matter most: those that fit, not a squeeze of all of them.
            let start = series.len().saturating_sub(room);
            let marks = sparkline(&resample(&series[start..], room));
            format!("{label} {marks}  {now}").trim_end().to_string()
        })
        .collect();
    out
}
