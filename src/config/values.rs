//! One option value each, validated: durations, sizes, `--max-endpoints`, the time zone and
//! the colour choice, shared by every subcommand's config. Must not know which subcommand
//! asks (the caller names the option in `what`) and must not read clap structs whole.

use std::io::IsTerminal;

use crate::cli::ColorChoice;
use crate::error::{UsageError, usage};
use crate::parse::picked::go_duration_ms;
use crate::parse::time::{Micros, Zone};

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

/// A `--window` in whole seconds (windows are cut at second boundaries); `given` is the
/// option as written, for the message.
pub fn whole_seconds(window: Micros, given: &str) -> Result<Micros, UsageError> {
    if window % 1_000_000 != 0 {
        return Err(usage(format!(
            "--window: must be whole seconds, got '{given}'"
        )));
    }
    Ok(window)
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

/// `--max-endpoints` must keep at least one.
pub fn max_endpoints(n: usize) -> Result<usize, UsageError> {
    if n == 0 {
        return Err(usage("--max-endpoints: must be at least 1"));
    }
    Ok(n)
}

/// `--top` must show at least one.
pub fn top(n: usize) -> Result<usize, UsageError> {
    if n == 0 {
        return Err(usage("--top: must be at least 1"));
    }
    Ok(n)
}

/// The zone naive stamps are read in, and its name as shown: `--tz`, else `TZ`, else the
/// system's zone, else UTC (said so in the name).
pub fn resolve_zone(arg: Option<&str>) -> Result<(Zone, String), UsageError> {
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

/// Whether stdout is a terminal: `--color auto` and `watch --format auto` follow it.
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// The narrowest `--width` tables can be laid out in.
pub const MIN_WIDTH: usize = 60;

/// `--width`, else the terminal's width when stdout is one, else `COLUMNS`, else 120.
pub fn width(flag: Option<usize>) -> Result<usize, UsageError> {
    if let Some(w) = flag {
        if w < MIN_WIDTH {
            return Err(usage(format!(
                "--width: {w} is too narrow for tables (at least {MIN_WIDTH})"
            )));
        }
        return Ok(w);
    }
    let terminal = stdout_is_terminal()
        .then(|| terminal_size::terminal_size().map(|(w, _)| w.0 as usize))
        .flatten();
    let columns = || {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
    };
    Ok(terminal
        .or_else(columns)
        .filter(|&w| w > 0)
        .unwrap_or(120)
        .max(MIN_WIDTH))
}

/// `--color`: `auto` colours a terminal unless `NO_COLOR` is set (and not empty).
pub fn color(choice: ColorChoice, terminal: bool) -> bool {
    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color_env && terminal,
    }
}
