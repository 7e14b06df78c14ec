//! `requests`' options resolved into a `RequestsConfig`: which requests to list (outcomes,
//! `--slower-than`, `--endpoint`), their order and how many. Must not select requests:
//! `listing.rs` applies the `Query`.

use super::input::{InputConfig, input};
use super::values::{duration, max_endpoints, top, width};
use crate::aggregate::outcome::RequestOutcome;
use crate::cli::{OutcomeArg, RequestsArgs, RequestsFormat, SortArg};
use crate::error::UsageError;
use crate::listing::{Query, SortKey};
use crate::select::predicate::regex;

#[derive(Clone, Debug)]
pub struct RequestsConfig {
    pub input: InputConfig,
    pub query: Query,
    pub format: RequestsFormat,
    pub max_endpoints: usize,
    /// Columns the table fits in.
    pub width: usize,
    /// Full request ids in the table.
    pub wide: bool,
}

pub fn requests(args: &RequestsArgs) -> Result<RequestsConfig, UsageError> {
    let outcomes = outcomes(&args.outcome);
    let slower_than_ms = args
        .slower_than
        .as_deref()
        .map(|d| duration(d, "--slower-than").map(|us| us as f64 / 1000.0))
        .transpose()?;
    let top = args.top.map(top).transpose()?;
    let mut input = input(&args.input)?;
    let max_endpoints = max_endpoints(args.max_endpoints)?;
    input.settings.push(crate::summary::Setting::plain(
        "--max-endpoints",
        max_endpoints.to_string(),
    ));
    Ok(RequestsConfig {
        input,
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
            top,
        },
        format: args.format,
        max_endpoints,
        width: width(args.layout.width)?,
        wide: args.layout.wide,
    })
}

/// `--outcome`'s values, sorted and each once.
fn outcomes(args: &[OutcomeArg]) -> Vec<RequestOutcome> {
    let mut outcomes: Vec<RequestOutcome> = args
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
    outcomes
}
