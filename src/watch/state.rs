//! The state of `watch`: event-time windows that close once the newest line is `lateness`
//! past their end, alerts judged over the recent windows, requests in flight that expire
//! after a TTL, and the cumulative partial the final summary is built from. Pure: lines and
//! the clock come in as arguments, events go out as values; nothing here reads or prints.

use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::alerts::{AlertEvent, Alerts};
use crate::aggregate::intern::NONE;
use crate::aggregate::latency::{STREAM_WINDOW_CAP, round3};
use crate::aggregate::windows::{WinAgg, WinLine};
use crate::aggregate::{AggOptions, Partial, Scratch};
use crate::input::chunk::{Joiner, MAX_RECORD_BYTES, MAX_RECORD_LINES};
use crate::parse::records::RULES;
use crate::parse::time::format_utc;
use crate::parse::{Micros, Parsed, Parser, Source};
use crate::report::BySource;
use crate::rules::RuleSet;

/// What `watch` is told at start.
#[derive(Clone, Debug)]
pub struct Params {
    pub window: Micros,
    pub lateness: Micros,
    pub request_ttl: Micros,
    /// The rules alerts are judged by (`report`'s, with the `--alert-*` overrides).
    pub alert_rules: Arc<RuleSet>,
    /// An alert resolves once its rule has not fired for this long.
    pub hold: Micros,
    /// Closed windows kept for the live view.
    pub keep_windows: usize,
}

/// One window, open or recently closed: what `report`'s windows hold (so the rules judge it
/// the same way), plus its error types for the live view. Names are the summary partial's
/// interned ids.
#[derive(Clone, Debug, Default)]
pub struct LiveWin {
    pub agg: WinAgg,
    pub error_types: FxHashMap<u32, u64>,
    /// Requests nginx timed out (504) or lost (502) in this window after the app had seen
    /// them: `hung_requests` as far as a stream can tell, counted when it becomes known rather
    /// than where the request began (as `report` does), so a long proxy timeout still alerts
    /// (requests the app never finished and nginx never answered are only known at the end).
    pub hung: u64,
    /// Those requests by their last app message (masked, interned; `NONE`: none logged).
    pub hung_words: FxHashMap<u32, u64>,
    /// Error types first seen in the stream in this window (not the stream's first), with
    /// the time of their first line.
    pub new_types: Vec<(u32, Micros)>,
}

/// A closed window, as printed.
#[derive(Serialize, Debug, Clone)]
pub struct WindowEvent {
    pub start: String,
    pub end: String,
    pub lines: u64,
    pub errors: u64,
    pub warnings: u64,
    pub status_5xx: BySource<u64>,
    pub p95_ms: BySource<Option<f64>>,
    pub error_types: BTreeMap<String, u64>,
    /// Lines that arrived after their window had closed (since the previous window event);
    /// they count in the summary but in no window.
    pub late_lines: u64,
}

/// An input's naive stamps are read in another zone from now on, as the evidence says.
#[derive(Serialize, Debug, Clone)]
pub struct ZoneEvent {
    pub input: String,
    /// The zone they are read in from now on (`UTC+01:00`).
    pub zone: String,
    pub note: String,
}

#[derive(Serialize, Debug, Clone)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WatchEvent {
    Window(WindowEvent),
    Alert(AlertEvent),
    Zone(ZoneEvent),
}

/// Agreeing evidence a stream needs before its naive stamps are read in another zone.
const ZONE_EVIDENCE: u64 = 3;
/// Naive lines between two looks at the zone evidence.
const ZONE_EVERY: u64 = 16;

/// Stream counters for the live view and the end.
#[derive(Clone, Debug, Default)]
pub struct Counters {
    pub lines: u64,
    pub late: u64,
    pub oversized: u64,
    /// Requests seen and not yet finished, within the TTL.
    pub in_flight: u64,
}

/// A request seen recently.
#[derive(Clone, Copy, Debug)]
struct Flight {
    /// Event time of its latest line (`Micros::MIN` when untimed).
    last: Micros,
    /// A line carried a status or latency: someone answered it.
    done: bool,
    /// The app logged a line of it, and a line with a status or latency.
    app_seen: bool,
    app_done: bool,
    /// Counted as hung in its window.
    hung: bool,
    /// Where its app lines come from (`file << 4 | format`, as `ReqAgg::app_src`): only where
    /// the app logs completions can a request hang.
    app_src: u32,
    /// Its app latency is in a live window (from its first completion line).
    latency_counted: bool,
    /// Its latest app message (masked, interned), `NONE` before one.
    last_words: u32,
    last_words_at: Micros,
}

/// What a line of a request means for the live windows.
#[derive(Default)]
struct Tracked {
    /// nginx gave up on it after the app had seen it: its last app message.
    hung: Option<u32>,
    /// The app latency this line brings to its window (the request's first completion).
    latency_ms: Option<f64>,
}

