//! The finished report: sorted, rounded, documented. Its `Serialize` derive is the JSON
//! contract (docs/report-schema.md); this file holds only those types. Built once from the
//! merged `Partial` (`build.rs` and the section files beside it); renderers read it and
//! nothing else. Must not read input or print.

pub mod brief;
mod build;
pub mod front;
mod headline;
mod latency;
mod requests;
mod sections;
mod windows;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::aggregate::latency::LatencySummary;
use crate::aggregate::outcome::{Outcomes, RequestOutcome, RetiredRequests};
use crate::aggregate::zones::Reading;
use crate::model::BySource;
use crate::parse::Source;
use crate::rules::RuleSet;
use crate::triage::evaluate::{Flag, Incident, SampleLine};

/// Version of the JSON schema; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

pub const LATENCY_RULE: &str = "milliseconds; unit from the key's suffix (_ms, _us, _ns, _s), else from a string value's suffix (\"12ms\", \"1.5s\"), else seconds; pino-http responseTime is ms, ECS event.duration is ns; nginx $request_time is seconds";

#[derive(Serialize, Debug)]
pub struct Report {
    pub version: u32,
    pub headline: String,
    pub inputs: Vec<InputReport>,
    pub totals: Totals,
    pub time_range: Option<TimeRange>,
    pub timezone_assumed: String,
    pub latency_unit_rule: &'static str,
    pub window_seconds: u64,
    /// The `--window` asked for, when more than `MAX_FIXED_WINDOWS` windows of it would have
    /// been needed and `window_seconds` is a multiple of it instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_requested_seconds: Option<u64>,
    /// The most windows of a fixed width (`window_requested_seconds` says why it widened).
    #[serde(skip)]
    pub max_fixed_windows: usize,
    pub primary_source: Source,
    pub levels: Levels,
    pub status: BySource<BTreeMap<String, u64>>,
    pub error_types: Vec<ErrorType>,
    pub latency: BySource<LatencySide>,
    /// Per source of enveloped lines (pod, unit, host, container), most lines first; empty
    /// when no input names its sources.
    pub sources: Vec<SourceReport>,
    pub windows: Vec<Window>,
    pub requests: RequestsReport,
    /// Incidents first: flagged windows merged (docs/report-schema.md).
    pub incidents: Vec<Incident>,
    pub flags: Vec<Flag>,
    pub baseline_rule: &'static str,
    /// Top error patterns (templates with ERROR or FATAL lines).
    pub patterns: Vec<Pattern>,
    pub pattern_stats: PatternStats,
    pub unparsed_samples: Vec<UnparsedSample>,
    /// The first screen, from the fields above (not part of the JSON contract).
    #[serde(skip)]
    pub brief: brief::Brief,
}

#[derive(Serialize, Debug)]
pub struct Pattern {
    pub template: String,
    pub count: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    /// Lines per level; `NONE` for lines without one.
    pub levels: BTreeMap<&'static str, u64>,
    pub sample: Option<SampleLine>,
}

#[derive(Serialize, Debug, Default)]
pub struct PatternStats {
    /// Lines with a message.
    pub lines: u64,
    /// Templates after clustering.
    pub templates: u64,
    /// Templates with ERROR or FATAL lines.
    pub error_templates: u64,
}

#[derive(Serialize, Debug, Default)]
pub struct InputReport {
    pub path: String,
    pub formats: BTreeMap<&'static str, u64>,
    /// Parsed records per envelope kind they came in (`docker`, `cri`, ...); empty for bare
    /// lines.
    pub envelopes: BTreeMap<&'static str, u64>,
    pub lines: u64,
    pub parsed: u64,
    /// Physical lines joined into the record before them (envelope fragments).
    pub continuation: u64,
    pub unparsed: u64,
    /// Of `unparsed`, the records whose first line was longer than `--max-line`.
    pub oversized: u64,
    /// Latency values past `parse::MAX_LATENCY_MS`, negative or not a number: in no figure.
    pub latency_out_of_range: u64,
    pub blank: u64,
    pub untimed: u64,
    pub bytes: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    pub error: Option<String>,
    /// Access lines of the app server (uvicorn, gunicorn, morgan) whose status was not
    /// counted, since the app logs its own status for the same requests.
    pub echoed_access_lines: u64,
    /// How the input's stamps without a zone were read, and why; absent when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<Reading>,
}

