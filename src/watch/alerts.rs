//! Alerts of `watch`: `report`'s triage rules (the same catalogue, `--rules` file and
//! judgement, `triage::evaluate::judge_windows`) judged over the most recent event-time windows,
//! open ones included, so an alert fires as soon as the line that crosses a threshold is read.
//! An alert (a rule, and its subject for per-endpoint rules) fires when its rule fires in a
//! window overlapping the hold span and resolves once none does. Pure.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::window::LiveWin;
use crate::aggregate::intern::{Interner, NONE};
use crate::aggregate::windows::WinAgg;
use crate::parse::time::format_utc;
use crate::parse::{Micros, Source};
use crate::rules::{Kind, Rule, RuleSet, Severity};
use crate::triage::evaluate::judge_windows;

#[derive(Serialize, Debug, Clone)]
pub struct AlertEvent {
    /// `firing` or `resolved`.
    pub state: &'static str,
    /// The rule's id, as `logtriage rules` lists it.
    pub rule: String,
    /// What a per-endpoint rule is about, e.g. `GET /api/search (app)`.
    pub subject: Option<String>,
    pub severity: Severity,
    pub description: String,
    /// Matching lines in the windows of the hold span where the rule fired (for a resolved
    /// alert, as when it was last firing).
    pub count: u64,
    /// The numbers behind the decision, as in `report`'s flags (share or p95 against the
    /// baseline).
    pub detail: Option<String>,
    /// Event time of the judgement (the newest line's time), and since when it fired.
    pub at: String,
    pub since: String,
}

/// Alerts firing at one judgement, by (rule id, subject).
type Hot = BTreeMap<(String, Option<String>), AlertEvent>;

/// Marks `r` (about `subject`) firing at `at`.
fn fire(hot: &mut Hot, r: &Rule, subject: Option<String>, count: u64, detail: String, at: &str) {
    hot.insert(
        (r.id.clone(), subject.clone()),
        AlertEvent {
            state: "firing",
            rule: r.id.clone(),
            subject,
            severity: r.severity,
            description: r.description.clone(),
            count,
            detail: (!detail.is_empty()).then_some(detail),
            at: at.to_string(),
            since: at.to_string(),
        },
    );
}

pub struct Alerts {
    rules: std::sync::Arc<RuleSet>,
    hold: Micros,
    firing: BTreeMap<(String, Option<String>), AlertEvent>,
}

impl Alerts {
    pub fn new(rules: std::sync::Arc<RuleSet>, hold: Micros) -> Alerts {
        Alerts {
            rules,
            hold,
            firing: BTreeMap::new(),
        }
    }

    /// How many windows before the hold span the rules look back at (their baselines).
    pub fn lookback(&self) -> usize {
        self.rules
            .rules
            .iter()
            .filter(|r| r.enabled)
            .map(|r| r.params.baseline_windows)
            .max()
            .unwrap_or(0)
    }

    /// The enabled rule of a kind judged here rather than by `judge_windows`.
    fn rule(&self, kind: impl Fn(&Kind) -> bool) -> Option<&Rule> {
        self.rules.rules.iter().find(|r| r.enabled && kind(&r.kind))
    }

    pub fn hold(&self) -> Micros {
        self.hold
    }

    /// Firing alerts, most severe first.
    pub fn firing(&self) -> Vec<&AlertEvent> {
        let mut v: Vec<&AlertEvent> = self.firing.values().collect();
        v.sort_by_key(|a| std::cmp::Reverse(a.severity));
        v
    }