/// The record of an input still open: the next line may continue it (an envelope
/// fragment, a traceback line), so it waits for that line or for `RECORD_IDLE`.
struct Pending {
    offset: u64,
    bytes: Vec<u8>,
    /// Where its first line ends, and where its last non-blank line starts, in `bytes`.
    first_end: usize,
    last: usize,
    /// Where its head (the line and its fragments) ends in `bytes`.
    head: usize,
    /// Whether a continuation line joined (then fragments no longer extend the head).
    continued: bool,
    lines: u32,
    /// Blank lines after it: part of it if the next line continues it, else records of
    /// their own.
    blanks: Vec<(u64, Vec<u8>)>,
    /// Wall clock when its last line arrived.
    since: Micros,
}

/// A record stays open this long for a line that continues it before it is taken as it is:
/// a logger writes a traceback at once, and an alert must not wait long for its line.
const RECORD_IDLE: Micros = 200_000;

pub struct Watcher {
    p: Params,
    parser: Parser,
    scratch: Scratch,
    /// Decoded envelope text of the record being parsed.
    text: Vec<u8>,
    /// Per input, the record waiting for its next line.
    pending: FxHashMap<u32, Pending>,
    /// The buffer of the last record taken, for the next one.
    spare: Vec<u8>,
    /// Whether any line carried its own time: until one does, lines are stamped with their
    /// arrival time (a logger that writes no timestamps, piped through `tail -f`).
    timed: bool,
    /// Inputs whose zone the evidence has decided.
    zone_decided: Vec<usize>,
    /// Zone inference (no `--tz`): the inputs' names and the local zone's, set by `infer`.
    infer: Option<(Vec<String>, String)>,
    /// Naive lines seen at the last inference, and events not yet handed out.
    naive_at_inference: u64,
    zone_events: Vec<WatchEvent>,
    /// Every line, as `report` would count it: the final summary.
    pub summary: Partial,
    pub wins: BTreeMap<Micros, LiveWin>,
    /// Newest event time seen.
    pub watermark: Option<Micros>,
    /// Windows starting before this are closed.
    closed_before: Micros,
    late_since_event: u64,
    pub counters: Counters,
    alerts: Alerts,
    /// Hash of the request id -> what is known of the request so far. Only counted, so a
    /// 64-bit hash stands in for the id: no allocation per request, and a collision among a
    /// few hundred thousand ids (odds about 1e-9) would miscount one request.
    in_flight: FxHashMap<u64, Flight>,
    last_expiry: Micros,
    /// Requests the summary no longer holds (not seen for the TTL), as counts.
    pub retired: crate::report::RetiredRequests,
    last_retire: Micros,
    /// The start of the stream's first window: a start-up line there is no restart.
    first_window: Option<Micros>,
    /// The newest window, and the newest when alerts were last judged.
    newest_window: Micros,
    judged_window: Micros,
}

/// Updates request `key` with a line at time `t` from source `src` (`file << 4 | format`).
/// A request hangs, as `report`'s outcomes say, when nginx gives up on it (a 504, or a 502
/// before the app finished) after the app had seen it, where the app logs completions
/// (`logs_ends`, as known by then). Its app latency is counted live from its first completion
/// line (`report` counts the last, once the request is over).
fn track(
    in_flight: &mut FxHashMap<u64, Flight>,
    key: u64,
    t: Micros,
    line: &WinLine,
    src: u32,
    logs_ends: impl Fn(u32) -> bool,
) -> Tracked {
    let f = in_flight.entry(key).or_insert(Flight {
        last: t,
        done: false,
        app_seen: false,
        app_done: false,
        hung: false,
        app_src: u32::MAX,
        latency_counted: false,
        last_words: NONE,
        last_words_at: Micros::MIN,
    });
    f.last = f.last.max(t);
    let answered = line.status.is_some() || line.latency_ms.is_some();
    f.done |= answered;
    let mut out = Tracked::default();
    if line.src == Source::App as usize {
        f.app_seen = true;
        f.app_done |= answered;
        f.app_src = f.app_src.min(src);
        if line.template != NONE && t >= f.last_words_at {
            f.last_words = line.template;
            f.last_words_at = t;
        }
        if line.view_ms.is_none() && line.status.is_some() && !f.latency_counted {
            out.latency_ms = line.latency_ms;
            f.latency_counted = out.latency_ms.is_some();
        }
        return out;
    }
    let Some(status) = line.status else {
        return out;
    };
    if f.app_seen
        && logs_ends(f.app_src)
        && !f.hung
        && (status == 504 || (status == 502 && !f.app_done))
    {
        f.hung = true;
        out.hung = Some(f.last_words);
    }
    out
}

