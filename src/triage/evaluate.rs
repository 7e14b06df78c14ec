//! Judges the rules over the finished windows: which rules fire in which windows (against
//! thresholds and the baseline of the quiet windows before), the evidence of each flag, the
//! incidents (flagged windows merged across small gaps) with their new error types and new
//! patterns, and a plain-language summary per incident. Pure: reads a merged partial.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

pub use super::flag::{AppSide, Flag, LateAnswer, NameCount, SampleLine, answered_late, human_ms};
use super::flag::{Ctx, Firing, TOP_NAMES};
pub use super::incidents::{Incident, IncidentFlag};
pub use super::judge::{Fired, judge_windows};
use super::patterns::Cluster;
use crate::aggregate::Partial;
use crate::aggregate::intern::{Interner, NONE};
use crate::aggregate::outcome::{Completions, RequestOutcome, outcome};
use crate::aggregate::requests::{APP_SEEN, ReqAgg};
use crate::aggregate::windows::WinAgg;
use crate::parse::Source;
use crate::rules::{Kind, Rule, RuleSet};

/// Flags and incidents of a run.
#[derive(Debug, Default)]
pub struct Triage {
    pub flags: Vec<Flag>,
    pub incidents: Vec<Incident>,
}

/// Requests behind an nginx class, grouped by their last app message.
fn app_side(class: &str, p: &Partial, names: &Interner) -> Vec<AppSide> {
    let completes = Completions::of(p);
    let wanted = |r: &ReqAgg| match class {
        "upstream_timed_out" => r.nginx_status == 504,
        "upstream_prematurely_closed" | "upstream_reset" => {
            outcome(r, &completes) == RequestOutcome::UpstreamClosed
        }
        "upstream_connect_refused" | "no_live_upstreams" => {
            r.nginx_status == 502 && r.flags & APP_SEEN == 0
        }
        _ => false,
    };
    let mut groups: Words = BTreeMap::new();
    let (mut late, mut n_late) = (LateAnswer::default(), 0);
    for (_, r) in p.requests.iter() {
        if !wanted(r) {
            continue;
        }
        if answered_late(r) {
            late.add(r);
            n_late += 1;
            continue;
        }
        *groups.entry(last_words(r, names, &completes)).or_default() += 1;
    }
    let mut v = side_list(groups);
    if n_late > 0 {
        v.push(AppSide {
            last_message: None,
            requests: n_late,
            late: Some(late),
            ends_unlogged: false,
        });
        sort_sides(&mut v);
    }
    v
}

/// Requests counted by (whether their source logs no completions, last app message).
type Words<'n> = BTreeMap<(bool, Option<&'n str>), u64>;

fn last_words<'n>(r: &ReqAgg, names: &'n Interner, c: &Completions) -> (bool, Option<&'n str>) {
    let msg = (r.last_msg != NONE).then(|| names.name(r.last_msg));
    (r.flags & APP_SEEN != 0 && !c.logs(r.app_src), msg)
}

/// Requests grouped by last app message, largest groups first, cut to `TOP_NAMES`.
fn side_list(groups: Words<'_>) -> Vec<AppSide> {
    let mut v: Vec<AppSide> = groups
        .into_iter()
        .map(|((unlogged, m), n)| AppSide {
            last_message: m.map(str::to_string),
            requests: n,
            late: None,
            ends_unlogged: unlogged,
        })
        .collect();
    sort_sides(&mut v);
    v
}

fn sort_sides(v: &mut Vec<AppSide>) {
    v.sort_by(|a, b| {
        b.requests
            .cmp(&a.requests)
            .then_with(|| a.late.is_some().cmp(&b.late.is_some()))
            .then_with(|| a.last_message.cmp(&b.last_message))
    });
    v.truncate(TOP_NAMES);
}

