//! What a fired rule reports (`Flag` with its evidence lists, sample lines and the app's side
//! of failed requests) and the context that builds one from the windows where it fired
//! (`Ctx`). Shared by the judging (`evaluate`) and the incidents; must not judge rules.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::aggregate::evidence::{Bucketed, Evidence, SAMPLES_PER_FLAG, UNTIMED};
use crate::aggregate::intern::{Interner, NONE};
use crate::aggregate::requests::{APP_DONE, ReqAgg};
use crate::aggregate::windows::WinAgg;
use crate::parse::time::format_utc;
use crate::rules::{Rule, Severity};

/// Names listed per evidence list.
pub(super) const TOP_NAMES: usize = 5;

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

/// Where a rule fired: window index -> lines (or requests) counted there.
pub(super) type Firing = BTreeMap<usize, u64>;

/// Where a request stopped: (its source logs no completions, its last app message).
pub(super) type WordKey<'n> = (bool, Option<&'n str>);

/// Requests counted by where they stopped.
pub(super) type Words<'n> = BTreeMap<WordKey<'n>, u64>;

/// What a flag counted, finer than its totals, so an incident can quote the part of it
/// inside its own windows: a part never exceeds its whole.
#[derive(Default)]
pub(super) struct Parts<'a> {
    /// The evidence of its line slot: names per window bucket.
    pub(super) evidence: Option<&'a Evidence>,
    /// `hung_requests`: per request, its window, endpoint and where it stopped.
    pub(super) requests: Vec<(usize, u32, WordKey<'a>)>,
}

/// The endpoints and last words of the hung requests in the windows `keep` accepts.
pub(super) fn hung_parts<'a>(
    hung: &[(usize, u32, WordKey<'a>)],
    keep: impl Fn(usize) -> bool,
) -> (FxHashMap<u32, u64>, Words<'a>) {
    let mut endpoints: FxHashMap<u32, u64> = FxHashMap::default();
    let mut words: Words = BTreeMap::new();
    for (_, ep, w) in hung.iter().filter(|h| keep(h.0)) {
        *endpoints.entry(*ep).or_default() += 1;
        *words.entry(*w).or_default() += 1;
    }
    (endpoints, words)
}

/// Requests grouped by last app message, largest groups first, cut to `TOP_NAMES`.
pub(super) fn side_list(groups: Words<'_>) -> Vec<AppSide> {
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

pub(super) fn sort_sides(v: &mut Vec<AppSide>) {
    v.sort_by(|a, b| {
        b.requests
            .cmp(&a.requests)
            .then_with(|| a.late.is_some().cmp(&b.late.is_some()))
            .then_with(|| a.last_message.cmp(&b.last_message))
    });
    v.truncate(TOP_NAMES);
}

pub(super) struct Ctx<'a> {
    pub(super) wins: &'a [(i64, WinAgg)],
    pub(super) width: i64,
    pub(super) names: &'a Interner,
    pub(super) paths: &'a [String],
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

    /// The index of the window holding time `t`, if one does.
    pub(super) fn window_of(&self, t: i64) -> Option<usize> {
        let i = self.wins.partition_point(|(s, _)| *s + self.width <= t);
        (i < self.wins.len() && self.wins[i].0 <= t).then_some(i)
    }

    /// The top names of bucketed evidence, counting only the buckets in windows `keep`
    /// accepts (a bucket lies inside one window: its width divides the window's).
    pub(super) fn top_in(&self, m: &Bucketed, keep: impl Fn(usize) -> bool) -> Vec<NameCount> {
        let mut sums: FxHashMap<u32, u64> = FxHashMap::default();
        for (&(b, id), &n) in m {
            if b != UNTIMED && self.window_of(b).is_some_and(&keep) {
                *sums.entry(id).or_default() += n;
            }
        }
        self.top(&sums)
    }

    /// The time of the evidence's first line in windows `keep` accepts.
    pub(super) fn first_in(&self, e: &Evidence, keep: impl Fn(usize) -> bool) -> Option<i64> {
        e.firsts
            .iter()
            .filter(|&(&b, _)| b != UNTIMED && self.window_of(b).is_some_and(&keep))
            .map(|(_, &t)| t)
            .min()
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
        let fired = |i: usize| firing.contains_key(&i);
        let ts = crate::model::ts;
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
            // Names of the lines the count counts: those in the windows where it fired.
            endpoints: ev.map_or_else(Vec::new, |e| self.top_in(&e.endpoints, fired)),
            upstreams: ev.map_or_else(Vec::new, |e| self.top_in(&e.upstreams, fired)),
            clients: ev.map_or_else(Vec::new, |e| self.top_in(&e.clients, fired)),
            request_ids: ev.map_or_else(Vec::new, |e| {
                e.ids.iter().map(|x| x.3.to_string()).collect()
            }),
            samples,
            app_side: Vec::new(),
        }
    }
}

impl Flag {
    /// The evidence of a flag in a few lines as they read, unescaped (each renderer escapes
    /// them for its format): decision, top names, what the app said, samples.
    pub fn evidence_lines(&self) -> Vec<String> {
        self.evidence_lines_with(&|id| id.to_string())
    }

    /// `evidence_lines` with request ids shown by `id` (a table shortens them).
    pub fn evidence_lines_with(&self, id: &dyn Fn(&str) -> String) -> Vec<String> {
        let f = self;
        let mut lines: Vec<String> = Vec::new();
        if let Some(d) = &f.detail {
            lines.push(d.clone());
        }
        for (label, list) in [
            ("endpoints", &f.endpoints),
            ("upstreams", &f.upstreams),
            ("clients", &f.clients),
        ] {
            if !list.is_empty() {
                let v: Vec<String> = list
                    .iter()
                    .take(3)
                    .map(|n| format!("{} ({})", n.name, n.count))
                    .collect();
                lines.push(format!("{label}: {}", v.join(", ")));
            }
        }
        if !f.app_side.is_empty() {
            let v: Vec<String> = f.app_side.iter().take(3).map(|a| a.describe()).collect();
            lines.push(format!("app side: {}", v.join(", ")));
        }
        if !f.request_ids.is_empty() {
            let v: Vec<String> = f.request_ids.iter().take(3).map(|r| id(r)).collect();
            lines.push(format!("requests: {}", v.join(" ")));
        }
        if let Some(s) = f.samples.first() {
            lines.push(format!("sample: {}:{}", s.path, s.line));
        }
        lines
    }
}
