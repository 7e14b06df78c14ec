//! What one log line adds to a `Partial`: line accounting, the event's counts, endpoint and
//! message interning (memoised, since lines repeat), triage evidence and the request it
//! touches. This is the hot path, run once per line; it must not allocate per line when the
//! memos hit, and must not merge or finish anything (`partial.rs`, `report.rs`).

use super::counts::{LineRef, SAMPLES_PER_FILE, Sample};
use super::evidence;
use super::intern::NONE;
use super::latency;
use super::links;
use super::partial::{Partial, UNSEEN};
use super::requests::{self, Touch};
use super::windows::{CUSTOM_SLOT, WinLine};
use crate::parse::endpoint;
use crate::parse::{Level, LogEvent, Parsed, Source};

/// Raw messages remembered per partial before the memo is cleared: bounds its memory when
/// messages carry unique parts that masking removes.
const MSG_MEMO_LIMIT: usize = 4096;

/// Reusable per-worker buffers.
#[derive(Default)]
pub struct Scratch {
    pub parse: crate::parse::ParseCache,
    endpoint: String,
    endpoint_key: Vec<u8>,
    endpoint_masked: Vec<u8>,
    message: String,
    /// Tags of raw messages masking changed, seen once (see `message_id`).
    seen_messages: SeenMessages,
    /// What the last line added to its window, when it was an event (see `window_line`).
    line: WinLine,
    line_is_event: bool,
}

/// A direct-mapped table of message hashes: whether a raw message was probably seen before.
/// It only decides what the memo keeps, never an answer, so a collision costs a memo entry.
struct SeenMessages(Box<[u64]>);

impl Default for SeenMessages {
    fn default() -> SeenMessages {
        SeenMessages(vec![0; 1 << SeenMessages::BITS].into_boxed_slice())
    }
}

impl SeenMessages {
    /// Slots, as a power of two: the hash's top bits pick one.
    const BITS: u32 = 12;

    /// Records `msg`; returns whether its tag was already there.
    fn again(&mut self, msg: &str) -> bool {
        use std::hash::BuildHasher;
        let h = rustc_hash::FxBuildHasher.hash_one(msg) | 1;
        let slot = &mut self.0[(h >> (64 - Self::BITS)) as usize];
        std::mem::replace(slot, h) == h
    }
}

impl Scratch {
    /// What the line just absorbed added (or, untimed, would add) to a window; `None` when it
    /// was no event (blank, unparsed, outside `--since`/`--until`).
    pub fn window_line(&self) -> Option<&WinLine> {
        self.line_is_event.then_some(&self.line)
    }
}

impl Partial {
    /// Accounts for one record of `file` at byte `offset`: a line without its newline, or
    /// `lines` physical lines joined.
    pub fn absorb(
        &mut self,
        file: u32,
        offset: u64,
        raw: &[u8],
        lines: u32,
        parsed: &Parsed<'_>,
        scratch: &mut Scratch,
    ) {
        scratch.line_is_event = false;
        let fs = &mut self.files[file as usize];
        let at = LineRef {
            file,
            line: fs.lines + 1,
            offset,
        };
        fs.lines += lines as u64;
        fs.continuation += lines.saturating_sub(1) as u64;
        match parsed {
            Parsed::Blank => fs.blank += 1,
            Parsed::Unparsed => {
                fs.unparsed += 1;
                let kept = self.samples.iter().filter(|s| s.file == file).count();
                if kept < SAMPLES_PER_FILE {
                    self.samples.push(Sample::new(file, at.line, raw));
                }
            }
            Parsed::Event(ev) => {
                fs.parsed += 1;
                if let Some(f) = ev.format {
                    fs.formats[f as usize] += 1;
                }
                if ev.env.kinds != 0 {
                    for k in ev.env.kinds() {
                        fs.envelopes[k as usize] += 1;
                    }
                }
                if let Some(z) = self.zones.as_deref_mut() {
                    z.observe(file, ev);
                }
                let fs = &mut self.files[file as usize];
                fs.naive += ev.ts_local.is_some() as u64;
                fs.latency_out_of_range += ev.latency_out_of_range as u64;
                match ev.ts {
                    Some(t) => {
                        fs.first = fs.first.min(t);
                        fs.last = fs.last.max(t);
                        if self.since.is_some_and(|s| t < s) || self.until.is_some_and(|u| t >= u) {
                            self.filtered += 1;
                            return;
                        }
                    }
                    None => fs.untimed += 1,
                }
                self.event(ev, at, raw, scratch);
            }
        }
    }

