//! The report's timeline: one row per finished window with its counts, latency summaries,
//! the rules that fired in it and the incident it belongs to. Reads finished windows and the
//! judged flags; must not print.

use std::collections::BTreeMap;

use super::{ErrorType, Window};
use crate::aggregate::intern::Interner;
use crate::aggregate::latency::LatencySummary;
use crate::aggregate::windows::WinAgg;
use crate::model::BySource;
use crate::parse::Source;
use crate::parse::time::format_utc;
use crate::triage::evaluate::Triage;

pub(super) fn windows(
    wins: Vec<(i64, WinAgg)>,
    latency: Vec<[Option<LatencySummary>; 2]>,
    judged: &Triage,
    primary: Source,
    (names, listed): (&Interner, &[ErrorType]),
) -> Vec<Window> {
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
    wins.into_iter()
        .zip(latency)
        .map(|((start, w), [app, nginx])| {
            let start_s = format_utc(start);
            let p95_app = app.as_ref().map(|s| s.p95);
            let p95_nginx = nginx.as_ref().map(|s| s.p95);
            let pi = primary as usize;
            Window {
                flags: fired_in.get(start_s.as_str()).cloned().unwrap_or_default(),
                incident: incident_of(&start_s),
                error_types: listed_types(&w, names, listed),
                start: start_s,
                lines: w.lines,
                requests: w.responses[pi],
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
        .collect()
}

/// A window's lines per error type, only for the types the report lists (so the map stays as
/// short as `error_types`), by name.
fn listed_types(w: &WinAgg, names: &Interner, listed: &[ErrorType]) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (&id, &n) in &w.error_types {
        let name = names.name(id);
        if n > 0 && listed.iter().any(|e| e.kind == name) {
            *out.entry(name.to_string()).or_default() += n;
        }
    }
    out
}
