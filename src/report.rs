//! The finished report: sorted, rounded, documented. Its `Serialize` derive is the JSON
//! contract (docs/report-schema.md). Built once from the merged `Partial`; renderers read it
//! and nothing else. Must not read input or print.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::aggregate::intern::NONE;
use crate::aggregate::outcome::{Outcomes, RequestOutcome, Tally, outcome};
use crate::model::round3;
// Old homes of these, kept until the last importer moved.
use crate::aggregate::Partial;
use crate::aggregate::latency::{self, LatencySummary};
pub use crate::aggregate::outcome::{Completions, RetiredRequests};
use crate::aggregate::requests::ReqAgg;
use crate::aggregate::zones::Reading;
use crate::engine;
pub use crate::model::{BySource, human_duration, opt_ms, ts};
use crate::parse::endpoint;
use crate::parse::time::format_utc;
use crate::parse::{Format, Level, Source};
use crate::rules::RuleSet;
use crate::triage::evaluate::{self as triage, BASELINE_RULE, Flag, Incident, SampleLine};
use crate::triage::patterns;

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
    pub fn build(p: Partial, ctx: &Context) -> Report {
        // The engine folds before finishing request partitions; this is for other callers.
        let mut p = p.fold_endpoints();
        // The engine finishes request partitions in parallel; this is for other callers.
        if !p.requests.is_finished() {
            p.requests.finish(&p.names);
        }
        p.count_requests_latency();
        let names = std::mem::take(&mut p.names);
        let name = |id: u32| names.name(id).to_string();

        let mut totals = Totals {
            filtered: p.filtered,
            endpoints_folded: p.endpoints.folded_lines().map(|lines| Folded {
                into: crate::aggregate::cardinality::OTHER,
                max_endpoints: p.endpoints.cap(),
                lines,
            }),
            ..Totals::default()
        };
        let mut inputs = Vec::new();
        for (i, f) in p.files.iter().enumerate() {
            totals.lines += f.lines;
            totals.parsed += f.parsed;
            totals.continuation += f.continuation;
            totals.unparsed += f.unparsed;
            totals.oversized += f.oversized;
            totals.blank += f.blank;
            totals.untimed += f.untimed;
            inputs.push(InputReport {
                path: ctx.paths[i].clone(),
                formats: Format::ALL
                    .iter()
                    .filter(|fm| f.formats[**fm as usize] > 0)
                    .map(|fm| (fm.name(), f.formats[*fm as usize]))
                    .collect(),
                envelopes: crate::parse::envelope::Kind::ALL
                    .iter()
                    .filter(|k| f.envelopes[**k as usize] > 0)
                    .map(|k| (k.name(), f.envelopes[*k as usize]))
                    .collect(),
                lines: f.lines,
                parsed: f.parsed,
                continuation: f.continuation,
                unparsed: f.unparsed,
                oversized: f.oversized,
                latency_out_of_range: f.latency_out_of_range,
                blank: f.blank,
                untimed: f.untimed,
                bytes: f.bytes,
                first: ts(f.first),
                last: ts(f.last),
                error: ctx.errors.get(i).cloned().flatten(),
                echoed_access_lines: f.echoed,
                timezone: ctx.zones.get(i).cloned().flatten(),
            });
        }

        let l = p.levels;
        let levels = Levels {
            TRACE: l[Level::Trace as usize],
            DEBUG: l[Level::Debug as usize],
            INFO: l[Level::Info as usize],
            WARN: l[Level::Warn as usize],
            ERROR: l[Level::Error as usize],
            FATAL: l[Level::Fatal as usize],
        };
        let status_of = |m: &rustc_hash::FxHashMap<u16, u64>| {
            m.iter().map(|(k, v)| (k.to_string(), *v)).collect()
        };
        let status = BySource {
            app: status_of(&p.status[0]),
            nginx: status_of(&p.status[1]),
        };
        let has_nginx_traffic = !p.status[1].is_empty() || !p.latency[1].is_empty();
        let primary = if has_nginx_traffic {
            Source::Nginx
        } else {
            Source::App
        };

        let span = if p.min_ts <= p.max_ts {
            p.max_ts - p.min_ts
        } else {
            0
        };
        let width = p.windows.display_width(span);
        let widened_from = p.windows.widened_from();
        let mut wins = std::mem::replace(
            &mut p.windows,
            crate::aggregate::windows::Windows::new(None),
        )
        .finish(width);

        // Triage reads the windows, error types and requests before they are consumed below.
        let clusters = match ctx.rules {
            Some(_) => patterns::cluster(&p.triage.patterns, &names),
            None => Vec::new(),
        };
        let judged = match ctx.rules {
            Some(rules) if !wins.is_empty() => triage::evaluate(
                &p, &names, rules, &wins, width, primary, &clusters, ctx.paths,
            ),
            _ => triage::Triage::default(),
        };
        let (patterns, pattern_stats) = pattern_report(&clusters, ctx);

        let mut error_types: Vec<ErrorType> = p
            .errors
            .drain()
            .map(|((src, id), e)| {
                let mut eps: Vec<EndpointCount> = e
                    .endpoints
                    .iter()
                    .map(|(ep, n)| EndpointCount {
                        endpoint: name(*ep),
                        count: *n,
                    })
                    .collect();
                eps.sort_by(|a, b| {
                    b.count
                        .cmp(&a.count)
                        .then_with(|| a.endpoint.cmp(&b.endpoint))
                });
                eps.truncate(5);
                ErrorType {
                    kind: name(id),
                    source: src,
                    count: e.count,
                    first: ts(e.first),
                    last: ts(e.last),
                    http_status: e.http_status,
                    endpoints: eps,
                    request_ids: e.ids.iter().map(|x| x.3.to_string()).collect(),
                }
            })
            .collect();
        error_types.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.source.cmp(&b.source))
                .then_with(|| a.kind.cmp(&b.kind))
        });
        error_types.truncate(ctx.top);

        // Every latency summary is independent of the others: gather the value sets (per
        // endpoint, overall and health per source, per window), summarise them in parallel.
        let mut sets: Vec<latency::LatStore> = Vec::new();
        let mut eps: [Vec<(String, bool, usize)>; 2] = Default::default();
        let mut pooled: [[latency::LatStore; 2]; 2] = Default::default();
        for (si, m) in p.latency.iter_mut().enumerate() {
            for (id, vals) in m.drain() {
                let ep = name(id);
                let is_health = endpoint::is_health(&ep);
                pooled[si][is_health as usize].merge(&vals, latency::EXACT_CAP);
                eps[si].push((ep, is_health, sets.len()));
                sets.push(vals);
            }
        }
        let pooled_at = sets.len();
        sets.extend(pooled.into_iter().flatten());
        let windows_at = sets.len();
        for (_, w) in &mut wins {
            sets.extend(w.latency.iter_mut().map(std::mem::take));
        }
        let mut summaries: Vec<Option<LatencySummary>> =
            engine::par_map(sets, |mut v| v.summarize());
        let mut take = |i: usize| summaries[i].take();

        let [app_eps, nginx_eps] = eps;
        let mut side = |si: usize, list: Vec<(String, bool, usize)>| {
            let mut endpoints: Vec<EndpointLatency> = list
                .into_iter()
                .filter_map(|(endpoint, health, i)| {
                    take(i).map(|summary| EndpointLatency {
                        endpoint,
                        health,
                        summary,
                    })
                })
                .collect();
            endpoints.sort_by(|a, b| {
                b.summary
                    .count
                    .cmp(&a.summary.count)
                    .then_with(|| a.endpoint.cmp(&b.endpoint))
            });
            endpoints.truncate(ctx.top);
            LatencySide {
                overall: take(pooled_at + 2 * si),
                health: take(pooled_at + 2 * si + 1),
                endpoints,
                unit_doubt: None,
            }
        };
        let mut latency = BySource {
            app: side(0, app_eps),
            nginx: side(1, nginx_eps),
        };
        for l in [&mut latency.app, &mut latency.nginx] {
            l.unit_doubt = unit_doubt(l.overall.as_ref().or(l.health.as_ref()));
        }
        let sources = sources_report(&mut p, &names, ctx.top);

        let mut fired_in: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for f in &judged.flags {
            for w in &f.windows {
                fired_in.entry(w.as_str()).or_default().push(f.rule.clone());
            }
        }
        for v in fired_in.values_mut() {
            v.sort();
            v.dedup();
        }
        let incident_of = |start: &str| {
            // Same RFC 3339 format throughout, so strings order like times.
            judged
                .incidents
                .iter()
                .position(|i| i.start.as_str() <= start && start < i.end.as_str())
                .map(|i| i as u32 + 1)
        };
        let windows: Vec<Window> = wins
            .into_iter()
            .enumerate()
            .map(|(k, (start, w))| {
                let start_s = format_utc(start);
                let app = take(windows_at + 2 * k);
                let nginx = take(windows_at + 2 * k + 1);
                let p95_app = app.as_ref().map(|s| s.p95);
                let p95_nginx = nginx.as_ref().map(|s| s.p95);
                let pi = primary as usize;
                Window {
                    flags: fired_in.get(start_s.as_str()).cloned().unwrap_or_default(),
                    incident: incident_of(&start_s),
                    start: start_s,
                    lines: w.lines,
                    errors: w.errors,
                    warnings: w.warnings,
                    status_5xx: w.status_5xx[pi],
                    status_5xx_app: w.status_5xx[0],
                    status_5xx_nginx: w.status_5xx[1],
                    p95: if pi == 0 { p95_app } else { p95_nginx },
                    p95_app,
                    p95_nginx,
                    latency: BySource { app, nginx },
                }
            })
            .collect();

        let requests = requests_report(&p, &names, ctx.top, ctx.retired);
        let mut unparsed_samples: Vec<UnparsedSample> = p
            .samples
            .iter()
            .map(|s| UnparsedSample {
                path: ctx.paths[s.file as usize].clone(),
                line: s.line,
                text: s.text.clone(),
            })
            .collect();
        unparsed_samples.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));

        let mut r = Report {
            version: SCHEMA_VERSION,
            headline: String::new(),
            inputs,
            totals,
            time_range: (p.min_ts <= p.max_ts).then(|| TimeRange {
                start: format_utc(p.min_ts),
                end: format_utc(p.max_ts),
                seconds: round3(span as f64 / 1e6),
            }),
            timezone_assumed: ctx.timezone.to_string(),
            latency_unit_rule: LATENCY_RULE,
            window_seconds: (width / 1_000_000) as u64,
            window_requested_seconds: widened_from.map(|w| (w / 1_000_000) as u64),
            max_fixed_windows: crate::aggregate::windows::MAX_FIXED_WINDOWS,
            primary_source: primary,
            levels,
            status,
            error_types,
            latency,
            sources,
            windows,
            requests,
            incidents: judged.incidents,
            flags: judged.flags,
            baseline_rule: BASELINE_RULE,
            patterns,
            pattern_stats,
            unparsed_samples,
        };
        r.headline = headline(&r);
        r
    }

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

