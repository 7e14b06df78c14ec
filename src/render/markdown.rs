//! The report as markdown for pasting into a post-mortem document: GitHub-flavoured tables,
//! one function per section (the triage sections in `markdown/triage.rs`). Every
//! log-derived string goes through one of `escape::md_text` (prose), `md_code` (a code span
//! in prose) or `md_cell_code` (a code span in a table cell), so log text cannot make a link,
//! image, HTML or emphasis, break a table or a code span, or smuggle control characters.

mod cells;
mod front;
mod triage;

use std::io::{self, Write};

use super::escape::{md_cell_code, md_code, md_text};
use super::notes::{formats_cell, input_notes, zone_notes};
use super::{Render, ms, short_time};
use crate::model::human_duration;
use crate::report::Report;
use cells::{header, row, t};

pub struct Markdown {
    /// The opening alone.
    pub brief: bool,
}

impl Render<Report> for Markdown {
    fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        opening(r, out)?;
        front::front(r, out)?;
        if self.brief {
            return Ok(());
        }
        writeln!(out, "---\n")?;
        triage::incidents(r, out)?;
        inputs(r, out)?;
        levels(r, out)?;
        error_types(r, out)?;
        triage::patterns(r, out)?;
        latency(r, out)?;
        sources(r, out)?;
        timeline(r, out)?;
        requests(r, out)?;
        unparsed(r, out)
    }
}

/// The title, the headline, what the figures are in, and the notes on how inputs were read.
fn opening(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Incident log report\n")?;
    writeln!(out, "**{}**\n", md_text(&r.headline))?;
    let notes = zone_notes(r);
    writeln!(
        out,
        "Times in UTC. Naive timestamps read as {}{}. Window: {}. Latency in ms.\n",
        md_code(&r.timezone_assumed),
        if notes.is_empty() {
            ""
        } else {
            " unless noted"
        },
        human_duration(r.window_seconds as f64)
    )?;
    let echoes = input_notes(r);
    for note in notes
        .iter()
        .copied()
        .chain(echoes.iter().map(String::as_str))
    {
        writeln!(out, "- {}", md_text(note))?;
    }
    if !notes.is_empty() || !echoes.is_empty() {
        writeln!(out)?;
    }
    Ok(())
}

/// Per input: formats and line accounting.
fn inputs(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "### Inputs\n")?;
    header(
        out,
        &[
            "file", "formats", "lines", "parsed", "unparsed", "blank", "bytes",
        ],
        "llrrrrr",
    )?;
    for i in &r.inputs {
        let f = match &i.error {
            Some(e) => format!("**error:** {}", md_text(e)),
            None => md_text(&formats_cell(i, ": ", ", ")),
        };
        row(
            out,
            &[
                md_text(&i.path),
                f,
                i.lines.to_string(),
                i.parsed.to_string(),
                i.unparsed.to_string(),
                i.blank.to_string(),
                i.bytes.to_string(),
            ],
        )?;
    }
    Ok(())
}

/// Lines per level, then the HTTP statuses per source.
fn levels(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n### Levels and status\n")?;
    let l = &r.levels;
    header(
        out,
        &["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"],
        "rrrrrr",
    )?;
    row(
        out,
        &[l.TRACE, l.DEBUG, l.INFO, l.WARN, l.ERROR, l.FATAL].map(|v| v.to_string()),
    )?;
    writeln!(out)?;
    for (name, m) in [("app", &r.status.app), ("nginx", &r.status.nginx)] {
        if !m.is_empty() {
            let codes: Vec<String> = m.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            writeln!(out, "- HTTP status ({name}): {}", codes.join(", "))?;
        }
    }
    Ok(())
}

