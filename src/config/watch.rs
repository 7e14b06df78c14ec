//! `watch`'s options resolved into a `WatchConfig`: where it reads (stdin or `--follow`
//! files), its windows and timings, the alert thresholds laid over `report`'s rules, and
//! live view or JSON lines. Must not open a followed file: `--follow` paths are only checked
//! here, opened by `cmd/watch.rs`.

use std::path::PathBuf;
use std::sync::Arc;

use super::input::{field_spec, log_formats};
use super::report::rule_set;
use super::values::{
    color, duration, max_endpoints, resolve_zone, size, stdout_is_terminal, top, whole_seconds,
    width,
};
use crate::cli::{WatchArgs, WatchFormat};
use crate::error::{UsageError, usage};
use crate::parse::time::{Micros, Zone};
use crate::parse::{FieldSpec, log_format::LogFormat};
use crate::rules::RuleSet;
use crate::watch::state::Params;

#[derive(Clone, Debug)]
pub struct WatchConfig {
    pub zone: Zone,
    pub zone_name: String,
    /// `--tz` was given: no inference from the stream.
    pub zone_explicit: bool,
    pub fields: FieldSpec,
    pub log_formats: Vec<LogFormat>,
    /// Empty: stdin.
    pub follow: Vec<PathBuf>,
    pub from_start: bool,
    pub params: Params,
    pub interval: std::time::Duration,
    pub max_line: usize,
    pub max_endpoints: usize,
    pub rules: Arc<RuleSet>,
    pub top: usize,
    pub live: bool,
    pub color: bool,
    /// Columns the end-of-stream report fits in.
    pub width: usize,
}

/// Closed windows kept for the live view.
const KEEP_WINDOWS: usize = 60;

/// The checks run in a fixed order, so of several mistakes the same one is always named.
pub fn watch(args: &WatchArgs) -> Result<WatchConfig, UsageError> {
    sources(args)?;
    let (zone, zone_name) = resolve_zone(args.tz.as_deref())?;
    let timing = timing(args)?;
    if args
        .alert_error_share
        .is_some_and(|p| !(0.0..=100.0).contains(&p))
    {
        return Err(usage("--alert-error-share: a percentage between 0 and 100"));
    }
    let top = top(args.top)?;
    let rules = Arc::new(rule_set(args.rules.as_deref())?);
    let alert_rules = Arc::new(alert_rules(&rules, args)?);
    let hold = duration(&args.alert_hold, "--alert-hold")?;
    let terminal = stdout_is_terminal();
    let live = match args.format {
        WatchFormat::Auto => terminal,
        WatchFormat::Live => true,
        WatchFormat::Json => false,
    };
    let color = color(args.color, terminal);
    followed_files(&args.follow)?;
    Ok(WatchConfig {
        zone,
        zone_name,
        zone_explicit: args.tz.is_some(),
        fields: field_spec(&args.fields)?,
        log_formats: log_formats(&args.fields)?,
        follow: args.follow.clone(),
        from_start: args.from_start,
        params: Params {
            window: timing.window,
            lateness: timing.lateness,
            request_ttl: timing.request_ttl,
            alert_rules,
            hold,
            keep_windows: KEEP_WINDOWS,
        },
        interval: std::time::Duration::from_micros(timing.interval as u64),
        max_line: size(&args.max_line, "--max-line")?,
        max_endpoints: max_endpoints(args.max_endpoints)?,
        rules,
        top,
        live,
        color,
        width: width(None)?,
    })
}

/// Stdin, or `--follow` files: a file named without `--follow`, or both at once, is refused.
fn sources(args: &WatchArgs) -> Result<(), UsageError> {
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
    Ok(())
}

/// A directory can be named but never followed; anything else (missing files included,
/// which may appear later) is left to the follower.
fn followed_files(follow: &[PathBuf]) -> Result<(), UsageError> {
    for f in follow {
        if f.is_dir() {
            return Err(usage(format!("--follow: {}: is a directory", f.display())));
        }
    }
    Ok(())
}

/// `watch`'s durations, in microseconds.
struct Timing {
    window: Micros,
    lateness: Micros,
    interval: Micros,
    request_ttl: Micros,
}

fn timing(args: &WatchArgs) -> Result<Timing, UsageError> {
    let window = whole_seconds(duration(&args.window, "--window")?, &args.window)?;
    // `duration` refuses zero, but no lateness at all is a fair choice here.
    let lateness = match args.lateness.trim() {
        "0" | "0s" => 0,
        l => duration(l, "--lateness")?,
    };
    Ok(Timing {
        window,
        lateness,
        interval: duration(&args.interval, "--interval")?,
        request_ttl: duration(&args.request_ttl, "--request-ttl")?,
    })
}

/// `report`'s rules with the `--alert-*` overrides, for `watch`'s alerts only (the summary
/// keeps the rules as `report` has them). Only thresholds change, so the rule slots, and the
/// window counts kept for them, are the same.
fn alert_rules(rules: &RuleSet, args: &WatchArgs) -> Result<RuleSet, UsageError> {
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
