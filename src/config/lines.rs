//! The options of the commands that print lines: `trace` (ids split from the files) and
//! `filter` (level, predicates, `--grep`), resolved into `TraceConfig` and `FilterConfig`.
//! Must not match lines: predicates are only compiled here (`select/` matches them).

use std::path::PathBuf;

use super::input::{InputConfig, input, input_from};
use crate::cli::{FilterArgs, LinesFormat, TraceArgs};
use crate::error::{UsageError, usage};
use crate::parse::Level;
use crate::select::predicate::{Predicate, predicate, regex};

#[derive(Clone, Debug)]
pub struct TraceConfig {
    pub input: InputConfig,
    pub ids: Vec<String>,
    /// Per id: given shortened (`34f2c543…`, as tables show ids), so it is the start of
    /// the id to follow, not all of it.
    pub shortened: Vec<bool>,
    pub format: LinesFormat,
}

/// Splits trace's positionals: ids until the first argument that is `-`, names an existing
/// path or contains a `/`; files from there on. With `--id`, all of them are files.
fn split_ids(args: &[PathBuf], explicit: bool) -> (Vec<String>, Vec<PathBuf>) {
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
    let mut shortened = Vec::with_capacity(ids.len());
    for id in &mut ids {
        let cut = id.strip_suffix('…').map(str::to_string);
        shortened.push(cut.is_some());
        if let Some(start) = cut {
            if start.chars().count() < 4 {
                return Err(usage(format!(
                    "ID '{id}': a shortened id needs at least its first 4 characters"
                )));
            }
            *id = start;
        }
    }
    Ok(TraceConfig {
        input: input_from(&args.input, &files)?,
        ids,
        shortened,
        format: args.format,
    })
}

#[derive(Clone, Debug)]
pub struct FilterConfig {
    pub input: InputConfig,
    pub min_level: Option<Level>,
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
            Level::from_name(l).ok_or_else(|| {
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
