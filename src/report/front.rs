//! Picks the first screen (`Brief`) from a finished `Report`: orders and shortens what the
//! report holds. Must not count anything anew, so every figure on the first screen is one
//! of the report's own.

use super::brief::{Brief, BriefError, BriefFlag, BriefIncident};
use super::{ErrorType, Report};
use crate::triage::evaluate::Flag;
use crate::triage::incidents::Incident;

/// Flags and error types the first screen lists before pointing to the details.
pub const TOP_FLAGS: usize = 6;
pub const TOP_ERROR_TYPES: usize = 5;
/// What-failed phrases and endpoints per incident line.
const PHRASES: usize = 6;
const ENDPOINTS: usize = 3;

/// The first screen of `r`.
pub fn brief(r: &Report) -> Brief {
    let listed: Vec<&Flag> = r
        .flags
        .iter()
        .filter(|f| f.rule != "new_error_type")
        .collect();
    Brief {
        incidents: r
            .incidents
            .iter()
            .enumerate()
            .map(|(i, inc)| incident(i + 1, inc, &r.flags))
            .collect(),
        flags: listed.iter().take(TOP_FLAGS).map(|f| flag(f)).collect(),
        flags_more: listed.len().saturating_sub(TOP_FLAGS),
        error_types: r
            .error_types
            .iter()
            .take(TOP_ERROR_TYPES)
            .map(error_type)
            .collect(),
        error_types_more: r.error_types.len().saturating_sub(TOP_ERROR_TYPES),
        new_error_types: r
            .flags
            .iter()
            .filter(|f| f.rule == "new_error_type")
            .map(|f| (f.subject.clone().unwrap_or_default(), f.count))
            .collect(),
    }
}

fn incident(number: usize, inc: &Incident, flags: &[Flag]) -> BriefIncident {
    let own: Vec<_> = inc
        .flags
        .iter()
        .filter(|f| f.rule != "new_error_type")
        .collect();
    let what = own
        .iter()
        .take(PHRASES)
        .map(|f| short_phrase(&f.rule, f.subject.as_deref(), f.count))
        .collect();
    // Endpoints named by the incident's flags, weighted by the flags' counts inside it.
    let mut endpoints: Vec<(String, u64)> = Vec::new();
    for f in &own {
        let Some(full) = flags
            .iter()
            .find(|x| x.rule == f.rule && x.subject == f.subject)
        else {
            continue;
        };
        for e in full.endpoints.iter().take(ENDPOINTS) {
            match endpoints.iter_mut().find(|(n, _)| *n == e.name) {
                Some((_, c)) => *c += f.count,
                None => endpoints.push((e.name.clone(), f.count)),
            }
        }
    }
    endpoints.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    BriefIncident {
        number,
        severity: inc.severity,
        start: inc.start.clone(),
        end: inc.end.clone(),
        seconds: seconds(&inc.start, &inc.end),
        what,
        endpoints: endpoints
            .into_iter()
            .take(ENDPOINTS)
            .map(|(n, _)| n)
            .collect(),
        new_error_types: inc.new_error_types.clone(),
    }
}

fn flag(f: &Flag) -> BriefFlag {
    let mut gist = Vec::new();
    if let Some(e) = f.endpoints.first() {
        gist.push(match f.endpoints.len() {
            1 => e.name.clone(),
            n => format!("{} (+{} more)", e.name, n - 1),
        });
    }
    match f.app_side.first() {
        Some(a) => gist.push(format!("app: {}", a.describe())),
        None => gist.extend(f.detail.clone().filter(|_| f.endpoints.is_empty())),
    }
    BriefFlag {
        severity: f.severity,
        rule: f.rule.clone(),
        subject: f.subject.clone(),
        count: f.count,
        first: f.first.clone(),
        last: f.last.clone(),
        gist,
    }
}

fn error_type(e: &ErrorType) -> BriefError {
    BriefError {
        kind: e.kind.clone(),
        source: e.source.name(),
        count: e.count,
        http_status: e.http_status,
        endpoint: e.endpoints.first().map(|x| x.endpoint.clone()),
    }
}

/// Seconds from one RFC 3339 time of the report to another.
fn seconds(start: &str, end: &str) -> f64 {
    let at = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
    match (at(start), at(end)) {
        (Some(a), Some(b)) => (b - a).num_milliseconds() as f64 / 1000.0,
        _ => 0.0,
    }
}

/// A flag's count inside an incident in a few words, for a line of the first screen:
/// `30 upstream-closed 502s`. The full sentence is the incident's `summary`.
fn short_phrase(rule: &str, subject: Option<&str>, count: u64) -> String {
    match rule {
        "health_check_failing" => "health checks failing".to_string(),
        "upstream_timeout" => format!("{count} upstream timeouts (504)"),
        "upstream_closed" => format!("{count} upstream-closed 502s"),
        "upstream_refused" => format!("{count} refused 502s"),
        "upstream_reset" => format!("{count} reset 502s"),
        "no_live_upstreams" => format!("{count} no-live-upstream 502s"),
        "5xx_burst" => format!("{count} 5xx"),
        "error_rate_spike" => format!("{count} error lines"),
        "latency_spike" => format!("slow {}", subject.unwrap_or("endpoint")),
        "hung_requests" => format!("{count} hung in the app"),
        "restart" => "a restart".to_string(),
        other => match subject {
            Some(s) => format!("{other} {s} ({count})"),
            None => format!("{other} ({count})"),
        },
    }
}
