//! Output of `requests`: an aligned table streamed row by row (column widths from a first
//! pass, so millions of rows never sit in memory as strings) followed by the last words of
//! stuck requests; one JSON document; or CSV rows. Reads a finished `Listing` only; every
//! log-derived string in the table goes through `escape::term`, in CSV through
//! `escape::csv_cell`, and JSON through `json::to_writer_safe`.

use std::borrow::Cow;
use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use super::escape::{csv_cell, term};
use super::{ms, short_time};
use crate::listing::{DurationFrom, LastWords, Listing, Row};

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
pub fn last_words_line(g: &LastWords) -> String {
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

pub fn table(l: &Listing<'_>, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let bold = |s: &str| {
        if color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    writeln!(out, "{}", summary(l))?;
    // Where the evidence placed stamps without a zone, or could not check them.
    for z in l.inputs.iter().filter_map(|i| i.timezone.as_ref()) {
        if z.how != "tz" {
            writeln!(out, "  {}", term(&z.note))?;
        }
    }
    if !l.is_empty() {
        let mut widths = HEADER.map(|h| h.width());
        for r in l.rows() {
            for (w, c) in widths.iter_mut().zip(cells(&r)) {
                *w = (*w).max(c.width());
            }
        }
        let mut line = String::new();
        let write_row = |out: &mut dyn Write, line: &mut String, cells: &[String], head: bool| {
            line.clear();
            for (i, c) in cells.iter().enumerate() {
                let last = i + 1 == cells.len();
                let pad = widths[i].saturating_sub(c.width());
                let styled = if head {
                    bold(c)
                } else if color && i == OUTCOME && c != "ok" {
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
        };
        writeln!(out)?;
        write_row(out, &mut line, &HEADER.map(String::from), true)?;
        for r in l.rows() {
            write_row(out, &mut line, &cells(&r), false)?;
        }
    }
    if !l.last_words.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            bold(
                "Where stuck requests stopped (timeout, upstream_closed, unfinished; by last app message):"
            )
        )?;
        for g in &l.last_words {
            writeln!(out, "  {}", last_words_line(g))?;
        }
    }
    Ok(())
}

fn io_err(e: serde_json::Error) -> io::Error {
    match e.io_error_kind() {
        // Keep the kind so a closed pipe is still recognised as one.
        Some(kind) => io::Error::new(kind, e),
        None => io::Error::other(e),
    }
}

/// One compact JSON document (docs/requests-schema.md); pipe through `jq` to read it.
pub fn json(l: &Listing<'_>, out: &mut dyn Write) -> io::Result<()> {
    super::json::to_writer_safe(&mut *out, l).map_err(io_err)?;
    out.write_all(b"\n")
}

/// CSV with a header row, one row per listed request (the last words are not rows). The
/// cells that come from the log (id, endpoint, error type, last message) go through
/// `escape::csv_cell`, so a spreadsheet opening the file sees text, never a formula or a
/// control character; the rest are numbers, times and names the tool wrote.
pub fn csv(l: &Listing<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    for r in l.rows() {
        let endpoint = r.endpoint.map(csv_cell);
        let error_type = r.error_type.map(csv_cell);
        let last_message = r.last_message.map(csv_cell);
        let id = match csv_cell(&r.id) {
            Cow::Owned(safe) => Some(safe),
            Cow::Borrowed(_) => None,
        };
        let r = Row {
            id: id.unwrap_or(r.id),
            endpoint: endpoint.as_deref(),
            error_type: error_type.as_deref(),
            last_message: last_message.as_deref(),
            ..r
        };
        w.serialize(&r).map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(e) => e,
            other => io::Error::other(format!("{other:?}")),
        })?;
    }
    if l.is_empty() {
        // serialize writes the header with the first row; an empty listing still gets one.
        w.write_record([
            "id",
            "first",
            "last",
            "endpoint",
            "status",
            "app_status",
            "nginx_status",
            "duration_ms",
            "duration_from",
            "app_ms",
            "nginx_ms",
            "lines",
            "errors",
            "error_type",
            "outcome",
            "last_message",
        ])?;
    }
    w.flush()
}
