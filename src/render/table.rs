//! The report on a terminal: the first screen (`table/front.rs`), then the details as
//! tables (comfy-table) fitted to the width, one method per section (the triage sections in
//! `table/triage.rs`). Renders a finished `Report`; every log-derived string goes through
//! `escape::term`.

mod front;
pub(crate) mod triage;

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Table};

use super::escape::term;
use super::fit::{clip, short_id, wrap};
use super::notes::{STRIP_LABEL, formats_cell, strips};
use super::{Render, ms, short_time};
use crate::model::human_duration;
use crate::report::{LatencySide, Report};

/// Below this width, tables leave out their optional columns.
const NARROW: usize = 100;

pub struct TableRender {
    pub color: bool,
    /// Columns every line fits in.
    pub width: usize,
    /// Full request ids.
    pub wide: bool,
    /// The first screen alone.
    pub brief: bool,
}

impl TableRender {
    /// A table fitted to the width. `kinds` has one letter per column: `x` for a column
    /// kept as wide as its content (numbers, clocks, short ids), `o` for one too that is left
    /// out below `NARROW` columns (what the strips or other columns already say), `t` for text
    /// that wraps inside its share of what is left.
    fn table(&self, header: &[&str], kinds: &str) -> Table {
        debug_assert_eq!(header.len(), kinds.len(), "one kind per column");
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(self.width as u16);
        if self.color {
            t.enforce_styling();
        } else {
            t.force_no_tty();
        }
        t.set_header(header.iter().map(|h| self.bold(h)).collect::<Vec<_>>());
        for (i, k) in kinds.chars().enumerate() {
            let constraint = match k {
                'o' if self.width < NARROW => ColumnConstraint::Hidden,
                'x' | 'o' => ColumnConstraint::ContentWidth,
                _ => continue,
            };
            if let Some(c) = t.column_mut(i) {
                c.set_constraint(constraint);
            }
        }
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
        writeln!(out)?;
        for line in wrap(title, self.width, "  ") {
            if self.color {
                writeln!(out, "\x1b[1m{line}\x1b[0m")?;
            } else {
                writeln!(out, "{line}")?;
            }
        }
        Ok(())
    }
}

pub(crate) fn right(s: impl ToString) -> Cell {
    Cell::new(s.to_string()).set_alignment(CellAlignment::Right)
}

/// A time as tables show it: the clock alone when the whole report lies within one day (the
/// headline gives the date), else date and clock.
pub(crate) fn clock(r: &Report, t: &str) -> String {
    let one_day = r
        .time_range
        .as_ref()
        .is_some_and(|x| x.start.get(..10) == x.end.get(..10));
    match t.get(11..19) {
        Some(c) if one_day => c.to_string(),
        _ => short_time(t),
    }
}

pub(crate) fn opt_clock(r: &Report, t: &Option<String>) -> String {
    t.as_deref().map_or_else(|| "-".into(), |t| clock(r, t))
}

impl Render<Report> for TableRender {
    fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        self.front(r, out)?;
        if self.brief {
            return Ok(());
        }
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
    /// Per input: formats and line accounting, then the totals.
    fn inputs(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        self.heading(out, "INPUTS")?;
        let mut t = self.table(
            &[
                "file",
                "formats",
                "lines",
                "of which",
                "bytes",
                "first, last",
            ],
            "ttxtxx",
        );
        for i in &r.inputs {
            t.add_row(vec![
                Cell::new(term(&i.path)),
                Cell::new(if let Some(e) = &i.error {
                    format!("ERROR {}", term(e))
                } else {
                    formats_cell(i, ":", " ")
                }),
                right(i.lines),
                self.accounting([i.parsed, i.continuation, i.unparsed, i.blank], i.untimed),
                right(i.bytes),
                Cell::new(format!(
                    "{}\n{}",
                    opt_clock(r, &i.first),
                    opt_clock(r, &i.last)
                )),
            ]);
        }
        let tt = &r.totals;
        let mut total = self.accounting(
            [tt.parsed, tt.continuation, tt.unparsed, tt.blank],
            tt.untimed,
        );
        if tt.filtered > 0 {
            total = total.add_attribute(comfy_table::Attribute::Reset);
        }
        t.add_row(vec![
            self.bold("total"),
            Cell::new(if tt.filtered > 0 {
                format!("{} outside --since/--until", tt.filtered)
            } else {
                String::new()
            }),
            right(tt.lines),
            total,
            right(r.inputs.iter().map(|i| i.bytes).sum::<u64>()),
            Cell::new(""),
        ]);
        writeln!(out, "{t}")?;
        Ok(())
    }

    /// Where an input's lines went (parsed, joined to a record, unparsed, blank: they add up
    /// to its lines), naming only the parts that hold any besides `parsed`, then the parsed
    /// lines without a time. Unparsed lines in red.
    fn accounting(&self, [parsed, joined, unparsed, blank]: [u64; 4], untimed: u64) -> Cell {
        let mut parts = vec![format!("{parsed} parsed")];
        for (n, what) in [(joined, "joined"), (unparsed, "unparsed"), (blank, "blank")] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        let mut s = parts.join(", ");
        if untimed > 0 {
            s.push_str(&format!("; {untimed} without a time"));
        }
        let c = Cell::new(s);
        if unparsed > 0 && self.color {
            c.fg(Color::Red)
        } else {
            c
        }
    }

