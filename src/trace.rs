//! Follows request ids: the lines carrying an id become one timeline ordered by time (ties by
//! file, then position), nginx error lines (which carry no id) are tied to the request by
//! correlation, and each trace is summed up with the same outcome rules as `report`. Pure
//! computation over `Event`s; must not read input or print.

use serde::Serialize;

use crate::aggregate::intern::{Interner, NONE};
use crate::aggregate::outcome::{Completions, RequestOutcome, outcome};
use crate::aggregate::requests::position;
use crate::aggregate::requests::{ReqAgg, Touch};
use crate::parse::endpoint;
use crate::parse::time::format_utc;
use crate::parse::{Format, Level, Micros};
use crate::select::event::{Correlation, Event};

/// The error log stamps whole seconds: an error line's instant is somewhere in that second.
const SECOND: Micros = 1_000_000;

/// What nginx's access log says about one request: the key error lines are matched on.
#[derive(Clone, Debug)]
pub struct AccessKey {
    pub client: String,
    pub method: String,
    /// The request target as sent (path and query).
    pub target: String,
    pub status: Option<u16>,
    /// From the request's first line (app or access) to its access line.
    pub start: Micros,
    /// The access line's stamp (the request's end), and the latest instant it may stand for
    /// (`$time_local` and `$time_iso8601` have whole seconds).
    pub end: Micros,
    pub end_max: Micros,
    pub request_id: Option<String>,
}

/// A whole-second stamp from an nginx log: the event happened somewhere in that second.
pub fn coarse(e: &Event) -> bool {
    matches!(
        e.format,
        Some(Format::NginxError | Format::NginxAccess | Format::NginxJson)
    ) && e.ts.is_some_and(|t| t.rem_euclid(SECOND) == 0)
}

impl AccessKey {
    /// The key of an access record, its span reaching back `request_time` before the line.
    pub fn of(ev: &Event) -> Option<AccessKey> {
        let end = ev.ts?;
        let took = ev
            .latency_ms
            .map_or(0, |ms| (ms * 1000.0).round() as Micros);
        Some(AccessKey {
            client: ev.client.clone()?,
            method: ev.method.clone()?,
            target: ev.path.clone()?,
            status: ev.status,
            start: end - took,
            end,
            end_max: if coarse(ev) { end + SECOND - 1 } else { end },
            request_id: ev.request_id.clone(),
        })
    }

    /// Whether an nginx error line fits this request: same client and request line, a
    /// compatible status, and a fitting time. An error that ends the request (504, 502, 413)
    /// is written as the request ends, just before its access line, so its second must be
    /// the access line's; any other error line's second must overlap the request's span.
    pub fn fits(&self, err: &Event) -> bool {
        let Some(t) = err.ts else { return false };
        let same_request = err.client.as_deref() == Some(self.client.as_str())
            && err.method.as_deref() == Some(self.method.as_str())
            && err.path.as_deref() == Some(self.target.as_str());
        if !same_request {
            return false;
        }
        match (err.implied_status, self.status) {
            (Some(a), Some(b)) if a != b => false,
            (Some(_), _) => t == self.end - self.end.rem_euclid(SECOND),
            (None, _) => t <= self.end_max && t + SECOND > self.start,
        }
    }
}

/// One traced request, finished.
#[derive(Debug)]
pub struct Trace {
    pub summary: TraceSummary,
    /// The timeline: lines carrying the id and correlated lines, in order.
    pub events: Vec<Event>,
}

/// The header of a trace; its `Serialize` is the `type: "request"` record of `--format json`.
#[derive(Serialize, Debug, Clone)]
pub struct TraceSummary {
    pub id: String,
    /// `METHOD /path` as the report names endpoints (ids collapsed to `:id`).
    pub endpoint: Option<String>,
    /// nginx's status when an access log has the request, else the app's.
    pub status: Option<u16>,
    /// Largest latency the app logged for the request, ms.
    pub app_ms: Option<f64>,
    /// nginx's `$request_time` for the request, ms.
    pub nginx_ms: Option<f64>,
    pub outcome: RequestOutcome,
    /// First and last timestamp of the lines carrying the id (RFC 3339 UTC).
    pub first: Option<String>,
    pub last: Option<String>,
    /// Files with at least one line in the timeline, in command-line order.
    pub files: Vec<String>,
    /// Set when the app answered after nginx had given up on the request (504, 502): how
    /// long each waited, as `report`'s flags say it.
    pub late: Option<crate::triage::evaluate::LateAnswer>,
    /// Lines carrying the id.
    pub lines: usize,
    /// nginx error lines tied to the request by correlation.
    pub correlated: usize,
    /// Correlated lines that fit other requests equally well.
    pub ambiguous: usize,
}