/// The sources with the most lines, each with its latency summary.
fn sources_report(
    p: &mut Partial,
    names: &crate::aggregate::intern::Interner,
    top: usize,
) -> Vec<SourceReport> {
    let mut v: Vec<SourceReport> = p
        .sources
        .by_name
        .drain()
        .map(|(id, mut s)| {
            let latency = s.latency.summarize();
            SourceReport {
                source: names.name(id).to_string(),
                lines: s.lines,
                errors: s.errors,
                status_5xx: s.status_5xx,
                p95: latency.as_ref().map(|l| l.p95),
                latency,
            }
        })
        .collect();
    v.sort_by(|a, b| b.lines.cmp(&a.lines).then_with(|| a.source.cmp(&b.source)));
    v.truncate(top);
    v
}

/// The top error patterns, and how far clustering collapsed the messages.
fn pattern_report(clusters: &[patterns::Cluster], ctx: &Context) -> (Vec<Pattern>, PatternStats) {
    const LEVELS: [&str; 7] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "NONE"];
    let is_error = |c: &&patterns::Cluster| {
        c.agg.levels[Level::Error as usize] + c.agg.levels[Level::Fatal as usize] > 0
    };
    let stats = PatternStats {
        lines: clusters.iter().map(|c| c.agg.count).sum(),
        templates: clusters.len() as u64,
        error_templates: clusters.iter().filter(is_error).count() as u64,
    };
    let list = clusters
        .iter()
        .filter(is_error)
        .take(ctx.top)
        .map(|c| Pattern {
            template: c.template.clone(),
            count: c.agg.count,
            first: ts(c.agg.first),
            last: ts(c.agg.last),
            levels: LEVELS
                .iter()
                .zip(c.agg.levels)
                .filter(|(_, n)| *n > 0)
                .map(|(l, n)| (*l, n))
                .collect(),
            sample: c.agg.sample.as_ref().map(|s| SampleLine {
                path: ctx.paths[s.file as usize].clone(),
                line: s.line,
                text: s.text.clone(),
            }),
        })
        .collect();
    (list, stats)
}

