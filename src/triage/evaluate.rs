//! Judges the rules over the finished windows: which rules fire in which windows (against
//! thresholds and the baseline of the quiet windows before), the evidence of each flag, the
//! incidents (flagged windows merged across small gaps) with their new error types and new
//! patterns, and a plain-language summary per incident. Pure: reads a merged partial.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::Serialize;

pub use super::incidents::{Incident, IncidentFlag};
use super::patterns::Cluster;
use super::rules::{Condition, Kind, Rule, RuleSet, Severity};
use crate::aggregate::Partial;
use crate::aggregate::evidence::{Evidence, SAMPLES_PER_FLAG};
use crate::aggregate::intern::{Interner, NONE};
use crate::aggregate::latency::round3;
use crate::aggregate::requests::{APP_DONE, APP_SEEN, ReqAgg};
use crate::aggregate::windows::WinAgg;
use crate::parse::Source;
use crate::parse::time::format_utc;
use crate::report::{Completions, Outcome, outcome};

/// Below this p95 (ms) a latency rise is noise, however many times the baseline it is.
const LATENCY_FLOOR_MS: f64 = 100.0;
/// Names listed per evidence list.
const TOP_NAMES: usize = 5;

pub const BASELINE_RULE: &str = "each window is compared with the mean of up to baseline_windows earlier windows in which the rule did not fire (so an ongoing incident does not raise its own baseline); the first windows of a log have no baseline and are judged on the absolute thresholds alone";

#[derive(Serialize, Debug, Clone)]
pub struct NameCount {
    pub name: String,
    pub count: u64,
}

#[derive(Serialize, Debug, Clone)]
pub struct SampleLine {
    pub path: String,
    pub line: u64,
    pub text: String,
}

/// What the app logged for the requests behind an nginx flag: their last app message, or
/// that the app did answer them after nginx had given up.
#[derive(Serialize, Debug, Clone)]
pub struct AppSide {
    /// Masked last app message; null when the app logged nothing for them (or answered).
    pub last_message: Option<String>,
    pub requests: u64,
    /// Set when the app answered these requests after nginx had given up on them.
    pub late: Option<LateAnswer>,
    /// The app's source never logs completions (a status or latency), so its last line says
    /// nothing of where a request stopped.
    pub ends_unlogged: bool,
}

/// Requests the app finished after nginx had answered 504 or 502 for them.
#[derive(Serialize, Debug, Clone, Default)]
pub struct LateAnswer {
    /// How long nginx waited: the shortest among them, ms.
    pub nginx_ms: Option<f64>,
    /// How long the app took: the longest among them, ms.
    pub app_ms: Option<f64>,
    /// The app's status: the highest among them.
    pub app_status: Option<u16>,
}

impl LateAnswer {
    pub fn add(&mut self, r: &ReqAgg) {
        let v = |x: f32| (x >= 0.0).then(|| crate::aggregate::latency::round3(x as f64));
        if let Some(n) = v(r.nginx_ms) {
            self.nginx_ms = Some(self.nginx_ms.map_or(n, |m| m.min(n)));
        }
        if let Some(a) = v(r.app_ms) {
            self.app_ms = Some(self.app_ms.map_or(a, |m| m.max(a)));
        }
        if r.app_status > 0 {
            self.app_status = self.app_status.max(Some(r.app_status));
        }
    }

    /// `nginx gave up after 1.0 s; the app answered 200 after 2.5 s`, for `n` requests.
    pub fn describe(&self, n: u64) -> String {
        let secs = |ms: Option<f64>| ms.map_or("an unknown time".to_string(), human_ms);
        let status = self.app_status.map_or(String::new(), |s| format!(" {s}"));
        if n == 1 {
            format!(
                "nginx gave up after {}; the app answered{status} after {}",
                secs(self.nginx_ms),
                secs(self.app_ms)
            )
        } else {
            format!(
                "{n} answered after nginx gave up (nginx after {}, the app{status} after up to {})",
                secs(self.nginx_ms),
                secs(self.app_ms)
            )
        }
    }
}

