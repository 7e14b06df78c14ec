//! Partial summaries: everything the report counts, built per chunk and merged. `Partial`
//! merges associatively (left then right, in input order) with `Partial::new` as the empty
//! value. Must not print or see `Write`; finishing into a `Report` lives in `report.rs`.

pub mod cardinality;
pub mod endpoint;
pub mod intern;
pub mod latency;
pub mod outcome;
pub mod request_latency;
pub mod requests;
pub mod sources;
pub mod triage;
pub mod windows;
pub mod zones;

use rustc_hash::FxHashMap;

use crate::parse::envelope::Kind;
use crate::parse::{Format, Level, LogEvent, Parsed, Source};
use intern::{Interner, NONE, remap};
use requests::{Requests, Touch};
use triage::Triage;
use windows::{CUSTOM_SLOT, WinLine, Windows};

/// Associative combination with an empty value; `self` is the earlier part of the input.
pub trait Merge {
    fn merge(&mut self, later: Self);
}

/// How many unparsed lines are kept as samples, per file.
pub const SAMPLES_PER_FILE: usize = 5;
/// How many request ids an error type keeps.
pub const IDS_PER_ERROR: usize = 5;
const SAMPLE_BYTES: usize = 300;

/// Per input: `lines = parsed + continuation + unparsed + blank`, where a record of several
/// physical lines (joined envelope fragments) counts once and its other lines as
/// continuation.
#[derive(Clone, Debug)]
pub struct FileStats {
    pub lines: u64,
    pub parsed: u64,
    pub continuation: u64,
    pub unparsed: u64,
    pub blank: u64,
    pub untimed: u64,
    /// Parsed lines whose stamp carried no zone (read in the input's zone).
    pub naive: u64,
    pub bytes: u64,
    pub formats: [u64; Format::COUNT],
    /// Parsed records per envelope kind they came in.
    pub envelopes: [u64; Kind::COUNT],
    /// Formats (bit `Format as u8`) in which an app line of a request carried a status or a
    /// latency: this input logs completions, so a request without one is unfinished, not of
    /// unknown outcome.
    pub completes: u16,
    /// Access lines of the app server whose status was not counted: the app logs its own.
    pub echoed: u64,
    /// Records whose first line was longer than `--max-line`: counted unparsed, not parsed.
    pub oversized: u64,
    /// Latencies out of range (`parse::MAX_LATENCY_MS`): not counted in any figure.
    pub latency_out_of_range: u64,
    pub first: i64,
    pub last: i64,
}

impl Default for FileStats {
    fn default() -> Self {
        FileStats {
            lines: 0,
            parsed: 0,
            continuation: 0,
            unparsed: 0,
            blank: 0,
            untimed: 0,
            naive: 0,
            bytes: 0,
            formats: [0; Format::COUNT],
            envelopes: [0; Kind::COUNT],
            completes: 0,
            echoed: 0,
            oversized: 0,
            latency_out_of_range: 0,
            first: i64::MAX,
            last: i64::MIN,
        }
    }
}

impl Merge for FileStats {
    fn merge(&mut self, o: FileStats) {
        self.lines += o.lines;
        self.parsed += o.parsed;
        self.continuation += o.continuation;
        self.unparsed += o.unparsed;
        self.blank += o.blank;
        self.untimed += o.untimed;
        self.naive += o.naive;
        self.bytes += o.bytes;
        for i in 0..Format::COUNT {
            self.formats[i] += o.formats[i];
        }
        for i in 0..Kind::COUNT {
            self.envelopes[i] += o.envelopes[i];
        }
        self.completes |= o.completes;
        self.echoed += o.echoed;
        self.oversized += o.oversized;
        self.latency_out_of_range += o.latency_out_of_range;
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
    }
}

/// Where a line sits: its file, its line number relative to the partial's first line of that
/// file (made absolute as partials merge in order), and its absolute byte offset.
#[derive(Clone, Copy, Debug)]
pub struct LineRef {
    pub file: u32,
    pub line: u64,
    pub offset: u64,
}

#[derive(Clone, Debug)]
pub struct Sample {
    pub file: u32,
    pub line: u64,
    pub text: String,
}

/// One error type (app exception class or nginx message class).
#[derive(Clone, Debug)]
pub struct ErrAgg {
    pub count: u64,
    pub first: i64,
    pub last: i64,
    pub endpoints: FxHashMap<u32, u64>,
    /// Earliest distinct request ids by (time, file, offset).
    pub ids: Vec<(i64, u32, u64, Box<str>)>,
    pub http_status: Option<u16>,
}

impl Default for ErrAgg {
    fn default() -> Self {
        ErrAgg {
            count: 0,
            first: i64::MAX,
            last: i64::MIN,
            endpoints: FxHashMap::default(),
            ids: Vec::new(),
            http_status: None,
        }
    }
}