impl Watcher {
    pub fn new(p: Params, parser: Parser, nfiles: usize, opts: &AggOptions) -> Watcher {
        Watcher {
            alerts: Alerts::new(p.alert_rules.clone(), p.hold),
            p,
            parser,
            scratch: Scratch::default(),
            text: Vec::new(),
            pending: FxHashMap::default(),
            spare: Vec::new(),
            timed: false,
            zone_decided: Vec::new(),
            infer: None,
            naive_at_inference: 0,
            zone_events: Vec::new(),
            summary: Partial::new(nfiles, opts),
            wins: BTreeMap::new(),
            watermark: None,
            closed_before: Micros::MIN,
            late_since_event: 0,
            counters: Counters::default(),
            in_flight: FxHashMap::default(),
            last_expiry: Micros::MIN,
            retired: crate::report::RetiredRequests::default(),
            last_retire: Micros::MIN,
            first_window: None,
            newest_window: Micros::MIN,
            judged_window: Micros::MIN,
        }
    }

    pub fn params(&self) -> &Params {
        &self.p
    }

    /// Accounts for the bytes of a piece of input (for the summary's per-file bytes).
    pub fn add_bytes(&mut self, file: u32, n: u64) {
        self.summary.files[file as usize].bytes += n;
    }

    /// One line (without its newline) of input `file` at byte `offset`, arrived at `now`
    /// (wall clock). Records are assembled as the readers of files do (`input::chunk`):
    /// each waits for the line after it, up to `RECORD_IDLE`.
    pub fn feed(&mut self, file: u32, offset: u64, raw: &[u8], now: Micros) {
        self.counters.lines += 1;
        if let Some(p) = self.pending.get_mut(&file) {
            if RULES.blank(raw) {
                p.blanks.push((offset, raw.to_vec()));
                p.since = now;
                return;
            }
            let last = &p.bytes[p.last..];
            let fragment = p.blanks.is_empty() && !p.continued && RULES.fragment(last, raw);
            let room = p.lines.saturating_add(p.blanks.len() as u32) < MAX_RECORD_LINES
                && p.bytes.len() + raw.len() < MAX_RECORD_BYTES;
            if fragment || (room && RULES.continues(&p.bytes[..p.first_end], last, raw)) {
                for (_, b) in std::mem::take(&mut p.blanks) {
                    p.bytes.push(b'\n');
                    p.bytes.extend_from_slice(&b);
                    p.lines += 1;
                }
                p.bytes.push(b'\n');
                p.last = p.bytes.len();
                p.bytes.extend_from_slice(raw);
                p.lines += 1;
                if fragment {
                    p.head = p.bytes.len();
                } else {
                    p.continued = true;
                }
                p.since = now;
                return;
            }
            self.flush(file);
        }
        if RULES.blank(raw) {
            self.record(file, offset, raw, 1, raw.len(), now);
            return;
        }
        let mut bytes = std::mem::take(&mut self.spare);
        bytes.clear();
        bytes.extend_from_slice(raw);
        self.pending.insert(
            file,
            Pending {
                offset,
                bytes,
                first_end: raw.len(),
                last: 0,
                head: raw.len(),
                continued: false,
                lines: 1,
                blanks: Vec::new(),
                since: now,
            },
        );
    }

    /// Takes the open record of `file`, if any, then the blank lines after it, as arrived
    /// when their last line did.
    fn flush(&mut self, file: u32) {
        if let Some(p) = self.pending.remove(&file) {
            self.record(file, p.offset, &p.bytes, p.lines, p.head, p.since);
            for (off, b) in &p.blanks {
                self.record(file, *off, b, 1, b.len(), p.since);
            }
            self.spare = p.bytes;
        }
    }

    /// Whether a record waits for the line after it (a `tick` will take it when idle).
    pub fn waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Takes the records that waited longer than `RECORD_IDLE` (all with `now` = MAX).
    fn flush_idle(&mut self, now: Micros) {
        let mut idle: Vec<u32> = self
            .pending
            .iter()
            .filter(|(_, p)| now.saturating_sub(p.since) >= RECORD_IDLE)
            .map(|(f, _)| *f)
            .collect();
        idle.sort_unstable();
        for f in idle {
            self.flush(f);
        }
    }

