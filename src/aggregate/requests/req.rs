//! One request's state (`ReqAgg`) and what one line says about it (`Touch`). Touching and
//! merging are commutative with a total order on every choice, so a request reads the same
//! however its lines were split. Must not know how requests are keyed or stored (`key.rs`,
//! `table.rs`).

use crate::aggregate::intern::{Interner, NONE};

pub const APP_SEEN: u8 = 1;
/// An app line carried a status or latency: the app finished the request.
pub const APP_DONE: u8 = 2;
pub const NGINX_SEEN: u8 = 4;
const ENDPOINT_FROM_NGINX: u8 = 8;

#[derive(Clone, Copy, Debug, serde::Serialize, serde::Deserialize)]
pub struct ReqAgg {
    pub first: i64,
    pub last: i64,
    /// The app's latency of the request, ms (negative: none): from its completion line, the
    /// last line with a status and a latency, else its last line with a latency. Counted
    /// once per request in the report's latency, not once per line.
    pub app_ms: f32,
    /// Largest latency nginx reported, ms; negative when none.
    pub nginx_ms: f32,
    pub lines: u32,
    pub endpoint: u32,
    pub error_type: u32,
    pub app_status: u16,
    pub nginx_status: u16,
    pub errors: u16,
    pub flags: u8,
    /// The request's last app message (masked template, interned), when tracked: the app
    /// line latest by (time, position); `last_at` is its time (`i64::MIN` when untimed) and
    /// `last_pos` its position (file index << 40 | byte offset).
    pub last_msg: u32,
    pub last_at: i64,
    pub last_pos: u64,
    /// The time of that line (`i64::MIN` when untimed): where the latency counts.
    pub app_at: i64,
    /// Where the app's lines come from, `file << 4 | format` (the least such; `u32::MAX` before
    /// any): whether that source logs completions decides `unfinished` against `unknown`.
    pub app_src: u32,
    /// Hash of nginx's access line for a 5xx (client, method, target, second, status;
    /// `links::access_key`), 0 when none: what ties the request to an nginx error line, which
    /// carries no request id. Sits in what was padding: `ReqAgg` stays 80 bytes.
    pub access_key: u32,
}

/// `app_ms` came from a line with a status: such a line outranks every line without one.
const LATENCY_WITH_STATUS: u8 = 16;

impl Default for ReqAgg {
    fn default() -> Self {
        ReqAgg {
            first: i64::MAX,
            last: i64::MIN,
            app_ms: -1.0,
            nginx_ms: -1.0,
            lines: 0,
            endpoint: NONE,
            error_type: NONE,
            app_status: 0,
            nginx_status: 0,
            errors: 0,
            flags: 0,
            last_msg: NONE,
            last_at: i64::MIN,
            last_pos: 0,
            app_at: i64::MIN,
            app_src: u32::MAX,
            access_key: 0,
        }
    }
}

/// What one line says about its request.
pub struct Touch {
    pub ts: Option<i64>,
    pub nginx: bool,
    pub latency_ms: Option<f64>,
    pub status: Option<u16>,
    pub endpoint: u32,
    pub error_type: u32,
    pub is_error: bool,
    /// The line's masked message, interned; `NONE` when untracked or absent.
    pub msg: u32,
    /// File index << 40 | byte offset of the line.
    pub pos: u64,
    /// The line's format (`Format as u8`), for where the app's lines come from.
    pub format: u8,
    /// An nginx access line's key for tying error lines (`ReqAgg::access_key`), else 0.
    pub access_key: u32,
}

/// A line's position for `Touch::pos`: files up to 1 TiB, a million files.
#[inline]
pub fn position(file: u32, offset: u64) -> u64 {
    ((file as u64) << 40) | (offset & ((1 << 40) - 1))
}