/// `2.5 s` from a second up, `250 ms` below.
pub fn human_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{} ms", crate::aggregate::latency::round3(ms))
    }
}

/// Whether the app answered a request nginx had already given up on (504, or 502 while the
/// app kept going): where such a request "stopped" is not the question.
pub fn answered_late(r: &ReqAgg) -> bool {
    r.flags & APP_DONE != 0 && matches!(r.nginx_status, 502 | 504)
}

impl AppSide {
    /// The plain-language evidence: `3 stopped after "calling provider"`.
    pub fn describe(&self) -> String {
        match (&self.late, &self.last_message) {
            (Some(l), _) => l.describe(self.requests),
            (None, Some(m)) if self.ends_unlogged => format!(
                "{} last logged \"{m}\" (the app logs no completions)",
                self.requests
            ),
            (None, Some(m)) => format!("{} stopped after \"{m}\"", self.requests),
            (None, None) => format!("{} with no app line", self.requests),
        }
    }
}

#[derive(Serialize, Debug, Clone)]
pub struct Flag {
    pub rule: String,
    pub severity: Severity,
    pub description: String,
    /// What the flag is about when a rule flags several things: the endpoint of a latency
    /// spike, the type of a new error type.
    pub subject: Option<String>,
    /// Matching lines (requests for `hung_requests`) in the windows where the rule fired.
    pub count: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    /// Starts of the windows where it fired.
    pub windows: Vec<String>,
    /// Numbers behind the decision, e.g. the share or p95 against its baseline.
    pub detail: Option<String>,
    pub endpoints: Vec<NameCount>,
    pub upstreams: Vec<NameCount>,
    pub clients: Vec<NameCount>,
    pub request_ids: Vec<String>,
    pub samples: Vec<SampleLine>,
    pub app_side: Vec<AppSide>,
}

/// Flags and incidents of a run.
#[derive(Debug, Default)]
pub struct Triage {
    pub flags: Vec<Flag>,
    pub incidents: Vec<Incident>,
}

/// Where a rule fired: window index -> lines (or requests) counted there.
pub(super) type Firing = BTreeMap<usize, u64>;

pub(super) struct Ctx<'a> {
    pub(super) wins: &'a [(i64, WinAgg)],
    pub(super) width: i64,
    names: &'a Interner,
    paths: &'a [String],
}

impl Ctx<'_> {
    pub(super) fn start(&self, i: usize) -> String {
        format_utc(self.wins[i].0)
    }

    pub(super) fn top(&self, m: &FxHashMap<u32, u64>) -> Vec<NameCount> {
        let mut v: Vec<NameCount> = m
            .iter()
            .filter(|(k, _)| **k != NONE)
            .map(|(k, n)| NameCount {
                name: self.names.name(*k).to_string(),
                count: *n,
            })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        v.truncate(TOP_NAMES);
        v
    }

    /// The time range of the windows where a rule fired.
    fn span(&self, firing: &Firing) -> (i64, i64) {
        let a = firing.keys().next().map_or(i64::MIN, |&i| self.wins[i].0);
        let b = firing
            .keys()
            .next_back()
            .map_or(i64::MAX, |&i| self.wins[i].0 + self.width);
        (a, b)
    }

    pub(super) fn flag(&self, r: &Rule, firing: &Firing, ev: Option<&Evidence>) -> Flag {
        let (lo, hi) = self.span(firing);
        let ts = crate::report::ts;
        // Evidence times and samples are kept inside the windows where the rule fired (a
        // start-up line at the top of a log is no restart).
        let (first, last) = match ev {
            Some(e) if e.count > 0 && e.first <= e.last => {
                (ts(e.first.max(lo)), ts(e.last.min(hi - 1)))
            }
            _ => (ts(lo), ts(hi)),
        };
        let samples = ev.map_or_else(Vec::new, |e| {
            let inside: Vec<_> = e
                .samples
                .iter()
                .filter(|s| s.ts.is_none_or(|t| lo <= t && t < hi))
                .collect();
            let chosen = if inside.is_empty() {
                e.samples.iter().collect()
            } else {
                inside
            };
            chosen
                .into_iter()
                .take(SAMPLES_PER_FLAG)
                .map(|s| SampleLine {
                    path: self.paths[s.file as usize].clone(),
                    line: s.line,
                    text: s.text.clone(),
                })
                .collect()
        });
        Flag {
            rule: r.id.clone(),
            severity: r.severity,
            description: r.description.clone(),
            subject: None,
            count: firing.values().sum(),
            first,
            last,
            windows: firing.keys().map(|&i| self.start(i)).collect(),
            detail: None,
            endpoints: ev.map_or_else(Vec::new, |e| self.top(&e.endpoints)),
            upstreams: ev.map_or_else(Vec::new, |e| self.top(&e.upstreams)),
            clients: ev.map_or_else(Vec::new, |e| self.top(&e.clients)),
            request_ids: ev.map_or_else(Vec::new, |e| {
                e.ids.iter().map(|x| x.3.to_string()).collect()
            }),
            samples,
            app_side: Vec::new(),
        }
    }
}