impl ErrAgg {
    fn add_id(&mut self, key: (i64, u32, u64), id: &str) {
        triage::add_id(&mut self.ids, key, id, IDS_PER_ERROR);
    }

    fn merge_remapped(&mut self, o: ErrAgg, map: &[u32]) {
        self.count += o.count;
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        for (ep, n) in o.endpoints {
            *self.endpoints.entry(remap(ep, map)).or_default() += n;
        }
        for (t, f, off, id) in o.ids {
            self.add_id((t, f, off), &id);
        }
        self.http_status = self.http_status.or(o.http_status);
    }
}

/// Options that shape aggregation.
#[derive(Clone, Debug, Default)]
pub struct AggOptions {
    pub window: Option<i64>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Track each request's last app message (masked), for last words.
    pub last_words: bool,
    /// Triage rules whose line matchers run per line; also turns on message patterns.
    pub rules: Option<std::sync::Arc<crate::triage::rules::RuleSet>>,
    /// Latency values a window keeps exactly before its histogram; `None`: as many as an
    /// endpoint (`latency::EXACT_CAP`). Endless streams set it low to bound memory.
    pub window_cap: Option<usize>,
    /// Gather evidence for the offset of inputs with naive stamps (no `--tz`).
    pub zone_evidence: bool,
    /// Per input, the source its path names (`sources::from_path`), if any.
    pub origins: std::sync::Arc<[Option<String>]>,
    /// Distinct endpoints kept by name (`--max-endpoints`); `None`: the default.
    pub max_endpoints: Option<usize>,
}

/// Raw messages remembered per partial before the memo is cleared: bounds its memory when
/// messages carry unique parts that masking removes.
const MSG_MEMO_LIMIT: usize = 4096;

/// Reusable per-worker buffers.
#[derive(Default)]
pub struct Scratch {
    pub parse: crate::parse::ParseCache,
    endpoint: String,
    endpoint_key: Vec<u8>,
    message: String,
    /// What the last line added to its window, when it was an event (see `window_line`).
    line: WinLine,
    line_is_event: bool,
}

impl Scratch {
    /// What the line just absorbed added (or, untimed, would add) to a window; `None` when it
    /// was no event (blank, unparsed, outside `--since`/`--until`).
    pub fn window_line(&self) -> Option<&WinLine> {
        self.line_is_event.then_some(&self.line)
    }
}

#[derive(Clone, Debug)]
pub struct Partial {
    pub files: Vec<FileStats>,
    pub levels: [u64; 6],
    /// Parsed lines outside `--since`/`--until`.
    pub filtered: u64,
    pub min_ts: i64,
    pub max_ts: i64,
    pub status: [FxHashMap<u16, u64>; 2],
    pub names: Interner,
    pub latency: [FxHashMap<u32, latency::LatStore>; 2],
    pub errors: FxHashMap<(Source, u32), ErrAgg>,
    pub windows: Windows,
    pub requests: Requests,
    pub samples: Vec<Sample>,
    /// Per interned id: 0 not yet judged, 1 not a health check, 2 a health check.
    health: Vec<u8>,
    /// Raw `METHOD path` (query dropped) -> interned endpoint; ids are this partial's own.
    endpoint_memo: endpoint::Memo,
    /// Raw message -> interned masked template, when tracking last words or patterns.
    msg_memo: Option<FxHashMap<Box<str>, u32>>,
    track_last_words: bool,
    rules: Option<std::sync::Arc<crate::triage::rules::RuleSet>>,
    pub triage: Triage,
    /// Per interned template and source: 0 not judged, 1 not a restart line, 2 a restart line.
    restart_memo: Vec<[u8; 2]>,
    since: Option<i64>,
    until: Option<i64>,
    /// Requests' app latencies are in the views (`request_latency`): counted once.
    pub requests_latency_counted: bool,
    /// Evidence for the zones of naive stamps, when asked for.
    pub zones: Option<Box<zones::ZoneEvidence>>,
    /// Per source of enveloped lines.
    pub sources: sources::Sources,
    origins: std::sync::Arc<[Option<String>]>,
    /// Per input, its origin's interned id (`NONE`: none; `UNSEEN`: not interned yet).
    origin_ids: Vec<u32>,
    /// Which endpoints are kept by name (`--max-endpoints`), and what was folded.
    pub endpoints: cardinality::EndpointCap,
}

/// `Partial::origin_ids` before an input's origin is interned.
const UNSEEN: u32 = u32::MAX - 1;

