//! What a summary records of the options that change what is counted (`Settings`), built
//! from the arguments as the user wrote them, and where `--save-summary` writes. Must not
//! compare settings (`summary/` does) or read a summary.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{InputArgs, ReportArgs};
use crate::error::{UsageError, usage};
use crate::parse::log_format::LogFormat;
use crate::rules::RuleSet;
use crate::summary::Setting;

/// Where `--save-summary` writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SummaryOut {
    Stdout,
    File(PathBuf),
}

/// The input options that change what is counted: the zone given, field maps, access-log
/// formats and the longest line read. (`--since`/`--until` are added once resolved.)
pub(super) fn input_settings(args: &InputArgs, formats: &[LogFormat]) -> Vec<Setting> {
    let or_none = |v: String| {
        if v.is_empty() {
            "(none)".to_string()
        } else {
            v
        }
    };
    let f = &args.fields;
    let conf: Vec<String> = f
        .nginx_conf
        .iter()
        .map(|p| p.display().to_string())
        .chain(f.nginx_log_format.iter().cloned())
        .collect();
    vec![
        Setting::plain("--tz", or_none(args.tz.clone().unwrap_or_default())),
        Setting::plain("--field", or_none(f.fields.join(" "))),
        Setting::plain(
            "--latency-field",
            or_none(f.latency_field.clone().unwrap_or_default()),
        ),
        Setting::digest(
            "--nginx-log-format/--nginx-conf",
            or_none(conf.join(" ")),
            &format!("{formats:?}"),
        ),
        Setting::plain("--max-line", args.max_line.clone()),
    ]
}

/// `report`'s own options that change what is counted: windows, rules, the endpoint cap.
pub(super) fn report_settings(args: &ReportArgs, rules: Option<&RuleSet>) -> Vec<Setting> {
    let rules_shown = match (&args.rules, rules) {
        (_, None) => "off (--no-triage)".to_string(),
        (Some(p), Some(_)) => p.display().to_string(),
        (None, Some(_)) => "built-in".to_string(),
    };
    vec![
        Setting::plain(
            "--window",
            args.window.clone().unwrap_or_else(|| "auto".into()),
        ),
        Setting::digest("--rules", rules_shown, &format!("{rules:?}")),
        Setting::plain("--max-endpoints", args.max_endpoints.to_string()),
    ]
}

/// `--save-summary`: `-` is standard output, which must not be a terminal (a summary is
/// binary).
pub(super) fn summary_out(arg: Option<&PathBuf>) -> Result<Option<SummaryOut>, UsageError> {
    match arg {
        None => Ok(None),
        Some(p) if p.as_os_str() == "-" => {
            if std::io::stdout().is_terminal() {
                return Err(usage(
                    "--save-summary -: standard output is a terminal, and a summary is binary: redirect it to a file",
                ));
            }
            Ok(Some(SummaryOut::Stdout))
        }
        Some(p) => Ok(Some(SummaryOut::File(p.clone()))),
    }
}
