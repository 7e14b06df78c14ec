//! The state of `watch` (`Watcher`): takes each record as it arrives, counts it in the
//! cumulative partial the final summary is built from and in its event-time window, closes
//! windows once the newest line is `lateness` past their end, judges the alerts over the
//! recent windows, expires requests in flight and retires old request groups after a TTL,
//! and infers the inputs' zones. The parts live beside it: `records` (where records end),
//! `window`, `flight`, `alerts`. Pure: lines and the clock come in as arguments, events go
//! out as values; nothing here reads or prints.

use std::hash::BuildHasher;
use std::sync::Arc;

use super::alerts::{AlertEvent, Alerts};
use super::event::{WatchEvent, ZoneEvent};
use super::flight::{InFlight, Tracked};
use super::records::{self, OpenRecords};
use super::window::{LineExtras, LiveWin, Windows};
use crate::aggregate::intern::NONE;
use crate::aggregate::{AggOptions, Partial, Scratch};
use crate::parse::{Micros, Parsed, Parser, Source};
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

pub struct Watcher {
    p: Params,
    parser: Parser,
    scratch: Scratch,
    /// Decoded envelope text of the record being parsed.
    text: Vec<u8>,
    records: OpenRecords,
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
    windows: Windows,
    /// Newest event time seen.
    pub watermark: Option<Micros>,
    pub counters: Counters,
    alerts: Alerts,
    in_flight: InFlight,
    /// Requests the summary no longer holds (not seen for the TTL), as counts.
    pub retired: crate::aggregate::outcome::RetiredRequests,
    last_retire: Micros,
    /// The newest window when alerts were last judged.
    judged_window: Micros,
}

