//! The triage rules: the built-in catalogue with its defaults, overrides and custom rules from
//! a `--rules` TOML file, and the per-line matchers the aggregation runs. Defines rules only;
//! evaluating them over windows lives in `triage::evaluate`.

pub mod file;

use serde::{Deserialize, Serialize};

use crate::parse::{Format, Level, LogEvent, Source};
use crate::select::matcher::Matcher;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// How a rule is judged.
#[derive(Clone, Debug)]
pub enum Kind {
    /// nginx error lines of this message class.
    NginxClass(&'static str),
    /// 5xx responses of the primary source (nginx when it logged traffic, else the app).
    Status5xx,
    /// Health-check endpoints answering 5xx or logging errors.
    HealthFailing,
    /// Share of ERROR/FATAL lines among lines with a level, against the preceding windows.
    ErrorRate,
    /// p95 latency per endpoint, against a threshold and the preceding windows.
    Latency,
    /// An error type first seen inside an incident.
    NewErrorType,
    /// Requests that never got an answer from the app (timeout, upstream_closed, unfinished).
    Hung,
    /// Service start-up or nginx start/reload lines after the first window.
    Restart,
    /// A user's rule: lines matching `Matcher`, judged by `Condition`.
    Custom(Box<Matcher>, Condition),
}

/// The condition of a custom rule, per window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Condition {
    CountAtLeast(u64),
    /// Matching lines over all lines of the window.
    ShareAbove(f64),
    /// p95 of the matching lines' latency, in ms.
    P95Above(f64),
}

/// Thresholds; each rule uses the ones its description names.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Params {
    /// Lines (or requests) per window for the rule to fire.
    pub min_count: u64,
    /// Share of a window (0-1) for the rule to fire.
    pub min_share: f64,
    /// How many times the baseline a window must reach.
    pub factor: f64,
    /// Latency threshold (ms) that fires on its own, whatever the baseline.
    pub p95_ms: f64,
    /// Windows with fewer lines (or latency samples) are not judged.
    pub min_lines: u64,
    /// How many preceding quiet windows make the baseline.
    pub baseline_windows: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            min_count: 1,
            min_share: 0.0,
            factor: 0.0,
            p95_ms: 0.0,
            min_lines: 0,
            baseline_windows: 0,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub severity: Severity,
    pub description: String,
    pub enabled: bool,
    pub kind: Kind,
    pub params: Params,
    pub builtin: bool,
}

fn builtin(id: &str, severity: Severity, description: &str, kind: Kind, params: Params) -> Rule {
    Rule {
        id: id.to_string(),
        severity,
        description: description.to_string(),
        enabled: true,
        kind,
        params,
        builtin: true,
    }
}

/// The built-in catalogue with its defaults, in the order `logtriage rules` lists it.
pub fn builtins() -> Vec<Rule> {
    use Severity::*;
    let nginx = |id: &str, sev, class: &'static str, what: &str| {
        builtin(id, sev, what, Kind::NginxClass(class), Params::default())
    };
    vec![
        nginx(
            "upstream_timeout",
            Critical,
            "upstream_timed_out",
            "nginx gave up waiting for the app (504): requests hang in the app",
        ),
        nginx(
            "upstream_closed",
            Critical,
            "upstream_prematurely_closed",
            "the app closed the connection mid-request (502): it crashed, was killed or hit a limit",
        ),
        nginx(
            "upstream_refused",
            Critical,
            "upstream_connect_refused",
            "nothing listens on the upstream port (502): the app is down or restarting",
        ),
        nginx(
            "no_live_upstreams",
            Critical,
            "no_live_upstreams",
            "nginx marked every upstream server failed (502)",
        ),
        nginx(
            "upstream_reset",
            Warning,
            "upstream_reset",
            "the app reset the connection (502)",
        ),
        nginx(
            "upstream_too_big_header",
            Warning,
            "upstream_too_big_header",
            "the app's response headers exceed nginx's proxy buffers (502)",
        ),
        nginx(
            "worker_connections_exhausted",
            Critical,
            "worker_connections_exhausted",
            "nginx ran out of worker connections",
        ),
        nginx(
            "too_many_open_files",
            Critical,
            "too_many_open_files",
            "nginx hit its open-file limit",
        ),
        builtin(
            "5xx_burst",
            Warning,
            "at least min_count 5xx responses in a window, and at least min_share of its responses",
            Kind::Status5xx,
            Params {
                min_count: 5,
                min_share: 0.05,
                ..Params::default()
            },
        ),
        builtin(
            "health_check_failing",
            Critical,
            "health checks (/health, /healthz, /readyz, /livez, /ping) answer 5xx or log errors",
            Kind::HealthFailing,
            Params::default(),
        ),
        builtin(
            "error_rate_spike",
            Warning,
            "share of ERROR/FATAL lines in a window of at least min_lines is above min_share and factor times the baseline",
            Kind::ErrorRate,
            Params {
                min_share: 0.05,
                factor: 3.0,
                min_lines: 20,
                baseline_windows: 10,
                ..Params::default()
            },
        ),
        builtin(
            "latency_spike",
            Warning,
            "an endpoint's p95 in a window (min_lines samples) is above p95_ms, or above factor times its baseline p95",
            Kind::Latency,
            Params {
                factor: 3.0,
                p95_ms: 2000.0,
                min_lines: 5,
                baseline_windows: 10,
                ..Params::default()
            },
        ),
        builtin(
            "new_error_type",
            Warning,
            "an error type (app exception or nginx class) first seen inside an incident, absent before it",
            Kind::NewErrorType,
            Params::default(),
        ),
        builtin(
            "hung_requests",
            Warning,
            "requests the app started but never answered (timeout, upstream_closed, unfinished), by their last app message",
            Kind::Hung,
            Params::default(),
        ),
        builtin(
            "restart",
            Warning,
            "the service or nginx started or reloaded after the first window",
            Kind::Restart,
            Params::default(),
        ),
    ]
}