    /// Judged once per endpoint name, not once per line.
    #[inline]
    pub fn is_health(&mut self, id: u32) -> bool {
        let i = id as usize;
        if i >= self.health.len() {
            self.health.resize(i + 1, 0);
        }
        if self.health[i] == 0 {
            self.health[i] = 1 + endpoint::is_health(self.names.name(id)) as u8;
        }
        self.health[i] == 2
    }

    /// The interned endpoint of a method and request target. Normalising is memoised by the
    /// method and path (query dropped, numeric segments masked), which repeat from line to
    /// line even where every request names another id.
    #[inline]
    pub fn endpoint_id(
        &mut self,
        method: Option<&str>,
        target: &str,
        scratch: &mut Scratch,
    ) -> u32 {
        let cut = memchr::memchr2(b'?', b'#', target.as_bytes()).unwrap_or(target.len());
        let key = &mut scratch.endpoint_key;
        key.clear();
        // 0xFE and 0xFF never occur in UTF-8, so the key splits back one way only.
        match method {
            Some(m) => {
                key.extend_from_slice(m.as_bytes());
                key.push(0xFF);
            }
            None => key.push(0xFE),
        }
        let head = key.len();
        let path = &target.as_bytes()[..cut];
        key.extend_from_slice(path);
        if let Some(id) = self.endpoint_memo.get(key) {
            return id;
        }
        // Paths full of numeric ids rarely repeat raw: try them with the ids masked.
        let masked = &mut scratch.endpoint_masked;
        masked.clear();
        masked.extend_from_slice(&key[..head]);
        let some_masked = endpoint::memo_key(path, masked);
        if some_masked && let Some(id) = self.endpoint_memo.get(masked) {
            self.endpoint_memo.put(key, id);
            return id;
        }
        endpoint::normalize(method, target, &mut scratch.endpoint);
        let id = self
            .endpoints
            .admit(&mut self.names, &scratch.endpoint, endpoint::is_health);
        self.endpoint_memo.put(key, id);
        if some_masked {
            self.endpoint_memo.put(masked, id);
        }
        id
    }

    /// The interned masked template of an app message. Masking is memoised by the raw
    /// message, since most messages repeat verbatim.
    fn message_id(&mut self, msg: &str, buf: &mut String, seen: &mut SeenMessages) -> u32 {
        let Some(memo) = self.msg_memo.as_mut() else {
            return NONE;
        };
        if let Some(&id) = memo.get(msg) {
            return id;
        }
        crate::parse::mask::mask_into(msg, buf);
        let id = self.names.intern(buf);
        // Messages masking leaves alone are remembered; one it changed only once it comes
        // again: most with variable parts never repeat verbatim, and remembering costs an
        // allocation, but some do by the thousand (nginx's `open() "/usr/share/nginx/html/
        // favicon.ico" failed`), and masking took a fifth of an error log's time.
        if buf.as_str() == msg || seen.again(msg) {
            if memo.len() >= MSG_MEMO_LIMIT {
                memo.clear();
            }
            memo.insert(msg.into(), id);
        }
        id
    }

    /// Whether a message template is a start-up or reload line; judged once per template.
    fn is_restart(&mut self, template: u32, src: Source) -> bool {
        if template == NONE {
            return false;
        }
        let i = template as usize;
        if i >= self.restart_memo.len() {
            self.restart_memo.resize(i + 1, [0; 2]);
        }
        let m = &mut self.restart_memo[i][src as usize];
        if *m == 0 {
            let yes = crate::rules::is_restart_message(src, self.names.name(template));
            *m = 1 + yes as u8;
        }
        *m == 2
    }

