//! Alerts of `watch`: `report`'s triage rules (the same catalogue, `--rules` file and
//! judgement, `triage::evaluate::judge_windows`) judged over the most recent event-time windows,
//! open ones included, so an alert fires as soon as the line that crosses a threshold is read.
//! An alert (a rule, and its subject for per-endpoint rules) fires when its rule fires in a
//! window overlapping the hold span and resolves once none does. Pure.

use std::collections::BTreeMap;

use serde::Serialize;

use super::state::LiveWin;
use crate::aggregate::intern::Interner;
use crate::aggregate::windows::WinAgg;
use crate::parse::time::format_utc;
use crate::parse::{Micros, Source};
use crate::triage::evaluate::judge_windows;
use crate::triage::rules::{RuleSet, Severity};

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
        let mut hot: BTreeMap<(String, Option<String>), AlertEvent> = BTreeMap::new();
        let at = format_utc(now);
        for f in judge_windows(&self.rules, &list, primary, names, first_is_start) {
            let count: u64 = f.firing.range(recent_from..).map(|(_, n)| n).sum();
            if f.firing.range(recent_from..).next().is_none() {
                continue;
            }
            let r = &self.rules.rules[f.rule];
            let key = (r.id.clone(), f.subject.clone());
            hot.insert(
                key,
                AlertEvent {
                    state: "firing",
                    rule: r.id.clone(),
                    subject: f.subject,
                    severity: r.severity,
                    description: r.description.clone(),
                    count,
                    detail: f.detail,
                    at: at.clone(),
                    since: at.clone(),
                },
            );
        }
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
}
