//! The subcommands, one file each: `report`, `requests`, `trace`, `filter`, `export` and
//! `watch` run as `run(&Config, out, diag) -> Result<RunOutcome>` (results to `out`,
//! per-input errors and notes to `diag`); `rules` and `generate` need no inputs and take
//! only `out`. This file holds what the reading commands share: opening inputs with per-input errors,
//! resolving `--since`/`--until`, the two-pass parallel aggregation and the
//! aggregate-then-finish step of `report` and `requests`, scan notes, byte-search needles
//! for ids, and the run's outcome; what the inputs' heads say (dates, zones) is in
//! `zones.rs`. This file reads no clap types, writes no results (only notes to `diag`) and
//! decides no exit codes (that is `main`).

pub mod aggregated;
pub mod export;
pub mod filter;
pub mod generate;
pub mod report;
pub mod requests;
pub mod rules;
pub mod summaries;
pub mod trace;
pub mod watch;
pub mod zones;

use std::io::{self, Write};

use crate::aggregate::zones::Reading;
use crate::aggregate::{AggOptions, Merge, Partial};
use crate::config::{Bound, InputConfig};
use crate::engine::{self, Tuning};
use crate::error::{RunOutcome, usage};
use crate::input::{self, Data, InputSpec, Opened};
use crate::parse::{FileCtx, Micros, Parser, Zone};
use crate::progress::Progress;
pub use aggregated::{Aggregated, Inputs};
use zones::heads;
pub use zones::{Local, file_contexts, readings};

/// How a reading command ended: `InputErrors` when an input failed (what was read is still
/// shown), else `NoMatch` when nothing was selected, else `Success`.
pub fn outcome(errors: &[Option<String>], matched: bool) -> RunOutcome {
    if errors.iter().any(Option::is_some) {
        RunOutcome::InputErrors
    } else if !matched {
        RunOutcome::NoMatch
    } else {
        RunOutcome::Success
    }
}

/// Opens every input; one that cannot be opened is reported on `diag`, recorded, and stands
/// in as empty so the others are still read.
pub fn open_inputs(
    ic: &InputConfig,
    diag: &mut dyn Write,
) -> io::Result<(Vec<Opened>, Vec<Option<String>>)> {
    let mut opened = Vec::with_capacity(ic.inputs.len());
    let mut errors = Vec::with_capacity(ic.inputs.len());
    for spec in &ic.inputs {
        let one = match spec {
            _ if summaries::starts_a_summary(spec) => Err(format!(
                "{}: is a logtriage summary: only report and requests read summaries",
                spec.display()
            )),
            _ => input::open(spec, ic.use_mmap),
        };
        match one {
            Ok(o) => {
                opened.push(o);
                errors.push(None);
            }
            Err(e) => {
                writeln!(diag, "logtriage: error: {e}")?;
                opened.push(Opened::empty(spec.display(), None));
                errors.push(Some(e));
            }
        }
    }
    Ok((opened, errors))
}

/// What the commands that print lines (`trace`, `filter`, `export`) read with: the inputs
/// opened, their errors, the parser with each input's zone (`zones_for_lines`), and the
/// resolved `--since`/`--until`. With `twice`, streams are read into memory first, for a
/// command that reads its inputs twice.
pub struct ForLines {
    pub opened: Vec<Opened>,
    pub errors: Vec<Option<String>>,
    pub parser: Parser,
    pub since: Option<Micros>,
    pub until: Option<Micros>,
}

pub fn open_for_lines(
    ic: &InputConfig,
    twice: bool,
    diag: &mut dyn Write,
) -> anyhow::Result<ForLines> {
    let (mut opened, mut errors) = open_inputs(ic, diag)?;
    if twice {
        slurp_streams(&mut opened, &mut errors, diag)?;
    }
    let parser =
        Parser::new(ic.fields.clone(), ic.zone.clone()).with_log_formats(ic.log_formats.clone());
    let (parser, _) = zones::zones_for_lines(ic, &mut opened, parser, tuning(ic), diag)?;
    let (since, until) = time_bounds(ic, &mut opened, &mut errors, &parser, diag)?;
    Ok(ForLines {
        opened,
        errors,
        parser,
        since,
        until,
    })
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
        max_line: ic.max_line,
    }
}