/// Builds the trace of `id` from the lines carrying it (`own`) and the nginx lines that may
/// correlate (`errors`: error-log lines; `access`: access records of every request that
/// shares a client and request line with this one, this one's included). `completes` says
/// which inputs log completions, as `report` judges outcomes.
pub fn build(
    id: &str,
    mut own: Vec<Event>,
    errors: &[Event],
    access: &[AccessKey],
    paths: &[String],
    completes: &Completions,
) -> Trace {
    let (agg, names) = request_of(&own);
    let lines = own.len();
    let correlated = correlate(id, &own, errors, access);
    let ambiguous = correlated
        .iter()
        .filter(|e| e.correlated.as_ref().is_some_and(|c| c.candidates > 1))
        .count();
    let n_correlated = correlated.len();
    own.extend(correlated);
    order_timeline(&mut own);
    let own_times = || {
        own.iter()
            .filter(|e| e.correlated.is_none())
            .filter_map(|e| e.at)
    };
    let (first, last) = (own_times().min(), own_times().max());
    let mut files: Vec<u32> = own.iter().map(|e| e.file).collect();
    files.sort_unstable();
    files.dedup();
    let ms = |v: f32| (v >= 0.0).then(|| crate::aggregate::latency::round3(v as f64));
    let status = [agg.nginx_status, agg.app_status]
        .into_iter()
        .find(|s| *s > 0);
    Trace {
        summary: TraceSummary {
            id: id.to_string(),
            endpoint: (agg.endpoint != NONE).then(|| names.name(agg.endpoint).to_string()),
            status,
            app_ms: ms(agg.app_ms),
            nginx_ms: ms(agg.nginx_ms),
            outcome: outcome(&agg, completes),
            late: crate::triage::evaluate::answered_late(&agg).then(|| {
                let mut l = crate::triage::evaluate::LateAnswer::default();
                l.add(&agg);
                l
            }),
            first: first.map(format_utc),
            last: last.map(format_utc),
            files: files
                .iter()
                .map(|&f| paths.get(f as usize).cloned().unwrap_or_default())
                .collect(),
            lines,
            correlated: n_correlated,
            ambiguous,
        },
        events: own,
    }
}

/// The request as the aggregate sees it, from its own lines: the same `ReqAgg` the report
/// keeps, so a trace's outcome agrees with the report's.
fn request_of(own: &[Event]) -> (ReqAgg, Interner) {
    let mut names = Interner::default();
    let mut agg = ReqAgg::default();
    let mut scratch = String::new();
    for ev in own {
        let endpoint = match ev.path.as_deref() {
            Some(p) => {
                endpoint::normalize(ev.method.as_deref(), p, &mut scratch);
                names.intern(&scratch)
            }
            None => NONE,
        };
        let error_type = ev.error_type.as_deref().map_or(NONE, |t| names.intern(t));
        agg.touch(
            &Touch {
                ts: ev.ts,
                nginx: ev.source() == crate::parse::Source::Nginx,
                latency_ms: ev.latency_ms,
                status: ev.status,
                endpoint,
                error_type,
                is_error: ev.level.is_some_and(|l| l >= Level::Error),
                msg: NONE,
                pos: position(ev.file, ev.offset),
                format: ev.format.map_or(0, |f| f as u8),
                access_key: 0,
            },
            &names,
        );
    }
    (agg, names)
}

