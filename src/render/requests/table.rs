//! `requests` as a table: a summary line, the zone notes, an aligned table streamed row by
//! row (column widths from a first pass, so millions of rows never sit in memory as strings),
//! then where stuck requests stopped. Every log-derived string goes through `escape::term`.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use crate::listing::{DurationFrom, LastWords, Listing, Row};
use crate::render::escape::term;
use crate::render::{Render, ms, short_time};

pub struct Table {
    pub color: bool,
}

const HEADER: [&str; 10] = [
    "first (UTC)",
    "request id",
    "endpoint",
    "status",
    "duration ms",
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

fn cells(r: &Row<'_>) -> [String; 10] {
    let opt = |s: Option<&str>| s.map_or_else(|| "-".to_string(), |v| term(v).into_owned());
    [
        r.first
            .as_deref()
            .map_or_else(|| "-".to_string(), short_time),
        term(&r.id).into_owned(),
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
        writeln!(out, "{}", summary(l))?;
        // Where the evidence placed stamps without a zone, or could not check them.
        for z in l.inputs.iter().filter_map(|i| i.timezone.as_ref()) {
            if z.how != "tz" {
                writeln!(out, "  {}", term(&z.note))?;
            }
        }
        if !l.is_empty() {
            self.rows(l, out)?;
        }
        if !l.last_words.is_empty() {
            writeln!(out)?;
            writeln!(
                out,
                "{}",
                self.bold(
                    "Where stuck requests stopped (timeout, upstream_closed, unfinished; by last app message):"
                )
            )?;
            for g in &l.last_words {
                writeln!(out, "  {}", last_words_line(g))?;
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

    /// The header and the rows, each column as wide as its widest cell.
    fn rows(&self, l: &Listing<'_>, out: &mut dyn Write) -> io::Result<()> {
        let mut widths = HEADER.map(|h| h.width());
        for r in l.rows() {
            for (w, c) in widths.iter_mut().zip(cells(&r)) {
                *w = (*w).max(c.width());
            }
        }
        let mut line = String::new();
        writeln!(out)?;
        self.write_row(out, &mut line, &widths, &HEADER.map(String::from), true)?;
        for r in l.rows() {
            self.write_row(out, &mut line, &widths, &cells(&r), false)?;
        }
        Ok(())
    }

    /// One line of cells padded to `widths` (numbers to the right), trailing blanks cut;
    /// `line` is reused between rows.
    fn write_row(
        &self,
        out: &mut dyn Write,
        line: &mut String,
        widths: &[usize; 10],
        cells: &[String],
        head: bool,
    ) -> io::Result<()> {
        line.clear();
        for (i, c) in cells.iter().enumerate() {
            let last = i + 1 == cells.len();
            let pad = widths[i].saturating_sub(c.width());
            let styled = if head {
                self.bold(c)
            } else if self.color && i == OUTCOME && c != "ok" {
                format!("\x1b[31m{c}\x1b[0m")
            } else {
                c.clone()
            };
            if RIGHT[i] {
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
        writeln!(out, "{}", line.trim_end())
    }
}