fn requests_report(
    p: &Partial,
    names: &crate::aggregate::intern::Interner,
    top: usize,
    retired: Option<&RetiredRequests>,
) -> RequestsReport {
    let completes = Completions::of(p);
    let mut tally = retired.map_or_else(Tally::default, |r| r.tally.clone());
    let mut slow: Vec<(f32, crate::aggregate::requests::ReqKey, &ReqAgg)> = retired
        .map(|r| {
            r.slowest
                .iter()
                .map(|(d, k, a)| (*d, k.clone(), a))
                .collect()
        })
        .unwrap_or_default();
    let mut floor = f32::NEG_INFINITY;
    for (key, r) in p.requests.iter() {
        tally.add(r, &completes);
        let d = r.app_ms.max(r.nginx_ms);
        // Below the current top N's slowest-kept duration a request cannot enter it; equal
        // durations still can (ties go by id).
        if d >= 0.0 && d >= floor {
            slow.push((d, key, r));
            if slow.len() > top.max(1) * 64 {
                prune(&mut slow, top);
                if slow.len() == top && top > 0 {
                    floor = slow[top - 1].0;
                }
            }
        }
    }
    let mut out = RequestsReport {
        total: tally.total,
        with_errors: tally.with_errors,
        unfinished: (tally.any_completes || completes.any()).then_some(tally.never_finished),
        outcomes: tally.outcomes,
        slowest: Vec::new(),
    };
    prune(&mut slow, top);
    out.slowest = slow
        .into_iter()
        .map(|(d, key, r)| SlowRequest {
            id: key.render(),
            endpoint: (r.endpoint != NONE).then(|| names.name(r.endpoint).to_string()),
            duration_ms: round3(d as f64),
            app_ms: opt_ms(r.app_ms),
            nginx_ms: opt_ms(r.nginx_ms),
            status: [r.nginx_status, r.app_status].into_iter().find(|s| *s > 0),
            outcome: outcome(r, &completes),
            first: ts(r.first),
            lines: r.lines as u64,
        })
        .collect();
    out
}

