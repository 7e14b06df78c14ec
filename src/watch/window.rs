//! The event-time windows of `watch`: what one window holds (`LiveWin`), the event printed
//! when it closes (`WindowEvent`), and the set of them (`Windows`): which window a line goes
//! to, when a window closes, which closed ones are kept. Must not judge alerts, parse lines
//! or track requests: the watcher hands in what a line brings, the alerts read the windows.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::aggregate::intern::{Interner, NONE};
use crate::aggregate::latency::{STREAM_WINDOW_CAP, round3};
use crate::aggregate::windows::{WinAgg, WinLine};
use crate::model::BySource;
use crate::parse::time::format_utc;
use crate::parse::{Micros, Source};

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

/// What one line brings to its window beyond what `WinAgg` counts of it.
#[derive(Clone, Copy, Debug, Default)]
pub struct LineExtras {
    /// The app latency the line's request brings (its first completion).
    pub latency_ms: Option<f64>,
    /// nginx gave up on the line's request after the app had seen it: its last app message.
    pub hung: Option<u32>,
    /// The line's error type is new to the stream, first seen at this time.
    pub new_type_at: Option<Micros>,
}

impl LiveWin {
    /// Counts `line`: exactly what the summary's window got for it, plus `extra`.
    fn add(&mut self, line: &WinLine, extra: LineExtras) {
        self.agg.add(line, STREAM_WINDOW_CAP);
        if let Some(ms) = extra.latency_ms {
            let l = line;
            self.agg.add_latency(
                l.src,
                l.endpoint,
                l.health,
                ms,
                STREAM_WINDOW_CAP,
                l.triaging,
            );
        }
        if line.error_type != NONE {
            *self.error_types.entry(line.error_type).or_default() += 1;
        }
        if let Some(words) = extra.hung {
            self.hung += 1;
            *self.hung_words.entry(words).or_default() += 1;
        }
        if let Some(at) = extra.new_type_at {
            self.new_types.push((line.error_type, at));
        }
    }

    /// The event of this window, `[start, start + width)`, once closed.
    fn event(&self, start: Micros, width: Micros, names: &Interner, late: u64) -> WindowEvent {
        let p95 = |i: usize| self.agg.latency[i].p95().map(round3);
        WindowEvent {
            start: format_utc(start),
            end: format_utc(start + width),
            lines: self.agg.lines,
            errors: self.agg.errors,
            warnings: self.agg.warnings,
            status_5xx: BySource {
                app: self.agg.status_5xx[Source::App as usize],
                nginx: self.agg.status_5xx[Source::Nginx as usize],
            },
            p95_ms: BySource {
                app: p95(0),
                nginx: p95(1),
            },
            error_types: self
                .error_types
                .iter()
                .map(|(k, v)| (names.name(*k).to_string(), *v))
                .collect(),
            late_lines: late,
        }
    }
}

/// The windows of a stream, by start: open ones, and closed ones kept for the live view and
/// the alerts.
pub struct Windows {
    width: Micros,
    /// Closed windows kept for the live view (more while the alerts still need them).
    keep: usize,
    wins: BTreeMap<Micros, LiveWin>,
    /// Windows starting before this are closed.
    closed_before: Micros,
    late_since_event: u64,
    /// The start of the stream's first window: a start-up line there is no restart.
    first: Option<Micros>,
    /// The newest window's start.
    newest: Micros,
}

impl Windows {
    pub fn new(width: Micros, keep: usize) -> Windows {
        Windows {
            width,
            keep,
            wins: BTreeMap::new(),
            closed_before: Micros::MIN,
            late_since_event: 0,
            first: None,
            newest: Micros::MIN,
        }
    }

    /// The window a line at `t` goes to, or `None` when that window has closed (the line is
    /// late: counted here for the next window event).
    pub fn place(&mut self, t: Micros) -> Option<Micros> {
        let start = t.div_euclid(self.width) * self.width;
        if start < self.closed_before {
            self.late_since_event += 1;
            return None;
        }
        self.first.get_or_insert(start);
        self.newest = self.newest.max(start);
        Some(start)
    }

    /// Counts `line` in the window starting at `start` (from `place`). A new error type is
    /// not new in the stream's first window: everything is new there.
    pub fn add(&mut self, start: Micros, line: &WinLine, mut extra: LineExtras) {
        if Some(start) == self.first {
            extra.new_type_at = None;
        }
        self.wins.entry(start).or_default().add(line, extra);
    }

    /// Closes the windows starting before `before` and returns their events, oldest first.
    /// Then forgets closed windows past the `keep` newest, except those starting at or after
    /// `keep_from` (the alerts still judge them).
    pub fn close_until(
        &mut self,
        before: Micros,
        keep_from: Micros,
        names: &Interner,
    ) -> Vec<WindowEvent> {
        if before <= self.closed_before {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (s, w) in self.wins.range(self.closed_before..before) {
            out.push(w.event(*s, self.width, names, self.late_since_event));
            self.late_since_event = 0;
        }
        self.closed_before = before;
        let closed: Vec<Micros> = self.wins.range(..before).map(|(s, _)| *s).collect();
        let excess = closed.len().saturating_sub(self.keep);
        for s in closed.into_iter().take(excess) {
            if s < keep_from {
                self.wins.remove(&s);
            }
        }
        out
    }

    /// Every window held, by start.
    pub fn all(&self) -> &BTreeMap<Micros, LiveWin> {
        &self.wins
    }

    /// The start of the newest window (`Micros::MIN` before any).
    pub fn newest(&self) -> Micros {
        self.newest
    }

    /// Whether the oldest window held is the stream's first.
    pub fn first_is_start(&self) -> bool {
        self.wins.keys().next() == self.first.as_ref()
    }

    /// The last `n` windows (closed or open), oldest first.
    pub fn recent(&self, n: usize) -> Vec<(Micros, &LiveWin)> {
        let skip = self.wins.len().saturating_sub(n);
        self.wins.iter().skip(skip).map(|(s, w)| (*s, w)).collect()
    }
}
