//! The triage details of the terminal report: incidents with their full summaries, the
//! flags with their evidence (new error types on one line, not a row each), and the top
//! error patterns. Every log-derived string goes through `escape::term`.

use std::io::{self, Write};

use comfy_table::{Cell, Color, ColumnConstraint, Width};

use super::{TableRender, opt_clock, right};
use crate::render::escape::term;
use crate::render::fit::{short_id, wrap};
use crate::report::Report;
use crate::rules::Severity;
use crate::triage::evaluate::Flag;

impl TableRender {
    /// `s` in the severity's colour.
    pub(super) fn paint(&self, sev: Severity, s: &str) -> String {
        match (self.color, sev) {
            (true, Severity::Critical) => format!("\x1b[31m{s}\x1b[0m"),
            (true, Severity::Warning) => format!("\x1b[33m{s}\x1b[0m"),
            _ => s.to_string(),
        }
    }

    pub(super) fn paint_severity(&self, sev: Severity) -> String {
        self.paint(sev, sev.name())
    }

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
            self.heading(out, "INCIDENTS IN FULL")?;
            for (i, inc) in r.incidents.iter().enumerate() {
                let text = format!(
                    "{}. [{}] {}",
                    i + 1,
                    inc.severity.name(),
                    term(&inc.summary)
                );
                for line in wrap(&text, self.width, "   ") {
                    writeln!(out, "{line}")?;
                }
                if !inc.new_patterns.is_empty() {
                    let p: Vec<String> = inc
                        .new_patterns
                        .iter()
                        .map(|x| format!("\"{}\"", term(x)))
                        .collect();
                    let text = format!("   new messages: {}", p.join(", "));
                    for line in wrap(&text, self.width, "     ") {
                        writeln!(out, "{line}")?;
                    }
                }
            }
        }
        self.heading(out, "FLAGS")?;
        let mut t = self.table(
            &["rule", "severity", "count", "first\nlast", "evidence"],
            "txxxt",
        );
        for f in r.flags.iter().filter(|f| f.rule != "new_error_type") {
            let rule = match &f.subject {
                Some(s) => format!("{}\n{}", f.rule, term(s)),
                None => f.rule.clone(),
            };
            t.add_row(vec![
                Cell::new(rule),
                self.severity(f.severity),
                right(f.count),
                Cell::new(format!(
                    "{}\n{}",
                    opt_clock(r, &f.first),
                    opt_clock(r, &f.last)
                )),
                Cell::new(self.evidence(f)),
            ]);
        }
        if let Some(c) = t.column_mut(0) {
            // The evidence is what a reader reads: the rule column gets a fifth at most.
            let share = (self.width / 5).max(20) as u16;
            c.set_constraint(ColumnConstraint::UpperBoundary(Width::Fixed(share)));
        }
        writeln!(out, "{t}")?;
        let new: Vec<String> = r
            .brief
            .new_error_types
            .iter()
            .map(|(t, n)| format!("{} ({n})", term(t)))
            .collect();
        if !new.is_empty() {
            let text = format!(
                "new_error_type: {} (first seen inside an incident; see ERROR TYPES)",
                new.join(", ")
            );
            for line in wrap(&text, self.width, "  ") {
                writeln!(out, "{line}")?;
            }
        }
        for line in wrap(&format!("baselines: {}", r.baseline_rule), self.width, "  ") {
            writeln!(out, "{line}")?;
        }
        Ok(())
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
        let mut t = self.table(
            &["count", "levels", "first", "last", "pattern", "sample"],
            "xtxxtt",
        );
        for p in &r.patterns {
            let levels: Vec<String> = p.levels.iter().map(|(k, v)| format!("{k}:{v}")).collect();
            let sample = p
                .sample
                .as_ref()
                .map_or(String::new(), |s| format!("{}:{}", term(&s.path), s.line));
            t.add_row(vec![
                right(p.count),
                Cell::new(levels.join(" ")),
                Cell::new(opt_clock(r, &p.first)),
                Cell::new(opt_clock(r, &p.last)),
                Cell::new(term(&p.template)),
                Cell::new(sample),
            ]);
        }
        writeln!(out, "{t}")
    }
}

impl TableRender {
    /// The evidence of a flag in a few lines, made terminal-safe, request ids shortened.
    fn evidence(&self, f: &Flag) -> String {
        f.evidence_lines_with(&|id| short_id(id, self.wide))
            .iter()
            .map(|l| term(l).into_owned())
            .collect::<Vec<_>>()
            .join("\n")
    }
}
