//! One module per subcommand, each with the same `run(&Config, out) -> Result<Outcome>` shape.

pub mod filter;
pub mod generate;
pub mod report;
pub mod requests;
pub mod rules;
pub mod trace;
pub mod watch;

use std::io::{self, Write};

use crate::aggregate::{AggOptions, Partial};
use crate::config::{Bound, InputConfig};
use crate::engine::{self, Tuning};
use crate::input::{self, Data, Opened};
use crate::parse::{Micros, Parser};
use crate::progress::Progress;

/// Opens every input; one that cannot be opened is reported on `diag`, recorded, and stands
/// in as empty so the others are still read.
pub fn open_inputs(
    ic: &InputConfig,
    diag: &mut dyn Write,
) -> io::Result<(Vec<Opened>, Vec<Option<String>>)> {
    let mut opened = Vec::with_capacity(ic.inputs.len());
    let mut errors = Vec::with_capacity(ic.inputs.len());
    for spec in &ic.inputs {
        match input::open(spec, ic.use_mmap) {
            Ok(o) => {
                opened.push(o);
                errors.push(None);
            }
            Err(e) => {
                writeln!(diag, "logtriage: error: {e}")?;
                opened.push(Opened {
                    name: spec.display(),
                    data: Data::Buffer(Vec::new()),
                });
                errors.push(Some(e));
            }
        }
    }
    Ok((opened, errors))
}

/// Reads every stream input into memory, for commands that must read their input twice.
pub fn slurp_streams(
    opened: &mut [Opened],
    errors: &mut [Option<String>],
    diag: &mut dyn Write,
) -> io::Result<()> {
    for (i, o) in opened.iter_mut().enumerate() {
        if let Data::Stream(_) = o.data {
            let Data::Stream(r) = std::mem::replace(&mut o.data, Data::Buffer(Vec::new())) else {
                unreachable!()
            };
            let (buf, err) = input::slurp(r);
            if let Some(e) = err {
                let msg = format!("{}: read error after {} bytes: {e}", o.name, buf.len());
                writeln!(diag, "logtriage: error: {msg}")?;
                errors[i] = Some(msg);
            }
            o.data = Data::Buffer(buf);
        }
    }
    Ok(())
}

/// The engine's tuning from the input options.
pub fn tuning(ic: &InputConfig) -> Tuning {
    Tuning {
        threads: ic.threads,
        chunk_size: ic.chunk_size,
    }
}

/// `--since` and `--until` as instants. A bound relative to the newest line needs that line
/// first: streams are read into memory and every input is parsed once for it.
pub fn time_bounds(
    ic: &InputConfig,
    opened: &mut [Opened],
    errors: &mut [Option<String>],
    parser: &Parser,
    diag: &mut dyn Write,
) -> io::Result<(Option<Micros>, Option<Micros>)> {
    let relative = matches!(ic.since, Some(Bound::BeforeNewest(_)))
        || matches!(ic.until, Some(Bound::BeforeNewest(_)));
    let newest = if relative {
        slurp_streams(opened, errors, diag)?;
        engine::newest(opened, parser, tuning(ic))
    } else {
        None
    };
    let resolve = |b: Option<Bound>| match b {
        Some(Bound::At(t)) => Some(t),
        Some(Bound::BeforeNewest(d)) => newest.map(|n| n - d),
        None => None,
    };
    Ok((resolve(ic.since), resolve(ic.until)))
}

/// Every input, aggregated: the merged partial, the input names and, per input, the error
/// that stopped reading it (also written to `diag`).
pub struct Aggregated {
    pub partial: Partial,
    pub paths: Vec<String>,
    pub errors: Vec<Option<String>>,
}

/// Opens every input, resolves `--since`/`--until` into `opts`, aggregates in parallel with
/// a progress bar. The lines before a read error still count.
pub fn aggregate(
    ic: &InputConfig,
    mut opts: AggOptions,
    diag: &mut dyn Write,
) -> io::Result<Aggregated> {
    let (mut opened, mut errors) = open_inputs(ic, diag)?;
    let parser = Parser::new(ic.fields.clone(), ic.zone.clone());
    (opts.since, opts.until) = time_bounds(ic, &mut opened, &mut errors, &parser, diag)?;
    let total: u64 = opened
        .iter()
        .filter_map(|o| o.data.bytes().map(|b| b.len() as u64))
        .sum();
    let progress = Progress::new(ic.progress, total);
    let (partial, read_errors) = engine::aggregate(&mut opened, &parser, &opts, tuning(ic), &|n| {
        progress.add(n)
    });
    progress.finish();
    for (i, e) in read_errors.into_iter().enumerate() {
        if let Some(e) = e {
            writeln!(diag, "logtriage: error: {e}")?;
            errors[i] = Some(e);
        }
    }
    Ok(Aggregated {
        partial,
        paths: opened.iter().map(|o| o.name.clone()).collect(),
        errors,
    })
}