/// Judges every rule. `wins` are the finished display windows of width `width`; `clusters`
/// the message patterns.
#[allow(clippy::too_many_arguments)]
pub fn evaluate(
    p: &Partial,
    names: &Interner,
    rules: &RuleSet,
    wins: &[(i64, WinAgg)],
    width: i64,
    primary: Source,
    clusters: &[Cluster],
    paths: &[String],
) -> Triage {
    let cx = Ctx {
        wins,
        width,
        names,
        paths,
    };
    let refs: Vec<(i64, &WinAgg)> = wins.iter().map(|(s, w)| (*s, w)).collect();
    let mut judged = judge_windows(rules, &refs, primary, names, true)
        .into_iter()
        .peekable();
    // (rule index, flag, firing windows) for the window-based rules.
    let mut fired: Vec<(usize, Flag, Firing)> = Vec::new();
    let mut new_type_rule = None;

    for (ri, r) in rules.rules.iter().enumerate() {
        if !r.enabled {
            continue;
        }
        while let Some(j) = judged.next_if(|j| j.rule == ri) {
            let ev = j.slot.map(|s| &p.triage.evidence[s]);
            let mut f = cx.flag(r, &j.firing, ev);
            f.subject = j.subject;
            f.detail = j.detail;
            if let Kind::NginxClass(c) = &r.kind {
                f.app_side = app_side(c, p, names);
            }
            if let Some((_, ep)) = j.endpoint {
                f.endpoints = vec![NameCount {
                    name: names.name(ep).to_string(),
                    count: f.count,
                }];
            }
            fired.push((ri, f, j.firing));
        }
        match &r.kind {
            Kind::Hung => {
                if let Some((f, firing)) = hung(p, r, &cx) {
                    fired.push((ri, f, firing));
                }
            }
            Kind::NewErrorType => new_type_rule = Some(ri),
            _ => {}
        }
    }

    let (incidents, new_types) =
        super::incidents::build(&fired, new_type_rule, p, names, rules, clusters, &cx);
    let mut flags: Vec<Flag> = fired.into_iter().map(|(_, f, _)| f).collect();
    flags.extend(new_types);
    flags.sort_by(|x, y| {
        y.severity
            .cmp(&x.severity)
            .then(y.count.cmp(&x.count))
            .then_with(|| x.rule.cmp(&y.rule))
            .then_with(|| x.subject.cmp(&y.subject))
    });
    Triage { flags, incidents }
}

/// The hung-requests flag: requests the app saw and never finished while nginx gave up on
/// them (or never answered), counted in the window each began, grouped by their last words.
fn hung(p: &Partial, r: &Rule, cx: &Ctx<'_>) -> Option<(Flag, Firing)> {
    let (wins, width, names) = (cx.wins, cx.width, cx.names);
    let mut firing = Firing::new();
    let mut endpoints: FxHashMap<u32, u64> = FxHashMap::default();
    let mut ids: Vec<(i64, String)> = Vec::new();
    let mut words: Words = BTreeMap::new();
    let completes = Completions::of(p);
    for (key, req) in p.requests.iter() {
        let o = outcome(req, &completes);
        if !matches!(
            o,
            RequestOutcome::Timeout | RequestOutcome::UpstreamClosed | RequestOutcome::Unfinished
        ) {
            continue;
        }
        // Requests the app never saw are nginx's story (refused, no live upstreams); those
        // it answered after nginx gave up did not hang in the app, and where the app never
        // logs an end, nothing says it hung.
        if req.flags & APP_SEEN == 0
            || req.first == i64::MAX
            || answered_late(req)
            || !completes.logs(req.app_src)
        {
            continue;
        }
        let i = wins.partition_point(|(s, _)| *s + width <= req.first);
        if i >= wins.len() {
            continue;
        }
        *firing.entry(i).or_default() += 1;
        *endpoints.entry(req.endpoint).or_default() += 1;
        ids.push((req.first, key.render()));
        *words.entry(last_words(req, names, &completes)).or_default() += 1;
    }
    firing.retain(|_, n| *n >= r.params.min_count);
    if firing.is_empty() {
        return None;
    }
    let mut f = cx.flag(r, &firing, None);
    f.endpoints = cx.top(&endpoints);
    ids.sort();
    f.request_ids = ids.into_iter().take(5).map(|x| x.1).collect();
    f.app_side = side_list(words);
    Some((f, firing))
}