impl Partial {
    pub fn new(nfiles: usize, opts: &AggOptions) -> Partial {
        Partial {
            files: vec![FileStats::default(); nfiles],
            levels: [0; 6],
            filtered: 0,
            min_ts: i64::MAX,
            max_ts: i64::MIN,
            status: Default::default(),
            names: Interner::default(),
            latency: Default::default(),
            errors: FxHashMap::default(),
            windows: Windows::with_cap(opts.window, opts.window_cap.unwrap_or(latency::EXACT_CAP)),
            requests: Requests::default(),
            samples: Vec::new(),
            health: Vec::new(),
            endpoint_memo: endpoint::Memo::default(),
            msg_memo: (opts.last_words || opts.rules.is_some()).then(FxHashMap::default),
            track_last_words: opts.last_words,
            rules: opts.rules.clone(),
            triage: Triage::new(opts.rules.as_ref().map_or(0, |r| r.slots.len())),
            restart_memo: Vec::new(),
            since: opts.since,
            until: opts.until,
            requests_latency_counted: false,
            zones: opts
                .zone_evidence
                .then(|| Box::new(zones::ZoneEvidence::new(nfiles))),
            sources: sources::Sources::new(),
            origins: opts.origins.clone(),
            origin_ids: vec![UNSEEN; nfiles],
            endpoints: cardinality::EndpointCap::new(
                opts.max_endpoints
                    .unwrap_or(cardinality::DEFAULT_MAX_ENDPOINTS),
            ),
        }
    }

    /// No lines yet, counting as `self` counts: the empty value a fold merges into.
    fn empty_like(&self) -> Partial {
        Partial {
            files: vec![FileStats::default(); self.files.len()],
            levels: [0; 6],
            filtered: 0,
            min_ts: i64::MAX,
            max_ts: i64::MIN,
            status: Default::default(),
            names: Interner::default(),
            latency: Default::default(),
            errors: FxHashMap::default(),
            windows: self.windows.empty_like(),
            requests: Requests::default(),
            samples: Vec::new(),
            health: Vec::new(),
            endpoint_memo: endpoint::Memo::default(),
            msg_memo: self.msg_memo.as_ref().map(|_| FxHashMap::default()),
            track_last_words: self.track_last_words,
            rules: self.rules.clone(),
            triage: Triage::new(self.rules.as_ref().map_or(0, |r| r.slots.len())),
            restart_memo: Vec::new(),
            since: self.since,
            until: self.until,
            requests_latency_counted: false,
            zones: None,
            sources: sources::Sources::new(),
            origins: self.origins.clone(),
            origin_ids: vec![UNSEEN; self.files.len()],
            endpoints: self.endpoints.empty_like(),
        }
    }

    /// Folds the endpoints past `--max-endpoints` into `cardinality::OTHER` everywhere they
    /// are counted. Every split of the input folds the same ones; a no-op under the cap.
    pub fn fold_endpoints(self) -> Partial {
        let Some(plan) = self.endpoints.fold_plan() else {
            return self;
        };
        let mut q = self.empty_like();
        let other = q.names.intern(cardinality::OTHER);
        q.endpoints.set_other(other);
        let map: Vec<u32> = (0..self.names.len() as u32)
            .map(|id| match plan.get(id as usize) {
                Some(true) => other,
                _ => q.names.intern(self.names.name(id)),
            })
            .collect();
        let counted = self.requests_latency_counted;
        let mut o = self;
        o.requests_latency_counted = false;
        q.merge_mapped(o, map);
        q.requests_latency_counted = counted;
        q
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
                    let cut = raw.len().min(SAMPLE_BYTES);
                    self.samples.push(Sample {
                        file,
                        line: at.line,
                        text: String::from_utf8_lossy(&raw[..cut]).into_owned(),
                    });
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
    /// raw method and path (query dropped), which repeat from line to line.
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
        key.extend_from_slice(&target.as_bytes()[..cut]);
        if let Some(id) = self.endpoint_memo.get(key) {
            return id;
        }
        endpoint::normalize(method, target, &mut scratch.endpoint);
        let id = self
            .endpoints
            .admit(&mut self.names, &scratch.endpoint, endpoint::is_health);
        self.endpoint_memo.put(key, id);
        id
    }

