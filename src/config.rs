//! The only validator: turns clap's `Cli` into resolved `Config` values (durations, times,
//! zones, field maps, threads, colour). Every usage error comes from here, before any input
//! is read; nothing after this reads clap types.

use std::io::IsTerminal;

use crate::cli::{
    ColorChoice, FilterArgs, InputArgs, LinesFormat, OutcomeArg, ReportArgs, ReportFormat,
    RequestsArgs, RequestsFormat, SortArg, TraceArgs,
};
use crate::error::{UsageError, usage};
use crate::input::InputSpec;
use crate::parse::log_format::LogFormat;
use crate::parse::picked::go_duration_ms;
use crate::parse::time::{self, Micros, Zone, ZoneCache};
use crate::parse::{Canonical, FieldSpec, Unit};
use crate::select::predicate::{Predicate, predicate, regex};

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
}

#[derive(Clone, Debug)]
pub struct ReportConfig {
    pub input: InputConfig,
    pub format: ReportFormat,
    /// Fixed window width in microseconds.
    pub window: Option<Micros>,
    pub top: usize,
    /// Triage rules; `None` with `--no-triage`.
    pub rules: Option<std::sync::Arc<crate::rules::RuleSet>>,
    pub fail_on: Option<crate::rules::Severity>,
    pub max_endpoints: usize,
}

/// `--max-endpoints` must keep at least one.
fn max_endpoints(n: usize) -> Result<usize, UsageError> {
    if n == 0 {
        return Err(usage("--max-endpoints: must be at least 1"));
    }
    Ok(n)
}

/// The rule set: built-ins, or as a `--rules` file makes it.
pub fn rule_set(path: Option<&std::path::Path>) -> Result<crate::rules::RuleSet, UsageError> {
    let Some(path) = path else {
        return Ok(crate::rules::RuleSet::default());
    };
    let shown = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| usage(format!("--rules: {shown}: {e}")))?;
    crate::rules::file::from_toml(&text, &shown).map_err(|e| usage(format!("--rules: {e}")))
}

const DEFAULT_CHUNK: usize = 4 << 20;

/// A positive duration such as `10s`, `1m30s`, `500ms`; `what` names the option.
pub fn duration(s: &str, what: &str) -> Result<Micros, UsageError> {
    let ms = go_duration_ms(s.trim()).ok_or_else(|| {
        usage(format!(
            "{what}: invalid duration '{s}' (expected e.g. 10s, 1m, 5m, 1h)"
        ))
    })?;
    if ms <= 0.0 {
        return Err(usage(format!(
            "{what}: duration must be positive, got '{s}'"
        )));
    }
    Ok((ms * 1000.0).round() as Micros)
}

fn bound(s: &str, what: &str, zone: &Zone) -> Result<Bound, UsageError> {
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

fn resolve_zone(arg: Option<&str>) -> Result<(Zone, String), UsageError> {
    if let Some(z) = arg {
        return Zone::parse(z)
            .map(|zone| (zone, z.trim().to_string()))
            .ok_or_else(|| usage(format!("--tz: unknown time zone '{z}' (use an IANA name such as Europe/Berlin, or an offset such as +08:00)")));
    }
    if let Ok(tz) = std::env::var("TZ") {
        let name = tz.trim_start_matches(':');
        if let Some(z) = Zone::parse(name) {
            return Ok((z, name.to_string()));
        }
    }
    if let Ok(name) = iana_time_zone::get_timezone()
        && let Some(z) = Zone::parse(&name)
    {
        return Ok((z, name));
    }
    Ok((
        Zone::parse("UTC").expect("UTC"),
        "UTC (local zone unknown)".to_string(),
    ))
}

pub fn field_spec(args: &crate::cli::FieldArgs) -> Result<FieldSpec, UsageError> {
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
        let (name, unit) = match lf.rsplit_once(':') {
            Some((n, u)) => {
                let unit = Unit::parse(u).ok_or_else(|| {
                    usage(format!(
                        "--latency-field: unknown unit '{u}' (one of s, ms, us, ns)"
                    ))
                })?;
                (n, Some(unit))
            }
            None => (lf.as_str(), None),
        };
        if name.trim().is_empty() {
            return Err(usage("--latency-field: empty field name"));
        }
        spec.add_user(Canonical::Latency, name.trim(), unit);
    }
    Ok(spec)
}

