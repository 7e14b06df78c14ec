//! `logtriage report`: open inputs, aggregate in parallel, finish the `Report`, render it,
//! and apply `--fail-on` to the outcome. Must not compute the report (`report.rs` does) or
//! format it (`render/`).

use std::io::Write;

use anyhow::Result;

use crate::aggregate::AggOptions;
use crate::cli::ReportFormat;
use crate::config::ReportConfig;
use crate::engine;
use crate::error::RunOutcome;
use crate::render::{Render, json::Json, markdown::Markdown, table::TableRender};
use crate::report::{Context, Report};

/// Builds the report. Input errors are written to `diag` as they happen and recorded in the
/// report; the run goes on with the other inputs.
pub fn build(cfg: &ReportConfig, diag: &mut dyn Write) -> Result<(Report, RunOutcome)> {
    let opts = AggOptions {
        window: cfg.window,
        // Hung-request flags group requests by their last app message.
        last_words: cfg.rules.is_some(),
        rules: cfg.rules.clone(),
        max_endpoints: Some(cfg.max_endpoints),
        ..AggOptions::default()
    };
    let ic = &cfg.input;
    super::aggregate_and_finish(ic, opts, diag, |partial, inputs| {
        let ctx = Context {
            rules: cfg.rules.as_deref(),
            retired: None,
            paths: &inputs.paths,
            errors: &inputs.errors,
            timezone: &ic.zone_name,
            zones: &inputs.zones,
            top: cfg.top,
        };
        engine::install(ic.threads, || Report::build(partial, &ctx))
    })
}

pub fn run(cfg: &ReportConfig, out: &mut dyn Write, diag: &mut dyn Write) -> Result<RunOutcome> {
    let (report, outcome) = build(cfg, diag)?;
    let renderer: Box<dyn Render<Report>> = match cfg.format {
        ReportFormat::Table => Box::new(TableRender {
            color: cfg.input.color,
            width: cfg.width,
            wide: cfg.wide,
            brief: cfg.brief,
        }),
        ReportFormat::Json => Box::new(Json),
        ReportFormat::Markdown => Box::new(Markdown { brief: cfg.brief }),
    };
    renderer.render(&report, out)?;
    out.flush()?;
    let fired = cfg
        .fail_on
        .is_some_and(|min| report.flags.iter().any(|f| f.severity >= min));
    Ok(if fired && outcome == RunOutcome::Success {
        RunOutcome::FlagsFired
    } else {
        outcome
    })
}
