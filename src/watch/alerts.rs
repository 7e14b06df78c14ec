//! Alerts of `watch`, judged over the most recent event-time windows (open ones included, so
//! an alert fires as soon as the line that crosses a threshold is read): error share and p95
//! over 5 minutes, nginx upstream timeouts / closed / refused and failing health checks over
//! 1 minute. Ids match `report`'s rules where the meaning is the same. Pure.

use std::collections::BTreeMap;

use serde::Serialize;

use super::state::LiveWin;
use crate::aggregate::intern::Interner;
use crate::parse::Micros;
use crate::parse::time::format_utc;
use crate::triage::rules::Severity;

const MINUTE: Micros = 60_000_000;

#[derive(Clone, Debug)]
pub struct Thresholds {
    /// Error share (0-1) over the long span, among lines with a level.
    pub error_share: f64,
    /// Lines with a level the long span needs before its share is judged.
    pub min_lines: u64,
    /// p95 (ms) over the long span, of the source with the most latency values.
    pub p95_ms: f64,
    /// nginx upstream errors of one class within the short span.
    pub upstream: u64,
    /// Failing health checks within the short span.
    pub health: u64,
    pub long_span: Micros,
    pub short_span: Micros,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            error_share: 0.05,
            min_lines: 20,
            p95_ms: 2000.0,
            upstream: 5,
            health: 1,
            long_span: 5 * MINUTE,
            short_span: MINUTE,
        }
    }
}

#[derive(Serialize, Debug, Clone)]
pub struct AlertEvent {
    /// `firing` or `resolved`.
    pub state: &'static str,
    pub rule: &'static str,
    pub severity: Severity,
    pub description: String,
    /// The measured value and the threshold it was judged against.
    pub value: f64,
    pub threshold: f64,
    /// Event time of the judgement (the newest line's time), and since when it fired.
    pub at: String,
    pub since: String,
}

pub struct Alerts {
    t: Thresholds,
    firing: BTreeMap<&'static str, AlertEvent>,
}

struct Judged {
    rule: &'static str,
    severity: Severity,
    description: String,
    value: f64,
    threshold: f64,
    fires: bool,
}

impl Alerts {
    pub fn new(t: Thresholds) -> Alerts {
        Alerts {
            t,
            firing: BTreeMap::new(),
        }
    }

    pub fn longest_span(&self) -> Micros {
        self.t.long_span.max(self.t.short_span)
    }

    pub fn firing(&self) -> Vec<&AlertEvent> {
        self.firing.values().collect()
    }

    /// Judges every alert at event time `now`; returns the state changes.
    pub fn judge(
        &mut self,
        now: Micros,
        width: Micros,
        wins: &BTreeMap<Micros, LiveWin>,
        names: &Interner,
    ) -> Vec<AlertEvent> {
        let t = &self.t;
        // Windows overlapping (now - span, now].
        let span = |s: Micros| wins.range(now - s - width + 1..=now).map(|(_, w)| w);
        let long: Vec<&LiveWin> = span(t.long_span).collect();
        let short: Vec<&LiveWin> = span(t.short_span).collect();

        let leveled: u64 = long.iter().map(|w| w.leveled).sum();
        let errors: u64 = long.iter().map(|w| w.errors).sum();
        let share = if leveled > 0 {
            errors as f64 / leveled as f64
        } else {
            0.0
        };
        // The side with more latency values speaks for the service (nginx when it is there).
        let pick = |i: usize| long.iter().map(|w| w.latency[i].len()).sum::<usize>();
        let side = if pick(1) >= pick(0) { 1 } else { 0 };
        let lat: Vec<f32> = long
            .iter()
            .flat_map(|w| w.latency[side].iter().copied())
            .collect();
        let p95 = crate::aggregate::latency::p95(&lat).unwrap_or(0.0);
        let class = |name: &str| -> u64 {
            short
                .iter()
                .flat_map(|w| w.error_types.iter())
                .filter(|(id, _)| names.name(**id) == name)
                .map(|(_, n)| *n)
                .sum()
        };
        let health: u64 = short.iter().map(|w| w.health_bad).sum();
        let judged = [
            Judged {
                rule: "error_share",
                severity: Severity::Warning,
                description: format!(
                    "ERROR/FATAL share of lines with a level over the last {}",
                    human(t.long_span)
                ),
                value: share,
                threshold: t.error_share,
                fires: leveled >= t.min_lines && share > t.error_share,
            },
            Judged {
                rule: "latency_p95",
                severity: Severity::Warning,
                description: format!(
                    "p95 latency (ms, {}) over the last {}",
                    if side == 1 { "nginx" } else { "app" },
                    human(t.long_span)
                ),
                value: p95,
                threshold: t.p95_ms,
                fires: p95 > t.p95_ms,
            },
            upstream(
                "upstream_timeout",
                "upstream_timed_out",
                "nginx upstream timeouts (504)",
                class,
                t,
            ),
            upstream(
                "upstream_closed",
                "upstream_prematurely_closed",
                "upstream closed connections (502)",
                class,
                t,
            ),
            upstream(
                "upstream_refused",
                "upstream_connect_refused",
                "refused upstream connections (502)",
                class,
                t,
            ),
            Judged {
                rule: "health_check_failing",
                severity: Severity::Critical,
                description: format!(
                    "health checks answering 5xx or logging errors in the last {}",
                    human(t.short_span)
                ),
                value: health as f64,
                threshold: t.health as f64,
                fires: t.health > 0 && health >= t.health,
            },
        ];
        let at = format_utc(now);
        let mut out = Vec::new();
        for j in judged {
            match (self.firing.contains_key(j.rule), j.fires) {
                (false, true) => {
                    let e = AlertEvent {
                        state: "firing",
                        rule: j.rule,
                        severity: j.severity,
                        description: j.description,
                        value: crate::aggregate::latency::round3(j.value),
                        threshold: j.threshold,
                        at: at.clone(),
                        since: at.clone(),
                    };
                    self.firing.insert(j.rule, e.clone());
                    out.push(e);
                }
                (true, false) => {
                    let mut e = self.firing.remove(j.rule).expect("firing");
                    e.state = "resolved";
                    e.value = crate::aggregate::latency::round3(j.value);
                    e.at = at.clone();
                    out.push(e);
                }
                (true, true) => {
                    if let Some(e) = self.firing.get_mut(j.rule) {
                        e.value = crate::aggregate::latency::round3(j.value);
                        e.at = at.clone();
                    }
                }
                (false, false) => {}
            }
        }
        out
    }
}

fn upstream(
    rule: &'static str,
    class: &str,
    what: &str,
    count: impl Fn(&str) -> u64,
    t: &Thresholds,
) -> Judged {
    let n = count(class);
    Judged {
        rule,
        severity: Severity::Critical,
        description: format!("{what} in the last {}", human(t.short_span)),
        value: n as f64,
        threshold: t.upstream as f64,
        fires: t.upstream > 0 && n >= t.upstream,
    }
}

fn human(us: Micros) -> String {
    crate::report::human_duration(us as f64 / 1e6)
}
