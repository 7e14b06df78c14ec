//! The report as terminal tables (comfy-table) with a unicode sparkline timeline, one method
//! per section (the triage sections in `table/triage.rs`). Renders a finished `Report`;
//! every log-derived string goes through `escape::term`.

pub(crate) mod triage;

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table};

use super::escape::term;
use super::notes::{formats_cell, incident_strip, input_notes, zone_notes};
use super::{Render, ms, short_time, sparkline};
use crate::model::human_duration;
use crate::report::{LatencySide, Report};

pub struct TableRender {
    pub color: bool,
}

impl TableRender {
    fn table(&self, header: &[&str]) -> Table {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled);
        if self.color {
            t.enforce_styling();
        } else {
            t.force_no_tty();
        }
        t.set_header(header.iter().map(|h| self.bold(h)).collect::<Vec<_>>());
        t
    }

    fn bold(&self, s: &str) -> Cell {
        let c = Cell::new(s);
        if self.color {
            c.add_attribute(comfy_table::Attribute::Bold)
        } else {
            c
        }
    }

    fn num(&self, n: u64, alarm: bool) -> Cell {
        let c = Cell::new(n).set_alignment(CellAlignment::Right);
        if alarm && n > 0 && self.color {
            c.fg(Color::Red)
        } else {
            c
        }
    }

    fn heading(&self, out: &mut dyn Write, title: &str) -> io::Result<()> {
        if self.color {
            writeln!(out, "\n\x1b[1m{title}\x1b[0m")
        } else {
            writeln!(out, "\n{title}")
        }
    }
}

pub(crate) fn right(s: impl ToString) -> Cell {
    Cell::new(s.to_string()).set_alignment(CellAlignment::Right)
}

pub(crate) fn opt_time(t: &Option<String>) -> String {
    t.as_deref().map(short_time).unwrap_or_else(|| "-".into())
}

impl Render<Report> for TableRender {
    fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        self.opening(r, out)?;
        self.triage(r, out)?;
        self.inputs(r, out)?;
        self.levels(r, out)?;
        self.error_types(r, out)?;
        self.patterns(r, out)?;
        self.latency(r, out)?;
        self.sources(r, out)?;
        self.timeline(r, out)?;
        self.requests(r, out)?;
        self.unparsed(r, out)
    }
}

/// The report's sections, in the order they print.
impl TableRender {
    /// The headline, what the figures are in, and the notes on how inputs were read.
    fn opening(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        if self.color {
            writeln!(out, "\x1b[1m{}\x1b[0m", term(&r.headline))?;
        } else {
            writeln!(out, "{}", term(&r.headline))?;
        }
        let notes = zone_notes(r);
        writeln!(
            out,
            "times in UTC; naive timestamps read as {}{}; window {}; latency in ms; the timeline shows {}'s 5xx and p95",
            term(&r.timezone_assumed),
            if notes.is_empty() {
                ""
            } else {
                " unless noted"
            },
            human_duration(r.window_seconds as f64),
            r.primary_source.name()
        )?;
        for note in notes {
            writeln!(out, "  {}", term(note))?;
        }
        for note in input_notes(r) {
            writeln!(out, "  {}", term(&note))?;
        }
        Ok(())
    }

    /// Per input: formats and line accounting, then the totals.
    fn inputs(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        self.heading(out, "INPUTS")?;
        // Joined fragments get a column only when some input has them.
        let joined = r.totals.continuation > 0;
        let mut head = vec!["file", "formats", "lines", "parsed"];
        if joined {
            head.push("joined");
        }
        head.extend(["unparsed", "blank", "untimed", "bytes", "first", "last"]);
        let mut t = self.table(&head);
        for i in &r.inputs {
            let mut row = vec![
                Cell::new(term(&i.path)),
                Cell::new(if let Some(e) = &i.error {
                    format!("ERROR {}", term(e))
                } else {
                    formats_cell(i, ":", " ")
                }),
                right(i.lines),
                right(i.parsed),
            ];
            if joined {
                row.push(right(i.continuation));
            }
            row.extend([
                self.num(i.unparsed, true),
                right(i.blank),
                right(i.untimed),
                right(i.bytes),
                Cell::new(opt_time(&i.first)),
                Cell::new(opt_time(&i.last)),
            ]);
            t.add_row(row);
        }
        let tt = &r.totals;
        let mut row = vec![
            self.bold("total"),
            Cell::new(if tt.filtered > 0 {
                format!("{} outside --since/--until", tt.filtered)
            } else {
                String::new()
            }),
            right(tt.lines),
            right(tt.parsed),
        ];
        if joined {
            row.push(right(tt.continuation));
        }
        row.extend([
            self.num(tt.unparsed, true),
            right(tt.blank),
            right(tt.untimed),
            right(r.inputs.iter().map(|i| i.bytes).sum::<u64>()),
            Cell::new(""),
            Cell::new(""),
        ]);
        t.add_row(row);
        writeln!(out, "{t}")?;
        Ok(())
    }

