//! One app latency per request, counted once the request is over: from its completion line
//! (`ReqAgg::app_ms`), into the per-endpoint views and the window of that line. Built as a
//! mergeable delta from any slice of finished requests, so the engine counts the request
//! partitions in parallel. Must not touch a request twice: the partial says when done.

use rustc_hash::FxHashMap;

use super::intern::{Interner, NONE};
use super::latency::{EXACT_CAP, LatStore};
use super::merge::Merge;
use super::partial::Partial;
use super::requests::ReqAgg;
use super::windows::Windows;
use crate::parse::Source;
use crate::parse::endpoint;

/// Latencies of some requests, ready to add to their partial.
pub struct LatencyDelta {
    /// By interned endpoint (`NONE`: requests without one, the `-` row).
    endpoints: FxHashMap<u32, LatStore>,
    windows: Windows,
}

impl LatencyDelta {
    /// Adds another delta of the same partial (the union of their requests).
    pub fn merge(&mut self, o: LatencyDelta) {
        for (ep, store) in o.endpoints {
            self.endpoints
                .entry(ep)
                .or_default()
                .merge(&store, EXACT_CAP);
        }
        self.windows.merge(o.windows);
    }
}

/// What a delta needs of its partial, read-only, so deltas build on any thread.
pub struct DeltaCtx<'p> {
    names: &'p Interner,
    windows: &'p Windows,
    since: Option<i64>,
    until: Option<i64>,
    triaging: bool,
}

impl Partial {
    pub fn delta_ctx(&self) -> DeltaCtx<'_> {
        DeltaCtx {
            names: &self.names,
            windows: &self.windows,
            since: self.since,
            until: self.until,
            triaging: self.rules.is_some(),
        }
    }

    /// Adds what `request_latency` built.
    pub fn add_latency_delta(&mut self, d: LatencyDelta) {
        for (ep, store) in d.endpoints {
            let ep = if ep == NONE {
                self.names.intern("-")
            } else {
                ep
            };
            self.latency[Source::App as usize]
                .entry(ep)
                .or_default()
                .merge(&store, EXACT_CAP);
        }
        self.windows.merge(d.windows);
    }

    /// Counts these finished requests' app latencies (for requests a stream drops from
    /// memory, and for callers without the engine's parallel count).
    pub fn count_request_latencies<'r>(&mut self, rows: impl Iterator<Item = &'r ReqAgg>) {
        let d = request_latency(&self.delta_ctx(), rows);
        self.add_latency_delta(d);
    }

    /// Counts every request's app latency, once: after the last merge, before the windows
    /// are read.
    pub fn count_requests_latency(&mut self) {
        if self.requests_latency_counted {
            return;
        }
        let requests = std::mem::take(&mut self.requests);
        self.count_request_latencies(requests.rows().map(|r| r.agg()));
        self.requests = requests;
        self.requests_latency_counted = true;
    }
}

/// No latencies yet, for the requests of `cx`'s partial.
pub fn empty(cx: &DeltaCtx<'_>) -> LatencyDelta {
    LatencyDelta {
        endpoints: FxHashMap::default(),
        windows: cx.windows.empty_like(),
    }
}

/// The app latencies of `rows`, each in the window of its completion line.
pub fn request_latency<'r>(
    cx: &DeltaCtx<'_>,
    rows: impl Iterator<Item = &'r ReqAgg>,
) -> LatencyDelta {
    let mut d = LatencyDelta {
        endpoints: FxHashMap::default(),
        windows: cx.windows.empty_like(),
    };
    // Health is judged once per endpoint name, as the partial's memo does.
    let mut health: FxHashMap<u32, bool> = FxHashMap::default();
    let cap = cx.windows.cap;
    for r in rows {
        if r.app_ms < 0.0 {
            continue;
        }
        let ms = r.app_ms as f64;
        let ep = r.endpoint;
        d.endpoints.entry(ep).or_default().push(r.app_ms, EXACT_CAP);
        let t = r.app_at;
        if t == i64::MIN || cx.since.is_some_and(|s| t < s) || cx.until.is_some_and(|u| t >= u) {
            continue;
        }
        let is_health = ep != NONE
            && *health
                .entry(ep)
                .or_insert_with(|| endpoint::is_health(cx.names.name(ep)));
        d.windows
            .at(t)
            .add_latency(Source::App as usize, ep, is_health, ms, cap, cx.triaging);
    }
    d
}