/// `--since` and `--until` as instants. A bound relative to the newest line needs that line
/// first: streams are read into memory and every input is parsed once for it. A range found
/// empty only now is a usage error, as it is when both bounds are absolute.
pub fn time_bounds(
    ic: &InputConfig,
    opened: &mut [Opened],
    errors: &mut [Option<String>],
    parser: &Parser,
    diag: &mut dyn Write,
) -> anyhow::Result<(Option<Micros>, Option<Micros>)> {
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
        Some(Bound::BeforeNewest(d)) => newest.map(|n| n.saturating_sub(d)),
        None => None,
    };
    let (since, until) = (resolve(ic.since), resolve(ic.until));
    // One bound counted back from the newest line, the other absolute: the range is known
    // only now, and an empty one is the same mistake as for two absolute bounds.
    if let (Some(s), Some(u)) = (since, until)
        && s >= u
    {
        let at = |t: Micros| crate::parse::time::format_utc(t);
        return Err(usage(format!(
            "--since ({}) must be before --until ({}): the range is empty (the newest line is at {})",
            at(s),
            at(u),
            newest.map_or_else(|| "-".to_string(), at)
        ))
        .into());
    }
    Ok((since, until))
}

/// What `report` and `requests` share: every input aggregated with `opts` (see
/// `aggregate`), then `finish` turning the partial into the command's result, given what
/// became of each input. `finish` owns the partial, so its result may borrow from it while
/// it is written (`requests`' listing does). The outcome says only whether an input failed
/// (`InputErrors`, else `Success`); the caller refines it.
pub fn aggregate_and_finish<R>(
    ic: &InputConfig,
    opts: AggOptions,
    diag: &mut dyn Write,
    finish: impl FnOnce(Partial, &Inputs) -> R,
) -> anyhow::Result<(R, RunOutcome)> {
    let mut opts = opts;
    let Aggregated {
        mut partial,
        inputs,
    } = aggregate(ic, &mut opts, diag)?;
    engine::count_latency(&mut partial, ic.threads);
    let finished = finish(partial, &inputs);
    Ok((finished, outcome(&inputs.errors, true)))
}

/// Blocks this large or larger get their own memory maps, returned when freed (`input::mmap`).
pub const MAP_BLOCKS_FROM: usize = 128 << 10;

/// Opens every input, resolves `--since`/`--until` into `opts`, aggregates in parallel with
/// a progress bar. The lines before a read error still count. Without `--tz`, the pass also
/// gathers evidence for the zone of naive stamps; when it places an input elsewhere than the
/// local zone, the files are read again with that input in its zone (a second pass is the
/// price of not being told; `--tz` skips it). Relative `--since`/`--until` are resolved
/// before that, against the newest line as first read.
pub fn aggregate(
    ic: &InputConfig,
    opts: &mut AggOptions,
    diag: &mut dyn Write,
) -> anyhow::Result<Aggregated> {
    // Finishing the request tables frees their flushed segments as it builds each sorted
    // partition; with glibc's rising threshold those holes stayed in its heap and the peak
    // of `requests` over 5 M ids was twice its tables (1.0 GB for 0.5 GB of rows).
    input::map_large_allocations(MAP_BLOCKS_FROM);
    let (named, logs) = summaries::split(ic)?;
    let read = read_logs(&logs, opts, diag)?;
    if named.is_empty() {
        return Ok(read);
    }
    Ok(summaries::join(read, named, ic.inputs.len(), opts)?)
}