impl Watcher {
    pub fn new(p: Params, parser: Parser, nfiles: usize, opts: &AggOptions) -> Watcher {
        Watcher {
            alerts: Alerts::new(p.alert_rules.clone(), p.hold),
            windows: Windows::new(p.window, p.keep_windows),
            p,
            parser,
            scratch: Scratch::default(),
            text: Vec::new(),
            records: OpenRecords::default(),
            timed: false,
            zone_decided: Vec::new(),
            infer: None,
            naive_at_inference: 0,
            zone_events: Vec::new(),
            summary: Partial::new(nfiles, opts),
            watermark: None,
            counters: Counters::default(),
            in_flight: InFlight::default(),
            retired: crate::aggregate::outcome::RetiredRequests::default(),
            last_retire: Micros::MIN,
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
    /// each waits for the line after it, up to `records::RECORD_IDLE`.
    pub fn feed(&mut self, file: u32, offset: u64, raw: &[u8], now: Micros) {
        self.counters.lines += 1;
        if self.records.join(file, offset, raw, now) {
            return;
        }
        self.flush(file);
        if records::blank(raw) {
            self.record(file, offset, raw, 1, raw.len(), now);
            return;
        }
        self.records.open(file, offset, raw, now);
    }

    /// Takes the open record of `file`, if any, then the blank lines after it, as arrived
    /// when their last line did.
    fn flush(&mut self, file: u32) {
        if let Some(p) = self.records.take(file) {
            self.record(file, p.offset, &p.bytes, p.lines, p.head, p.since);
            for (off, b) in &p.blanks {
                self.record(file, *off, b, 1, b.len(), p.since);
            }
            self.records.recycle(p.bytes);
        }
    }

    /// Whether a record waits for the line after it (a `tick` will take it when idle).
    pub fn waiting(&self) -> bool {
        self.records.waiting()
    }

    /// Takes the records that waited longer than `RECORD_IDLE` (all with `now` = MAX).
    fn flush_idle(&mut self, now: Micros) {
        for f in self.records.idle(now) {
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
            at = ev.ts.or(self.watermark.filter(|_| self.timed)).or(arrival);
            if let Some(t) = at {
                self.watermark = Some(self.watermark.map_or(t, |w| w.max(t)));
                window = self.windows.place(t);
                if window.is_none() {
                    self.counters.late += 1;
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
        self.infer_zones_when_due();
        self.count_live(file << 4 | format as u32, at, window, request);
    }

    /// Counts the line just absorbed into the summary in its request in flight and its
    /// window (`None`: late), from source `src` (`file << 4 | format`) at time `at`.
    fn count_live(
        &mut self,
        src: u32,
        at: Option<Micros>,
        window: Option<Micros>,
        request: Option<u64>,
    ) {
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
        let tracked = request.map_or_else(Tracked::default, |key| {
            self.in_flight
                .track(key, at.unwrap_or(Micros::MIN), line, src, logs_ends)
        });
        // First of its type and source in the summary: a new error type.
        let side = if line.src == Source::App as usize {
            Source::App
        } else {
            Source::Nginx
        };
        let new_type = line.error_type != NONE
            && self
                .summary
                .errors
                .get(&(side, line.error_type))
                .is_some_and(|e| e.count == 1);
        if let Some(start) = window {
            let extra = LineExtras {
                latency_ms: tracked.latency_ms,
                hung: tracked.hung,
                new_type_at: new_type.then(|| at.unwrap_or(start)),
            };
            self.windows.add(start, line, extra);
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
            let open = self.records.oldest();
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
        // Keep enough closed windows for the live view, and for the alerts: the hold span and
        // the baselines before it.
        let look = self.alerts.hold() + (self.alerts.lookback() as Micros + 1) * self.p.window;
        let keep_from = self.watermark.map_or(Micros::MIN, |w| w - look);
        let closed = self
            .windows
            .close_until(before, keep_from, &self.summary.names);
        out.extend(closed.into_iter().map(WatchEvent::Window));
    }

    /// Whether a window opened since alerts were last judged: input read faster than real
    /// time (a file piped in) must still have every window judged while it is recent.
    pub fn due(&self) -> bool {
        self.windows.newest() > self.judged_window
    }

    fn judge(&mut self, out: &mut Vec<WatchEvent>) {
        let Some(w) = self.watermark else { return };
        self.judged_window = self.windows.newest();
        // As in `report`: nginx speaks for the service once it has logged traffic.
        let s = &self.summary;
        let primary = if !s.status[1].is_empty() || !s.latency[1].is_empty() {
            Source::Nginx
        } else {
            Source::App
        };
        let events = self.alerts.judge(
            w,
            self.p.window,
            self.windows.all(),
            &self.summary.names,
            primary,
            self.windows.first_is_start(),
        );
        out.extend(events.into_iter().map(WatchEvent::Alert));
    }

    /// Drops requests not seen for the TTL (event time), at most once per window.
    fn expire(&mut self, watermark: Micros) {
        if !self
            .in_flight
            .expire(watermark, self.p.request_ttl, self.p.window)
        {
            return;
        }
        self.counters.in_flight = self.in_flight.count();
        self.retire(watermark);
    }

    /// The summary's request groups: those quiet for the TTL leave memory as counts. Every
    /// eighth of the TTL (a pass sorts what is left), so at most 1.125 TTL of requests stay.
    fn retire(&mut self, watermark: Micros) {
        let ttl = self.p.request_ttl;
        if watermark.saturating_sub(self.last_retire) < (ttl / 8).max(self.p.window) {
            return;
        }
        self.last_retire = watermark;
        let retired = &mut self.retired;
        let names = &self.summary.names;
        let completes = crate::aggregate::outcome::Completions::of(&self.summary);
        let mut gone = Vec::new();
        self.summary
            .requests
            .retire(watermark - ttl, names, |k, r| {
                retired.add(k, r, &completes);
                gone.push(*r);
            });
        // Their latency counts now, as `report` counts every request's once.
        self.summary.count_request_latencies(gone.iter());
        // Error lines that could tie only to retired requests: a stream keeps no more of
        // them than of its requests.
        let before = watermark - ttl;
        self.summary.triage.links.retain(|l| l.ts >= before);
    }

    /// Without `--tz`: infer the zone of the inputs' naive stamps as lines come in
    /// (`infer_zones`, every `ZONE_EVERY` naive lines until decided).
    pub fn infer(&mut self, names: Vec<String>, local_name: String) {
        self.infer = Some((names, local_name));
    }

    /// Looks at the zone evidence again once `ZONE_EVERY` more naive lines came in, while
    /// some input's zone is undecided.
    fn infer_zones_when_due(&mut self) {
        if self.infer.is_none() {
            return;
        }
        let naive: u64 = self.summary.files.iter().map(|f| f.naive).sum();
        if naive >= self.naive_at_inference + ZONE_EVERY
            && self.zone_decided.len() < self.summary.files.len()
        {
            self.naive_at_inference = naive;
            self.infer_zones();
        }
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
        self.windows.recent(n)
    }
}

#[cfg(test)]
mod tests;
