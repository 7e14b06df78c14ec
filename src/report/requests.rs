//! The report's request section: counts by outcome (with those a stream already retired) and
//! the slowest requests, ties by id. Reads finished request groups; must not print.

use super::{RequestsReport, SlowRequest, StuckRequest};
use crate::aggregate::Partial;
use crate::aggregate::intern::{Interner, NONE};
use crate::aggregate::outcome::{Completions, RetiredRequests, Tally, outcome};
use crate::aggregate::requests::{ReqAgg, ReqKey};
use crate::model::{opt_ms, round3, ts};

impl RequestsReport {
    /// The outcome counts as one sentence, every outcome named so they add up to the total
    /// (numbers only: nothing from the log). The table, markdown and HTML reports print it.
    pub fn outcome_sentence(&self) -> String {
        let o = &self.outcomes;
        format!(
            "{} requests by id: {} ok, {} error, {} timeout, {} upstream closed, {} unfinished, {} unknown; app never finished: {}",
            self.total,
            o.ok,
            o.error,
            o.timeout,
            o.upstream_closed,
            o.unfinished,
            o.unknown,
            self.unfinished
                .map_or("n/a (no completion lines)".to_string(), |u| u.to_string())
        )
    }
}

pub(super) fn requests_report(
    p: &Partial,
    names: &Interner,
    top: usize,
    retired: Option<&RetiredRequests>,
) -> RequestsReport {
    let completes = Completions::of(p);
    let mut tally = retired.map_or_else(Tally::default, |r| r.tally.clone());
    let mut slow: Vec<(f32, ReqKey, &ReqAgg)> = retired
        .map(|r| {
            r.slowest
                .iter()
                .map(|(d, k, a)| (*d, k.clone(), a))
                .collect()
        })
        .unwrap_or_default();
    let mut floor = f32::NEG_INFINITY;
    let mut stuck = Vec::new();
    for (key, r) in p.requests.iter() {
        tally.add(r, &completes);
        let o = outcome(r, &completes);
        if o.stuck() {
            keep_earliest(&mut stuck, (r.first, key.clone(), r, o), top);
        }
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
        stuck: Vec::new(),
    };
    stuck.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    stuck.truncate(top);
    let name = |id: u32| (id != NONE).then(|| names.name(id).to_string());
    out.stuck = stuck
        .into_iter()
        .map(|(_, key, r, o)| StuckRequest {
            id: key.render(),
            endpoint: name(r.endpoint),
            outcome: o,
            status: [r.nginx_status, r.app_status].into_iter().find(|s| *s > 0),
            first: ts(r.first),
            last: ts(r.last),
            lines: r.lines as u64,
            last_words: name(r.last_msg),
        })
        .collect();
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
fn prune(v: &mut Vec<(f32, ReqKey, &ReqAgg)>, top: usize) {
    v.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    v.truncate(top);
}

type Stuck<'a> = (
    i64,
    ReqKey,
    &'a ReqAgg,
    crate::aggregate::outcome::RequestOutcome,
);

/// Keeps the `top` earliest stuck requests by first line, then id: the list stays `top` long
/// however many there are, and any order of requests keeps the same ones.
fn keep_earliest<'a>(v: &mut Vec<Stuck<'a>>, cand: Stuck<'a>, top: usize) {
    v.push(cand);
    if v.len() > top.max(1) * 64 {
        v.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        v.truncate(top);
    }
}