#[derive(Serialize, Debug, Default)]
pub struct Totals {
    pub lines: u64,
    pub parsed: u64,
    pub continuation: u64,
    pub unparsed: u64,
    pub oversized: u64,
    pub blank: u64,
    pub untimed: u64,
    pub filtered: u64,
    /// Present when more endpoints than `--max-endpoints` were seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints_folded: Option<Folded>,
}

/// What `--max-endpoints` folded into `(other endpoints)`.
#[derive(Serialize, Debug)]
pub struct Folded {
    /// The endpoint name they share.
    pub into: &'static str,
    pub max_endpoints: usize,
    /// Lines whose endpoint was folded: still counted in every total, status, latency and
    /// window, only not per endpoint.
    pub lines: u64,
}

#[derive(Serialize, Debug)]
pub struct TimeRange {
    pub start: String,
    pub end: String,
    pub seconds: f64,
}

#[derive(Serialize, Debug, Default)]
#[allow(non_snake_case)]
pub struct Levels {
    pub TRACE: u64,
    pub DEBUG: u64,
    pub INFO: u64,
    pub WARN: u64,
    pub ERROR: u64,
    pub FATAL: u64,
}

#[derive(Serialize, Debug)]
pub struct ErrorType {
    #[serde(rename = "type")]
    pub kind: String,
    pub source: Source,
    pub count: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    pub http_status: Option<u16>,
    pub endpoints: Vec<EndpointCount>,
    pub request_ids: Vec<String>,
}

#[derive(Serialize, Debug)]
pub struct EndpointCount {
    pub endpoint: String,
    pub count: u64,
}

#[derive(Serialize, Debug, Default)]
pub struct LatencySide {
    /// Every endpoint except health checks.
    pub overall: Option<LatencySummary>,
    /// Health-check endpoints only.
    pub health: Option<LatencySummary>,
    pub endpoints: Vec<EndpointLatency>,
    /// Set when the median is above an hour or below a microsecond: the unit the values
    /// were read in is likely wrong (docs/report-schema.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_doubt: Option<String>,
}

/// One row of a latency table: the overall figures, the health checks', or an endpoint's.
pub struct LatencyRow<'a> {
    /// `(all but health checks)`, `(health checks)` or the endpoint.
    pub name: &'a str,
    /// The overall or health-check row, not an endpoint's.
    pub total: bool,
    pub summary: &'a LatencySummary,
}

impl LatencySide {
    /// The rows every latency table shows, in order: overall, health checks, endpoints.
    pub fn rows(&self) -> Vec<LatencyRow<'_>> {
        let totals = [
            ("(all but health checks)", &self.overall),
            ("(health checks)", &self.health),
        ];
        let totals = totals.into_iter().filter_map(|(name, s)| {
            s.as_ref().map(|summary| LatencyRow {
                name,
                total: true,
                summary,
            })
        });
        let endpoints = self.endpoints.iter().map(|e| LatencyRow {
            name: &e.endpoint,
            total: false,
            summary: &e.summary,
        });
        totals.chain(endpoints).collect()
    }
}

/// What to say when a side's median latency cannot be a request's: over an hour, or under
/// a microsecond.
pub fn unit_doubt(overall: Option<&LatencySummary>) -> Option<String> {
    let m = overall?.p50;
    let how = if m > 3_600_000.0 {
        "above an hour"
    } else if (0.0..0.001).contains(&m) {
        "below a microsecond"
    } else {
        return None;
    };
    Some(format!(
        "median {m} ms is {how}: the latency's unit is likely misread; name the field and its unit with --latency-field NAME:s|ms|us|ns"
    ))
}

#[derive(Serialize, Debug)]
pub struct EndpointLatency {
    pub endpoint: String,
    pub health: bool,
    #[serde(flatten)]
    pub summary: LatencySummary,
}