/// Error types with their endpoints and request ids.
fn error_types(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    if !r.error_types.is_empty() {
        writeln!(out, "\n### Error types\n")?;
        header(
            out,
            &[
                "type",
                "source",
                "count",
                "first",
                "last",
                "top endpoints",
                "request ids",
            ],
            "llrllll",
        )?;
        for e in &r.error_types {
            let eps: Vec<String> = e
                .endpoints
                .iter()
                .take(3)
                .map(|x| format!("{} ({})", md_cell_code(&x.endpoint), x.count))
                .collect();
            let ids: Vec<String> = e
                .request_ids
                .iter()
                .take(3)
                .map(|x| md_cell_code(x))
                .collect();
            row(
                out,
                &[
                    md_cell_code(&e.kind),
                    e.source.name().into(),
                    e.count.to_string(),
                    t(&e.first),
                    t(&e.last),
                    eps.join("<br>"),
                    ids.join("<br>"),
                ],
            )?;
        }
    }
    Ok(())
}

/// Latency per source: overall, health checks, per endpoint.
fn latency(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    for (name, side) in [("app", &r.latency.app), ("nginx", &r.latency.nginx)] {
        if side.overall.is_none() && side.health.is_none() {
            continue;
        }
        writeln!(out, "\n### Latency ({name}, ms)\n")?;
        if let Some(d) = &side.unit_doubt {
            writeln!(out, "> {}\n", md_text(d))?;
        }
        header(
            out,
            &[
                "endpoint", "count", "mean", "p50", "p90", "p95", "p99", "max",
            ],
            "lrrrrrrr",
        )?;
        for r in side.rows() {
            let name = if r.total {
                format!("**{}**", r.name.trim_matches(['(', ')']))
            } else {
                md_cell_code(r.name)
            };
            let mut cells = vec![name, r.summary.count.to_string()];
            cells.extend(r.summary.figures().map(ms));
            row(out, &cells)?;
        }
    }
    Ok(())
}

/// Per source of enveloped lines.
fn sources(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    if !r.sources.is_empty() {
        writeln!(out, "\n### Sources\n")?;
        header(
            out,
            &["source", "lines", "errors", "5xx", "p95 ms"],
            "lrrrr",
        )?;
        for src in &r.sources {
            row(
                out,
                &[
                    md_cell_code(&src.source),
                    src.lines.to_string(),
                    src.errors.to_string(),
                    src.status_5xx.to_string(),
                    src.p95.map(ms).unwrap_or_else(|| "-".into()),
                ],
            )?;
        }
    }
    Ok(())
}

/// The windows as sparklines, then as a table.
fn timeline(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    if !r.windows.is_empty() {
        writeln!(out, "\n### Timeline\n")?;
        header(
            out,
            &[
                "window start",
                "lines",
                "errors",
                "warnings",
                "5xx",
                "p95 ms",
                "incident",
                "flags",
            ],
            "lrrrrrrl",
        )?;
        for w in &r.windows {
            row(
                out,
                &[
                    short_time(&w.start),
                    w.lines.to_string(),
                    w.errors.to_string(),
                    w.warnings.to_string(),
                    w.status_5xx.to_string(),
                    w.p95.map(ms).unwrap_or_else(|| "-".into()),
                    w.incident.map_or(String::new(), |i| i.to_string()),
                    md_text(&w.flags.join(", ")),
                ],
            )?;
        }
    }
    Ok(())
}

/// Requests by id: outcomes, then the slowest.
fn requests(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let q = &r.requests;
    if q.total > 0 {
        writeln!(out, "\n### Requests\n")?;
        writeln!(out, "{}.\n", q.outcome_sentence())?;
        if !q.slowest.is_empty() {
            header(
                out,
                &["request id", "endpoint", "ms", "status", "outcome"],
                "llrrl",
            )?;
            for s in &q.slowest {
                row(
                    out,
                    &[
                        md_cell_code(&s.id),
                        s.endpoint.as_deref().map(md_cell_code).unwrap_or_default(),
                        ms(s.duration_ms),
                        s.status
                            .map(|x| x.to_string())
                            .unwrap_or_else(|| "-".into()),
                        s.outcome.name().to_string(),
                    ],
                )?;
            }
        }
    }
    Ok(())
}

/// Samples of lines no format matched.
fn unparsed(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    if !r.unparsed_samples.is_empty() {
        writeln!(out, "\n### Unparsed samples\n")?;
        for s in &r.unparsed_samples {
            let place = format!("{}:{}", s.path, s.line);
            writeln!(out, "- {}: {}", md_code(&place), md_code(&s.text))?;
        }
    }
    Ok(())
}
