//! The options every command that reads inputs shares (`InputArgs` and `FieldArgs`):
//! files, zone, threads, chunking, `--max-line`, field maps, access-log formats, the time
//! range, mmap, progress and colour, resolved into an `InputConfig`. Must not read a log
//! line: relative bounds stay relative until `cmd/` has seen the newest line.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::values::{color, resolve_zone, size, stdout_is_terminal};
use crate::cli::{FieldArgs, InputArgs};
use crate::error::{UsageError, usage};
use crate::input::InputSpec;
use crate::parse::log_format::LogFormat;
use crate::parse::picked::go_duration_ms;
use crate::parse::time::{self, Micros, Zone, ZoneCache};
use crate::parse::{Canonical, FieldSpec, Unit};

/// A time bound: absolute, or relative to the newest line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    At(Micros),
    BeforeNewest(Micros),
}

#[derive(Clone, Debug)]
pub struct InputConfig {
    pub inputs: Vec<InputSpec>,
    pub zone: Zone,
    pub zone_name: String,
    /// `--tz` was given: it wins over anything the logs suggest.
    pub zone_explicit: bool,
    pub threads: usize,
    pub chunk_size: usize,
    /// Lines longer than this are counted as oversized, not parsed or buffered whole.
    pub max_line: usize,
    pub fields: FieldSpec,
    /// Access-log formats the user gave (`--nginx-log-format`, `--nginx-conf`).
    pub log_formats: Vec<LogFormat>,
    pub since: Option<Bound>,
    pub until: Option<Bound>,
    pub use_mmap: bool,
    pub progress: bool,
    pub color: bool,
    /// The options above that change what is counted, as a summary records them; commands
    /// add their own and the resolved time range.
    pub settings: Vec<crate::summary::Setting>,
}

const DEFAULT_CHUNK: usize = 4 << 20;

pub fn input(args: &InputArgs) -> Result<InputConfig, UsageError> {
    input_from(args, &args.files)
}

/// `input`, with the files given separately (trace takes its ids out of the positionals).
/// The checks run in a fixed order, so of several mistakes the same one is always named.
pub(super) fn input_from(args: &InputArgs, files: &[PathBuf]) -> Result<InputConfig, UsageError> {
    let (zone, zone_name) = resolve_zone(args.tz.as_deref())?;
    let threads = threads(args.threads)?;
    let chunk_size = chunk_size(args.chunk_size)?;
    let inputs = input_specs(files)?;
    let (since, until) = time_range(args, &zone)?;
    let color = color(args.color, stdout_is_terminal());
    let log_formats = log_formats(&args.fields)?;
    Ok(InputConfig {
        settings: super::summary::input_settings(args, &log_formats),
        inputs,
        zone,
        zone_name,
        zone_explicit: args.tz.is_some(),
        threads,
        chunk_size,
        max_line: match size(&args.max_line, "--max-line")? {
            0 => return Err(usage("--max-line: must be at least 1 byte")),
            n => n,
        },
        fields: field_spec(&args.fields)?,
        log_formats,
        since,
        until,
        use_mmap: !args.no_mmap,
        progress: !args.no_progress && std::io::stderr().is_terminal(),
        color,
    })
}

/// `--threads`, else one per core.
fn threads(arg: Option<usize>) -> Result<usize, UsageError> {
    match arg {
        Some(0) => Err(usage("--threads: must be at least 1")),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

fn chunk_size(arg: Option<usize>) -> Result<usize, UsageError> {
    match arg {
        Some(0) => Err(usage("--chunk-size: must be at least 1")),
        Some(n) => Ok(n),
        None => Ok(DEFAULT_CHUNK),
    }
}

/// The inputs named, `-` as stdin (at most once: it can be read only once), and stdin alone
/// when none is named.
fn input_specs(files: &[PathBuf]) -> Result<Vec<InputSpec>, UsageError> {
    let mut inputs: Vec<InputSpec> = files
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                InputSpec::Stdin
            } else {
                InputSpec::Path(p.clone())
            }
        })
        .collect();
    if inputs.is_empty() {
        inputs.push(InputSpec::Stdin);
    }
    if inputs.iter().filter(|i| **i == InputSpec::Stdin).count() > 1 {
        return Err(usage("FILE: stdin ('-') can be named only once"));
    }
    Ok(inputs)
}

