//! One module per subcommand, each with the same `run(&Config, out) -> Result<RunOutcome>` shape.

pub mod filter;
pub mod generate;
pub mod report;
pub mod requests;
pub mod rules;
pub mod trace;
pub mod watch;

use std::io::{self, Write};

use crate::aggregate::zones::{self, InputFacts, Reading, ZoneEvidence};
use crate::aggregate::{AggOptions, Partial};
use crate::config::{Bound, InputConfig};
use crate::engine::{self, Tuning};
use crate::input::{self, Data, InputSpec, Opened};
use crate::parse::{FileCtx, Micros, Parser, Zone};
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
                opened.push(Opened::empty(spec.display(), None));
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
        max_line: ic.max_line,
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
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "--since ({}) must be before --until ({}): the range is empty (the newest line is at {})",
                at(s),
                at(u),
                newest.map_or_else(|| "-".to_string(), at)
            ),
        ));
    }
    Ok((since, until))
}

/// Every input, aggregated: the merged partial, the input names, per input the error that
/// stopped reading it (also written to `diag`) and how its naive stamps were read.
pub struct Aggregated {
    pub partial: Partial,
    pub paths: Vec<String>,
    pub errors: Vec<Option<String>>,
    pub zones: Vec<Option<Reading>>,
}

/// Opens every input, resolves `--since`/`--until` into `opts`, aggregates in parallel with
/// a progress bar. The lines before a read error still count. Without `--tz`, the pass also
/// gathers evidence for the zone of naive stamps; when it places an input elsewhere than the
/// local zone, the files are read again with that input in its zone (a second pass is the
/// price of not being told; `--tz` skips it). Relative `--since`/`--until` are resolved
/// before that, against the newest line as first read.
pub fn aggregate(
    ic: &InputConfig,
    mut opts: AggOptions,
    diag: &mut dyn Write,
) -> io::Result<Aggregated> {
    let (mut opened, mut errors) = open_inputs(ic, diag)?;
    let paths: Vec<String> = opened.iter().map(|o| o.name.clone()).collect();
    let mut parser =
        Parser::new(ic.fields.clone(), ic.zone.clone()).with_log_formats(ic.log_formats.clone());
    let (contexts, naive) = heads(&mut opened, &parser);
    parser = parser.with_files(contexts.clone());
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
    // Standard input can be read once: it is aggregated on its own (after the files, as the
    // engine takes streams anyway), so the files can be read again without it.
    let stdin = ic.inputs.iter().position(|s| *s == InputSpec::Stdin);
    let stdin_part = match stdin {
        Some(i) => {
            let mut alone: Vec<Opened> = opened
                .iter()
                .map(|o| Opened::empty(o.name.clone(), o.modified))
                .collect();
            alone[i].data = std::mem::replace(&mut opened[i].data, Data::Buffer(Vec::new()));
            Some(aggregate_once(
                ic,
                &mut alone,
                &mut errors,
                &parser,
                &opts,
                diag,
            )?)
        }
        None => None,
    };
    let mut partial = aggregate_once(ic, &mut opened, &mut errors, &parser, &opts, diag)?;
    let mut files = partial.files.clone();
    let mut evidence = partial.zones.as_deref().cloned();
    if let Some(sp) = &stdin_part {
        for (mine, theirs) in files.iter_mut().zip(&sp.files) {
            crate::aggregate::Merge::merge(mine, theirs.clone());
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
    let mut zones = readings(&local, &files, evidence.as_ref(), &paths);
    let mut reread = contexts;
    let mut again = false;
    for (i, z) in zones.iter_mut().enumerate() {
        let Some(o) = z.as_ref().and_then(|r| r.reread) else {
            continue;
        };
        let z = z.as_mut().expect("a reading");
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
        reread[i].zone = Zone::fixed(o);
        again = true;
    }
    if again {
        let (reopened, _) = open_inputs(ic, &mut io::sink())?;
        opened = reopened;
        if let Some(i) = stdin {
            opened[i].data = Data::Buffer(Vec::new());
        }
        parser = parser.with_files(reread);
        opts.zone_evidence = false;
        partial = aggregate_once(ic, &mut opened, &mut errors, &parser, &opts, diag)?;
    }
    if let Some(sp) = stdin_part {
        crate::aggregate::Merge::merge(&mut partial, sp);
    }
    engine::count_latency(&mut partial, ic.threads);
    for z in zones.iter().flatten() {
        if z.note.contains("cannot be placed consistently") {
            writeln!(diag, "logtriage: warning: {}", z.note)?;
        }
    }
    Ok(Aggregated {
        partial,
        paths,
        errors,
        zones,
    })
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

/// Bytes at the head of each input searched for a dated line, to place year-less stamps.
const YEAR_SAMPLE: usize = 1 << 20;

/// What the parser needs to know of each input: the date its year-less stamps (RFC 3164
/// syslog) are placed near, from the newest dated line in its first MiB, else its mtime.
pub fn file_contexts(opened: &mut [Opened], parser: &Parser) -> Vec<FileCtx> {
    heads(opened, parser).0
}

/// `file_contexts`, and whether the inputs' first MiB hold both stamps without a zone and
/// stamps with one: only then is zone evidence worth gathering.
pub fn heads(opened: &mut [Opened], parser: &Parser) -> (Vec<FileCtx>, bool) {
    let (mut naive, mut zoned) = (false, false);
    use crate::parse::envelope::Kind;
    use crate::parse::{ParseCache, Parsed, YearRef, nginx_access};
    let mut cache = ParseCache::default();
    let mut text = Vec::new();
    let contexts = opened
        .iter_mut()
        .enumerate()
        .map(|(i, o)| {
            let head = o.head(YEAR_SAMPLE);
            let whole = if head.len() == YEAR_SAMPLE {
                memchr::memrchr(b'\n', &head).map_or(0, |p| p + 1)
            } else {
                head.len()
            };
            let mut newest = None;
            let mut access = nginx_access::Evidence::default();
            let (mut latencies, mut huge) = (0u32, 0u32);
            input::chunk::for_each_record(&head[..whole], &crate::engine::RULES, |_, rec| {
                let parsed =
                    parser.parse_record(i as u32, rec.bytes, rec.head, &mut cache, &mut text);
                if let Parsed::Event(ev) = parsed {
                    naive |= ev.ts_local.is_some();
                    zoned |= ev.ts.is_some() && ev.ts_local.is_none();
                    if !(ev.env.has(Kind::Syslog) && ev.ts == ev.env.ts) {
                        newest = newest.max(ev.ts);
                    }
                    access.observe(&ev, rec.head());
                    if ev.source() == crate::parse::Source::App
                        && let Some(ms) = ev.latency_ms
                    {
                        latencies += 1;
                        // Read as seconds, a million of them: the key meant a smaller unit.
                        huge += (ms >= 1e9) as u32;
                    }
                }
            });
            FileCtx {
                zone: None,
                year: newest
                    .and_then(YearRef::near)
                    .or_else(|| o.modified.and_then(YearRef::of)),
                access: access.decide(&o.name),
                // Integer nanoseconds (Go's `time.Duration`) under a key that names no unit.
                auto_latency: if huge * 2 > latencies {
                    crate::parse::Unit::Ns
                } else {
                    crate::parse::Unit::Auto
                },
            }
        })
        .collect();
    (contexts, naive && zoned)
}

/// Bytes at the head of each input that `trace` and `filter` read for zone evidence.
const ZONE_SAMPLE: usize = 64 << 20;

/// For the commands that do not aggregate (`trace`, `filter`): without `--tz`, the zone of
/// each input's naive stamps from the evidence in its first `ZONE_SAMPLE` bytes; the parser
/// that reads them so, and the readings (notes go to `diag`).
pub fn zones_for_lines(
    ic: &InputConfig,
    opened: &mut [Opened],
    parser: Parser,
    diag: &mut dyn Write,
) -> io::Result<(Parser, Vec<Option<Reading>>)> {
    let mut contexts = file_contexts(opened, &parser);
    let parser = parser.with_files(contexts.clone());
    if ic.zone_explicit {
        return Ok((parser, Vec::new()));
    }
    let heads: Vec<Vec<u8>> = opened
        .iter_mut()
        .map(|o| match o.data.bytes() {
            Some(_) => Vec::new(),
            None => o.head(ZONE_SAMPLE),
        })
        .collect();
    let pieces: Vec<(u32, &[u8])> = opened
        .iter()
        .zip(&heads)
        .enumerate()
        .map(|(i, (o, h))| {
            let data = o.data.bytes().unwrap_or(h);
            let cut = data.len().min(ZONE_SAMPLE);
            let cut = if cut < data.len() {
                memchr::memrchr(b'\n', &data[..cut]).map_or(0, |p| p + 1)
            } else {
                cut
            };
            (i as u32, &data[..cut])
        })
        .collect();
    let ev = engine::zone_evidence(&pieces, opened.len(), &parser, tuning(ic));
    let local = Local {
        zone: &ic.zone,
        name: &ic.zone_name,
        explicit: false,
    };
    let paths: Vec<String> = opened.iter().map(|o| o.name.clone()).collect();
    let zones: Vec<Option<Reading>> = (0..opened.len())
        .map(|i| {
            let facts = InputFacts {
                path: &paths[i],
                naive: ev.naive[i],
                first: ev.first[i],
            };
            zones::decide(Some(&ev), i as u32, &facts, local.zone, local.name, false)
        })
        .collect();
    for (i, z) in zones.iter().enumerate() {
        let Some(z) = z else { continue };
        if let Some(o) = z.reread {
            contexts[i].zone = Zone::fixed(o);
        }
        if z.how == "inferred" || z.note.contains("cannot be placed consistently") {
            writeln!(diag, "logtriage: note: {}", z.note)?;
        }
    }
    Ok((parser.with_files(contexts), zones))
}

/// The zone naive stamps are read in unless the evidence says otherwise.
pub struct Local<'a> {
    pub zone: &'a Zone,
    pub name: &'a str,
    /// Given with `--tz`: it wins.
    pub explicit: bool,
}

/// How each input's naive stamps were read (`None`: it has none).
pub fn readings(
    local: &Local<'_>,
    files: &[crate::aggregate::FileStats],
    evidence: Option<&ZoneEvidence>,
    paths: &[String],
) -> Vec<Option<Reading>> {
    files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let facts = InputFacts {
                path: &paths[i],
                naive: f.naive,
                first: f.first,
            };
            zones::decide(
                evidence,
                i as u32,
                &facts,
                local.zone,
                local.name,
                local.explicit,
            )
        })
        .collect()
}
