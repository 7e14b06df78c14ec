//! The report's latency section and every window's latency: all value sets (per endpoint,
//! overall and health checks per source, per window) summarised in parallel, since each is
//! independent of the others. Consumes the partial's latency stores; must not print.

use super::{EndpointLatency, LatencySide, unit_doubt};
use crate::aggregate::Partial;
use crate::aggregate::intern::Interner;
use crate::aggregate::latency::{EXACT_CAP, LatStore, LatencySummary};
use crate::aggregate::windows::WinAgg;
use crate::engine;
use crate::model::{BySource, keep_top};
use crate::parse::endpoint;

/// The latency section, and per window its (app, nginx) summaries.
pub(super) struct Latencies {
    pub sides: BySource<LatencySide>,
    pub windows: Vec<[Option<LatencySummary>; 2]>,
}

pub(super) fn latencies(
    p: &mut Partial,
    names: &Interner,
    wins: &mut [(i64, WinAgg)],
    top: usize,
) -> Latencies {
    let mut sets: Vec<LatStore> = Vec::new();
    let mut eps: [Vec<(String, bool, usize)>; 2] = Default::default();
    let mut pooled: [[LatStore; 2]; 2] = Default::default();
    for (si, m) in p.latency.iter_mut().enumerate() {
        for (id, vals) in m.drain() {
            let ep = names.name(id).to_string();
            let is_health = endpoint::is_health(&ep);
            pooled[si][is_health as usize].merge(&vals, EXACT_CAP);
            eps[si].push((ep, is_health, sets.len()));
            sets.push(vals);
        }
    }
    let pooled_at = sets.len();
    sets.extend(pooled.into_iter().flatten());
    let windows_at = sets.len();
    for (_, w) in wins.iter_mut() {
        sets.extend(w.latency.iter_mut().map(std::mem::take));
    }
    let mut summaries: Vec<Option<LatencySummary>> = engine::par_map(sets, |mut v| v.summarize());
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
        keep_top(&mut endpoints, top, |e| {
            (e.summary.count, e.endpoint.as_str())
        });
        let overall = take(pooled_at + 2 * si);
        let health = take(pooled_at + 2 * si + 1);
        LatencySide {
            unit_doubt: unit_doubt(overall.as_ref().or(health.as_ref())),
            overall,
            health,
            endpoints,
        }
    };
    let sides = BySource {
        app: side(0, app_eps),
        nginx: side(1, nginx_eps),
    };
    let windows = (0..wins.len())
        .map(|k| [take(windows_at + 2 * k), take(windows_at + 2 * k + 1)])
        .collect();
    Latencies { sides, windows }
}
