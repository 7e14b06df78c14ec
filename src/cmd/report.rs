//! `logtriage report`: open inputs, aggregate in parallel, finish the `Report`, render it
//! (to `-o FILE` or the output), and apply `--fail-on` to the outcome. For `-f html`, a
//! second pass gathers the timelines of the slowest and stuck requests (`trace`'s own
//! reading, capped). Must not compute the report (`report.rs` does), build timelines
//! (`trace.rs`) or format anything (`render/`).

use std::io::{self, BufWriter, Write};

use anyhow::Result;

use crate::aggregate::AggOptions;
use crate::cli::{LinesFormat, ReportFormat};
use crate::config::{ReportConfig, TraceConfig};
use crate::engine;
use crate::error::{RunOutcome, usage};
use crate::input::InputSpec;
use crate::render::html::{Html, Page};
use crate::render::{Render, json::Json, markdown::Markdown, table::TableRender};
use crate::report::{Context, Report};
use crate::trace::Trace;

/// The HTML page links this many of the slowest requests to their timelines, and this many
/// of the stuck ones; each timeline keeps at most `TRACE_LINES` lines, so the page stays
/// small (20 x 200 lines) whatever the input.
const TRACED_SLOWEST: usize = 10;
const TRACED_STUCK: usize = 10;
const TRACE_LINES: usize = 200;

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
    // Created before any input is read, so a bad path fails at once.
    let mut file = match &cfg.output {
        Some(path) => Some(BufWriter::new(std::fs::File::create(path).map_err(
            |e| {
                usage(format!(
                    "--output {}: cannot create it: {e}",
                    path.display()
                ))
            },
        )?)),
        None => None,
    };
    let out: &mut dyn Write = match file.as_mut() {
        Some(f) => f,
        None => out,
    };
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
        ReportFormat::Html => {
            let (traces, paths, note) = timelines(cfg, &report)?;
            let page = Page {
                report: &report,
                traces: &traces,
                paths: &paths,
                trace_note: note,
            };
            Html.render(&page, out)?;
            return finish(cfg, &report, outcome, out);
        }
    };
    renderer.render(&report, out)?;
    finish(cfg, &report, outcome, out)
}

/// Flushes the output and applies `--fail-on`.
fn finish(
    cfg: &ReportConfig,
    report: &Report,
    outcome: RunOutcome,
    out: &mut dyn Write,
) -> Result<RunOutcome> {
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

/// The timelines the HTML page links to: the slowest requests, then the stuck ones (each id
/// once), read again from the inputs as `trace` reads them, each cut to `TRACE_LINES`
/// lines; with a note when standard input (read once already) is among the inputs.
fn timelines(cfg: &ReportConfig, r: &Report) -> Result<(Vec<Trace>, Vec<String>, Option<String>)> {
    let mut ids: Vec<String> = Vec::new();
    let slowest = r
        .requests
        .slowest
        .iter()
        .take(TRACED_SLOWEST)
        .map(|s| &s.id);
    let stuck = r.requests.stuck.iter().take(TRACED_STUCK).map(|s| &s.id);
    for id in slowest.chain(stuck) {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    if ids.is_empty() {
        return Ok((Vec::new(), Vec::new(), None));
    }
    let stdin = cfg.input.inputs.contains(&InputSpec::Stdin);
    let tc = TraceConfig {
        input: cfg.input.clone(),
        shortened: vec![false; ids.len()],
        ids,
        format: LinesFormat::Text,
    };
    // Input errors were reported by the report's own pass; ids no line carries have none.
    let mut g = super::trace::gather(&tc, &mut io::sink())?;
    for t in &mut g.traces {
        t.events.truncate(TRACE_LINES);
    }
    let note = stdin.then(|| {
        "Standard input was read once, for the report: these timelines hold only the lines of the named files.".to_string()
    });
    Ok((g.traces, g.paths, note))
}