/// A line-level matcher: its hits are counted per window with evidence.
#[derive(Clone, Debug)]
pub enum LineMatch {
    Class(&'static str),
    Status5xx(Source),
    Health,
    Restart,
    Custom(Box<Matcher>),
}

/// The rules in force, and the line matchers the aggregation runs (slot = index).
#[derive(Clone, Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    /// (rule index, matcher); a rule may own several slots (5xx: one per source).
    pub slots: Vec<(usize, LineMatch)>,
    /// Windows of no flag that may separate two flagged windows of one incident.
    pub gap_windows: usize,
    /// Whether any custom matcher runs (then every line is offered to the slots).
    pub has_custom: bool,
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet::new(builtins(), 1)
    }
}

impl RuleSet {
    pub fn new(rules: Vec<Rule>, gap_windows: usize) -> RuleSet {
        let mut slots = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if !r.enabled {
                continue;
            }
            match &r.kind {
                Kind::NginxClass(c) => slots.push((i, LineMatch::Class(c))),
                Kind::Status5xx => {
                    slots.push((i, LineMatch::Status5xx(Source::App)));
                    slots.push((i, LineMatch::Status5xx(Source::Nginx)));
                }
                Kind::HealthFailing => slots.push((i, LineMatch::Health)),
                Kind::Restart => slots.push((i, LineMatch::Restart)),
                Kind::Custom(m, _) => slots.push((i, LineMatch::Custom(m.clone()))),
                Kind::ErrorRate | Kind::Latency | Kind::NewErrorType | Kind::Hung => {}
            }
        }
        let has_custom = slots.iter().any(|(_, m)| matches!(m, LineMatch::Custom(_)));
        RuleSet {
            rules,
            slots,
            gap_windows,
            has_custom,
        }
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id && r.enabled)
    }
}

/// What the aggregation knows about a line when it asks the matchers.
pub struct LineFacts<'a, 'e> {
    pub ev: &'a LogEvent<'e>,
    pub raw: &'a [u8],
    pub health: bool,
    /// The line's message is a start-up or reload line (judged once per message template).
    pub restart: bool,
}

impl LineMatch {
    #[inline]
    pub fn hit(&self, f: &LineFacts<'_, '_>) -> bool {
        let ev = f.ev;
        match self {
            LineMatch::Class(c) => {
                ev.format == Some(Format::NginxError) && ev.error_type.as_deref() == Some(*c)
            }
            LineMatch::Status5xx(src) => ev.source() == *src && ev.status.is_some_and(|s| s >= 500),
            LineMatch::Health => {
                f.health
                    && (ev.status.is_some_and(|s| s >= 500)
                        || ev.level.is_some_and(|l| l >= Level::Error))
            }
            LineMatch::Restart => f.restart,
            LineMatch::Custom(m) => m.matches(ev, f.raw),
        }
    }
}

/// Start-up and reload messages: servers, frameworks and nginx's own notices. Anchored, so
/// `request started` is not a start-up line; judged on masked templates too (numbers and
/// addresses only ever sit where the patterns allow anything).
pub fn is_restart_message(source: Source, msg: &str) -> bool {
    use std::sync::OnceLock;
    static APP: OnceLock<regex::Regex> = OnceLock::new();
    static NGINX: OnceLock<regex::Regex> = OnceLock::new();
    let re = match source {
        Source::App => APP.get_or_init(|| {
            regex::Regex::new(
                r"(?i)^\s*(starting (server|application|app|service|up|worker)\b|started (server|application|app|service|http server)\b|application startup complete|server (started|is running|listening|ready)\b|listening (on|at)\b|serving http on\b|booting worker\b|service starting\b)",
            )
            .expect("restart regex")
        }),
        Source::Nginx => NGINX.get_or_init(|| {
            regex::Regex::new(
                r"^(start worker processes$|signal \S+ \(SIGHUP\) received|reconfiguring)",
            )
            .expect("nginx restart regex")
        }),
    };
    re.is_match(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restart_lines_are_start_up_lines_only() {
        for m in [
            "Serving HTTP on 127.0.0.1 port 18001",
            "Application startup complete.",
            "Starting server on :8080",
            "listening on 0.0.0.0:3000",
        ] {
            assert!(is_restart_message(Source::App, m), "{m}");
        }
        for m in [
            "request started",
            "scheduled job started",
            "calling payment provider",
        ] {
            assert!(!is_restart_message(Source::App, m), "{m}");
        }
        assert!(is_restart_message(Source::Nginx, "start worker processes"));
        assert!(is_restart_message(
            Source::Nginx,
            "signal 1 (SIGHUP) received from 4242, reconfiguring"
        ));
        let masked =
            crate::parse::mask::mask("signal 1 (SIGHUP) received from 4242, reconfiguring");
        assert!(is_restart_message(Source::Nginx, &masked), "{masked}");
        let masked = crate::parse::mask::mask("Serving HTTP on 127.0.0.1 port 18001");
        assert!(is_restart_message(Source::App, &masked), "{masked}");
        assert!(!is_restart_message(
            Source::Nginx,
            "start worker process 1235"
        ));
    }
}
