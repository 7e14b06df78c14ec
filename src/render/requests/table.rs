//! `requests` as a table: a summary line, the zone notes, an aligned table streamed row by
//! row (column widths from a first pass, so millions of rows never sit in memory as strings),
//! then where stuck requests stopped. Every log-derived string goes through `escape::term`.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use crate::listing::{DurationFrom, LastWords, Listing, Row};
use crate::render::escape::term;
use crate::render::fit::{share, short_id, wrap};
use crate::render::{Render, ms, short_time};

pub struct Table {
    pub color: bool,
    /// Columns every line fits in.
    pub width: usize,
    /// Full request ids.
    pub wide: bool,
}

const HEADER: [&str; 10] = [
    "first (UTC)",
    "request id",
    "endpoint",
    "status",
    "ms",
    "lines",
    "errors",
    "error type",
    "outcome",
    "last app message",
];
/// Right-aligned columns (numbers).
const RIGHT: [bool; 10] = [
    false, false, false, true, true, true, true, false, false, false,
];
const OUTCOME: usize = 8;
/// Columns that wrap when the table is wider than the width: endpoint, error type, last app
/// message (and the id with `--wide`).
const FLEX: [bool; 10] = [
    false, false, true, false, false, false, false, true, false, true,
];

/// Columns left out below `NARROW` columns: lines and errors (the outcome and error type say
/// what went wrong).
const OPTIONAL: [bool; 10] = [
    false, false, false, false, false, true, true, false, false, false,
];
const NARROW: usize = 100;

/// How the rows are shown: ids whole or short, times with or without their date.
#[derive(Clone, Copy)]
struct Shown {
    wide: bool,
    clock_only: bool,
}

fn cells(r: &Row<'_>, shown: Shown) -> [String; 10] {
    let opt = |s: Option<&str>| s.map_or_else(|| "-".to_string(), |v| term(v).into_owned());
    let time = |t: &str| match t.get(11..19) {
        Some(c) if shown.clock_only => c.to_string(),
        _ => short_time(t),
    };
    [
        r.first.as_deref().map_or_else(|| "-".to_string(), time),
        short_id(&term(&r.id), shown.wide),
        opt(r.endpoint),
        r.status.map_or_else(|| "-".to_string(), |s| s.to_string()),
        match (r.duration_ms, r.duration_from) {
            // A span is only how long the lines were seen: the request took at least that.
            (Some(d), Some(DurationFrom::Span)) => format!("≥{}", ms(d)),
            (Some(d), _) => ms(d),
            (None, _) => "-".to_string(),
        },
        r.lines.to_string(),
        r.errors.to_string(),
        opt(r.error_type),
        r.outcome.name().to_string(),
        opt(r.last_message),
    ]
}

fn summary(l: &Listing<'_>) -> String {
    let o = &l.outcomes;
    let mut s = format!("{} of {} requests selected", l.matched, l.total);
    if (l.len() as u64) < l.matched {
        s.push_str(&format!(", {} listed", l.len()));
    }
    s.push_str(&format!(
        "; outcomes: ok {}, error {}, timeout {}, upstream_closed {}, unfinished {}",
        o.ok, o.error, o.timeout, o.upstream_closed, o.unfinished
    ));
    if o.unknown > 0 {
        s.push_str(&format!(", unknown {}", o.unknown));
    }
    s
}

/// One plain-language line per group: "14 requests stopped after `calling ...`".
fn last_words_line(g: &LastWords) -> String {
    let noun = if g.count == 1 { "request" } else { "requests" };
    let what = match (&g.late, &g.message) {
        (Some(late), _) => late.describe(g.count),
        (None, Some(m)) => format!("{} {noun} stopped after \"{}\"", g.count, term(m)),
        (None, None) => format!("{} {noun} with no app line at all", g.count),
    };
    let outcomes: Vec<String> = g.outcomes.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let endpoints: Vec<String> = g
        .endpoints
        .iter()
        .map(|e| format!("{} {}", term(&e.endpoint), e.count))
        .collect();
    let mut detail = outcomes.join(", ");
    if !endpoints.is_empty() {
        detail.push_str("; ");
        detail.push_str(&endpoints.join(", "));
    }
    format!("{what} ({detail})")
}

