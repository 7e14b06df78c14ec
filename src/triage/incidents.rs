//! Incidents: windows where warning or critical flags fire, merged across small gaps, with
//! their new error types, new message patterns and a plain-language summary. Pure: works on
//! the flags `evaluate` judged.

use std::collections::BTreeMap;

use serde::Serialize;

use super::flag::{Ctx, Firing, Flag, NameCount, Parts, hung_parts, side_list};
use super::patterns::Cluster;
use crate::aggregate::Partial;
use crate::aggregate::intern::Interner;
use crate::parse::Source;
use crate::parse::time::format_utc;
use crate::rules::{Rule, RuleSet, Severity};

/// New patterns listed per incident.
const NEW_PATTERNS: usize = 5;

#[derive(Serialize, Debug, Clone)]
pub struct IncidentFlag {
    pub rule: String,
    pub severity: Severity,
    pub subject: Option<String>,
    /// Lines (or requests) of the flag inside the incident.
    pub count: u64,
}

#[derive(Serialize, Debug, Clone)]
pub struct Incident {
    pub start: String,
    pub end: String,
    /// Start of the window with the most flagged lines.
    pub peak: String,
    pub severity: Severity,
    pub flags: Vec<IncidentFlag>,
    pub new_error_types: Vec<String>,
    pub new_patterns: Vec<String>,
    pub summary: String,
}

