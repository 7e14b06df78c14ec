//! The markdown report's opening, so a post-mortem paste starts with the answer: the
//! headline, each incident in two lines, the timeline strip, the top flags and error types.
//! Lays out the finished `Brief`; every log-derived string is escaped for where it stands.

use std::io::{self, Write};

use super::cells::{header, row};
use crate::model::human_duration;
use crate::render::escape::{md_cell_code, md_code, md_text};
use crate::render::notes::{STRIP_LABEL, strips};
use crate::render::short_time;
use crate::report::Report;
use crate::report::brief::BriefIncident;

/// Columns of the strip in a code block: wide enough for an hour of minutes, narrow enough
/// for a document.
const STRIP_WIDTH: usize = 100;

pub fn front(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let b = &r.brief;
    if !b.incidents.is_empty() {
        writeln!(out, "### What broke\n")?;
        for inc in &b.incidents {
            incident(inc, out)?;
        }
        writeln!(out)?;
    }
    if let (Some(a), Some(z)) = (r.windows.first(), r.windows.last()) {
        let s = strips(r, &["errors", "5xx", "incid."], STRIP_WIDTH);
        writeln!(
            out,
            "Timeline {} to {}, {} windows{}:\n",
            short_time(&a.start),
            short_time(&z.start),
            human_duration(r.window_seconds as f64),
            if s.per_mark > 1 {
                format!(", a mark per up to {} windows", s.per_mark)
            } else {
                String::new()
            }
        )?;
        writeln!(out, "```text")?;
        for (label, marks) in &s.rows {
            writeln!(out, "{label:<w$}{marks}", w = STRIP_LABEL)?;
        }
        writeln!(out, "```\n")?;
    }
    if !b.flags.is_empty() {
        writeln!(out, "### Top flags\n")?;
        header(out, &["severity", "rule", "count", "where and why"], "llrl")?;
        for f in &b.flags {
            let rule = match &f.subject {
                Some(s) => format!("{} ({})", md_text(&f.rule), md_text(s)),
                None => md_text(&f.rule),
            };
            let gist: Vec<String> = f.gist.iter().map(|g| md_text(g)).collect();
            row(
                out,
                &[
                    f.severity.name().to_string(),
                    rule,
                    f.count.to_string(),
                    gist.join("; "),
                ],
            )?;
        }
        if b.flags_more > 0 {
            writeln!(out, "\n{} more under Flags below.", b.flags_more)?;
        }
        writeln!(out)?;
    }
    if !b.error_types.is_empty() {
        writeln!(out, "### Top error types\n")?;
        header(out, &["type", "source", "count", "top endpoint"], "llrl")?;
        for e in &b.error_types {
            let kind = match e.http_status {
                Some(s) => format!("{} \\[{s}\\]", md_cell_code(&e.kind)),
                None => md_cell_code(&e.kind),
            };
            row(
                out,
                &[
                    kind,
                    e.source.to_string(),
                    e.count.to_string(),
                    e.endpoint.as_deref().map(md_cell_code).unwrap_or_default(),
                ],
            )?;
        }
        if b.error_types_more > 0 {
            writeln!(
                out,
                "\n{} more under Error types below.",
                b.error_types_more
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// `1. **critical** 03:16:06 to 03:16:52 (46s): what failed`, then where and what was new.
fn incident(inc: &BriefIncident, out: &mut dyn Write) -> io::Result<()> {
    let what: Vec<String> = inc.what.iter().map(|w| md_text(w)).collect();
    writeln!(
        out,
        "{}. **{}** {} to {} ({}): {}",
        inc.number,
        inc.severity.name(),
        short_time(&inc.start),
        short_time(&inc.end),
        human_duration(inc.seconds),
        what.join("; ")
    )?;
    let mut more = Vec::new();
    if !inc.endpoints.is_empty() {
        let e: Vec<String> = inc.endpoints.iter().map(|x| md_code(x)).collect();
        more.push(format!("on {}", e.join(", ")));
    }
    if !inc.new_error_types.is_empty() {
        let e: Vec<String> = inc.new_error_types.iter().map(|x| md_code(x)).collect();
        more.push(format!("new: {}", e.join(", ")));
    }
    if !more.is_empty() {
        writeln!(out, "   {}", more.join("; "))?;
    }
    Ok(())
}
