//! Judging the rules that need only windows: which rules fire in which windows, against
//! their thresholds and the baseline of the quiet windows before. Shared by `report` (the
//! display windows, via `evaluate`) and `watch` (its live windows). Must not build flags.

use super::flag::Firing;
use crate::aggregate::intern::Interner;
use crate::aggregate::windows::WinAgg;
use crate::model::round3;
use crate::parse::Source;
use crate::parse::time::format_utc;
use crate::rules::{Condition, Kind, Rule, RuleSet};

/// Below this p95 (ms) a latency rise is noise, however many times the baseline it is.
const LATENCY_FLOOR_MS: f64 = 100.0;
pub const BASELINE_RULE: &str = "each window is compared with the mean of up to baseline_windows earlier windows in which the rule did not fire (so an ongoing incident does not raise its own baseline); the first windows of a log have no baseline and are judged on the absolute thresholds alone";

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
    let mut out = Vec::new();
    for (ri, r) in rules.rules.iter().enumerate() {
        if !r.enabled {
            continue;
        }
        let j = Judge {
            rules,
            rule: ri,
            wins,
        };
        match &r.kind {
            Kind::NginxClass(_) | Kind::HealthFailing | Kind::Restart | Kind::Custom(..) => {
                out.extend(j.counted(r, first_is_start))
            }
            Kind::Status5xx => out.extend(j.status_5xx(r, primary)),
            Kind::ErrorRate => out.extend(j.error_rate(r)),
            Kind::Latency => out.extend(j.latency(r, names)),
            Kind::Hung | Kind::NewErrorType => {}
        }
    }
    out
}

/// One rule judged over the windows.
struct Judge<'a> {
    rules: &'a RuleSet,
    rule: usize,
    wins: &'a [(i64, &'a WinAgg)],
}

impl Judge<'_> {
    /// The `nth` line-matcher slot of this rule.
    fn slot(&self, nth: usize) -> Option<usize> {
        self.rules
            .slots
            .iter()
            .enumerate()
            .filter(|(_, (r, _))| *r == self.rule)
            .nth(nth)
            .map(|(s, _)| s)
    }

    fn fired(&self, slot: Option<usize>, firing: Firing, detail: Option<String>) -> Option<Fired> {
        if firing.is_empty() {
            return None;
        }
        Some(Fired {
            rule: self.rule,
            slot,
            firing,
            endpoint: None,
            subject: None,
            detail,
        })
    }

    /// Rules that count matching lines per window: nginx classes, failing health checks,
    /// restarts, custom rules.
    fn counted(&self, r: &Rule, first_is_start: bool) -> Option<Fired> {
        let slot = self.slot(0)?;
        let pr = &r.params;
        let mut firing = Firing::new();
        for (i, (_, w)) in self.wins.iter().enumerate() {
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
        self.fired(Some(slot), firing, None)
    }

    /// 5xx responses of the primary source: enough of them, and a large enough share.
    fn status_5xx(&self, r: &Rule, primary: Source) -> Option<Fired> {
        let nth = match primary {
            Source::App => 0,
            Source::Nginx => 1,
        };
        let slot = self.slot(nth)?;
        let pr = &r.params;
        let mut firing = Firing::new();
        for (i, (_, w)) in self.wins.iter().enumerate() {
            let n = hits(slot, w);
            let resp = w.responses[primary as usize].max(1);
            if n >= pr.min_count && n as f64 / resp as f64 >= pr.min_share {
                firing.insert(i, n);
            }
        }
        let detail = Some(format!("{} responses", primary.name()));
        self.fired(Some(slot), firing, detail)
    }

    /// The share of error lines among leveled lines, against its baseline.
    fn error_rate(&self, r: &Rule) -> Option<Fired> {
        let pr = &r.params;
        let shares: Vec<Option<f64>> = self
            .wins
            .iter()
            .map(|(_, w)| {
                (w.leveled >= pr.min_lines.max(1)).then(|| w.errors as f64 / w.leveled as f64)
            })
            .collect();
        let hot = with_baseline(&shares, pr.baseline_windows, |v, base| {
            v > pr.min_share && base.is_none_or(|b| v >= pr.factor * b)
        });
        if hot.is_empty() {
            return None;
        }
        let firing: Firing = hot
            .iter()
            .map(|&(i, _, _)| (i, self.wins[i].1.errors))
            .collect();
        let detail = peak_detail(
            self.wins,
            &hot,
            |v| format!("peak {} of leveled lines", pct(v)),
            pct,
        );
        self.fired(None, firing, Some(detail))
    }

    /// p95 per endpoint and source, from the windows' own stores, against its baseline.
    fn latency(&self, r: &Rule, names: &Interner) -> Vec<Fired> {
        let pr = &r.params;
        let mut keys: Vec<(u8, u32)> = self
            .wins
            .iter()
            .flat_map(|(_, w)| w.ep_latency.keys().copied())
            .collect();
        keys.sort_unstable_by(|a, b| (a.0, names.name(a.1)).cmp(&(b.0, names.name(b.1))));
        keys.dedup();
        let mut out = Vec::new();
        for key in keys {
            let series: Vec<Option<f64>> = self
                .wins
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
                .map(|&(i, _, _)| (i, self.wins[i].1.ep_latency[&key].len() as u64))
                .collect();
            let src = if key.0 == 0 { "app" } else { "nginx" };
            let detail = peak_detail(
                self.wins,
                &hot,
                |v| format!("{src} p95 {} ms", round3(v)),
                |b| format!("{} ms", round3(b)),
            );
            out.push(Fired {
                rule: self.rule,
                slot: None,
                firing,
                endpoint: Some(key),
                subject: Some(format!("{} ({src})", names.name(key.1))),
                detail: Some(detail),
            });
        }
        out
    }
}

/// Lines of rule slot `slot` in a window.
fn hits(slot: usize, w: &WinAgg) -> u64 {
    w.hits.get(&(slot as u16)).copied().unwrap_or(0)
}

/// Windows where a per-window value (`None`: not judged) beats its threshold and its
/// baseline: the mean of up to `n` earlier judged windows in which it did not fire.
pub(super) fn with_baseline(
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
pub(super) fn peak_detail(
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

pub(super) fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
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