/// Windows where a per-window value (`None`: not judged) beats its threshold and its
/// baseline: the mean of up to `n` earlier judged windows in which it did not fire.
fn with_baseline(
    values: &[Option<f64>],
    n: usize,
    fires: impl Fn(f64, Option<f64>) -> bool,
) -> Vec<(usize, f64, Option<f64>)> {
    let mut quiet: Vec<f64> = Vec::new();
    let mut out = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let Some(v) = *v else { continue };
        let recent = &quiet[quiet.len().saturating_sub(n)..];
        let base =
            (!recent.is_empty() && n > 0).then(|| recent.iter().sum::<f64>() / recent.len() as f64);
        if fires(v, base) {
            out.push((i, v, base));
        } else {
            quiet.push(v);
        }
    }
    out
}

/// "<the peak> in the window of <start> against a baseline of <b>" for the window where the
/// value peaked (the earliest on ties), or "(no baseline before it)".
fn peak_detail(
    wins: &[(i64, &WinAgg)],
    hot: &[(usize, f64, Option<f64>)],
    value: impl Fn(f64) -> String,
    baseline: impl Fn(f64) -> String,
) -> String {
    let (i, v, base) = hot
        .iter()
        .copied()
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .expect("a rule that fired has a window");
    match base {
        Some(b) => format!(
            "{} in the window of {} against a baseline of {}",
            value(v),
            format_utc(wins[i].0),
            baseline(b)
        ),
        None => format!(
            "{} in the window of {} (no baseline before it)",
            value(v),
            format_utc(wins[i].0)
        ),
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Requests behind an nginx class, grouped by their last app message.
fn app_side(class: &str, p: &Partial, names: &Interner) -> Vec<AppSide> {
    let completes = Completions::of(p);
    let wanted = |r: &ReqAgg| match class {
        "upstream_timed_out" => r.nginx_status == 504,
        "upstream_prematurely_closed" | "upstream_reset" => {
            outcome(r, &completes) == Outcome::UpstreamClosed
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

/// A window rule that fired: which rule, in which windows, about what.
#[derive(Debug, Clone)]
pub struct Fired {
    /// Index into `RuleSet::rules`.
    pub rule: usize,
    /// The rule slot whose evidence backs the flag.
    pub slot: Option<usize>,
    pub firing: Firing,
    /// The endpoint of a latency spike: (source, interned endpoint).
    pub endpoint: Option<(u8, u32)>,
    pub subject: Option<String>,
    pub detail: Option<String>,
}

/// Judges the rules that need only windows (every kind but `hung_requests` and
/// `new_error_type`), in rule order. `wins` are consecutive windows, oldest first;
/// `first_is_start` says the first of them is where the log (or stream) began, where a
/// start-up line is no restart. Shared by `report` (display windows) and `watch` (its live
/// windows, judged as lines arrive).
pub fn judge_windows(
    rules: &RuleSet,
    wins: &[(i64, &WinAgg)],
    primary: Source,
    names: &Interner,
    first_is_start: bool,
) -> Vec<Fired> {
    let slot_of = |rule: usize, nth: usize| {
        rules
            .slots
            .iter()
            .enumerate()
            .filter(|(_, (r, _))| *r == rule)
            .nth(nth)
            .map(|(s, _)| s)
    };
    let hits = |slot: usize, w: &WinAgg| w.hits.get(&(slot as u16)).copied().unwrap_or(0);
    let mut out = Vec::new();
    for (ri, r) in rules.rules.iter().enumerate() {
        if !r.enabled {
            continue;
        }
        let pr = &r.params;
        let fired = |slot, firing, endpoint, subject, detail| Fired {
            rule: ri,
            slot,
            firing,
            endpoint,
            subject,
            detail,
        };
        match &r.kind {
            Kind::NginxClass(_) | Kind::HealthFailing | Kind::Restart | Kind::Custom(..) => {
                let Some(slot) = slot_of(ri, 0) else { continue };
                let mut firing = Firing::new();
                for (i, (_, w)) in wins.iter().enumerate() {
                    let n = hits(slot, w);
                    if n == 0 {
                        continue;
                    }
                    let ok = match &r.kind {
                        // A start in the first window is the log's own beginning.
                        Kind::Restart => (i > 0 || !first_is_start) && n >= pr.min_count,
                        Kind::Custom(_, Condition::CountAtLeast(c)) => n >= *c,
                        Kind::Custom(_, Condition::ShareAbove(s)) => {
                            w.lines > 0 && n as f64 / w.lines as f64 > *s
                        }
                        Kind::Custom(_, Condition::P95Above(ms)) => w
                            .hit_latency
                            .get(&(slot as u16))
                            .and_then(|v| v.p95())
                            .is_some_and(|x| x > *ms),
                        _ => n >= pr.min_count,
                    };
                    if ok {
                        firing.insert(i, n);
                    }
                }
                if !firing.is_empty() {
                    out.push(fired(Some(slot), firing, None, None, None));
                }
            }
            Kind::Status5xx => {
                let nth = match primary {
                    Source::App => 0,
                    Source::Nginx => 1,
                };
                let Some(slot) = slot_of(ri, nth) else {
                    continue;
                };
                let mut firing = Firing::new();
                for (i, (_, w)) in wins.iter().enumerate() {
                    let n = hits(slot, w);
                    let resp = w.responses[primary as usize].max(1);
                    if n >= pr.min_count && n as f64 / resp as f64 >= pr.min_share {
                        firing.insert(i, n);
                    }
                }
                if !firing.is_empty() {
                    let detail = Some(format!("{} responses", primary.name()));
                    out.push(fired(Some(slot), firing, None, None, detail));
                }
            }
            Kind::ErrorRate => {
                let shares: Vec<Option<f64>> = wins
                    .iter()
                    .map(|(_, w)| {
                        (w.leveled >= pr.min_lines.max(1))
                            .then(|| w.errors as f64 / w.leveled as f64)
                    })
                    .collect();
                let hot = with_baseline(&shares, pr.baseline_windows, |v, base| {
                    v > pr.min_share && base.is_none_or(|b| v >= pr.factor * b)
                });
                if hot.is_empty() {
                    continue;
                }
                let firing: Firing = hot.iter().map(|&(i, _, _)| (i, wins[i].1.errors)).collect();
                let detail = peak_detail(
                    wins,
                    &hot,
                    |v| format!("peak {} of leveled lines", pct(v)),
                    pct,
                );
                out.push(fired(None, firing, None, None, Some(detail)));
            }
            Kind::Latency => {
                // Per endpoint and source: the windows' own stores.
                let mut keys: Vec<(u8, u32)> = wins
                    .iter()
                    .flat_map(|(_, w)| w.ep_latency.keys().copied())
                    .collect();
                keys.sort_unstable_by(|a, b| (a.0, names.name(a.1)).cmp(&(b.0, names.name(b.1))));
                keys.dedup();
                for key in keys {
                    let series: Vec<Option<f64>> = wins
                        .iter()
                        .map(|(_, w)| {
                            w.ep_latency
                                .get(&key)
                                .filter(|v| v.len() as u64 >= pr.min_lines.max(1))
                                .and_then(|v| v.p95())
                        })
                        .collect();
                    let hot = with_baseline(&series, pr.baseline_windows, |v, base| {
                        (pr.p95_ms > 0.0 && v > pr.p95_ms)
                            || base.is_some_and(|b| {
                                pr.factor > 0.0 && v >= LATENCY_FLOOR_MS && v > pr.factor * b
                            })
                    });
                    if hot.is_empty() {
                        continue;
                    }
                    let firing: Firing = hot
                        .iter()
                        .map(|&(i, _, _)| (i, wins[i].1.ep_latency[&key].len() as u64))
                        .collect();
                    let src = if key.0 == 0 { "app" } else { "nginx" };
                    let subject = format!("{} ({src})", names.name(key.1));
                    let detail = peak_detail(
                        wins,
                        &hot,
                        |v| format!("{src} p95 {} ms", round3(v)),
                        |b| format!("{} ms", round3(b)),
                    );
                    out.push(fired(None, firing, Some(key), Some(subject), Some(detail)));
                }
            }
            Kind::Hung | Kind::NewErrorType => {}
        }
    }
    out
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
        let pr = &r.params;
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
                let mut firing = Firing::new();
                let mut endpoints: FxHashMap<u32, u64> = FxHashMap::default();
                let mut ids: Vec<(i64, String)> = Vec::new();
                let mut words: Words = BTreeMap::new();
                let completes = Completions::of(p);
                for (key, req) in p.requests.iter() {
                    let o = outcome(req, &completes);
                    if !matches!(
                        o,
                        Outcome::Timeout | Outcome::UpstreamClosed | Outcome::Unfinished
                    ) {
                        continue;
                    }
                    // Requests the app never saw are nginx's story (refused, no live upstreams);
                    // those it answered after nginx gave up did not hang in the app, and where
                    // the app never logs an end, nothing says it hung.
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
                firing.retain(|_, n| *n >= pr.min_count);
                if firing.is_empty() {
                    continue;
                }
                let mut f = cx.flag(r, &firing, None);
                f.endpoints = cx.top(&endpoints);
                ids.sort();
                f.request_ids = ids.into_iter().take(5).map(|x| x.1).collect();
                f.app_side = side_list(words);
                fired.push((ri, f, firing));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_ignores_windows_that_fired() {
        let v = [
            Some(0.01),
            Some(0.01),
            Some(0.5),
            Some(0.6),
            Some(0.02),
            None,
            Some(0.3),
        ];
        let hot = with_baseline(&v, 10, |x, b| x > 0.05 && b.is_none_or(|b| x >= 3.0 * b));
        let idx: Vec<usize> = hot.iter().map(|h| h.0).collect();
        assert_eq!(idx, vec![2, 3, 6]);
        // The baseline of window 3 is still the quiet windows before the spike.
        assert!((hot[1].2.unwrap() - 0.01).abs() < 1e-12);
        // No baseline at the start: the threshold alone decides.
        let first = with_baseline(&[Some(0.5)], 10, |x, b| {
            x > 0.05 && b.is_none_or(|b| x >= 3.0 * b)
        });
        assert_eq!(first.len(), 1);
        assert!(first[0].2.is_none());
    }
}
