//! `logtriage report`: open inputs, aggregate in parallel, finish the `Report`, render it
//! (to `-o FILE` or the output), and apply `--fail-on` to the outcome. For `-f html`, a
//! second pass gathers the timelines of the slowest and stuck requests (`trace`'s own
//! reading, capped). Must not compute the report (`report.rs` does), build timelines
//! (`trace.rs`) or format anything (`render/`).

use std::io::{self, BufWriter, Write};

use anyhow::Result;

use crate::aggregate::{AggOptions, Partial};
use crate::cli::{LinesFormat, ReportFormat};
use crate::config::{ReportConfig, SummaryOut, TraceConfig};
use crate::engine;
use crate::error::{RunOutcome, usage};
use crate::input::InputSpec;
use crate::render::html::{Html, Page};
use crate::render::{Render, json::Json, markdown::Markdown, table::TableRender};
use crate::report::{Context, Report};
use crate::trace::Trace;

use super::aggregated::Inputs;
use super::summaries;

/// The HTML page links this many of the slowest requests to their timelines, and this many
/// of the stuck ones; each timeline keeps at most `TRACE_LINES` lines, so the page stays
/// small (20 x 200 lines) whatever the input.
const TRACED_SLOWEST: usize = 10;
const TRACED_STUCK: usize = 10;
const TRACE_LINES: usize = 200;

/// What aggregation counts for `report`.
fn options(cfg: &ReportConfig) -> AggOptions {
    AggOptions {
        window: cfg.window,
        // Hung-request flags group requests by their last app message.
        last_words: cfg.rules.is_some(),
        rules: cfg.rules.clone(),
        max_endpoints: Some(cfg.max_endpoints),
        ..AggOptions::default()
    }
}

/// Builds the report. Input errors are written to `diag` as they happen and recorded in the
/// report; the run goes on with the other inputs.
pub fn build(cfg: &ReportConfig, diag: &mut dyn Write) -> Result<(Report, RunOutcome)> {
    let ic = &cfg.input;
    super::aggregate_and_finish(ic, options(cfg), diag, |partial, inputs| {
        finish_report(cfg, partial, inputs)
    })
}

/// The report of an aggregate whose requests' latency is counted.
fn finish_report(cfg: &ReportConfig, partial: Partial, inputs: &Inputs) -> Report {
    let ic = &cfg.input;
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
}

/// A file created before any input is read, so a bad path fails at once.
fn create(path: &std::path::Path, option: &str) -> Result<BufWriter<std::fs::File>> {
    let f = std::fs::File::create(path).map_err(|e| {
        usage(format!(
            "{option} {}: cannot create it: {e}",
            path.display()
        ))
    })?;
    Ok(BufWriter::new(f))
}

pub fn run(cfg: &ReportConfig, out: &mut dyn Write, diag: &mut dyn Write) -> Result<RunOutcome> {
    let mut file = cfg
        .output
        .as_deref()
        .map(|p| create(p, "--output"))
        .transpose()?;
    let mut summary_file = match &cfg.save_summary {
        Some(SummaryOut::File(p)) => Some(create(p, "--save-summary")?),
        _ => None,
    };
    let Some(to) = &cfg.save_summary else {
        let out: &mut dyn Write = match file.as_mut() {
            Some(f) => f,
            None => out,
        };
        let (report, outcome) = build(cfg, diag)?;
        return render(cfg, &report, outcome, out);
    };
    let ic = &cfg.input;
    let mut opts = options(cfg);
    let agg = super::aggregate(ic, &mut opts, diag)?;
    let outcome = super::outcome(&agg.inputs.errors, true);
    // The report needs the requests' latency counted, the summary must not have it: with
    // both asked for, the summary is saved from a copy.
    let report_part = cfg.write_report.then(|| agg.partial.clone());
    let inputs = Inputs {
        paths: agg.inputs.paths.clone(),
        errors: agg.inputs.errors.clone(),
        zones: agg.inputs.zones.clone(),
    };
    {
        let sink: &mut dyn Write = match summary_file.as_mut() {
            Some(f) => f,
            None => &mut *out,
        };
        summaries::save(agg, ic, &opts, to, sink)?;
        sink.flush()?;
    }
    let Some(mut partial) = report_part else {
        return Ok(outcome);
    };
    engine::count_latency(&mut partial, ic.threads);
    let report = finish_report(cfg, partial, &inputs);
    let out: &mut dyn Write = match file.as_mut() {
        Some(f) => f,
        None => out,
    };
    render(cfg, &report, outcome, out)
}

/// Renders the report in the asked format, then applies `--fail-on`.
fn render(
    cfg: &ReportConfig,
    report: &Report,
    outcome: RunOutcome,
    out: &mut dyn Write,
) -> Result<RunOutcome> {
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
            let (traces, paths, note) = timelines(cfg, report)?;
            let page = Page {
                report,
                traces: &traces,
                paths: &paths,
                trace_note: note,
            };
            Html.render(&page, out)?;
            return finish(cfg, report, outcome, out);
        }
    };
    renderer.render(report, out)?;
    finish(cfg, report, outcome, out)
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
    // Summaries keep no lines: the timelines come from the logs among the inputs.
    let mut input = cfg.input.clone();
    input
        .inputs
        .retain(|s| *s == InputSpec::Stdin || !summaries::starts_a_summary(s));
    let summarised = input.inputs.len() < cfg.input.inputs.len();
    let tc = TraceConfig {
        input,
        shortened: vec![false; ids.len()],
        ids,
        format: LinesFormat::Text,
    };
    // Input errors were reported by the report's own pass; ids no line carries have none.
    let mut g = super::trace::gather(&tc, &mut io::sink())?;
    for t in &mut g.traces {
        t.events.truncate(TRACE_LINES);
    }
    let note = match (stdin, summarised) {
        (true, _) => Some("Standard input was read once, for the report: these timelines hold only the lines of the named files."),
        (false, true) => Some("Summaries keep no lines: these timelines hold only the lines of the logs among the inputs."),
        _ => None,
    }
    .map(str::to_string);
    Ok((g.traces, g.paths, note))
}