    /// Lines per level, then the HTTP statuses per source.
    fn levels(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        self.heading(out, "LEVELS AND STATUS")?;
        let l = &r.levels;
        let mut t = self.table(
            &["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"],
            "xxxxxx",
        );
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
            for line in wrap(
                &format!("status ({name}): {}", codes.join("  ")),
                self.width,
                "  ",
            ) {
                writeln!(out, "{line}")?;
            }
        }
        Ok(())
    }

    /// Error types with their endpoints and request ids.
    fn error_types(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        if !r.error_types.is_empty() {
            self.heading(out, "ERROR TYPES")?;
            let mut t = self.table(
                &[
                    "type",
                    "source",
                    "count",
                    "first\nlast",
                    "top endpoints",
                    "requests",
                ],
                if self.wide { "toxxtt" } else { "toxxtx" },
            );
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
                    .map(|x| short_id(&term(x), self.wide))
                    .collect();
                let kind = match e.http_status {
                    Some(s) => format!("{} [{s}]", term(&e.kind)),
                    None => term(&e.kind).into_owned(),
                };
                t.add_row(vec![
                    Cell::new(kind),
                    Cell::new(e.source.name()),
                    self.num(e.count, true),
                    Cell::new(format!(
                        "{}\n{}",
                        opt_clock(r, &e.first),
                        opt_clock(r, &e.last)
                    )),
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
                for line in wrap(&format!("  {}", term(d)), self.width, "    ") {
                    writeln!(out, "{line}")?;
                }
            }
            writeln!(out, "{}", self.latency_table(side))?;
        }
        Ok(())
    }

    /// Per source of enveloped lines.
    fn sources(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        if !r.sources.is_empty() {
            self.heading(out, "SOURCES (from the envelopes and log paths)")?;
            let mut t = self.table(&["source", "lines", "errors", "5xx", "p95 ms"], "txxxx");
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
            let s = strips(r, &["lines", "errors", "5xx", "p95", "incid."], self.width);
            for (label, marks) in &s.rows {
                writeln!(out, "{label:<w$}{marks}", w = STRIP_LABEL)?;
            }
            let mut t = self.table(
                &[
                    "window", "lines", "errors", "warn", "5xx", "p95 ms", "inc.", "flags",
                ],
                "xoxoxxxt",
            );
            // The strips above show every window; the table lists those with something
            // to read, so a day of quiet minutes does not bury the bad ones.
            let loud = |w: &&crate::report::Window| {
                w.errors + w.warnings + w.status_5xx > 0
                    || w.incident.is_some()
                    || !w.flags.is_empty()
            };
            let quiet = r.windows.len() - r.windows.iter().filter(loud).count();
            for w in r.windows.iter().filter(loud) {
                t.add_row(vec![
                    Cell::new(clock(r, &w.start)),
                    right(w.lines),
                    self.num(w.errors, true),
                    self.num(w.warnings, false),
                    self.num(w.status_5xx, true),
                    right(w.p95.map(ms).unwrap_or_else(|| "-".into())),
                    right(w.incident.map_or(String::new(), |i| i.to_string())),
                    Cell::new(w.flags.join(", ")),
                ]);
            }
            if quiet < r.windows.len() {
                writeln!(out, "{t}")?;
            }
            if quiet > 0 {
                let line = format!(
                    "{quiet} quiet windows (no error, warning, 5xx or flag) not listed; JSON has every window"
                );
                for l in wrap(&line, self.width, "  ") {
                    writeln!(out, "{l}")?;
                }
            }
        }
        Ok(())
    }

    /// Requests by id: outcomes, then the slowest.
    fn requests(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let q = &r.requests;
        if q.total > 0 {
            self.heading(out, "REQUESTS")?;
            let line = q.outcome_sentence();
            for l in wrap(&line, self.width, "  ") {
                writeln!(out, "{l}")?;
            }
            if !q.slowest.is_empty() {
                let mut t = self.table(
                    &[
                        "slowest request",
                        "endpoint",
                        "ms",
                        "app ms",
                        "nginx ms",
                        "status",
                        "outcome",
                        "first",
                    ],
                    if self.wide { "ttxooxxo" } else { "xtxooxxo" },
                );
                for s in &q.slowest {
                    t.add_row(vec![
                        Cell::new(short_id(&term(&s.id), self.wide)),
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
                        Cell::new(opt_clock(r, &s.first)),
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
                let line = format!("{}:{}: {}", term(&s.path), s.line, term(&s.text));
                writeln!(out, "{}", clip(&line, self.width))?;
            }
        }
        Ok(())
    }
}

impl TableRender {
    fn latency_table(&self, side: &LatencySide) -> Table {
        let mut t = self.table(
            &[
                "endpoint", "count", "mean", "p50", "p90", "p95", "p99", "max",
            ],
            "txxxxxxx",
        );
        for row in side.rows() {
            let name = if row.total {
                self.bold(row.name)
            } else {
                Cell::new(term(row.name))
            };
            let mut cells = vec![name, right(row.summary.count)];
            cells.extend(row.summary.figures().map(|v| right(ms(v))));
            t.add_row(cells);
        }
        t
    }
}