/// The access-log formats of `--nginx-log-format` and `--nginx-conf`, in the order given.
pub fn log_formats(args: &crate::cli::FieldArgs) -> Result<Vec<LogFormat>, UsageError> {
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

pub fn input(args: &InputArgs) -> Result<InputConfig, UsageError> {
    input_from(args, &args.files)
}

/// `input`, with the files given separately (trace takes its ids out of the positionals).
fn input_from(args: &InputArgs, files: &[std::path::PathBuf]) -> Result<InputConfig, UsageError> {
    let (zone, zone_name) = resolve_zone(args.tz.as_deref())?;
    let zone_explicit = args.tz.is_some();
    let threads = match args.threads {
        Some(0) => return Err(usage("--threads: must be at least 1")),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let chunk_size = match args.chunk_size {
        Some(0) => return Err(usage("--chunk-size: must be at least 1")),
        Some(n) => n,
        None => DEFAULT_CHUNK,
    };
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
    let since = args
        .since
        .as_deref()
        .map(|s| bound(s, "--since", &zone))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|s| bound(s, "--until", &zone))
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
    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color_env && std::io::stdout().is_terminal(),
    };
    Ok(InputConfig {
        inputs,
        zone,
        zone_name,
        zone_explicit,
        threads,
        chunk_size,
        max_line: match size(&args.max_line, "--max-line")? {
            0 => return Err(usage("--max-line: must be at least 1 byte")),
            n => n,
        },
        fields: field_spec(&args.fields)?,
        log_formats: log_formats(&args.fields)?,
        since,
        until,
        use_mmap: !args.no_mmap,
        progress: !args.no_progress && std::io::stderr().is_terminal(),
        color,
    })
}

pub fn report(args: &ReportArgs) -> Result<ReportConfig, UsageError> {
    let window = args
        .window
        .as_deref()
        .map(|w| duration(w, "--window"))
        .transpose()?;
    if let Some(w) = window
        && w % 1_000_000 != 0
    {
        return Err(usage(format!(
            "--window: must be whole seconds, got '{}'",
            args.window.as_deref().unwrap_or("")
        )));
    }
    if args.top == 0 {
        return Err(usage("--top: must be at least 1"));
    }
    use crate::rules::Severity;
    if args.no_triage && (args.rules.is_some() || args.fail_on.is_some()) {
        return Err(usage(
            "--no-triage: cannot be combined with --rules or --fail-on",
        ));
    }
    let rules = if args.no_triage {
        None
    } else {
        Some(std::sync::Arc::new(rule_set(args.rules.as_deref())?))
    };
    Ok(ReportConfig {
        input: input(&args.input)?,
        format: args.format,
        window,
        top: args.top,
        rules,
        fail_on: args.fail_on.map(|f| match f {
            crate::cli::FailOn::Warning => Severity::Warning,
            crate::cli::FailOn::Critical => Severity::Critical,
        }),
        max_endpoints: max_endpoints(args.max_endpoints)?,
    })
}

#[derive(Clone, Debug)]
pub struct TraceConfig {
    pub input: InputConfig,
    pub ids: Vec<String>,
    pub format: LinesFormat,
}

/// Splits trace's positionals: ids until the first argument that is `-`, names an existing
/// path or contains a `/`; files from there on. With `--id`, all of them are files.
fn split_ids(
    args: &[std::path::PathBuf],
    explicit: bool,
) -> (Vec<String>, Vec<std::path::PathBuf>) {
    if explicit {
        return (Vec::new(), args.to_vec());
    }
    let first_file = args
        .iter()
        .position(|a| a.as_os_str() == "-" || a.exists() || a.to_string_lossy().contains('/'));
    let cut = first_file.unwrap_or(args.len());
    let ids = args[..cut]
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    (ids, args[cut..].to_vec())
}