    /// Judges every rule at event time `now` over the recent `wins` (the kept windows of width
    /// `width`, the first of them the stream's first when `first_is_start`); returns the
    /// changes.
    pub fn judge(
        &mut self,
        now: Micros,
        width: Micros,
        wins: &BTreeMap<Micros, LiveWin>,
        names: &Interner,
        primary: Source,
        first_is_start: bool,
    ) -> Vec<AlertEvent> {
        // The windows overlapping (now - hold, now], and the baselines' windows before them.
        let from = now - self.hold - (self.lookback() as Micros + 1) * width;
        let list: Vec<(i64, &WinAgg)> = wins.range(from..).map(|(s, w)| (*s, &w.agg)).collect();
        let first_is_start = first_is_start && list.len() == wins.len();
        let recent_from = list.partition_point(|(s, _)| *s + width <= now - self.hold);
        let mut hot = Hot::new();
        let at = format_utc(now);
        for f in judge_windows(&self.rules, &list, primary, names, first_is_start) {
            let count: u64 = f.firing.range(recent_from..).map(|(_, n)| n).sum();
            if f.firing.range(recent_from..).next().is_none() {
                continue;
            }
            let r = &self.rules.rules[f.rule];
            fire(
                &mut hot,
                r,
                f.subject,
                count,
                f.detail.unwrap_or_default(),
                &at,
            );
        }
        let recent: Vec<&LiveWin> = list[recent_from..].iter().map(|(s, _)| &wins[s]).collect();
        self.hung(&mut hot, &recent, names, &at);
        self.new_types(&mut hot, &recent, names, &at);
        let mut out = Vec::new();
        // Resolved: firing before, not now. Kept in rule order.
        let gone: Vec<_> = self
            .firing
            .keys()
            .filter(|k| !hot.contains_key(*k))
            .cloned()
            .collect();
        for k in gone {
            let mut e = self.firing.remove(&k).expect("firing");
            e.state = "resolved";
            e.at = at.clone();
            out.push(e);
        }
        for (k, mut e) in hot {
            match self.firing.get_mut(&k) {
                Some(old) => {
                    e.since = std::mem::take(&mut old.since);
                    *old = e;
                }
                None => {
                    out.push(e.clone());
                    self.firing.insert(k, e);
                }
            }
        }
        out
    }

    /// `hung_requests`: windows where nginx timed out or lost at least `min_count` requests
    /// the app had seen.
    fn hung(&self, hot: &mut Hot, recent: &[&LiveWin], names: &Interner, at: &str) {
        let Some(r) = self.rule(|k| matches!(k, Kind::Hung)) else {
            return;
        };
        let count: u64 = recent
            .iter()
            .map(|w| w.hung)
            .filter(|&n| n > 0 && n >= r.params.min_count)
            .sum();
        if count == 0 {
            return;
        }
        // Where they stopped: the largest groups by last app message, as `report` words them.
        let mut words: FxHashMap<u32, u64> = FxHashMap::default();
        for w in recent.iter().filter(|w| w.hung >= r.params.min_count) {
            for (k, n) in &w.hung_words {
                *words.entry(*k).or_default() += n;
            }
        }
        let mut words: Vec<(u64, &str)> = words
            .iter()
            .map(|(k, n)| (*n, if *k == NONE { "" } else { names.name(*k) }))
            .collect();
        words.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let stops: Vec<String> = words
            .iter()
            .take(3)
            .map(|(n, m)| match *m {
                "" => format!("{n} with no app message"),
                m => format!("{n} stopped after \"{m}\""),
            })
            .collect();
        let detail = format!(
            "{count} requests the app saw were timed out (504) or lost (502) by nginx: {}",
            stops.join(", ")
        );
        fire(hot, r, None, count, detail, at);
    }

    /// `new_error_type`, as `report` judges it inside an incident: an error type first seen
    /// (after the stream's first window) in a window of the hold span while another alert
    /// fires.
    fn new_types(&self, hot: &mut Hot, recent: &[&LiveWin], names: &Interner, at: &str) {
        if hot.is_empty() {
            return;
        }
        let Some(r) = self.rule(|k| matches!(k, Kind::NewErrorType)) else {
            return;
        };
        let during: Vec<&str> = hot.keys().map(|k| k.0.as_str()).collect();
        let during = during.join(", ");
        let mut found = Vec::new();
        for w in recent {
            for &(id, first) in &w.new_types {
                let count = recent
                    .iter()
                    .map(|x| x.error_types.get(&id).copied().unwrap_or(0))
                    .sum();
                let name = names.name(id).to_string();
                let detail = format!(
                    "first seen {}, while {during} fired; absent before",
                    format_utc(first)
                );
                found.push((name, count, detail));
            }
        }
        for (name, count, detail) in found {
            fire(hot, r, Some(name), count, detail, at);
        }
    }
}
