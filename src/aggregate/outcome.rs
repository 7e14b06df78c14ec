//! How a request ended (`RequestOutcome`), judged from its merged lines and from whether its
//! source logs completions at all; the counts of a set of requests (`Tally`) and of those a
//! stream already dropped (`RetiredRequests`). Pure values over finished request groups:
//! must not build report sections or print.

use serde::Serialize;

use super::intern::NONE;
use super::partial::Partial;
use super::requests::{APP_DONE, APP_SEEN, NGINX_SEEN, ReqAgg, ReqKey};

#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum RequestOutcome {
    Ok,
    Error,
    Timeout,
    UpstreamClosed,
    Unfinished,
    /// Nothing tells how it ended: the app's lines of it carry no completion and its source
    /// never logs one (a logger without status or latency fields), and no access log has it.
    /// Not a failure.
    Unknown,
}

impl RequestOutcome {
    pub fn name(self) -> &'static str {
        match self {
            RequestOutcome::Ok => "ok",
            RequestOutcome::Error => "error",
            RequestOutcome::Timeout => "timeout",
            RequestOutcome::UpstreamClosed => "upstream_closed",
            RequestOutcome::Unfinished => "unfinished",
            RequestOutcome::Unknown => "unknown",
        }
    }

    /// Never answered by the app (`timeout`, `upstream_closed`, `unfinished`): its last app
    /// line is where it stopped.
    pub fn stuck(self) -> bool {
        matches!(
            self,
            RequestOutcome::Timeout | RequestOutcome::UpstreamClosed | RequestOutcome::Unfinished
        )
    }

    /// Ended badly (every outcome but `ok` and `unknown`).
    pub fn failed(self) -> bool {
        !matches!(self, RequestOutcome::Ok | RequestOutcome::Unknown)
    }
}

#[derive(Serialize, Debug, Default, Clone)]
pub struct Outcomes {
    pub ok: u64,
    pub error: u64,
    pub timeout: u64,
    pub upstream_closed: u64,
    pub unfinished: u64,
    pub unknown: u64,
}

impl Outcomes {
    pub fn add(&mut self, o: RequestOutcome) {
        match o {
            RequestOutcome::Ok => self.ok += 1,
            RequestOutcome::Error => self.error += 1,
            RequestOutcome::Timeout => self.timeout += 1,
            RequestOutcome::UpstreamClosed => self.upstream_closed += 1,
            RequestOutcome::Unfinished => self.unfinished += 1,
            RequestOutcome::Unknown => self.unknown += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.ok + self.failed() + self.unknown
    }

    pub fn failed(&self) -> u64 {
        self.error + self.timeout + self.upstream_closed + self.unfinished
    }
}

/// Which sources (an input and a format in it) log completions, a status or a latency on
/// some request's app line: there a request without one is `unfinished`; elsewhere its
/// outcome is `unknown`.
#[derive(Clone, Debug, Default)]
pub struct Completions(Vec<u16>);

impl Completions {
    pub fn of(p: &Partial) -> Completions {
        Completions(p.files.iter().map(|f| f.completes).collect())
    }

    /// From per-input format masks (bit `Format as u8`).
    pub fn from_masks(masks: Vec<u16>) -> Completions {
        Completions(masks)
    }

    /// Whether source `src` (`ReqAgg::app_src`) logs completions.
    pub fn logs(&self, src: u32) -> bool {
        src != u32::MAX
            && self
                .0
                .get((src >> 4) as usize)
                .is_some_and(|m| m & (1 << (src & 15)) != 0)
    }

    /// Whether any source logs completions.
    pub fn any(&self) -> bool {
        self.0.iter().any(|m| *m != 0)
    }
}

pub fn outcome(r: &ReqAgg, c: &Completions) -> RequestOutcome {
    let app_seen = r.flags & APP_SEEN != 0;
    let app_done = r.flags & APP_DONE != 0;
    let nginx_seen = r.flags & NGINX_SEEN != 0;
    let unanswered = app_seen && !app_done && !nginx_seen;
    if r.nginx_status == 504 {
        RequestOutcome::Timeout
    } else if r.nginx_status == 502 && app_seen && !app_done {
        RequestOutcome::UpstreamClosed
    } else if unanswered && c.logs(r.app_src) {
        RequestOutcome::Unfinished
    } else if with_errors(r) {
        RequestOutcome::Error
    } else if unanswered {
        RequestOutcome::Unknown
    } else {
        RequestOutcome::Ok
    }
}

/// A request with an error line, an error type or a 5xx: what `requests.with_errors` counts.
pub fn with_errors(r: &ReqAgg) -> bool {
    r.errors > 0 || r.error_type != NONE || r.app_status.max(r.nginx_status) >= 500
}

/// Counts of a set of requests, as the report's request section states them.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub total: u64,
    pub with_errors: u64,
    pub outcomes: Outcomes,
    pub any_completes: bool,
    /// The app saw them and never finished them, where its source logs completions.
    pub never_finished: u64,
}

impl Tally {
    pub fn add(&mut self, r: &ReqAgg, c: &Completions) {
        self.total += 1;
        self.outcomes.add(outcome(r, c));
        self.with_errors += with_errors(r) as u64;
        let logs = c.logs(r.app_src);
        self.any_completes |= logs;
        self.never_finished += (logs && r.flags & APP_SEEN != 0 && r.flags & APP_DONE == 0) as u64;
    }
}

/// Requests a stream dropped from memory (`watch`: not seen for `--request-ttl`), reduced to
/// what the request section needs: counts and the slowest candidates. Empty for `report`.
#[derive(Debug, Default, Clone)]
pub struct RetiredRequests {
    pub tally: Tally,
    pub slowest: Vec<(f32, ReqKey, ReqAgg)>,
}

/// Retired requests kept as slowest candidates: more than any sensible `--top`.
const RETIRED_SLOWEST: usize = 256;

impl RetiredRequests {
    /// Counts a request dropped from memory, its outcome judged by what is known now.
    pub fn add(&mut self, key: ReqKey, r: &ReqAgg, c: &Completions) {
        self.tally.add(r, c);
        let d = r.app_ms.max(r.nginx_ms);
        if d >= 0.0 {
            self.slowest.push((d, key, *r));
            if self.slowest.len() > 2 * RETIRED_SLOWEST {
                self.slowest
                    .sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
                self.slowest.truncate(RETIRED_SLOWEST);
            }
        }
    }

    pub fn total(&self) -> u64 {
        self.tally.total
    }
}