/// Keeps the `top` slowest, ordered by duration (desc) then id, so ties are deterministic.
fn prune(v: &mut Vec<(f32, crate::aggregate::requests::ReqKey, &ReqAgg)>, top: usize) {
    v.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    v.truncate(top);
}

fn short(t: &str) -> &str {
    // `2025-05-06T04:00:08.000Z` -> `2025-05-06 04:00:08`
    t.get(..19).unwrap_or(t)
}

fn headline(r: &Report) -> String {
    let mut parts = Vec::new();
    match &r.time_range {
        Some(tr) => parts.push(format!(
            "{} to {} UTC ({})",
            short(&tr.start).replace('T', " "),
            short(&tr.end).replace('T', " "),
            human_duration(tr.seconds)
        )),
        // `--since`/`--until` left nothing: not the same as lines that carry no time.
        None if r.totals.filtered > 0 => parts.push(format!(
            "no lines in the range ({} outside --since/--until)",
            r.totals.filtered
        )),
        None => parts.push("no timestamps: counts only".to_string()),
    }
    if r.requests.total > 0 {
        let o = &r.requests.outcomes;
        let known = r.requests.total - o.unknown;
        let failed = o.failed();
        let share = |n: u64, of: u64| 100.0 * n as f64 / of.max(1) as f64;
        parts.push(if o.unknown == 0 {
            format!(
                "{} requests, {:.1}% failed",
                r.requests.total,
                share(failed, known)
            )
        } else if known == 0 {
            format!(
                "{} requests, none with a known outcome (no completion lines)",
                r.requests.total
            )
        } else {
            format!(
                "{} requests, {failed} of {known} with a known outcome failed ({:.1}%), {} unknown",
                r.requests.total,
                share(failed, known),
                o.unknown
            )
        });
    } else {
        let errs = r.levels.ERROR + r.levels.FATAL;
        let share = if r.totals.parsed > 0 {
            100.0 * errs as f64 / r.totals.parsed as f64
        } else {
            0.0
        };
        parts.push(format!("{} lines, {:.1}% errors", r.totals.lines, share));
    }
    if let Some(w) = r.worst_window() {
        parts.push(format!(
            "worst window {} ({} errors, {} 5xx)",
            short(&w.start).replace('T', " "),
            w.errors,
            w.status_5xx
        ));
    }
    if let Some(e) = r.error_types.first() {
        parts.push(format!("top error {} ({})", e.kind, e.count));
    }
    parts.join("; ")
}