/// `aggregate` over logs alone: the requests' latency is not counted yet (`count_latency`),
/// since a summary may hold more of a request.
fn read_logs(
    ic: &InputConfig,
    opts: &mut AggOptions,
    diag: &mut dyn Write,
) -> anyhow::Result<Aggregated> {
    let (mut opened, mut errors) = open_inputs(ic, diag)?;
    let paths: Vec<String> = opened.iter().map(|o| o.name.clone()).collect();
    let parser =
        Parser::new(ic.fields.clone(), ic.zone.clone()).with_log_formats(ic.log_formats.clone());
    let (contexts, naive) = heads(&mut opened, &parser);
    let parser = parser.with_files(contexts.clone());
    // Evidence costs a little per line: gathered only when the inputs' heads show naive
    // stamps and zoned ones to compare them with (an input whose naive lines come only
    // later keeps the local zone, unchecked).
    opts.zone_evidence = !ic.zone_explicit && naive;
    opts.origins = paths
        .iter()
        .map(|p| crate::aggregate::sources::from_path(p))
        .collect::<Vec<_>>()
        .into();
    (opts.since, opts.until) = time_bounds(ic, &mut opened, &mut errors, &parser, diag)?;
    let opts = &*opts;
    // Standard input can be read once: it is aggregated on its own (after the files, as the
    // engine takes streams anyway), so the files can be read again without it.
    let stdin = ic.inputs.iter().position(|s| *s == InputSpec::Stdin);
    let stdin_part = match stdin {
        Some(i) => Some(aggregate_stdin(
            ic,
            i,
            &mut opened,
            &mut errors,
            &parser,
            opts,
            diag,
        )?),
        None => None,
    };
    let mut partial = aggregate_once(ic, &mut opened, &mut errors, &parser, opts, diag)?;
    let mut zones = first_readings(ic, &partial, stdin_part.as_ref(), &paths);
    if let Some(reread) = rereads(ic, &mut zones, stdin, contexts) {
        let (reopened, _) = open_inputs(ic, &mut io::sink())?;
        opened = reopened;
        if let Some(i) = stdin {
            opened[i].data = Data::Buffer(Vec::new());
        }
        let opts = AggOptions {
            zone_evidence: false,
            ..opts.clone()
        };
        let parser = parser.with_files(reread);
        partial = aggregate_once(ic, &mut opened, &mut errors, &parser, &opts, diag)?;
    }
    if let Some(sp) = stdin_part {
        Merge::merge(&mut partial, sp);
    }
    for z in zones.iter().flatten() {
        if z.note.contains("cannot be placed consistently") {
            writeln!(diag, "logtriage: warning: {}", z.note)?;
        }
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

/// Standard input (input `i`) aggregated alone, its data taken out of `opened`, the others
/// standing in as empty.
fn aggregate_stdin(
    ic: &InputConfig,
    i: usize,
    opened: &mut [Opened],
    errors: &mut [Option<String>],
    parser: &Parser,
    opts: &AggOptions,
    diag: &mut dyn Write,
) -> io::Result<Partial> {
    let mut alone: Vec<Opened> = opened
        .iter()
        .map(|o| Opened::empty(o.name.clone(), o.modified))
        .collect();
    alone[i].data = std::mem::replace(&mut opened[i].data, Data::Buffer(Vec::new()));
    aggregate_once(ic, &mut alone, errors, parser, opts, diag)
}

/// How each input's naive stamps were read in the first pass, standard input's evidence
/// (aggregated on its own) included.
fn first_readings(
    ic: &InputConfig,
    partial: &Partial,
    stdin_part: Option<&Partial>,
    paths: &[String],
) -> Vec<Option<Reading>> {
    let mut files = partial.files.clone();
    let mut evidence = partial.zones.as_deref().cloned();
    if let Some(sp) = stdin_part {
        for (mine, theirs) in files.iter_mut().zip(&sp.files) {
            Merge::merge(mine, theirs.clone());
        }
        if let (Some(e), Some(s)) = (evidence.as_mut(), sp.zones.as_deref()) {
            e.merge(s.clone());
        }
    }
    let local = Local {
        zone: &ic.zone,
        name: &ic.zone_name,
        explicit: ic.zone_explicit,
    };
    readings(&local, &files, evidence.as_ref(), paths)
}

/// The file contexts for a second pass when the evidence places some file's naive stamps in
/// another zone (`None`: no pass needed). Standard input cannot be read twice: its reading
/// says so and keeps the local zone.
fn rereads(
    ic: &InputConfig,
    zones: &mut [Option<Reading>],
    stdin: Option<usize>,
    mut contexts: Vec<FileCtx>,
) -> Option<Vec<FileCtx>> {
    let mut again = false;
    for (i, z) in zones.iter_mut().enumerate() {
        let Some(z) = z.as_mut() else { continue };
        let Some(o) = z.reread else { continue };
        if Some(i) == stdin {
            z.note.push_str(&format!(
                "; standard input cannot be read twice, so it was read as {}: pass --tz {} for its right times",
                ic.zone_name,
                &Zone::offset_name(o)[3..]
            ));
            z.how = "assumed";
            z.zone = ic.zone_name.clone();
            continue;
        }
        contexts[i].zone = Zone::fixed(o);
        again = true;
    }
    again.then_some(contexts)
}

/// One pass over the inputs.
fn aggregate_once(
    ic: &InputConfig,
    opened: &mut [Opened],
    errors: &mut [Option<String>],
    parser: &Parser,
    opts: &AggOptions,
    diag: &mut dyn Write,
) -> io::Result<Partial> {
    let total: u64 = opened
        .iter()
        .filter_map(|o| o.data.bytes().map(|b| b.len() as u64))
        .sum();
    let progress = Progress::new(ic.progress, total);
    let (partial, read_errors) =
        engine::aggregate(opened, parser, opts, tuning(ic), &|n| progress.add(n));
    progress.finish();
    for (i, e) in read_errors.into_iter().enumerate() {
        if let Some(e) = e {
            writeln!(diag, "logtriage: error: {e}")?;
            errors[i] = Some(e);
        }
    }
    shrank(opened, |i| partial.files[i].bytes, errors, diag)?;
    Ok(partial)
}

/// Reports what a scan met: each input's read error (recorded, and written to `diag`), and
/// a warning for the records skipped as longer than `--max-line`.
pub fn note_scanned(
    scanned: engine::Scanned,
    max_line: usize,
    errors: &mut [Option<String>],
    diag: &mut dyn Write,
) -> io::Result<()> {
    for (i, e) in scanned.errors.into_iter().enumerate() {
        if let Some(e) = e {
            writeln!(diag, "logtriage: error: {e}")?;
            errors[i] = Some(e);
        }
    }
    if scanned.oversized > 0 {
        writeln!(
            diag,
            "logtriage: warning: {} records with a first line over --max-line ({max_line} bytes) were not searched",
            scanned.oversized
        )?;
    }
    Ok(())
}

/// Warns of the files cut short while they were read (and records it as the input's error
/// when bytes were lost), given the bytes read of each.
pub fn shrank(
    opened: &[Opened],
    read: impl Fn(usize) -> u64,
    errors: &mut [Option<String>],
    diag: &mut dyn Write,
) -> io::Result<()> {
    for (i, o) in opened.iter().enumerate() {
        let n = read(i);
        if let Some(msg) = o.shrank(n) {
            let lost = o.lost(n);
            let kind = if lost { "error" } else { "warning" };
            writeln!(diag, "logtriage: {kind}: {msg}")?;
            if lost && errors[i].is_none() {
                errors[i] = Some(msg);
            }
        }
    }
    Ok(())
}

/// What to search the raw bytes for to find every line carrying one of `ids`: each id, and
/// where it holds other characters, its longest alphanumeric run too, since a JSON writer may
/// have escaped the rest (`"req\u002d1"` is `req-1`). Candidates are then compared by their
/// decoded id.
pub fn id_needles(ids: &[String]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for id in ids {
        out.push(id.as_bytes().to_vec());
        let run = id
            .split(|c: char| !c.is_ascii_alphanumeric())
            .max_by_key(|r| r.len())
            .unwrap_or("");
        if !run.is_empty() && run.len() < id.len() {
            out.push(run.as_bytes().to_vec());
        }
    }
    out.sort();
    out.dedup();
    out
}
