//! The triage sections of the terminal report: incidents with their summaries, the flags
//! with their evidence, and the top error patterns. Every log-derived string goes through
//! `escape::term`.

use std::io::{self, Write};

use comfy_table::{Cell, Color};

use super::{TableRender, opt_time, right};
use crate::render::escape::term;
use crate::render::notes::incident_strip;
use crate::render::short_time;
use crate::report::Report;
use crate::rules::Severity;
use crate::triage::evaluate::Flag;

impl TableRender {
    fn severity(&self, s: Severity) -> Cell {
        let c = Cell::new(s.name());
        match (self.color, s) {
            (true, Severity::Critical) => c.fg(Color::Red),
            (true, Severity::Warning) => c.fg(Color::Yellow),
            _ => c,
        }
    }

    /// Incidents and flags: what the report opens with.
    pub(super) fn triage(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        if r.incidents.is_empty() && r.flags.is_empty() {
            return Ok(());
        }
        if !r.incidents.is_empty() {
            self.heading(out, "INCIDENTS")?;
            if let (Some(a), Some(b)) = (r.windows.first(), r.windows.last()) {
                writeln!(
                    out,
                    "{} {} {} (one mark per window; digits = incident)",
                    short_time(&a.start),
                    incident_strip(&r.windows),
                    short_time(&b.start)
                )?;
            }
            for (i, inc) in r.incidents.iter().enumerate() {
                writeln!(
                    out,
                    "{}. [{}] {}",
                    i + 1,
                    inc.severity.name(),
                    term(&inc.summary)
                )?;
                if !inc.new_patterns.is_empty() {
                    let p: Vec<String> = inc
                        .new_patterns
                        .iter()
                        .map(|x| format!("\"{}\"", term(x)))
                        .collect();
                    writeln!(out, "   new messages: {}", p.join(", "))?;
                }
            }
        }
        self.heading(out, "FLAGS")?;
        let mut t = self.table(&["severity", "rule", "count", "first", "last", "evidence"]);
        for f in &r.flags {
            let rule = match &f.subject {
                Some(s) => format!("{}\n{}", f.rule, term(s)),
                None => f.rule.clone(),
            };
            t.add_row(vec![
                self.severity(f.severity),
                Cell::new(rule),
                right(f.count),
                Cell::new(opt_time(&f.first)),
                Cell::new(opt_time(&f.last)),
                Cell::new(evidence(f)),
            ]);
        }
        writeln!(out, "{t}")?;
        writeln!(out, "baselines: {}", r.baseline_rule)
    }

    /// Top error patterns (templates with ERROR or FATAL lines).
    pub(super) fn patterns(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        if r.patterns.is_empty() {
            return Ok(());
        }
        self.heading(
            out,
            &format!(
                "TOP ERROR PATTERNS ({} lines with a message in {} patterns, {} with errors)",
                r.pattern_stats.lines, r.pattern_stats.templates, r.pattern_stats.error_templates
            ),
        )?;
        let mut t = self.table(&["count", "levels", "first", "last", "pattern", "sample"]);
        for p in &r.patterns {
            let levels: Vec<String> = p.levels.iter().map(|(k, v)| format!("{k}:{v}")).collect();
            let sample = p
                .sample
                .as_ref()
                .map_or(String::new(), |s| format!("{}:{}", term(&s.path), s.line));
            t.add_row(vec![
                right(p.count),
                Cell::new(levels.join(" ")),
                Cell::new(opt_time(&p.first)),
                Cell::new(opt_time(&p.last)),
                Cell::new(term(&p.template)),
                Cell::new(sample),
            ]);
        }
        writeln!(out, "{t}")
    }
}

/// The evidence of a flag in a few lines, made terminal-safe.
fn evidence(f: &Flag) -> String {
    f.evidence_lines()
        .iter()
        .map(|l| term(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}