#[derive(Serialize, Debug)]
pub struct SourceReport {
    /// `pod NAMESPACE/POD/CONTAINER`, `unit HOST/UNIT`, `host HOST/PROGRAM`, `container ID`.
    pub source: String,
    pub lines: u64,
    /// Lines at ERROR or worse.
    pub errors: u64,
    pub status_5xx: u64,
    /// p95 latency, ms, of its completion lines (and lines without a request id).
    pub p95: Option<f64>,
    pub latency: Option<LatencySummary>,
}

#[derive(Serialize, Debug)]
pub struct Window {
    pub start: String,
    pub lines: u64,
    /// Lines with an HTTP status of the primary source: its requests in the window.
    pub requests: u64,
    pub errors: u64,
    pub warnings: u64,
    /// 5xx of the primary source.
    pub status_5xx: u64,
    pub status_5xx_app: u64,
    pub status_5xx_nginx: u64,
    /// p95 latency (ms) of the primary source, health checks excluded.
    pub p95: Option<f64>,
    pub p95_app: Option<f64>,
    pub p95_nginx: Option<f64>,
    /// Full latency summary per source in this window, health checks excluded.
    pub latency: BySource<Option<LatencySummary>>,
    /// Rules that fired in this window (ids, sorted).
    pub flags: Vec<String>,
    /// The 1-based number of the incident this window belongs to.
    pub incident: Option<u32>,
    /// Timed lines per error type named in `error_types` (its sources together), zeros left
    /// out.
    pub error_types: BTreeMap<String, u64>,
}

#[derive(Serialize, Debug, Default)]
pub struct RequestsReport {
    pub total: u64,
    /// Requests with an error line, an error type or a 5xx.
    pub with_errors: u64,
    /// Requests the app saw whose app lines never include a completion line (status or
    /// latency), counted where their source logs completions for others (whatever nginx
    /// answered); null when no source logs any, since then nothing can be called unfinished.
    pub unfinished: Option<u64>,
    pub outcomes: Outcomes,
    pub slowest: Vec<SlowRequest>,
    /// Requests the app never answered (`timeout`, `upstream_closed`, `unfinished`), the
    /// earliest `--top` by first line, then id, with the last thing the app logged for each.
    pub stuck: Vec<StuckRequest>,
}

#[derive(Serialize, Debug)]
pub struct StuckRequest {
    pub id: String,
    pub endpoint: Option<String>,
    pub outcome: RequestOutcome,
    pub status: Option<u16>,
    pub first: Option<String>,
    pub last: Option<String>,
    pub lines: u64,
    /// The request's last app message, variable parts masked; null when the app logged
    /// none for it, or with `--no-triage`.
    pub last_words: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct SlowRequest {
    pub id: String,
    pub endpoint: Option<String>,
    pub duration_ms: f64,
    pub app_ms: Option<f64>,
    pub nginx_ms: Option<f64>,
    pub status: Option<u16>,
    pub outcome: RequestOutcome,
    pub first: Option<String>,
    pub lines: u64,
}

#[derive(Serialize, Debug)]
pub struct UnparsedSample {
    pub path: String,
    pub line: u64,
    pub text: String,
}

/// What the report needs besides the merged partial.
pub struct Context<'a> {
    /// Triage rules (flags, incidents); patterns come with them.
    pub rules: Option<&'a RuleSet>,
    /// Requests a stream already dropped from the partial (`watch`).
    pub retired: Option<&'a RetiredRequests>,
    pub paths: &'a [String],
    pub errors: &'a [Option<String>],
    pub timezone: &'a str,
    /// Per input, how its naive stamps were read (empty: none known).
    pub zones: &'a [Option<Reading>],
    pub top: usize,
}

impl Report {
    /// The window with the most errors plus 5xx; the earliest on ties.
    pub fn worst_window(&self) -> Option<&Window> {
        self.windows
            .iter()
            .filter(|w| w.errors + w.status_5xx > 0)
            .max_by(|a, b| {
                (a.errors + a.status_5xx)
                    .cmp(&(b.errors + b.status_5xx))
                    .then_with(|| b.start.cmp(&a.start))
            })
    }
}