    /// One record: a line, or `lines` joined, the first `head` bytes its head.
    fn record(&mut self, file: u32, offset: u64, raw: &[u8], lines: u32, head: usize, now: Micros) {
        let parsed =
            self.parser
                .parse_record(file, raw, head, &mut self.scratch.parse, &mut self.text);
        let (mut window, mut at, mut request, mut format) = (None, None, None, 0u8);
        if let Parsed::Event(ev) = &parsed {
            format = ev.format.map_or(0, |f| f as u8);
            // Lines without a time go where the stream is now: at the newest event time, or
            // before any line carried a time, at their arrival.
            self.timed |= ev.ts.is_some();
            let arrival = (!self.timed && now != Micros::MAX).then_some(now);
            let ts = ev.ts.or(self.watermark.filter(|_| self.timed)).or(arrival);
            at = ts;
            if let Some(t) = ts {
                self.watermark = Some(self.watermark.map_or(t, |w| w.max(t)));
                let start = t.div_euclid(self.p.window) * self.p.window;
                if start < self.closed_before {
                    self.counters.late += 1;
                    self.late_since_event += 1;
                } else {
                    window = Some(start);
                    self.first_window.get_or_insert(start);
                    self.newest_window = self.newest_window.max(start);
                }
            }
            // The request is updated once the line is absorbed (its message template is known
            // then); the event itself goes to the summary.
            request = ev
                .request_id
                .as_deref()
                .map(|rid| rustc_hash::FxBuildHasher.hash_one(rid));
        }
        self.summary
            .absorb(file, offset, raw, lines, &parsed, &mut self.scratch);
        if self.infer.is_some() {
            let naive: u64 = self.summary.files.iter().map(|f| f.naive).sum();
            if naive >= self.naive_at_inference + ZONE_EVERY
                && self.zone_decided.len() < self.summary.files.len()
            {
                self.naive_at_inference = naive;
                self.infer_zones();
            }
        }
        let Some(line) = self.scratch.window_line() else {
            return;
        };
        let files = &self.summary.files;
        let logs_ends = |src: u32| {
            src != u32::MAX
                && files
                    .get((src >> 4) as usize)
                    .is_some_and(|f| f.completes & (1 << (src & 15)) != 0)
        };
        let src = file << 4 | format as u32;
        let tracked = request.map_or_else(Tracked::default, |key| {
            track(
                &mut self.in_flight,
                key,
                at.unwrap_or(Micros::MIN),
                line,
                src,
                logs_ends,
            )
        });
        // First of its type and source in the summary: a new error type.
        let src = if line.src == Source::App as usize {
            Source::App
        } else {
            Source::Nginx
        };
        let new_type = line.error_type != NONE
            && self
                .summary
                .errors
                .get(&(src, line.error_type))
                .is_some_and(|e| e.count == 1);
        // The window gets exactly what the summary's window got for this line.
        if let Some(start) = window {
            let w = self.wins.entry(start).or_default();
            w.agg.add(line, STREAM_WINDOW_CAP);
            if let Some(ms) = tracked.latency_ms {
                let l = line;
                w.agg.add_latency(
                    l.src,
                    l.endpoint,
                    l.health,
                    ms,
                    STREAM_WINDOW_CAP,
                    l.triaging,
                );
            }
            if line.error_type != NONE {
                *w.error_types.entry(line.error_type).or_default() += 1;
            }
            if let Some(words) = tracked.hung {
                w.hung += 1;
                *w.hung_words.entry(words).or_default() += 1;
            }
            if new_type && Some(start) != self.first_window {
                w.new_types.push((line.error_type, at.unwrap_or(start)));
            }
        }
    }

    /// Closes the windows the watermark has passed (plus lateness), judges alerts, expires
    /// requests. `now` is the wall clock (µs): it ends waiting fragments, and on a stream
    /// stamped by arrival it is the watermark (arrival is never late).
    pub fn tick(&mut self, now: Micros) -> Vec<WatchEvent> {
        let mut out = std::mem::take(&mut self.zone_events);
        self.flush_idle(now);
        if !self.timed && self.watermark.is_some() {
            // A record still open arrived before `now`: its window must stay open for it.
            let open = self.pending.values().map(|p| p.since).min();
            self.watermark = self.watermark.max(Some(open.map_or(now, |o| o.min(now))));
        }
        if let Some(w) = self.watermark {
            let lateness = if self.timed { self.p.lateness } else { 0 };
            let horizon = w - lateness;
            // Lines older than `horizon` are late, so window [s, s + width) closes once
            // s + width <= horizon.
            let close_before = horizon.div_euclid(self.p.window) * self.p.window;
            self.close_until(close_before, &mut out);
            self.expire(w);
        }
        self.judge(&mut out);
        out
    }

    /// The end of the stream: every window closes, alerts are judged a last time.
    pub fn finish(&mut self) -> Vec<WatchEvent> {
        self.flush_idle(Micros::MAX);
        let mut out = std::mem::take(&mut self.zone_events);
        self.close_until(Micros::MAX, &mut out);
        self.judge(&mut out);
        out
    }