    /// The interned masked template of an app message. Masking is memoised by the raw
    /// message, since most messages repeat verbatim.
    fn message_id(&mut self, msg: &str, buf: &mut String) -> u32 {
        let Some(memo) = self.msg_memo.as_mut() else {
            return NONE;
        };
        if let Some(&id) = memo.get(msg) {
            return id;
        }
        crate::parse::mask::mask_into(msg, buf);
        let id = self.names.intern(buf);
        // Only messages masking leaves alone are remembered: one with variable parts would
        // rarely repeat verbatim, and remembering it costs an allocation.
        if buf.as_str() == msg {
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
            let yes = crate::triage::rules::is_restart_message(src, self.names.name(template));
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
        let facts = crate::triage::rules::LineFacts {
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
            let custom = matches!(m, crate::triage::rules::LineMatch::Custom(_));
            hits.push(slot as u16 | if custom { CUSTOM_SLOT } else { 0 });
            let upstream = ev
                .upstream
                .as_deref()
                .map_or(NONE, |u| self.names.intern(upstream_host(u)));
            let client = ev.client.as_deref().map_or(NONE, |c| self.names.intern(c));
            self.triage.evidence[slot].add(&triage::Hit {
                ts: ev.ts,
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
        let is_error = ev.level.is_some_and(|l| l >= Level::Error);
        // The nginx parser classes only [error] and worse, so every type counts here.
        let error_type = match ev.error_type.as_deref() {
            Some(t) => {
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
            _ => NONE,
        };
        let template = match ev.msg.as_deref() {
            Some(m) if self.msg_memo.is_some() => self.message_id(m, &mut scratch.message),
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
            self.requests.maybe_flush();
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
                is_error,
                msg,
                pos: requests::position(at.file, at.offset),
                format: ev.format.map_or(0, |f| f as u8),
            };
            self.requests.entry(rid).touch(&touch, &self.names);
        }
    }
}

impl Partial {
    /// One latency in the per-endpoint views of source `si`.
    pub(crate) fn count_latency(&mut self, si: usize, endpoint: u32, ms: f64) {
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

/// `http://10.0.0.7:30016/path` -> `10.0.0.7:30016`: evidence names the server, not the URL.
fn upstream_host(u: &str) -> &str {
    let rest = u.split_once("://").map_or(u, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

impl Merge for Partial {
    fn merge(&mut self, o: Partial) {
        let map = self.names.absorb(&o.names);
        self.merge_mapped(o, map);
    }
}

impl Partial {
    /// `merge`, with `map` carrying `o`'s interned ids into ours (several may share one, as
    /// when a fold sends endpoints to `cardinality::OTHER`).
    fn merge_mapped(&mut self, mut o: Partial, map: Vec<u32>) {
        debug_assert!(
            !self.requests_latency_counted && !o.requests_latency_counted,
            "a request split over two partials must be whole before its latency counts"
        );
        // The other side's ids are remapped into ours; ours keep their meaning, and so does
        // the health memo.
        self.endpoints.merge(
            std::mem::replace(&mut o.endpoints, self.endpoints.empty_like()),
            &map,
        );
        for s in &mut o.samples {
            s.line += self.files[s.file as usize].lines;
        }
        let lines_before: Vec<u64> = self.files.iter().map(|f| f.lines).collect();
        o.triage.shift(&lines_before);
        for (mine, theirs) in self.files.iter_mut().zip(o.files) {
            mine.merge(theirs);
        }
        // Keep the first samples of each file: ours come first in input order.
        for s in o.samples {
            if self.samples.iter().filter(|m| m.file == s.file).count() < SAMPLES_PER_FILE {
                self.samples.push(s);
            }
        }
        for i in 0..6 {
            self.levels[i] += o.levels[i];
        }
        self.filtered += o.filtered;
        self.min_ts = self.min_ts.min(o.min_ts);
        self.max_ts = self.max_ts.max(o.max_ts);
        for (mine, theirs) in self.status.iter_mut().zip(o.status) {
            for (k, v) in theirs {
                *mine.entry(k).or_default() += v;
            }
        }
        for (mine, theirs) in self.latency.iter_mut().zip(o.latency) {
            for (ep, lat) in theirs {
                mine.entry(remap(ep, &map))
                    .or_default()
                    .merge(&lat, latency::EXACT_CAP);
            }
        }
        for ((src, id), agg) in o.errors {
            self.errors
                .entry((src, remap(id, &map)))
                .or_default()
                .merge_remapped(agg, &map);
        }
        self.windows.merge_remapped(o.windows, &map);
        self.sources.merge_remapped(o.sources, &map);
        self.requests.merge(o.requests, &map);
        self.triage
            .merge_remapped(std::mem::take(&mut o.triage), &map);
        match (self.zones.as_deref_mut(), o.zones) {
            (Some(mine), Some(theirs)) => mine.merge(*theirs),
            (None, theirs) => self.zones = theirs,
            _ => {}
        }
    }
}

impl Partial {
    /// Ends line-by-line accumulation: open request groups move into their partitions. The
    /// engine seals each fold's partial; merging seals too.
    pub fn seal(&mut self) {
        self.requests.seal();
    }

    /// Work that finishes the partial: one job per request partition, for any thread.
    pub fn finish_jobs(&mut self) -> (Vec<requests::PartJob<'_>>, &Interner) {
        (self.requests.part_jobs(), &self.names)
    }
}
