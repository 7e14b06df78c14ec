//! `Report::build`: the merged partial finished into the report, as a short sequence of named
//! steps (each section in its own file). Consumes the partial; must not print.

use super::brief::Brief;
use super::front::brief;
use super::headline::headline;
use super::latency::latencies;
use super::requests::requests_report;
use super::sections::{
    error_types, inputs_and_totals, levels, pattern_report, sources_report, status,
    unparsed_samples,
};
use super::windows::windows;
use super::{Context, LATENCY_RULE, Report, SCHEMA_VERSION, TimeRange};
use crate::aggregate::Partial;
use crate::aggregate::windows::{MAX_FIXED_WINDOWS, WinAgg, Windows};
use crate::model::round3;
use crate::parse::Source;
use crate::parse::time::format_utc;
use crate::triage::evaluate as triage;
use crate::triage::judge::BASELINE_RULE;
use crate::triage::patterns;

impl Report {
    pub fn build(p: Partial, ctx: &Context) -> Report {
        let mut p = finish(p);
        let names = std::mem::take(&mut p.names);
        let (inputs, totals) = inputs_and_totals(&p, ctx);
        let primary = primary_source(&p);
        let span = span(&p);
        let width = p.windows.display_width(span);
        let widened_from = p.windows.widened_from();
        let mut wins: Vec<(i64, WinAgg)> =
            std::mem::replace(&mut p.windows, Windows::new(None)).finish(width);
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
        let error_types = error_types(&mut p, &names, ctx.top);
        let lat = latencies(&mut p, &names, &mut wins, ctx.top);
        let sources = sources_report(&mut p, &names, ctx.top);
        let timeline = windows(wins, lat.windows, &judged, primary, (&names, &error_types));
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
            max_fixed_windows: MAX_FIXED_WINDOWS,
            primary_source: primary,
            levels: levels(&p),
            status: status(&p),
            error_types,
            latency: lat.sides,
            sources,
            windows: timeline,
            requests: requests_report(&p, &names, ctx.top, ctx.retired),
            incidents: judged.incidents,
            flags: judged.flags,
            baseline_rule: BASELINE_RULE,
            patterns,
            pattern_stats,
            unparsed_samples: unparsed_samples(&p, ctx),
            brief: Brief::default(),
        };
        r.headline = headline(&r);
        r.brief = brief(&r);
        r
    }
}

/// The endpoint cap applied, request groups finished, their latency counted once: what the
/// engine does for `report`, done here for other callers (`watch`'s summary, tests).
fn finish(p: Partial) -> Partial {
    let mut p = p.fold_endpoints();
    if !p.requests.is_finished() {
        p.requests.finish(&p.names);
    }
    p.count_requests_latency();
    p
}

/// nginx when the input holds nginx traffic (what clients saw), else the app.
fn primary_source(p: &Partial) -> Source {
    if !p.status[1].is_empty() || !p.latency[1].is_empty() {
        Source::Nginx
    } else {
        Source::App
    }
}

/// From the first to the last stamp, in µs; 0 without stamps.
fn span(p: &Partial) -> i64 {
    if p.min_ts <= p.max_ts {
        p.max_ts - p.min_ts
    } else {
        0
    }
}