/// `--since` and `--until`, refused when they leave an empty range already as written (a
/// relative bound against an absolute one is checked once the newest line is known).
fn time_range(args: &InputArgs, zone: &Zone) -> Result<(Option<Bound>, Option<Bound>), UsageError> {
    let since = args
        .since
        .as_deref()
        .map(|s| bound(s, "--since", zone))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|s| bound(s, "--until", zone))
        .transpose()?;
    if let (Some(Bound::At(a)), Some(Bound::At(b))) = (since, until)
        && a >= b
    {
        return Err(usage("--since: must be before --until"));
    }
    // Both count back from the newest line: `--since 10s --until 20s` is an empty range.
    if let (Some(Bound::BeforeNewest(a)), Some(Bound::BeforeNewest(b))) = (since, until)
        && a <= b
    {
        return Err(usage(format!(
            "--since: must reach further back than --until (both count back from the newest line: --since {} --until {} is an empty range)",
            args.since.as_deref().unwrap_or(""),
            args.until.as_deref().unwrap_or("")
        )));
    }
    Ok((since, until))
}

/// One bound: a duration back from the newest line, or a time (a bare date is its midnight,
/// a time without seconds is at :00) read in `zone` unless it carries its own offset.
pub(super) fn bound(s: &str, what: &str, zone: &Zone) -> Result<Bound, UsageError> {
    let t = s.trim();
    let mut cache = ZoneCache::default();
    if let Some(ms) = go_duration_ms(t) {
        if !ms.is_finite() || ms < 0.0 {
            return Err(usage(format!(
                "{what}: '{s}' is not a duration back from the newest line (a finite, positive one such as 30m)"
            )));
        }
        return Ok(Bound::BeforeNewest((ms * 1000.0).round() as Micros));
    }
    let padded;
    let candidate = match t.len() {
        10 => {
            padded = format!("{t} 00:00:00");
            padded.as_str()
        }
        16 => {
            padded = format!("{t}:00");
            padded.as_str()
        }
        _ => t,
    };
    time::parse_ts(candidate, zone, &mut cache)
        .map(Bound::At)
        .ok_or_else(|| usage(format!("{what}: invalid time '{s}' (expected RFC 3339, 'YYYY-MM-DD HH:MM[:SS]', or a duration such as 30m)")))
}

/// The field map: the built-in aliases plus `--field CANONICAL=NAME` and `--latency-field`.
pub fn field_spec(args: &FieldArgs) -> Result<FieldSpec, UsageError> {
    let mut spec = FieldSpec::defaults();
    for f in &args.fields {
        let (canon, name) = f
            .split_once('=')
            .ok_or_else(|| usage(format!("--field: expected CANONICAL=NAME, got '{f}'")))?;
        let c = Canonical::from_user(canon.trim()).ok_or_else(|| {
            usage(format!(
                "--field: unknown canonical field '{canon}' (one of: {})",
                Canonical::USER_NAMES
            ))
        })?;
        if name.trim().is_empty() {
            return Err(usage(format!("--field: empty field name in '{f}'")));
        }
        spec.add_user(c, name.trim(), None);
    }
    if let Some(lf) = &args.latency_field {
        let (name, unit) = latency_field(lf)?;
        spec.add_user(Canonical::Latency, name, unit);
    }
    Ok(spec)
}

/// `--latency-field NAME[:UNIT]`.
fn latency_field(lf: &str) -> Result<(&str, Option<Unit>), UsageError> {
    let (name, unit) = match lf.rsplit_once(':') {
        Some((n, u)) => {
            let unit = Unit::parse(u).ok_or_else(|| {
                usage(format!(
                    "--latency-field: unknown unit '{u}' (one of s, ms, us, ns)"
                ))
            })?;
            (n, Some(unit))
        }
        None => (lf, None),
    };
    if name.trim().is_empty() {
        return Err(usage("--latency-field: empty field name"));
    }
    Ok((name.trim(), unit))
}

/// The access-log formats of `--nginx-log-format` and `--nginx-conf`, in the order given.
pub fn log_formats(args: &FieldArgs) -> Result<Vec<LogFormat>, UsageError> {
    let mut out = Vec::new();
    for (i, f) in args.nginx_log_format.iter().enumerate() {
        out.push(
            LogFormat::compile(&format!("--nginx-log-format #{}", i + 1), f)
                .map_err(|e| usage(format!("--nginx-log-format '{f}': {e}")))?,
        );
    }
    for path in &args.nginx_conf {
        let p = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|e| usage(format!("--nginx-conf {p}: cannot read it: {e}")))?;
        let found = crate::parse::log_format::from_conf(&text)
            .map_err(|e| usage(format!("--nginx-conf {p}: {e}")))?;
        if found.is_empty() {
            return Err(usage(format!(
                "--nginx-conf {p}: no log_format directive to read (escape=json formats need none)"
            )));
        }
        out.extend(found);
    }
    Ok(out)
}