    fn close_until(&mut self, before: Micros, out: &mut Vec<WatchEvent>) {
        if before <= self.closed_before {
            return;
        }
        let starts: Vec<Micros> = self
            .wins
            .range(self.closed_before..before)
            .map(|(s, _)| *s)
            .collect();
        for s in starts {
            out.push(WatchEvent::Window(self.window_event(s)));
            self.late_since_event = 0;
        }
        self.closed_before = before;
        // Keep enough closed windows for the live view, and for the alerts: the hold span and
        // the baselines before it.
        let look = self.alerts.hold() + (self.alerts.lookback() as Micros + 1) * self.p.window;
        let keep_from = self.watermark.map_or(Micros::MIN, |w| w - look);
        let closed: Vec<Micros> = self.wins.range(..before).map(|(s, _)| *s).collect();
        let excess = closed.len().saturating_sub(self.p.keep_windows);
        for s in closed.into_iter().take(excess) {
            if s < keep_from {
                self.wins.remove(&s);
            }
        }
    }

    fn window_event(&self, start: Micros) -> WindowEvent {
        let w = &self.wins[&start];
        let names = &self.summary.names;
        let p95 = |i: usize| w.agg.latency[i].p95().map(round3);
        WindowEvent {
            start: format_utc(start),
            end: format_utc(start + self.p.window),
            lines: w.agg.lines,
            errors: w.agg.errors,
            warnings: w.agg.warnings,
            status_5xx: BySource {
                app: w.agg.status_5xx[Source::App as usize],
                nginx: w.agg.status_5xx[Source::Nginx as usize],
            },
            p95_ms: BySource {
                app: p95(0),
                nginx: p95(1),
            },
            error_types: w
                .error_types
                .iter()
                .map(|(k, v)| (names.name(*k).to_string(), *v))
                .collect(),
            late_lines: self.late_since_event,
        }
    }

    /// Whether a window opened since alerts were last judged: input read faster than real
    /// time (a file piped in) must still have every window judged while it is recent.
    pub fn due(&self) -> bool {
        self.newest_window > self.judged_window
    }

    fn judge(&mut self, out: &mut Vec<WatchEvent>) {
        let Some(w) = self.watermark else { return };
        self.judged_window = self.newest_window;
        // As in `report`: nginx speaks for the service once it has logged traffic.
        let s = &self.summary;
        let primary = if !s.status[1].is_empty() || !s.latency[1].is_empty() {
            Source::Nginx
        } else {
            Source::App
        };
        let first_is_start = self.wins.keys().next() == self.first_window.as_ref();
        let events = self.alerts.judge(
            w,
            self.p.window,
            &self.wins,
            &self.summary.names,
            primary,
            first_is_start,
        );
        out.extend(events.into_iter().map(WatchEvent::Alert));
    }

    /// Drops requests not seen for the TTL (event time), at most once per window.
    fn expire(&mut self, watermark: Micros) {
        if watermark.saturating_sub(self.last_expiry) < self.p.window {
            return;
        }
        self.last_expiry = watermark;
        let ttl = self.p.request_ttl;
        self.in_flight
            .retain(|_, f| !f.done && f.last >= watermark - ttl);
        self.counters.in_flight = self.in_flight.len() as u64;
        // A burst of requests must not keep its table for the rest of an endless stream.
        if self.in_flight.capacity() > 4 * self.in_flight.len() + 1024 {
            self.in_flight.shrink_to(2 * self.in_flight.len());
        }
        // The summary's request groups: those quiet for the TTL leave memory as counts. Every
        // eighth of the TTL (a pass sorts what is left), so at most 1.125 TTL of requests stay.
        if watermark.saturating_sub(self.last_retire) >= (ttl / 8).max(self.p.window) {
            self.last_retire = watermark;
            let retired = &mut self.retired;
            let names = &self.summary.names;
            let completes = crate::report::Completions::of(&self.summary);
            let mut gone = Vec::new();
            self.summary
                .requests
                .retire(watermark - ttl, names, |k, r| {
                    retired.add(k, r, &completes);
                    gone.push(*r);
                });
            // Their latency counts now, as `report` counts every request's once.
            self.summary.count_request_latencies(gone.iter());
        }
    }

    /// Without `--tz`: infer the zone of the inputs' naive stamps as lines come in
    /// (`infer_zones`, every `ZONE_EVERY` naive lines until decided).
    pub fn infer(&mut self, names: Vec<String>, local_name: String) {
        self.infer = Some((names, local_name));
    }

    /// Reads an input's naive stamps in the offset the evidence so far gives, once it has
    /// `ZONE_EVIDENCE` consistent pieces of it that disagree with the local zone. Decided
    /// once per input; the lines before stay where they were placed.
    fn infer_zones(&mut self) {
        let Some((names, local_name)) = self.infer.take() else {
            return;
        };
        let mut out = Vec::new();
        self.decide_zones(&names, &local_name, &mut out);
        self.zone_events.extend(out);
        self.infer = Some((names, local_name));
    }