    /// Patterns and rule-slot evidence for one line; the slots it hit go to `hits` for the
    /// window counts.
    #[allow(clippy::too_many_arguments)]
    fn triage_line(
        &mut self,
        ev: &LogEvent<'_>,
        at: LineRef,
        raw: &[u8],
        endpoint: u32,
        health: bool,
        template: u32,
        hits: &mut Vec<u16>,
    ) {
        let src = ev.source();
        if template != NONE {
            self.triage.pattern(
                template,
                ev.ts,
                ev.level,
                (at.file, at.offset, at.line),
                raw,
            );
        }
        let restart = self.is_restart(template, src);
        let Some(rules) = self.rules.as_deref() else {
            return;
        };
        // Most lines can hit no built-in matcher: skip the slots for them.
        let candidate = rules.has_custom
            || health
            || restart
            || ev.status.is_some_and(|s| s >= 500)
            || (ev.format == Some(crate::parse::Format::NginxError) && ev.error_type.is_some());
        if !candidate {
            return;
        }
        let facts = crate::rules::LineFacts {
            ev,
            raw,
            health,
            restart,
        };
        for (slot, (_, m)) in rules.slots.iter().enumerate() {
            if !m.hit(&facts) {
                continue;
            }
            // The top bit marks custom slots: only their hits keep latency (p95 conditions).
            let custom = matches!(m, crate::rules::LineMatch::Custom(_));
            hits.push(slot as u16 | if custom { CUSTOM_SLOT } else { 0 });
            let upstream = ev
                .upstream
                .as_deref()
                .map_or(NONE, |u| self.names.intern(upstream_host(u)));
            let client = ev.client.as_deref().map_or(NONE, |c| self.names.intern(c));
            if let crate::rules::LineMatch::Class(_) = m
                && let Some(key) = error_key(ev)
            {
                self.triage.links.push(links::ErrLink {
                    key,
                    ts: ev.ts.unwrap_or(i64::MIN),
                    slot: slot as u16,
                    file: at.file,
                    offset: at.offset,
                });
            }
            self.triage.evidence[slot].add(&evidence::Hit {
                ts: ev.ts,
                width: self.windows.width,
                endpoint,
                upstream,
                client,
                request_id: ev.request_id.as_deref(),
                file: at.file,
                offset: at.offset,
                line: at.line,
                raw,
            });
        }
    }

    fn event(&mut self, ev: &LogEvent<'_>, at: LineRef, raw: &[u8], scratch: &mut Scratch) {
        // An app server's access line whose request the app's own line counted: everything
        // but its status (which the parser set aside) counts.
        if ev.echoed_status.is_some() {
            self.files[at.file as usize].echoed += 1;
        }
        let src = ev.source();
        let si = src as usize;
        if let Some(t) = ev.ts {
            self.min_ts = self.min_ts.min(t);
            self.max_ts = self.max_ts.max(t);
        }
        if let Some(l) = ev.level {
            self.levels[l as usize] += 1;
        }
        let origin = self.origin(at.file);
        self.sources.add(ev, origin, &mut self.names);
        let endpoint = match ev.path.as_deref() {
            Some(p) => self.endpoint_id(ev.method.as_deref(), p, scratch),
            None => NONE,
        };
        if endpoint != NONE {
            self.endpoints.count(endpoint);
        }
        let health = endpoint != NONE && self.is_health(endpoint);
        if let Some(s) = ev.status {
            *self.status[si].entry(s).or_default() += 1;
        }
        // An app line of a request: its latency counts once per request, when finished.
        let of_request = src == Source::App && ev.request_id.is_some();
        if of_request && (ev.status.is_some() || ev.latency_ms.is_some()) {
            let f = ev.format.map_or(0, |f| f as u8);
            self.files[at.file as usize].completes |= 1 << f;
        }
        let view_ms = ev.latency_ms.filter(|_| !of_request);
        if let Some(ms) = view_ms {
            self.count_latency(si, endpoint, ms);
        }
        let error_type = match ev.error_type.as_deref() {
            Some(t) => self.count_error(t, src, ev, at, endpoint),
            _ => NONE,
        };
        let template = match ev.msg.as_deref() {
            Some(m) if self.msg_memo.is_some() => {
                self.message_id(m, &mut scratch.message, &mut scratch.seen_messages)
            }
            _ => NONE,
        };
        let triaging = self.rules.is_some();
        let mut hits = std::mem::take(&mut scratch.line.hits);
        hits.clear();
        if triaging {
            self.triage_line(ev, at, raw, endpoint, health, template, &mut hits);
        }
        scratch.line = WinLine {
            src: si,
            level: ev.level,
            status: ev.status,
            latency_ms: ev.latency_ms,
            view_ms,
            endpoint,
            health,
            error_type,
            template,
            triaging,
            hits,
        };
        scratch.line_is_event = true;
        if let Some(t) = ev.ts {
            let cap = self.windows.cap;
            self.windows.at(t).add(&scratch.line, cap);
        }
        if let Some(rid) = ev.request_id.as_deref() {
            self.touch_request(rid, ev, at, endpoint, error_type, template);
        }
    }

