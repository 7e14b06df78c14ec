//! Report sections built straight from the merged partial: inputs and totals, levels,
//! statuses, error types, sources, patterns, unparsed samples. Each is one function from the
//! partial to finished values; must not print.

use super::{
    Context, EndpointCount, ErrorType, Folded, InputReport, Levels, Pattern, PatternStats,
    SourceReport, Totals, UnparsedSample,
};
use crate::aggregate::Partial;
use crate::aggregate::intern::Interner;
use crate::model::{BySource, keep_top, ts};
use crate::parse::{Format, Level};
use crate::triage::evaluate::SampleLine;
use crate::triage::patterns;

/// The sources with the most lines, each with its latency summary.
pub(super) fn sources_report(p: &mut Partial, names: &Interner, top: usize) -> Vec<SourceReport> {
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
pub(super) fn pattern_report(
    clusters: &[patterns::Cluster],
    ctx: &Context,
) -> (Vec<Pattern>, PatternStats) {
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

/// One row per input, and the totals over them.
pub(super) fn inputs_and_totals(p: &Partial, ctx: &Context) -> (Vec<InputReport>, Totals) {
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
    (inputs, totals)
}

pub(super) fn levels(p: &Partial) -> Levels {
    let l = p.levels;
    Levels {
        TRACE: l[Level::Trace as usize],
        DEBUG: l[Level::Debug as usize],
        INFO: l[Level::Info as usize],
        WARN: l[Level::Warn as usize],
        ERROR: l[Level::Error as usize],
        FATAL: l[Level::Fatal as usize],
    }
}

/// Lines per status code and source.
pub(super) fn status(p: &Partial) -> BySource<std::collections::BTreeMap<String, u64>> {
    let status_of =
        |m: &rustc_hash::FxHashMap<u16, u64>| m.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    BySource {
        app: status_of(&p.status[0]),
        nginx: status_of(&p.status[1]),
    }
}

/// Error types, most frequent first (ties by source, then type), each with its top endpoints.
pub(super) fn error_types(p: &mut Partial, names: &Interner, top: usize) -> Vec<ErrorType> {
    let name = |id: u32| names.name(id).to_string();
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
            keep_top(&mut eps, 5, |e| (e.count, e.endpoint.as_str()));
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
    error_types.truncate(top);
    error_types
}

/// The samples of unparsed lines, in file then line order.
pub(super) fn unparsed_samples(p: &Partial, ctx: &Context) -> Vec<UnparsedSample> {
    let mut v: Vec<UnparsedSample> = p
        .samples
        .iter()
        .map(|s| UnparsedSample {
            path: ctx.paths[s.file as usize].clone(),
            line: s.line,
            text: s.text.clone(),
        })
        .collect();
    v.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
    v
}