    fn decide_zones(&mut self, names: &[String], local_name: &str, out: &mut Vec<WatchEvent>) {
        let Some(ev) = self.summary.zones.as_deref() else {
            return;
        };
        for (i, name) in names.iter().enumerate() {
            if self.zone_decided.contains(&i) || ev.naive.get(i).is_none_or(|n| *n == 0) {
                continue;
            }
            let facts = crate::aggregate::zones::InputFacts {
                path: name,
                naive: ev.naive[i],
                first: ev.first[i],
            };
            let Some(r) = crate::aggregate::zones::decide(
                Some(ev),
                i as u32,
                &facts,
                &self.parser.zone,
                local_name,
                false,
            ) else {
                continue;
            };
            if r.ids_agreeing + r.matched_error_lines < ZONE_EVIDENCE
                || r.note.contains("cannot be placed")
            {
                continue;
            }
            self.zone_decided.push(i);
            if let (Some(o), Some(z)) = (r.reread, r.reread.and_then(crate::parse::Zone::fixed)) {
                self.parser.set_zone(i as u32, z);
                out.push(WatchEvent::Zone(ZoneEvent {
                    input: name.clone(),
                    zone: crate::parse::Zone::offset_name(o),
                    note: format!("{}; lines from here on", r.note),
                }));
            }
        }
    }

    /// Alerts firing now, for the live view.
    pub fn firing(&self) -> Vec<&AlertEvent> {
        self.alerts.firing()
    }

