//! The rule listing of `logtriage rules`: one row per rule with its severity, state,
//! thresholds and description, then how incidents merge. Renders a `RuleSet`; rule ids and
//! descriptions (a `--rules` file's text) go through `escape::term`.

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table as Grid};

use super::Render;
use super::escape::term;
use crate::rules::{Condition, Kind, Rule, RuleSet};

/// The thresholds a rule uses, as they would be written in a `--rules` file.
fn thresholds(r: &Rule) -> String {
    let p = &r.params;
    let ms = |v: f64| format!("\"{}ms\"", v);
    match &r.kind {
        Kind::NginxClass(c) => format!("min_count = {} (nginx class {c})", p.min_count),
        Kind::Status5xx => format!("min_count = {}, min_share = {}", p.min_count, p.min_share),
        Kind::HealthFailing | Kind::Restart | Kind::Hung => format!("min_count = {}", p.min_count),
        Kind::ErrorRate => format!(
            "min_share = {}, factor = {}, min_lines = {}, baseline_windows = {}",
            p.min_share, p.factor, p.min_lines, p.baseline_windows
        ),
        Kind::Latency => format!(
            "p95_above = {}, factor = {} (p95 >= 100 ms), min_lines = {}, baseline_windows = {}",
            ms(p.p95_ms),
            p.factor,
            p.min_lines,
            p.baseline_windows
        ),
        Kind::NewErrorType => "-".to_string(),
        Kind::Custom(_, c) => match c {
            Condition::CountAtLeast(n) => format!("count_at_least = {n}"),
            Condition::ShareAbove(s) => format!("share_above = {s}"),
            Condition::P95Above(v) => format!("p95_above = {}", ms(*v)),
        },
    }
}

pub struct Table;

impl Render<RuleSet> for Table {
    fn render(&self, rules: &RuleSet, out: &mut dyn Write) -> io::Result<()> {
        let mut t = Grid::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .force_no_tty()
            .set_header(vec![
                "rule",
                "severity",
                "enabled",
                "thresholds",
                "description",
            ]);
        for r in &rules.rules {
            t.add_row(vec![
                term(&r.id).into_owned(),
                r.severity.name().to_string(),
                if r.enabled { "yes" } else { "no" }.to_string(),
                thresholds(r),
                format!(
                    "{}{}",
                    if r.builtin { "" } else { "(custom) " },
                    term(&r.description)
                ),
            ]);
        }
        writeln!(out, "{t}")?;
        writeln!(
            out,
            "incidents: flagged windows (warning or critical) merged across gaps of up to {} quiet window(s) (gap_windows)",
            rules.gap_windows
        )
    }
}
