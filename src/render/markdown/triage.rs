//! The triage sections of the markdown report: incidents, flags with evidence, top error
//! patterns; every log-derived string escaped for where it stands (prose, list, table cell).

use std::io::{self, Write};

use super::cells::{header, row, t};
use crate::render::escape::{md_cell_code, md_code, md_text};
use crate::report::Report;

/// Incidents and flags, for the top of the document.
pub fn incidents(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    if !r.incidents.is_empty() {
        writeln!(out, "### Incidents in full\n")?;
        for (i, inc) in r.incidents.iter().enumerate() {
            writeln!(
                out,
                "{}. **{}** {}",
                i + 1,
                inc.severity.name(),
                md_text(&inc.summary)
            )?;
            if !inc.new_patterns.is_empty() {
                let p: Vec<String> = inc.new_patterns.iter().map(|x| md_code(x)).collect();
                writeln!(out, "   New messages: {}", p.join(", "))?;
            }
        }
        writeln!(out)?;
    }
    if r.flags.is_empty() {
        return Ok(());
    }
    writeln!(out, "### Flags\n")?;
    header(
        out,
        &["severity", "rule", "count", "first", "last", "evidence"],
        "llrlll",
    )?;
    for f in r.flags.iter().filter(|f| f.rule != "new_error_type") {
        let rule = match &f.subject {
            Some(s) => format!("{} ({})", md_text(&f.rule), md_text(s)),
            None => md_text(&f.rule),
        };
        let ev = f
            .evidence_lines()
            .iter()
            .map(|l| md_text(l))
            .collect::<Vec<_>>()
            .join("<br>");
        row(
            out,
            &[
                f.severity.name().to_string(),
                rule,
                f.count.to_string(),
                t(&f.first),
                t(&f.last),
                ev,
            ],
        )?;
    }
    let new: Vec<String> = r
        .brief
        .new_error_types
        .iter()
        .map(|(t, n)| format!("{} ({n})", md_code(t)))
        .collect();
    if !new.is_empty() {
        writeln!(
            out,
            "\nNew error types, first seen inside an incident (see Error types): {}.",
            new.join(", ")
        )?;
    }
    writeln!(out, "\nBaselines: {}\n", md_text(r.baseline_rule))
}

/// Top error patterns.
pub fn patterns(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    if r.patterns.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n### Top error patterns\n\n{} lines with a message fall into {} patterns; {} have errors.\n",
        r.pattern_stats.lines, r.pattern_stats.templates, r.pattern_stats.error_templates
    )?;
    header(
        out,
        &["pattern", "levels", "first", "last", "count"],
        "llllr",
    )?;
    for p in &r.patterns {
        let levels: Vec<String> = p.levels.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        row(
            out,
            &[
                md_cell_code(&p.template),
                levels.join(", "),
                t(&p.first),
                t(&p.last),
                p.count.to_string(),
            ],
        )?;
    }
    Ok(())
}