    /// What the line says about request `rid`; `endpoint`, `error_type` and `template` are
    /// the line's interned ids (`NONE` when absent).
    #[inline]
    fn touch_request(
        &mut self,
        rid: &str,
        ev: &LogEvent<'_>,
        at: LineRef,
        endpoint: u32,
        error_type: u32,
        template: u32,
    ) {
        self.requests.maybe_flush();
        let src = ev.source();
        let msg = if src == Source::App && self.track_last_words {
            template
        } else {
            NONE
        };
        let touch = Touch {
            ts: ev.ts,
            nginx: src == Source::Nginx,
            latency_ms: ev.latency_ms,
            status: ev.status,
            endpoint,
            error_type,
            is_error: ev.level.is_some_and(|l| l >= Level::Error),
            msg,
            pos: requests::position(at.file, at.offset),
            format: ev.format.map_or(0, |f| f as u8),
            // Only a 5xx access line can have an error line to tie: one compare for the rest.
            access_key: match ev.status {
                Some(s) if s >= 500 && src == Source::Nginx => access_key(ev, s),
                _ => 0,
            },
        };
        self.requests.entry(rid).touch(&touch, &self.names);
    }

    /// Counts the line's error type `t` (interned, returned); the nginx parser classes only
    /// [error] and worse, so every type counts here.
    #[inline]
    fn count_error(
        &mut self,
        t: &str,
        src: Source,
        ev: &LogEvent<'_>,
        at: LineRef,
        endpoint: u32,
    ) -> u32 {
        let id = self.names.intern(t);
        let e = self.errors.entry((src, id)).or_default();
        e.count += 1;
        if let Some(ts) = ev.ts {
            e.first = e.first.min(ts);
            e.last = e.last.max(ts);
        }
        if endpoint != NONE {
            *e.endpoints.entry(endpoint).or_default() += 1;
        }
        if let Some(rid) = ev.request_id.as_deref() {
            e.add_id((ev.ts.unwrap_or(i64::MAX), at.file, at.offset), rid);
        }
        e.http_status = e.http_status.or(ev.implied_status);
        id
    }

    /// The interned source input `file`'s path names, if any.
    fn origin(&mut self, file: u32) -> Option<u32> {
        let i = file as usize;
        if self.origin_ids[i] == UNSEEN {
            self.origin_ids[i] = match self.origins.get(i).and_then(|o| o.as_deref()) {
                Some(name) => self.names.intern(name),
                None => NONE,
            };
        }
        (self.origin_ids[i] != NONE).then_some(self.origin_ids[i])
    }

    /// One latency in the per-endpoint views of source `si`.
    fn count_latency(&mut self, si: usize, endpoint: u32, ms: f64) {
        let ep = if endpoint == NONE {
            self.names.intern("-")
        } else {
            endpoint
        };
        self.latency[si]
            .entry(ep)
            .or_default()
            .push(ms as f32, latency::EXACT_CAP);
    }
}

/// The key an nginx access line of status `status` leaves on its request (0: it lacks a
/// part of the key).
#[cold]
fn access_key(ev: &LogEvent<'_>, status: u16) -> u32 {
    match (&ev.client, &ev.method, &ev.path, ev.ts) {
        (Some(c), Some(m), Some(p), Some(t)) => links::access_key(c, m, p, t, status),
        _ => 0,
    }
}

/// The key an nginx error line shares with its request's access line, when it names one.
fn error_key(ev: &LogEvent<'_>) -> Option<u32> {
    match (&ev.client, &ev.method, &ev.path, ev.ts, ev.implied_status) {
        (Some(c), Some(m), Some(p), Some(t), Some(s)) => Some(links::access_key(c, m, p, t, s)),
        _ => None,
    }
}

/// `http://10.0.0.7:30016/path` -> `10.0.0.7:30016`: evidence names the server, not the URL.
fn upstream_host(u: &str) -> &str {
    let rest = u.split_once("://").map_or(u, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}