/// nginx error lines without a request id that fit one of the request's access lines, each
/// marked with how many other requests it would fit as well.
fn correlate(id: &str, own: &[Event], errors: &[Event], access: &[AccessKey]) -> Vec<Event> {
    let earliest = own.iter().filter_map(|e| e.ts).min();
    let keys: Vec<AccessKey> = own
        .iter()
        .filter(|e| e.is_access())
        .filter_map(AccessKey::of)
        .map(|mut k| {
            k.start = k.start.min(earliest.unwrap_or(k.start));
            k
        })
        .collect();
    let mut correlated = Vec::new();
    for err in errors {
        if err.format != Some(Format::NginxError) || !keys.iter().any(|k| k.fits(err)) {
            continue;
        }
        let candidates = access
            .iter()
            .filter(|k| k.request_id.as_deref() != Some(id) && k.fits(err))
            .count()
            + 1;
        let mut e = err.clone();
        e.correlated = Some(Correlation {
            by: "client, request line, status and time",
            candidates,
        });
        correlated.push(e);
    }
    correlated
}

/// Sets each line's place in time (`at`) and sorts by it. nginx stamps whole seconds and
/// writes its lines as a request ends: within its second a coarse line goes after the
/// request's precise lines (error line, then access line).
fn order_timeline(own: &mut [Event]) {
    let mut precise: Vec<Micros> = own
        .iter()
        .filter(|e| !coarse(e))
        .filter_map(|e| e.ts)
        .collect();
    precise.sort_unstable();
    let sort_key = |e: &Event| -> (Micros, u8) {
        match e.ts {
            Some(t) if coarse(e) => {
                let upto = precise.partition_point(|&p| p < t + SECOND);
                let latest = upto.checked_sub(1).map(|i| precise[i]).filter(|&p| p >= t);
                (latest.unwrap_or(t), if e.is_access() { 2 } else { 1 })
            }
            Some(t) => (t, 0),
            None => (Micros::MAX, 0),
        }
    };
    for e in own.iter_mut() {
        e.at = e.ts.map(|_| sort_key(e).0);
    }
    own.sort_by(|a, b| {
        sort_key(a)
            .cmp(&sort_key(b))
            .then(a.file.cmp(&b.file))
            .then(a.offset.cmp(&b.offset))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(fmt: Format, ts: Micros, client: &str, req: (&str, &str)) -> Event {
        let mut e = Event::unparsed(0, b"");
        e.format = Some(fmt);
        e.ts = Some(ts);
        e.client = Some(client.into());
        e.method = Some(req.0.into());
        e.path = Some(req.1.into());
        e
    }

    #[test]
    fn error_lines_fit_by_client_request_status_and_second() {
        let post = ("POST", "/r");
        let mut access = ev(Format::NginxAccess, 10_000_000, "10.0.0.1", post);
        access.status = Some(504);
        access.latency_ms = Some(1500.0);
        access.request_id = Some("a".into());
        let key = AccessKey::of(&access).unwrap();
        let mut err = ev(Format::NginxError, 10_000_000, "10.0.0.1", post);
        err.implied_status = Some(504);
        assert!(key.fits(&err));
        // A request-ending error is written in the access line's second, not before.
        let mut earlier = err.clone();
        earlier.ts = Some(9_000_000);
        assert!(!key.fits(&earlier));
        let mut other_client = err.clone();
        other_client.client = Some("10.0.0.2".into());
        assert!(!key.fits(&other_client));
        for (method, path) in [("GET", "/r"), ("POST", "/r?x=1"), ("POST", "/s")] {
            let mut other_request = err.clone();
            other_request.method = Some(method.into());
            other_request.path = Some(path.into());
            assert!(!key.fits(&other_request), "{method} {path}");
        }
        let mut other_status = err.clone();
        other_status.implied_status = Some(502);
        assert!(!key.fits(&other_status));
        let mut later = err.clone();
        later.ts = Some(12_000_000);
        assert!(!key.fits(&later));
        // Other error lines need only overlap the span, which reaches back request_time
        // (8.5 s) and forward to the end of the access line's second.
        let mut other = err.clone();
        other.implied_status = None;
        for (t, fits) in [(7, false), (8, true), (10, true), (11, false)] {
            other.ts = Some(t * 1_000_000);
            assert_eq!(key.fits(&other), fits, "{t}");
        }
    }
}