/// Incidents from the judged flags (rule index, flag, firing windows), and one
/// `new_error_type` flag per type first seen inside one (when that rule is on).
pub(super) fn build(
    fired: &[(usize, Flag, Firing, Parts<'_>)],
    new_type_rule: Option<usize>,
    p: &Partial,
    names: &Interner,
    rules: &RuleSet,
    clusters: &[Cluster],
    cx: &Ctx<'_>,
) -> (Vec<Incident>, Vec<Flag>) {
    let (wins, width) = (cx.wins, cx.width);
    let load = load(fired, rules);
    let mut incidents = Vec::new();
    let mut new_flags: Vec<Flag> = Vec::new();
    for (a, b) in spans(&load, rules.gap_windows) {
        let start = wins[a].0;
        let end = wins[b].0 + width;
        let peak = (a..=b)
            .filter_map(|i| load.get(&i).map(|n| (i, *n)))
            .max_by(|x, y| x.1.cmp(&y.1).then(y.0.cmp(&x.0)))
            .map_or(a, |x| x.0);
        let mut inc_flags = incident_flags(fired, rules, a, b);
        // A type or pattern is new only if there was something before to compare with.
        let has_before = a > 0;
        let mut new_types: Vec<String> = Vec::new();
        if has_before && let Some(ri) = new_type_rule {
            for (inc_flag, flag) in new_error_types(&rules.rules[ri], p, names, cx, start, end) {
                new_types.push(inc_flag.subject.clone().unwrap_or_default());
                inc_flags.push(inc_flag);
                new_flags.push(flag);
            }
        }
        let new_patterns: Vec<String> = if has_before {
            clusters
                .iter()
                .filter(|c| c.agg.first >= start && c.agg.first < end)
                .take(NEW_PATTERNS)
                .map(|c| c.template.clone())
                .collect()
        } else {
            Vec::new()
        };
        inc_flags.sort_by(|x, y| {
            y.severity
                .cmp(&x.severity)
                .then(y.count.cmp(&x.count))
                .then_with(|| x.rule.cmp(&y.rule))
                .then_with(|| x.subject.cmp(&y.subject))
        });
        let severity = inc_flags
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Warning);
        let mut inc = Incident {
            start: format_utc(start),
            end: format_utc(end),
            peak: format_utc(wins[peak].0),
            severity,
            flags: inc_flags,
            new_error_types: new_types,
            new_patterns,
            summary: String::new(),
        };
        inc.summary = summary(&inc, fired, (a, b), cx);
        incidents.push(inc);
    }
    (incidents, new_flags)
}

/// Per window, the matches of the warning and critical flags firing there.
fn load(fired: &[(usize, Flag, Firing, Parts<'_>)], rules: &RuleSet) -> BTreeMap<usize, u64> {
    let mut load: BTreeMap<usize, u64> = BTreeMap::new();
    for (ri, _, firing, _) in fired {
        if rules.rules[*ri].severity >= Severity::Warning {
            for (&i, &n) in firing {
                *load.entry(i).or_default() += n.max(1);
            }
        }
    }
    load
}

/// Windows with load, merged across gaps of at most `gap` windows: (first, last) index.
fn spans(load: &BTreeMap<usize, u64>, gap: usize) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for &i in load.keys() {
        match spans.last_mut() {
            Some((_, end)) if i - *end <= gap + 1 => *end = i,
            _ => spans.push((i, i)),
        }
    }
    spans
}

/// The flags firing in windows `a..=b`, with their matches there.
fn incident_flags(
    fired: &[(usize, Flag, Firing, Parts<'_>)],
    rules: &RuleSet,
    a: usize,
    b: usize,
) -> Vec<IncidentFlag> {
    fired
        .iter()
        .filter_map(|(ri, f, firing, _)| {
            let n: u64 = firing.range(a..=b).map(|(_, n)| *n).sum();
            (firing.range(a..=b).next().is_some()).then(|| IncidentFlag {
                rule: rules.rules[*ri].id.clone(),
                severity: rules.rules[*ri].severity,
                subject: f.subject.clone(),
                count: n,
            })
        })
        .collect()
}

/// Error types first seen in `[start, end)`, app exceptions first (nginx classes already
/// have their own rules), each as the incident's flag and as a `new_error_type` flag.
fn new_error_types(
    r: &Rule,
    p: &Partial,
    names: &Interner,
    cx: &Ctx<'_>,
    start: i64,
    end: i64,
) -> Vec<(IncidentFlag, Flag)> {
    let (wins, width) = (cx.wins, cx.width);
    let mut types: Vec<_> = p
        .errors
        .iter()
        .filter(|(_, e)| e.first >= start && e.first < end)
        .collect();
    types.sort_by(|x, y| {
        (x.0.0 != Source::App)
            .cmp(&(y.0.0 != Source::App))
            .then(y.1.count.cmp(&x.1.count))
            .then_with(|| names.name(x.0.1).cmp(names.name(y.0.1)))
    });
    types
        .into_iter()
        .map(|((_, id), e)| {
            let name = names.name(*id).to_string();
            let mut firing = Firing::new();
            let i = wins.partition_point(|(s, _)| *s + width <= e.first);
            firing.insert(i.min(wins.len() - 1), e.count);
            let mut f = cx.flag(r, &firing, None);
            f.subject = Some(name.clone());
            f.count = e.count;
            f.first = Some(format_utc(e.first));
            f.last = Some(format_utc(e.last));
            f.endpoints = cx.top(&e.endpoints);
            f.request_ids = e.ids.iter().map(|x| x.3.to_string()).collect();
            f.detail = Some(format!(
                "first seen {}, inside the incident that began {}; absent before",
                format_utc(e.first),
                format_utc(start)
            ));
            let inc = IncidentFlag {
                rule: r.id.clone(),
                severity: r.severity,
                subject: Some(name),
                count: e.count,
            };
            (inc, f)
        })
        .collect()
}

fn short(t: &str) -> &str {
    t.get(11..19).unwrap_or(t)
}

/// A flag's count in an incident as the summary says it: `30 upstream-closed 502s`.
fn phrase(rule: &str, subject: Option<&str>, count: u64) -> String {
    match rule {
        "upstream_timeout" => format!("{count} upstream timeouts (504)"),
        "upstream_closed" => format!("{count} upstream-closed 502s"),
        "upstream_refused" => format!("{count} refused upstream connections (502)"),
        "upstream_reset" => format!("{count} upstream resets (502)"),
        "no_live_upstreams" => format!("{count} no-live-upstream errors (502)"),
        "5xx_burst" => format!("{count} 5xx responses"),
        "health_check_failing" => format!("health checks failing ({count} lines)"),
        "error_rate_spike" => format!("error rate spike ({count} error lines)"),
        "latency_spike" => format!("latency spike on {}", subject.unwrap_or("an endpoint")),
        "hung_requests" => format!("{count} requests never answered by the app"),
        "restart" => "a restart".to_string(),
        other => format!("{other} ({count})"),
    }
}

/// "03:16:07-03:16:52 UTC (45s): 29 upstream timeouts (504) on POST /x from upstream ...;
/// new error types storage.DatabaseError; peak 03:16:30." Every number in it is of the
/// incident's windows `a..=b`: a name quoted with a flag's count covers all of it, else its
/// own share is said.
fn summary(
    inc: &Incident,
    fired: &[(usize, Flag, Firing, Parts<'_>)],
    (a, b): (usize, usize),
    cx: &Ctx<'_>,
) -> String {
    let find = |rule: &str, subject: &Option<String>| {
        fired
            .iter()
            .find(|(_, f, _, _)| f.rule == rule && &f.subject == subject)
    };
    let mut parts: Vec<String> = Vec::new();
    for f in inc
        .flags
        .iter()
        .filter(|f| f.rule != "new_error_type")
        .take(8)
    {
        let mut s = phrase(&f.rule, f.subject.as_deref(), f.count);
        if let Some((_, _, firing, own)) = find(&f.rule, &f.subject) {
            s.push_str(&own_part(&f.rule, f.count, firing, own, (a, b), cx));
        }
        parts.push(s);
    }
    if !inc.new_error_types.is_empty() {
        parts.push(format!(
            "new error types: {}",
            inc.new_error_types
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let span_us = cx.wins[b].0 + cx.width - cx.wins[a].0;
    format!(
        "{}-{} UTC ({}): {}; peak window {}.",
        short(&inc.start),
        short(&inc.end),
        crate::model::human_duration(span_us as f64 / 1e6),
        parts.join("; "),
        short(&inc.peak)
    )
}

/// What the sentence adds to a flag's count, all of it of the incident's windows `a..=b`:
/// the endpoint and upstream of nginx flags, when health checks began failing, where hung
/// requests stopped.
fn own_part(
    rule: &str,
    count: u64,
    firing: &Firing,
    own: &Parts<'_>,
    (a, b): (usize, usize),
    cx: &Ctx<'_>,
) -> String {
    let mut s = String::new();
    // The incident's windows where this flag fired: what `count` counts.
    let inside = |i: usize| a <= i && i <= b && firing.contains_key(&i);
    let ev = own.evidence;
    if (rule.starts_with("upstream") || rule == "no_live_upstreams")
        && let Some(e) = ev
    {
        let ep = cx.top_in(&e.endpoints, inside);
        let up = cx.top_in(&e.upstreams, inside);
        s.push_str(&quote(&ep, &up, count));
    }
    if rule == "health_check_failing"
        && let Some(e) = ev
        && let Some(first) = cx.first_in(e, inside)
    {
        // The first failing check inside the incident, not the log's first.
        s.push_str(&format!(" since {}", short(&format_utc(first))));
    }
    if rule == "hung_requests" {
        let (_, words) = hung_parts(&own.requests, inside);
        if let Some(w) = side_list(words).first() {
            match &w.last_message {
                Some(m) => s.push_str(&format!(", {} of them stopped after \"{}\"", w.requests, m)),
                None => s.push_str(&format!(", {} with no app line", w.requests)),
            }
        }
    }
    s
}

/// " on E from upstream U" when the top endpoint and upstream cover all `count` lines; a
/// name covering only some says how many ("29 upstream timeouts (504), 15 of them on E").
fn quote(ep: &[NameCount], up: &[NameCount], count: u64) -> String {
    let mut whole = String::new();
    let mut some = String::new();
    for (list, word) in [(ep, "on"), (up, "from upstream")] {
        let Some(n) = list.first() else { continue };
        if n.count >= count {
            whole.push_str(&format!(" {word} {}", n.name));
        } else {
            some.push_str(&format!(", {} of them {word} {}", n.count, n.name));
        }
    }
    whole + &some
}