pub fn trace(args: &TraceArgs) -> Result<TraceConfig, UsageError> {
    let (mut ids, files) = split_ids(&args.input.files, !args.ids.is_empty());
    ids.extend(args.ids.iter().cloned());
    ids.retain(|i| !i.trim().is_empty());
    if ids.is_empty() {
        return Err(usage(
            "ID: give at least one request id (before the files, or with --id)",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    ids.retain(|i| seen.insert(i.clone()));
    Ok(TraceConfig {
        input: input_from(&args.input, &files)?,
        ids,
        format: args.format,
    })
}

#[derive(Clone, Debug)]
pub struct FilterConfig {
    pub input: InputConfig,
    pub min_level: Option<crate::parse::Level>,
    pub request_ids: Vec<String>,
    pub predicates: Vec<Predicate>,
    pub grep: Option<regex::Regex>,
    pub format: LinesFormat,
    pub count: bool,
    pub merge: bool,
}

pub fn filter(args: &FilterArgs) -> Result<FilterConfig, UsageError> {
    let min_level = args
        .level
        .as_deref()
        .map(|l| {
            crate::parse::Level::from_name(l).ok_or_else(|| {
                usage(format!(
                    "--level: unknown level '{l}' (one of trace, debug, info, warn, error, fatal)"
                ))
            })
        })
        .transpose()?;
    let predicates = args
        .predicates
        .iter()
        .map(|p| predicate(p, "--field"))
        .collect::<Result<Vec<_>, _>>()?;
    let grep = args
        .grep
        .as_deref()
        .map(|g| regex(g, "--grep"))
        .transpose()?;
    Ok(FilterConfig {
        input: input(&args.input)?,
        min_level,
        request_ids: args.request_ids.clone(),
        predicates,
        grep,
        format: args.format,
        count: args.count,
        merge: args.merge,
    })
}

#[derive(Clone, Debug)]
pub struct RequestsConfig {
    pub input: InputConfig,
    pub query: crate::listing::Query,
    pub format: RequestsFormat,
    pub max_endpoints: usize,
}

pub fn requests(args: &RequestsArgs) -> Result<RequestsConfig, UsageError> {
    use crate::aggregate::outcome::RequestOutcome;
    use crate::listing::{Query, SortKey};
    let mut outcomes: Vec<RequestOutcome> = args
        .outcome
        .iter()
        .map(|o| match o {
            OutcomeArg::Ok => RequestOutcome::Ok,
            OutcomeArg::Error => RequestOutcome::Error,
            OutcomeArg::Timeout => RequestOutcome::Timeout,
            OutcomeArg::UpstreamClosed => RequestOutcome::UpstreamClosed,
            OutcomeArg::Unfinished => RequestOutcome::Unfinished,
            OutcomeArg::Unknown => RequestOutcome::Unknown,
        })
        .collect();
    outcomes.sort();
    outcomes.dedup();
    let slower_than_ms = args
        .slower_than
        .as_deref()
        .map(|d| duration(d, "--slower-than").map(|us| us as f64 / 1000.0))
        .transpose()?;
    if args.top == Some(0) {
        return Err(usage("--top: must be at least 1"));
    }
    Ok(RequestsConfig {
        input: input(&args.input)?,
        query: Query {
            outcomes,
            slower_than_ms,
            endpoint: args
                .endpoint
                .as_deref()
                .map(|e| regex(e, "--endpoint"))
                .transpose()?,
            sort: match args.sort {
                SortArg::Time => SortKey::Time,
                SortArg::Duration => SortKey::Duration,
                SortArg::Errors => SortKey::Errors,
            },
            top: args.top,
        },
        format: args.format,
        max_endpoints: max_endpoints(args.max_endpoints)?,
    })
}

#[derive(Clone, Debug)]
pub struct WatchConfig {
    pub zone: Zone,
    pub zone_name: String,
    /// `--tz` was given: no inference from the stream.
    pub zone_explicit: bool,
    pub fields: FieldSpec,
    pub log_formats: Vec<LogFormat>,
    /// Empty: stdin.
    pub follow: Vec<std::path::PathBuf>,
    pub from_start: bool,
    pub params: crate::watch::state::Params,
    pub interval: std::time::Duration,
    pub max_line: usize,
    pub max_endpoints: usize,
    pub rules: std::sync::Arc<crate::rules::RuleSet>,
    pub top: usize,
    pub live: bool,
    pub color: bool,
}

/// A size such as `1MiB`, `64KiB`, `500KB`, `4096`.
pub fn size(s: &str, what: &str) -> Result<usize, UsageError> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let mult: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => {
            return Err(usage(format!(
                "{what}: invalid size '{s}' (e.g. 1MiB, 64KiB, 4096)"
            )));
        }
    };
    match num.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n.saturating_mul(mult)),
        _ => Err(usage(format!(
            "{what}: invalid size '{s}' (e.g. 1MiB, 64KiB, 4096)"
        ))),
    }
}

