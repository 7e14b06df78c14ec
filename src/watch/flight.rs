//! Requests in flight for `watch`: what is known of each request seen recently (`Flight`),
//! what a line of one means for the live windows (`track`: a hang, a first latency), and
//! their expiry after the TTL. Counts only: must not hold request ids, lines or the
//! summary's request groups (the watcher retires those).

use rustc_hash::FxHashMap;

use crate::aggregate::intern::NONE;
use crate::aggregate::windows::WinLine;
use crate::parse::{Micros, Source};

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

impl Flight {
    fn new(t: Micros) -> Flight {
        Flight {
            last: t,
            done: false,
            app_seen: false,
            app_done: false,
            hung: false,
            app_src: u32::MAX,
            latency_counted: false,
            last_words: NONE,
            last_words_at: Micros::MIN,
        }
    }
}

/// What a line of a request means for the live windows.
#[derive(Default)]
pub struct Tracked {
    /// nginx gave up on it after the app had seen it: its last app message.
    pub hung: Option<u32>,
    /// The app latency this line brings to its window (the request's first completion).
    pub latency_ms: Option<f64>,
}

/// The requests seen and not yet finished, within the TTL.
#[derive(Default)]
pub struct InFlight {
    /// Hash of the request id -> what is known of the request so far. Only counted, so a
    /// 64-bit hash stands in for the id: no allocation per request, and a collision among a
    /// few hundred thousand ids (odds about 1e-9) would miscount one request.
    requests: FxHashMap<u64, Flight>,
    last_expiry: Option<Micros>,
}

impl InFlight {
    /// Requests held (seen and not yet finished, within the TTL at the last expiry).
    pub fn count(&self) -> u64 {
        self.requests.len() as u64
    }

    /// Updates request `key` with a line at time `t` from source `src` (`file << 4 | format`).
    /// A request hangs, as `report`'s outcomes say, when nginx gives up on it (a 504, or a 502
    /// before the app finished) after the app had seen it, where the app logs completions
    /// (`logs_ends`, as known by then). Its app latency is counted live from its first
    /// completion line (`report` counts the last, once the request is over).
    pub fn track(
        &mut self,
        key: u64,
        t: Micros,
        line: &WinLine,
        src: u32,
        logs_ends: impl Fn(u32) -> bool,
    ) -> Tracked {
        let f = self.requests.entry(key).or_insert(Flight::new(t));
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

    /// Drops the requests answered or not seen for `ttl` before `watermark` (event time), at
    /// most once per `every`; returns whether it did.
    pub fn expire(&mut self, watermark: Micros, ttl: Micros, every: Micros) -> bool {
        let last = self.last_expiry.unwrap_or(Micros::MIN);
        if watermark.saturating_sub(last) < every {
            return false;
        }
        self.last_expiry = Some(watermark);
        self.requests
            .retain(|_, f| !f.done && f.last >= watermark - ttl);
        // A burst of requests must not keep its table for the rest of an endless stream.
        if self.requests.capacity() > 4 * self.requests.len() + 1024 {
            self.requests.shrink_to(2 * self.requests.len());
        }
        true
    }
}
