//! Summary files among a run's inputs and `--save-summary`: summaries are told from logs by
//! their first bytes, read and checked against this run's settings before any log is read,
//! and joined at their places in the input order, so a report over host summaries is the
//! report over the hosts' logs; a run's aggregate is saved as one. Must not encode bytes
//! (`summary::format`) or read logs (`mod.rs`).

use std::io::Write;

use crate::aggregate::{AggOptions, Merge, Partial};
use crate::config::{InputConfig, SummaryOut};
use crate::error::{UsageError, usage};
use crate::input::{InputSpec, peek};
use crate::parse::time::format_utc;
use crate::summary::{SavedInput, Setting, Settings, Summary, format};

use super::aggregated::{Aggregated, Inputs};

/// A summary named among the inputs: its place there, its name and what it holds.
pub struct Named {
    pub at: usize,
    pub name: String,
    pub summary: Summary,
}

/// The summaries among `ic`'s inputs, read and checked against the run's settings, and the
/// config of the other inputs (the logs). An input that cannot be opened is left to the
/// logs, whose reading reports it.
pub fn split(ic: &InputConfig) -> Result<(Vec<Named>, InputConfig), UsageError> {
    let here = Settings(ic.settings.clone());
    let mut named = Vec::new();
    let mut logs = ic.clone();
    logs.inputs.clear();
    for (at, spec) in ic.inputs.iter().enumerate() {
        if !starts_a_summary(spec) {
            logs.inputs.push(spec.clone());
            continue;
        }
        let name = spec.display();
        let bytes = match spec {
            InputSpec::Path(path) => std::fs::read(path),
            InputSpec::Stdin => peek::stdin_all(),
        }
        .map_err(|e| usage(format!("{name}: {e}")))?;
        let summary = format::decode(&bytes).map_err(|e| usage(format!("{name}: {e}")))?;
        if let Some(d) = summary.settings.difference(&here) {
            return Err(usage(format!(
                "{name}: {d}: summaries merge only with runs that count alike (give the same options)"
            )));
        }
        named.push(Named { at, name, summary });
    }
    Ok((named, logs))
}

/// Whether an input is a summary, by its first bytes.
pub fn starts_a_summary(spec: &InputSpec) -> bool {
    format::is_summary(&peek::head(spec, format::MAGIC.len()))
}

/// The resolved `--since` and `--until` as settings.
fn bounds(since: Option<i64>, until: Option<i64>) -> [Setting; 2] {
    let shown = |t: Option<i64>| t.map_or_else(|| "(none)".to_string(), format_utc);
    [
        Setting::plain("--since", shown(since)),
        Setting::plain("--until", shown(until)),
    ]
}

/// The logs' aggregate (`logs`, read from every input that is not a summary) joined with
/// the summaries at their places: every input of every summary takes a place of its own.
/// `opts` are the run's, with the time range resolved.
pub fn join(
    logs: Aggregated,
    named: Vec<Named>,
    ninputs: usize,
    opts: &AggOptions,
) -> Result<Aggregated, UsageError> {
    let range = Settings(bounds(opts.since, opts.until).to_vec());
    for n in &named {
        if let Some(d) = n.summary.settings.difference(&range) {
            return Err(usage(format!(
                "{}: {d}: summaries merge only with runs that count alike (give the same absolute --since/--until)",
                n.name
            )));
        }
        if opts.last_words && !n.summary.partial.tracked_last_words() {
            return Err(usage(format!(
                "{}: it was made with --no-triage, which keeps no request's last message: save it without --no-triage",
                n.name
            )));
        }
    }
    // Places: a log takes one, a summary as many as it has inputs, in the order named.
    let mut log_slots = Vec::new();
    let mut summary_slots: Vec<Vec<u32>> = Vec::new();
    let mut next = 0u32;
    let mut named_iter = named.iter().peekable();
    for at in 0..ninputs {
        match named_iter.peek() {
            Some(n) if n.at == at => {
                let k = n.summary.partial.inputs() as u32;
                summary_slots.push((next..next + k).collect());
                next += k;
                named_iter.next();
            }
            _ => {
                log_slots.push(next);
                next += 1;
            }
        }
    }
    let total = next as usize;
    let Aggregated {
        mut partial,
        inputs: log_inputs,
    } = logs;
    let mut paths = vec![String::new(); total];
    let mut errors = vec![None; total];
    let mut zones = vec![None; total];
    for (i, &slot) in log_slots.iter().enumerate() {
        paths[slot as usize] = log_inputs.paths[i].clone();
        errors[slot as usize] = log_inputs.errors[i].clone();
        zones[slot as usize] = log_inputs.zones[i].clone();
    }
    partial.relocate(&log_slots, total);
    for (n, slots) in named.into_iter().zip(summary_slots) {
        if n.summary.inputs.len() != slots.len() {
            return Err(usage(format!(
                "{}: corrupt: it names {} inputs but counted {}",
                n.name,
                n.summary.inputs.len(),
                slots.len()
            )));
        }
        for (input, &slot) in n.summary.inputs.iter().zip(&slots) {
            paths[slot as usize] = input.path.clone();
            errors[slot as usize] = input.error.clone();
            zones[slot as usize] = input
                .zone
                .as_ref()
                .map(|z| z.reading())
                .transpose()
                .map_err(|e| usage(format!("{}: {e}", n.name)))?;
        }
        let mut theirs = Partial::restore(n.summary.partial, opts);
        theirs.relocate(&slots, total);
        partial.merge(theirs);
    }
    Ok(Aggregated {
        partial,
        inputs: Inputs {
            paths,
            errors,
            zones,
        },
    })
}

/// Writes the summary of an aggregate (its requests' latency not counted yet) made with
/// `ic`'s settings and the resolved time range of `opts`.
pub fn save(
    agg: Aggregated,
    ic: &InputConfig,
    opts: &AggOptions,
    to: &SummaryOut,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut settings = ic.settings.clone();
    settings.extend(bounds(opts.since, opts.until));
    let inputs = agg.inputs;
    let summary = Summary {
        settings: Settings(settings),
        inputs: (0..inputs.paths.len())
            .map(|i| SavedInput {
                path: inputs.paths[i].clone(),
                error: inputs.errors[i].clone(),
                zone: inputs.zones[i].as_ref().map(Into::into),
            })
            .collect(),
        partial: agg.partial.save(),
    };
    let bytes = format::encode(&summary).map_err(|e| usage(format!("--save-summary: {e}")))?;
    match to {
        SummaryOut::Stdout => out.write_all(&bytes)?,
        SummaryOut::File(p) => std::fs::write(p, &bytes).map_err(|e| {
            usage(format!(
                "--save-summary {}: cannot write it: {e}",
                p.display()
            ))
        })?,
    }
    Ok(())
}
