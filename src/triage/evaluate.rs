//! Judges the rules over the finished windows: which rules fire in which windows (against
//! thresholds and the baseline of the quiet windows before), the evidence of each flag, the
//! incidents (flagged windows merged across small gaps) with their new error types and new
//! patterns, and a plain-language summary per incident. Pure: reads a merged partial.

use std::collections::BTreeMap;

pub use super::flag::{AppSide, Flag, LateAnswer, NameCount, SampleLine, answered_late, human_ms};
use super::flag::{Ctx, Firing, Parts, WordKey, Words, hung_parts, side_list, sort_sides};
pub use super::incidents::{Incident, IncidentFlag};
pub use super::judge::{Fired, judge_windows};
use super::patterns::Cluster;
use crate::aggregate::Partial;
use crate::aggregate::intern::{Interner, NONE};
use crate::aggregate::links::{Tie, resolve};
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

/// The app's side of an nginx-class flag: the requests its error lines were tied to (only
/// lines in the windows where it fired, as its count), grouped by their last app message.
/// At most one request per line, so the groups never add up to more than the flag's count.
fn app_side(
    slot: usize,
    ties: &[Tie],
    firing: &Firing,
    cx: &Ctx<'_>,
    c: &Completions,
) -> Vec<AppSide> {
    let mut groups: Words = BTreeMap::new();
    let (mut late, mut n_late) = (LateAnswer::default(), 0);
    let mine = ties.iter().filter(|t| {
        t.slot as usize == slot && cx.window_of(t.ts).is_some_and(|i| firing.contains_key(&i))
    });
    for t in mine {
        let r = &t.req;
        if answered_late(r) {
            late.add(r);
            n_late += 1;
            continue;
        }
        *groups.entry(last_words(r, cx.names, c)).or_default() += 1;
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

fn last_words<'n>(r: &ReqAgg, names: &'n Interner, c: &Completions) -> WordKey<'n> {
    let msg = (r.last_msg != NONE).then(|| names.name(r.last_msg));
    (r.flags & APP_SEEN != 0 && !c.logs(r.app_src), msg)
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
    // (rule index, flag, firing windows, what it counted) for the window-based rules.
    let mut fired: Vec<(usize, Flag, Firing, Parts)> = Vec::new();
    let ties = resolve(&p.triage.links, &p.requests);
    let completes = Completions::of(p);
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
            if let (Kind::NginxClass(_), Some(slot)) = (&r.kind, j.slot) {
                f.app_side = app_side(slot, &ties, &j.firing, &cx, &completes);
            }
            if let Some((_, ep)) = j.endpoint {
                f.endpoints = vec![NameCount {
                    name: names.name(ep).to_string(),
                    count: f.count,
                }];
            }
            let parts = Parts {
                evidence: ev,
                requests: Vec::new(),
            };
            fired.push((ri, f, j.firing, parts));
        }
        match &r.kind {
            Kind::Hung => {
                if let Some((f, firing, parts)) = hung(p, r, &cx, &completes) {
                    fired.push((ri, f, firing, parts));
                }
            }
            Kind::NewErrorType => new_type_rule = Some(ri),
            _ => {}
        }
    }

    let (incidents, new_types) =
        super::incidents::build(&fired, new_type_rule, p, names, rules, clusters, &cx);
    let mut flags: Vec<Flag> = fired.into_iter().map(|(_, f, _, _)| f).collect();
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
/// Its endpoints and last words are those of the requests it counts: the ones in the
/// windows where it fired.
fn hung<'a>(
    p: &Partial,
    r: &Rule,
    cx: &Ctx<'a>,
    completes: &Completions,
) -> Option<(Flag, Firing, Parts<'a>)> {
    let mut firing = Firing::new();
    let mut hung: Vec<(usize, u32, WordKey<'a>)> = Vec::new();
    let mut ids: Vec<(usize, i64, String)> = Vec::new();
    for (key, req) in p.requests.iter() {
        let o = outcome(req, completes);
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
        let i = cx.wins.partition_point(|(s, _)| *s + cx.width <= req.first);
        if i >= cx.wins.len() {
            continue;
        }
        *firing.entry(i).or_default() += 1;
        hung.push((i, req.endpoint, last_words(req, cx.names, completes)));
        ids.push((i, req.first, key.render()));
    }
    firing.retain(|_, n| *n >= r.params.min_count);
    if firing.is_empty() {
        return None;
    }
    hung.retain(|h| firing.contains_key(&h.0));
    let mut f = cx.flag(r, &firing, None);
    let (endpoints, words) = hung_parts(&hung, |_| true);
    f.endpoints = cx.top(&endpoints);
    ids.retain(|x| firing.contains_key(&x.0));
    ids.sort_by(|a, b| (a.1, &a.2).cmp(&(b.1, &b.2)));
    f.request_ids = ids.into_iter().take(5).map(|x| x.2).collect();
    f.app_side = side_list(words);
    let parts = Parts {
        evidence: None,
        requests: hung,
    };
    Some((f, firing, parts))
}