impl ReqAgg {
    pub fn touch(&mut self, t: &Touch, names: &Interner) {
        if let Some(ts) = t.ts {
            self.first = self.first.min(ts);
            self.last = self.last.max(ts);
        }
        self.lines = self.lines.saturating_add(1);
        if t.is_error {
            self.errors = self.errors.saturating_add(1);
        }
        let lat = t.latency_ms.map_or(-1.0, |v| v as f32);
        if t.nginx {
            self.flags |= NGINX_SEEN;
            self.nginx_ms = self.nginx_ms.max(lat);
            self.nginx_status = self.nginx_status.max(t.status.unwrap_or(0));
            // The largest: a request has one access line as a rule, and max commutes.
            self.access_key = self.access_key.max(t.access_key);
        } else {
            self.flags |= APP_SEEN;
            if t.status.is_some() || t.latency_ms.is_some() {
                self.flags |= APP_DONE;
            }
            if lat >= 0.0 {
                self.take_latency(lat, t.status.is_some(), t.ts.unwrap_or(i64::MIN));
            }
            self.app_status = self.app_status.max(t.status.unwrap_or(0));
            let src = ((t.pos >> 40) as u32) << 4 | t.format as u32;
            self.app_src = self.app_src.min(src);
        }
        self.take_endpoint(t.endpoint, t.nginx, names);
        self.error_type = pick_name(self.error_type, t.error_type, names);
        if !t.nginx && t.msg != NONE {
            self.take_last(t.msg, t.ts.unwrap_or(i64::MIN), t.pos);
        }
    }

    /// Keeps the latency of the best line: one with a status over one without, then the
    /// latest, then the largest. A total order on what is kept, so the choice never depends
    /// on how the input was split.
    fn take_latency(&mut self, ms: f32, with_status: bool, at: i64) {
        let mine = (
            self.flags & LATENCY_WITH_STATUS != 0,
            self.app_at,
            self.app_ms,
        );
        if self.app_ms < 0.0 || (with_status, at, ms) > mine {
            self.app_ms = ms;
            self.app_at = at;
            if with_status {
                self.flags |= LATENCY_WITH_STATUS;
            } else {
                self.flags &= !LATENCY_WITH_STATUS;
            }
        }
    }

    /// Keeps the message of the latest line by (time, position): a total order, so the
    /// choice never depends on how the input was split.
    fn take_last(&mut self, msg: u32, at: i64, pos: u64) {
        if self.last_msg == NONE || (at, pos) > (self.last_at, self.last_pos) {
            self.last_msg = msg;
            self.last_at = at;
            self.last_pos = pos;
        }
    }

    /// nginx's view of the endpoint wins; between equals the smaller name, so the choice
    /// does not depend on which partial saw which line.
    fn take_endpoint(&mut self, ep: u32, from_nginx: bool, names: &Interner) {
        if ep == NONE {
            return;
        }
        let mine_nginx = self.flags & ENDPOINT_FROM_NGINX != 0;
        if from_nginx && !mine_nginx {
            self.endpoint = ep;
            self.flags |= ENDPOINT_FROM_NGINX;
        } else if from_nginx == mine_nginx || self.endpoint == NONE {
            self.endpoint = pick_name(self.endpoint, ep, names);
            if from_nginx {
                self.flags |= ENDPOINT_FROM_NGINX;
            }
        }
    }

    pub(super) fn merge_with(&mut self, o: &ReqAgg, names: &Interner) {
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        if o.app_ms >= 0.0 {
            self.take_latency(o.app_ms, o.flags & LATENCY_WITH_STATUS != 0, o.app_at);
        }
        self.app_src = self.app_src.min(o.app_src);
        self.nginx_ms = self.nginx_ms.max(o.nginx_ms);
        self.lines = self.lines.saturating_add(o.lines);
        self.errors = self.errors.saturating_add(o.errors);
        self.app_status = self.app_status.max(o.app_status);
        self.nginx_status = self.nginx_status.max(o.nginx_status);
        self.access_key = self.access_key.max(o.access_key);
        self.error_type = pick_name(self.error_type, o.error_type, names);
        self.take_endpoint(o.endpoint, o.flags & ENDPOINT_FROM_NGINX != 0, names);
        self.flags |= o.flags & !ENDPOINT_FROM_NGINX;
        if o.last_msg != NONE {
            self.take_last(o.last_msg, o.last_at, o.last_pos);
        }
    }
}

// Tying error lines to requests must not grow the per-request state.
const _: () = assert!(std::mem::size_of::<ReqAgg>() == 80);

fn pick_name(a: u32, b: u32, names: &Interner) -> u32 {
    match (a, b) {
        (NONE, x) | (x, NONE) => x,
        (x, y) if x == y => x,
        (x, y) if names.name(y) < names.name(x) => y,
        (x, _) => x,
    }
}