    /// The last `n` windows (closed or open), oldest first.
    pub fn recent(&self, n: usize) -> Vec<(Micros, &LiveWin)> {
        let v: Vec<(Micros, &LiveWin)> = self.wins.iter().map(|(s, w)| (*s, w)).collect();
        let skip = v.len().saturating_sub(n);
        v.into_iter().skip(skip).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{FieldSpec, Zone};
    use crate::rules::Severity;

    const S: Micros = 1_000_000;
    /// 2026-11-25T03:16:00Z
    const T0: Micros = 1_795_576_560 * S;

    fn watcher(lateness: Micros) -> Watcher {
        watcher_with(lateness, |_| {})
    }

    /// A watcher whose alert rules are `report`'s with `tweak` applied (as `--alert-*` do).
    fn watcher_with(lateness: Micros, tweak: impl Fn(&mut crate::rules::Rule)) -> Watcher {
        let rules = Arc::new(RuleSet::default());
        let mut alert_rules = (*rules).clone();
        alert_rules.rules.iter_mut().for_each(tweak);
        let p = Params {
            window: 10 * S,
            lateness,
            request_ttl: 600 * S,
            alert_rules: Arc::new(alert_rules),
            hold: 60 * S,
            keep_windows: 60,
        };
        let parser = Parser::new(FieldSpec::defaults(), Zone::parse("UTC").unwrap());
        let opts = AggOptions {
            rules: Some(rules),
            ..AggOptions::default()
        };
        Watcher::new(p, parser, 1, &opts)
    }

    fn app(t: Micros, level: &str, msg: &str) -> String {
        format!(
            r#"{{"time":"{}","level":"{level}","msg":"{msg}","request_id":"r{t}"}}"#,
            format_utc(t)
        )
    }

    fn nginx_timeout(t: Micros) -> String {
        let dt = chrono::DateTime::from_timestamp_micros(t).unwrap();
        format!(
            "{} [error] 1#1: *1 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.1, server: x, request: \"POST /pay HTTP/1.1\", upstream: \"http://10.0.0.7:8000/pay\", host: \"x\"",
            dt.format("%Y/%m/%d %H:%M:%S")
        )
    }

    fn feed(w: &mut Watcher, lines: &[String]) {
        for (i, l) in lines.iter().enumerate() {
            w.feed(0, i as u64 * 1000, l.as_bytes(), 0);
        }
        // The stream pauses: the last record is not waiting for a line that continues it.
        w.flush_idle(Micros::MAX);
    }

    fn windows(ev: &[WatchEvent]) -> Vec<(String, u64, u64, u64)> {
        ev.iter()
            .filter_map(|e| match e {
                WatchEvent::Window(w) => Some((w.start.clone(), w.lines, w.errors, w.late_lines)),
                _ => None,
            })
            .collect()
    }

    fn alerts(ev: &[WatchEvent]) -> Vec<(&str, &'static str)> {
        ev.iter()
            .filter_map(|e| match e {
                WatchEvent::Alert(a) => Some((a.rule.as_str(), a.state)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn windows_close_after_lateness_and_late_lines_are_counted() {
        let mut w = watcher(5 * S);
        feed(
            &mut w,
            &[
                app(T0 + S, "info", "a"),
                app(T0 + 9 * S, "error", "b"),
                app(T0 + 12 * S, "info", "c"),
            ],
        );
        // Newest line at +12s: [0, 10) may still get lines until +15s.
        assert!(windows(&w.tick(0)).is_empty());
        // A line 6 s behind the newest is still in time.
        feed(
            &mut w,
            &[app(T0 + 8 * S, "info", "d"), app(T0 + 15 * S, "info", "e")],
        );
        assert_eq!(
            windows(&w.tick(0)),
            vec![(format_utc(T0), 3, 1, 0)],
            "window [0,10) closes once the newest line is at +15s"
        );
        // Now [0, 10) is closed: a line for it is late.
        feed(&mut w, &[app(T0 + 2 * S, "info", "late")]);
        // An untimed line lands at the newest event time (+15s window).
        feed(&mut w, &["plain text, no time".to_string()]);
        let end = w.finish();
        assert_eq!(windows(&end), vec![(format_utc(T0 + 10 * S), 2, 0, 1)]);
        assert_eq!(w.counters.late, 1);
        assert_eq!(w.counters.lines, 7);
        // The summary still counts every line.
        assert_eq!(w.summary.files[0].lines, 7);
    }

    #[test]
    fn upstream_alert_fires_on_the_fifth_timeout_and_resolves_after_the_hold() {
        // As `--alert-upstream 5`: five timeouts in a window.
        let mut w = watcher_with(0, |r| {
            if r.id == "upstream_timeout" {
                r.params.min_count = 5;
            }
        });
        let lines: Vec<String> = (0..4).map(|i| nginx_timeout(T0 + i * S)).collect();
        feed(&mut w, &lines);
        assert!(alerts(&w.tick(0)).is_empty());
        feed(&mut w, &[nginx_timeout(T0 + 5 * S)]);
        let ev = w.tick(0);
        assert_eq!(alerts(&ev), vec![("upstream_timeout", "firing")], "{ev:?}");
        let WatchEvent::Alert(a) = ev
            .iter()
            .find(|e| matches!(e, WatchEvent::Alert(_)))
            .unwrap()
        else {
            unreachable!()
        };
        assert_eq!((a.count, a.severity), (5, Severity::Critical));
        assert_eq!(a.since, format_utc(T0 + 5 * S));
        // Still firing while the window [0, 10) overlaps the last minute: no new event.
        feed(&mut w, &[app(T0 + 30 * S, "info", "ok")]);
        assert!(alerts(&w.tick(0)).is_empty());
        assert_eq!(w.firing().len(), 1);
        // At +70s the window has left the minute: resolved.
        feed(&mut w, &[app(T0 + 70 * S, "info", "ok")]);
        let ev = w.tick(0);
        assert_eq!(
            alerts(&ev),
            vec![("upstream_timeout", "resolved")],
            "{ev:?}"
        );
        assert!(w.firing().is_empty());
    }

    #[test]
    fn report_rules_fire_as_alerts_with_their_own_thresholds() {
        // By default one timeout in a window flags, as in `report`.
        let mut w = watcher(0);
        feed(&mut w, &[nginx_timeout(T0)]);
        assert_eq!(alerts(&w.tick(0)), vec![("upstream_timeout", "firing")]);

        // latency_spike: p95 over 2 s for one endpoint, named as the alert's subject.
        let mut w = watcher(0);
        let slow: Vec<String> = (0..10)
            .map(|i| {
                format!(
                    r#"{{"time":"{}","level":"info","msg":"done","method":"POST","path":"/pay","status":200,"duration_ms":{}}}"#,
                    format_utc(T0 + i * S / 2),
                    2500 + i
                )
            })
            .collect();
        feed(&mut w, &slow);
        let ev = w.tick(0);
        let a: Vec<&AlertEvent> = ev
            .iter()
            .filter_map(|e| match e {
                WatchEvent::Alert(a) => Some(a),
                _ => None,
            })
            .collect();
        assert_eq!(a.len(), 1, "{ev:?}");
        assert_eq!(a[0].rule, "latency_spike");
        assert_eq!(a[0].subject.as_deref(), Some("POST /pay (app)"));
        assert_eq!(a[0].count, 10);

        // restart: a start-up line in the stream's first window is its beginning, later one
        // is a restart.
        let mut w = watcher(0);
        feed(&mut w, &[app(T0, "info", "Application startup complete.")]);
        assert!(alerts(&w.tick(0)).is_empty());
        feed(
            &mut w,
            &[app(T0 + 30 * S, "info", "Application startup complete.")],
        );
        assert_eq!(alerts(&w.tick(0)), vec![("restart", "firing")]);
    }

    /// An nginx access line for request `id`, `status` at time `t`.
    fn access(t: Micros, id: &str, status: u16) -> String {
        let dt = chrono::DateTime::from_timestamp_micros(t).unwrap();
        format!(
            "10.0.0.1 - - [{}] \"POST /pay HTTP/1.1\" {status} 0 \"-\" \"curl\" request_id={id} request_time=60.001 upstream_response_time=60.000 upstream_status={status} upstream_addr=10.0.0.7:8000",
            dt.format("%d/%b/%Y:%H:%M:%S +0000")
        )
    }

    #[test]
    fn requests_nginx_gave_up_on_after_the_app_saw_them_are_hung() {
        let mut w = watcher(0);
        let start = |t: Micros, id: &str| {
            format!(
                r#"{{"time":"{}","level":"info","msg":"calling provider","request_id":"{id}"}}"#,
                format_utc(t)
            )
        };
        let finish = |t: Micros, id: &str| {
            format!(
                r#"{{"time":"{}","level":"info","msg":"done","request_id":"{id}","status":200,"duration_ms":5}}"#,
                format_utc(t)
            )
        };
        feed(
            &mut w,
            &[
                start(T0, "timedout"),
                start(T0 + S, "closed"),
                start(T0 + 2 * S, "fine"),
                finish(T0 + 3 * S, "fine"),
                access(T0 + 3 * S, "fine", 200),
                // Refused: nginx alone, the app never saw it.
                access(T0 + 4 * S, "refused", 502),
            ],
        );
        assert!(alerts(&w.tick(0)).is_empty());
        assert_eq!(w.wins[&T0].hung, 0);
        feed(
            &mut w,
            &[
                access(T0 + 30 * S, "closed", 502),
                access(T0 + 60 * S, "timedout", 504),
            ],
        );
        // Each counts in the window where nginx gave up on it.
        assert_eq!(w.wins[&T0].hung, 0);
        assert_eq!(w.wins[&(T0 + 30 * S)].hung, 1);
        assert_eq!(w.wins[&(T0 + 60 * S)].hung, 1);
        let ev = w.tick(0);
        assert!(alerts(&ev).contains(&("hung_requests", "firing")), "{ev:?}");
        // Where they stopped: their last app message.
        let hung = w.firing().into_iter().find(|a| a.rule == "hung_requests");
        let detail = hung.unwrap().detail.clone().unwrap();
        assert!(
            detail.ends_with(": 2 stopped after \"calling provider\""),
            "{detail}"
        );
    }

    #[test]
    fn error_share_alert_needs_enough_lines() {
        let mut w = watcher(0);
        // 10 lines in one window, half errors: too few lines to judge (min_lines 20).
        let line = |i: i64| {
            app(
                T0 + i * S / 4,
                if i % 2 == 0 { "error" } else { "info" },
                "x",
            )
        };
        let few: Vec<String> = (0..10).map(line).collect();
        feed(&mut w, &few);
        assert!(alerts(&w.tick(0)).is_empty());
        let more: Vec<String> = (10..30).map(line).collect();
        feed(&mut w, &more);
        assert_eq!(alerts(&w.tick(0)), vec![("error_rate_spike", "firing")]);
    }

    #[test]
    fn finished_and_stale_requests_leave_the_in_flight_set() {
        let mut w = watcher(0);
        feed(
            &mut w,
            &[
                app(T0, "info", "start"),
                format!(
                    r#"{{"time":"{}","level":"info","msg":"done","request_id":"r{}","status":200}}"#,
                    format_utc(T0 + S),
                    T0
                ),
                app(T0 + 2 * S, "info", "start other"),
            ],
        );
        w.tick(0);
        assert_eq!(w.counters.in_flight, 1);
        feed(&mut w, &[app(T0 + 700 * S, "info", "much later")]);
        w.tick(0);
        // The other request is past its TTL; the new one is in flight.
        assert_eq!(w.counters.in_flight, 1);
    }

    #[test]
    fn requests_quiet_for_the_ttl_leave_memory_but_stay_in_the_summary() {
        let mut w = watcher(0);
        w.p.request_ttl = 60 * S;
        let early: Vec<String> = (0..50)
            .map(|i| app(T0 + i * S / 10, "error", "boom"))
            .collect();
        feed(&mut w, &early);
        w.tick(0);
        feed(&mut w, &[app(T0 + 200 * S, "info", "later")]);
        w.tick(0);
        assert_eq!(w.retired.total(), 50);
        w.summary.requests.finish(&w.summary.names);
        assert_eq!(w.summary.requests.len(), 1);
        let retired = std::mem::take(&mut w.retired);
        let ctx = crate::report::Context {
            rules: None,
            retired: Some(&retired),
            paths: &["<stdin>".to_string()],
            errors: &[None],
            timezone: "UTC",
            zones: &[],
            top: 10,
        };
        let r = crate::report::Report::build(w.summary, &ctx);
        assert_eq!(r.requests.total, 51);
        // None of them logged an end (status or latency), and this source never logs one:
        // nothing is unfinished. The 50 with an error line failed, retired or not; the other's
        // outcome is unknown.
        assert_eq!(r.requests.outcomes.unfinished, 0);
        assert_eq!(r.requests.outcomes.error, 50);
        assert_eq!(r.requests.outcomes.unknown, 1);
        assert_eq!(r.requests.with_errors, 50);
        assert_eq!(r.requests.unfinished, None);
    }
}