impl Render<Listing<'_>> for Table {
    fn render(&self, l: &Listing<'_>, out: &mut dyn Write) -> io::Result<()> {
        for line in wrap(&summary(l), self.width, "  ") {
            writeln!(out, "{line}")?;
        }
        // Where the evidence placed stamps without a zone, or could not check them.
        for z in l.inputs.iter().filter_map(|i| i.timezone.as_ref()) {
            if z.how != "tz" {
                for line in wrap(&format!("  {}", term(&z.note)), self.width, "    ") {
                    writeln!(out, "{line}")?;
                }
            }
        }
        if !l.is_empty() {
            self.rows(l, out)?;
        }
        if !l.last_words.is_empty() {
            writeln!(out)?;
            let title = "Where stuck requests stopped (timeout, upstream_closed, unfinished; by last app message):";
            for line in wrap(title, self.width, "  ") {
                writeln!(out, "{}", self.bold(&line))?;
            }
            for g in &l.last_words {
                for line in wrap(&format!("  {}", last_words_line(g)), self.width, "    ") {
                    writeln!(out, "{line}")?;
                }
            }
        }
        Ok(())
    }
}

impl Table {
    fn bold(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// The header and the rows, each column as wide as its widest cell, the flexible ones
    /// narrowed (their cells wrapped) until the table fits the width.
    fn rows(&self, l: &Listing<'_>, out: &mut dyn Write) -> io::Result<()> {
        // A first pass for the layout: one day or several, and each column's widest cell.
        let mut days = l.rows().filter_map(|r| {
            r.first
                .as_deref()
                .and_then(|t| t.get(..10))
                .map(str::to_string)
        });
        let first_day = days.next();
        let clock_only = first_day.is_some() && days.all(|d| Some(&d) == first_day.as_ref());
        let shown = Shown {
            wide: self.wide,
            clock_only,
        };
        // Headers wrap at their spaces, so a column is as wide as its longest header word.
        let mut natural = HEADER.map(|h| h.split(' ').map(|w| w.width()).max().unwrap_or(0));
        for r in l.rows() {
            for (w, c) in natural.iter_mut().zip(cells(&r, shown)) {
                *w = (*w).max(c.width());
            }
        }
        let keep: Vec<usize> = (0..HEADER.len())
            .filter(|&i| self.width >= NARROW || !OPTIONAL[i])
            .collect();
        let pick =
            |v: &[String; 10]| -> Vec<String> { keep.iter().map(|&i| v[i].clone()).collect() };
        let flex: Vec<bool> = keep
            .iter()
            .map(|&i| FLEX[i] || (i == 1 && self.wide))
            .collect();
        let natural: Vec<usize> = keep.iter().map(|&i| natural[i]).collect();
        let widths = share(&natural, &flex, 2, self.width);
        writeln!(out)?;
        self.write_row(out, &widths, &keep, &pick(&HEADER.map(String::from)), true)?;
        for r in l.rows() {
            self.write_row(out, &widths, &keep, &pick(&cells(&r, shown)), false)?;
        }
        Ok(())
    }

    /// One row of cells padded to `widths` (numbers to the right), a cell wider than its
    /// column wrapped onto the row's next lines; trailing blanks cut.
    fn write_row(
        &self,
        out: &mut dyn Write,
        widths: &[usize],
        columns: &[usize],
        cells: &[String],
        head: bool,
    ) -> io::Result<()> {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(widths)
            .map(|(c, &w)| {
                if c.width() <= w {
                    vec![c.clone()]
                } else {
                    wrap(c, w, "")
                }
            })
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        let mut line = String::new();
        for k in 0..height {
            line.clear();
            for (i, part) in wrapped.iter().enumerate() {
                let c = part.get(k).map_or("", String::as_str);
                let last = i + 1 == cells.len();
                let pad = widths[i].saturating_sub(c.width());
                let styled = if head {
                    self.bold(c)
                } else if self.color && columns[i] == OUTCOME && !c.is_empty() && c != "ok" {
                    format!("\x1b[31m{c}\x1b[0m")
                } else {
                    c.to_string()
                };
                if RIGHT[columns[i]] {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(&styled);
                } else {
                    line.push_str(&styled);
                    if !last {
                        line.extend(std::iter::repeat_n(' ', pad));
                    }
                }
                if !last {
                    line.push_str("  ");
                }
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}