/// `report`'s rules with the `--alert-*` overrides, for `watch`'s alerts only (the summary
/// keeps the rules as `report` has them). Only thresholds change, so the rule slots, and the
/// window counts kept for them, are the same.
fn alert_rules(
    rules: &crate::rules::RuleSet,
    args: &crate::cli::WatchArgs,
) -> Result<crate::rules::RuleSet, UsageError> {
    let mut set = rules.clone();
    let p95 = match &args.alert_p95 {
        Some(d) => Some(duration(d, "--alert-p95")? as f64 / 1000.0),
        None => None,
    };
    for r in &mut set.rules {
        let count = match r.id.as_str() {
            "error_rate_spike" => {
                if let Some(p) = args.alert_error_share {
                    r.params.min_share = p / 100.0;
                }
                None
            }
            "latency_spike" => {
                if let Some(ms) = p95 {
                    r.params.p95_ms = ms;
                }
                None
            }
            "upstream_timeout" | "upstream_closed" | "upstream_refused" => args.alert_upstream,
            "health_check_failing" => args.alert_health,
            _ => None,
        };
        if let Some(n) = count {
            r.params.min_count = n;
            r.enabled = r.enabled && n > 0;
        }
    }
    Ok(set)
}

pub fn watch(args: &crate::cli::WatchArgs) -> Result<WatchConfig, UsageError> {
    use crate::cli::WatchFormat;
    use std::io::IsTerminal;
    if let Some(f) = args.stdin.iter().find(|f| f.as_os_str() != "-") {
        return Err(usage(format!(
            "FILE: watch reads stdin; to follow '{}' use --follow {}",
            f.display(),
            f.display()
        )));
    }
    if !args.follow.is_empty() && !args.stdin.is_empty() {
        return Err(usage("--follow: cannot be combined with '-' (stdin)"));
    }
    let (zone, zone_name) = resolve_zone(args.tz.as_deref())?;
    let window = duration(&args.window, "--window")?;
    if window % 1_000_000 != 0 {
        return Err(usage(format!(
            "--window: must be whole seconds, got '{}'",
            args.window
        )));
    }
    let lateness = match args.lateness.trim() {
        "0" | "0s" => 0,
        l => duration(l, "--lateness")?,
    };
    let interval = duration(&args.interval, "--interval")?;
    let request_ttl = duration(&args.request_ttl, "--request-ttl")?;
    if args
        .alert_error_share
        .is_some_and(|p| !(0.0..=100.0).contains(&p))
    {
        return Err(usage("--alert-error-share: a percentage between 0 and 100"));
    }
    if args.top == 0 {
        return Err(usage("--top: must be at least 1"));
    }
    let rules = std::sync::Arc::new(rule_set(args.rules.as_deref())?);
    let alert_rules = std::sync::Arc::new(alert_rules(&rules, args)?);
    let hold = duration(&args.alert_hold, "--alert-hold")?;
    let terminal = std::io::stdout().is_terminal();
    let live = match args.format {
        WatchFormat::Auto => terminal,
        WatchFormat::Live => true,
        WatchFormat::Json => false,
    };
    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color_env && terminal,
    };
    for f in &args.follow {
        if f.is_dir() {
            return Err(usage(format!("--follow: {}: is a directory", f.display())));
        }
    }
    Ok(WatchConfig {
        zone,
        zone_name,
        zone_explicit: args.tz.is_some(),
        fields: field_spec(&args.fields)?,
        log_formats: log_formats(&args.fields)?,
        follow: args.follow.clone(),
        from_start: args.from_start,
        params: crate::watch::state::Params {
            window,
            lateness,
            request_ttl,
            alert_rules,
            hold,
            keep_windows: 60,
        },
        interval: std::time::Duration::from_micros(interval as u64),
        max_line: size(&args.max_line, "--max-line")?,
        max_endpoints: max_endpoints(args.max_endpoints)?,
        rules,
        top: args.top,
        live,
        color,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("10s", "--window").unwrap(), 10_000_000);
        assert_eq!(duration("1h30m", "--window").unwrap(), 5_400_000_000);
        assert!(
            duration("ten", "--window")
                .unwrap_err()
                .0
                .contains("--window")
        );
        assert!(duration("0s", "--window").is_err());
    }

    #[test]
    fn bounds() {
        let z = Zone::parse("UTC").unwrap();
        assert_eq!(
            bound("30m", "--since", &z).unwrap(),
            Bound::BeforeNewest(1_800_000_000)
        );
        assert_eq!(
            bound("2025-05-06 04:00", "--since", &z).unwrap(),
            Bound::At(1_746_504_000_000_000)
        );
        assert_eq!(
            bound("2025-05-06", "--since", &z).unwrap(),
            Bound::At(1_746_489_600_000_000)
        );
        assert!(
            bound("yesterday", "--since", &z)
                .unwrap_err()
                .0
                .starts_with("--since")
        );
    }
}
