//! `report`'s options resolved into a `ReportConfig`, and the rule set (built-ins or a
//! `--rules` file) that `report`, `watch` and `rules` share. Must not judge rules: it only
//! loads them.

use std::sync::Arc;

use super::input::{InputConfig, input};
use super::values::{color, duration, max_endpoints, top, whole_seconds, width};
use crate::cli::{FailOn, ReportArgs, ReportFormat};
use crate::error::{UsageError, usage};
use crate::parse::time::Micros;
use crate::rules::{RuleSet, Severity};

#[derive(Clone, Debug)]
pub struct ReportConfig {
    pub input: InputConfig,
    pub format: ReportFormat,
    /// `-o FILE`: where the report goes instead of standard output.
    pub output: Option<std::path::PathBuf>,
    /// Fixed window width in microseconds.
    pub window: Option<Micros>,
    pub top: usize,
    /// Triage rules; `None` with `--no-triage`.
    pub rules: Option<Arc<RuleSet>>,
    pub fail_on: Option<Severity>,
    pub max_endpoints: usize,
    /// Columns the terminal and markdown layouts fit in.
    pub width: usize,
    /// Full request ids in tables.
    pub wide: bool,
    /// The first screen alone.
    pub brief: bool,
    /// `--save-summary`: where the mergeable summary goes.
    pub save_summary: Option<super::summary::SummaryOut>,
    /// Whether a report is written: always, unless only a summary was asked for.
    pub write_report: bool,
}

/// The rule set: built-ins, or as a `--rules` file makes it.
pub fn rule_set(path: Option<&std::path::Path>) -> Result<RuleSet, UsageError> {
    let Some(path) = path else {
        return Ok(RuleSet::default());
    };
    let shown = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| usage(format!("--rules: {shown}: {e}")))?;
    crate::rules::file::from_toml(&text, &shown).map_err(|e| usage(format!("--rules: {e}")))
}

pub fn report(args: &ReportArgs) -> Result<ReportConfig, UsageError> {
    let window = args
        .window
        .as_deref()
        .map(|w| whole_seconds(duration(w, "--window")?, w))
        .transpose()?;
    let top = top(args.top)?;
    if args.no_triage && (args.rules.is_some() || args.fail_on.is_some()) {
        return Err(usage(
            "--no-triage: cannot be combined with --rules or --fail-on",
        ));
    }
    let format = args.format.unwrap_or(ReportFormat::Table);
    if args.brief && !matches!(format, ReportFormat::Table | ReportFormat::Markdown) {
        return Err(usage(
            "--brief: only for the table and markdown formats (JSON and HTML always hold everything)",
        ));
    }
    let rules = if args.no_triage {
        None
    } else {
        Some(Arc::new(rule_set(args.rules.as_deref())?))
    };
    let save_summary = super::summary::summary_out(args.save_summary.as_ref())?;
    let write_report = save_summary.is_none() || args.format.is_some() || args.output.is_some();
    if save_summary == Some(super::summary::SummaryOut::Stdout)
        && write_report
        && args.output.is_none()
    {
        return Err(usage(
            "--save-summary -: the report would go to standard output too: write it with -o FILE",
        ));
    }
    let mut input = input(&args.input)?;
    input
        .settings
        .extend(super::summary::report_settings(args, rules.as_deref()));
    if args.output.is_some() {
        // `-o FILE` is not the terminal: `--color auto` means none there.
        input.color = color(args.input.color, false);
    }
    Ok(ReportConfig {
        input,
        format,
        output: args.output.clone(),
        window,
        top,
        rules,
        fail_on: args.fail_on.map(|f| match f {
            FailOn::Warning => Severity::Warning,
            FailOn::Critical => Severity::Critical,
        }),
        max_endpoints: max_endpoints(args.max_endpoints)?,
        width: width(args.layout.width)?,
        wide: args.layout.wide,
        brief: args.brief,
        save_summary,
        write_report,
    })
}