    /// Lines per level, then the HTTP statuses per source.
    fn levels(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        self.heading(out, "LEVELS AND STATUS")?;
        let l = &r.levels;
        let mut t = self.table(&["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]);
        t.add_row(vec![
            right(l.TRACE),
            right(l.DEBUG),
            right(l.INFO),
            self.num(l.WARN, false),
            self.num(l.ERROR, true),
            self.num(l.FATAL, true),
        ]);
        writeln!(out, "{t}")?;
        for (name, m) in [("app", &r.status.app), ("nginx", &r.status.nginx)] {
            if m.is_empty() {
                continue;
            }
            let codes: Vec<String> = m.iter().map(|(k, v)| format!("{k}:{v}")).collect();
            writeln!(out, "status ({name}): {}", codes.join("  "))?;
        }
        Ok(())
    }

    /// Error types with their endpoints and request ids.
    fn error_types(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        if !r.error_types.is_empty() {
            self.heading(out, "ERROR TYPES")?;
            let mut t = self.table(&[
                "type",
                "source",
                "count",
                "first",
                "last",
                "top endpoints",
                "request ids",
            ]);
            for e in &r.error_types {
                let eps: Vec<String> = e
                    .endpoints
                    .iter()
                    .take(3)
                    .map(|x| format!("{} ({})", term(&x.endpoint), x.count))
                    .collect();
                let ids: Vec<String> = e
                    .request_ids
                    .iter()
                    .take(3)
                    .map(|x| term(x).into_owned())
                    .collect();
                let kind = match e.http_status {
                    Some(s) => format!("{} [{s}]", term(&e.kind)),
                    None => term(&e.kind).into_owned(),
                };
                t.add_row(vec![
                    Cell::new(kind),
                    Cell::new(e.source.name()),
                    self.num(e.count, true),
                    Cell::new(opt_time(&e.first)),
                    Cell::new(opt_time(&e.last)),
                    Cell::new(eps.join("\n")),
                    Cell::new(ids.join("\n")),
                ]);
            }
            writeln!(out, "{t}")?;
        }
        Ok(())
    }

    /// Latency per source: overall, health checks, per endpoint.
    fn latency(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        for (name, side) in [("app", &r.latency.app), ("nginx", &r.latency.nginx)] {
            if side.overall.is_none() && side.health.is_none() {
                continue;
            }
            self.heading(out, &format!("LATENCY ({name}, ms)"))?;
            if let Some(d) = &side.unit_doubt {
                writeln!(out, "  {}", term(d))?;
            }
            writeln!(out, "{}", self.latency_table(side))?;
        }
        Ok(())
    }

    /// Per source of enveloped lines.
    fn sources(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        if !r.sources.is_empty() {
            self.heading(out, "SOURCES (from the envelopes and log paths)")?;
            let mut t = self.table(&["source", "lines", "errors", "5xx", "p95 ms"]);
            for src in &r.sources {
                t.add_row(vec![
                    Cell::new(term(&src.source)),
                    right(src.lines),
                    self.num(src.errors, true),
                    self.num(src.status_5xx, true),
                    right(src.p95.map(ms).unwrap_or_else(|| "-".into())),
                ]);
            }
            writeln!(out, "{t}")?;
        }
        Ok(())
    }

    /// The windows as sparklines, then as a table.
    fn timeline(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        if !r.windows.is_empty() {
            self.heading(
                out,
                &format!(
                    "TIMELINE ({} windows of {})",
                    r.windows.len(),
                    human_duration(r.window_seconds as f64)
                ),
            )?;
            let lines: Vec<Option<f64>> = r.windows.iter().map(|w| Some(w.lines as f64)).collect();
            let errs: Vec<Option<f64>> = r.windows.iter().map(|w| Some(w.errors as f64)).collect();
            let s5: Vec<Option<f64>> = r
                .windows
                .iter()
                .map(|w| Some(w.status_5xx as f64))
                .collect();
            let p95: Vec<Option<f64>> = r.windows.iter().map(|w| w.p95).collect();
            writeln!(out, "lines  {}", sparkline(&lines))?;
            writeln!(out, "errors {}", sparkline(&errs))?;
            writeln!(out, "5xx    {}", sparkline(&s5))?;
            writeln!(out, "p95    {}", sparkline(&p95))?;
            if !r.incidents.is_empty() {
                writeln!(out, "incid. {}", incident_strip(&r.windows))?;
            }
            let mut t = self.table(&[
                "window start",
                "lines",
                "errors",
                "warn",
                "5xx",
                "p95 ms",
                "incident",
                "flags",
            ]);
            for w in &r.windows {
                t.add_row(vec![
                    Cell::new(short_time(&w.start)),
                    right(w.lines),
                    self.num(w.errors, true),
                    self.num(w.warnings, false),
                    self.num(w.status_5xx, true),
                    right(w.p95.map(ms).unwrap_or_else(|| "-".into())),
                    right(w.incident.map_or(String::new(), |i| i.to_string())),
                    Cell::new(w.flags.join(" ")),
                ]);
            }
            writeln!(out, "{t}")?;
        }
        Ok(())
    }

    /// Requests by id: outcomes, then the slowest.
    fn requests(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let q = &r.requests;
        if q.total > 0 {
            self.heading(out, "REQUESTS")?;
            let o = &q.outcomes;
            writeln!(
                out,
                "{} requests by id: {} ok, {} error, {} timeout, {} upstream closed, {} unfinished; app never finished: {}",
                q.total,
                o.ok,
                o.error,
                o.timeout,
                o.upstream_closed,
                o.unfinished,
                q.unfinished
                    .map_or("n/a (no completion lines)".to_string(), |u| u.to_string())
            )?;
            if !q.slowest.is_empty() {
                let mut t = self.table(&[
                    "slowest request",
                    "endpoint",
                    "ms",
                    "app ms",
                    "nginx ms",
                    "status",
                    "outcome",
                    "first",
                ]);
                for s in &q.slowest {
                    t.add_row(vec![
                        Cell::new(term(&s.id)),
                        Cell::new(s.endpoint.as_deref().map(term).unwrap_or_default()),
                        right(ms(s.duration_ms)),
                        right(s.app_ms.map(ms).unwrap_or_else(|| "-".into())),
                        right(s.nginx_ms.map(ms).unwrap_or_else(|| "-".into())),
                        right(
                            s.status
                                .map(|x| x.to_string())
                                .unwrap_or_else(|| "-".into()),
                        ),
                        Cell::new(s.outcome.name().to_string()),
                        Cell::new(opt_time(&s.first)),
                    ]);
                }
                writeln!(out, "{t}")?;
            }
        }
        Ok(())
    }

    /// Samples of lines no format matched.
    fn unparsed(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        if !r.unparsed_samples.is_empty() {
            self.heading(out, "UNPARSED SAMPLES")?;
            for s in &r.unparsed_samples {
                writeln!(out, "{}:{}: {}", term(&s.path), s.line, term(&s.text))?;
            }
        }
        Ok(())
    }
}

impl TableRender {
    fn latency_table(&self, side: &LatencySide) -> Table {
        let mut t = self.table(&[
            "endpoint", "count", "mean", "p50", "p90", "p95", "p99", "max",
        ]);
        let mut row = |name: Cell, s: &crate::model::LatencySummary| {
            t.add_row(vec![
                name,
                right(s.count),
                right(ms(s.mean)),
                right(ms(s.p50)),
                right(ms(s.p90)),
                right(ms(s.p95)),
                right(ms(s.p99)),
                right(ms(s.max)),
            ]);
        };
        if let Some(s) = &side.overall {
            row(self.bold("(all but health checks)"), s);
        }
        if let Some(s) = &side.health {
            row(self.bold("(health checks)"), s);
        }
        for e in &side.endpoints {
            row(Cell::new(term(&e.endpoint)), &e.summary);
        }
        t
    }
}
