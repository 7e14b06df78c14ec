//! Per-input line accounting (`FileStats`), where a line sits (`LineRef`), kept unparsed
//! lines (`Sample`) and per error type counts (`ErrAgg`): the plain counters of a `Partial`,
//! each with its merge. Must not read log events; `absorb.rs` fills them.

use rustc_hash::FxHashMap;

use super::evidence;
use super::intern::remap;
use super::merge::Merge;
use crate::parse::Format;
use crate::parse::envelope::Kind;

/// How many unparsed lines are kept as samples, per file.
pub const SAMPLES_PER_FILE: usize = 5;
/// How many request ids an error type keeps.
pub const IDS_PER_ERROR: usize = 5;
const SAMPLE_BYTES: usize = 300;

/// Per input: `lines = parsed + continuation + unparsed + blank`, where a record of several
/// physical lines (joined envelope fragments) counts once and its other lines as
/// continuation.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
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

/// An unparsed line kept to show what the parsers missed.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Sample {
    pub file: u32,
    pub line: u64,
    pub text: String,
}

impl Sample {
    /// The line's first `SAMPLE_BYTES` bytes, lossily decoded.
    pub fn new(file: u32, line: u64, raw: &[u8]) -> Sample {
        let cut = raw.len().min(SAMPLE_BYTES);
        Sample {
            file,
            line,
            text: String::from_utf8_lossy(&raw[..cut]).into_owned(),
        }
    }
}

/// One error type (app exception class or nginx message class).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ErrAgg {
    pub count: u64,
    pub first: i64,
    pub last: i64,
    #[serde(with = "super::wire::map")]
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
    pub(super) fn add_id(&mut self, key: (i64, u32, u64), id: &str) {
        evidence::add_id(&mut self.ids, key, id, IDS_PER_ERROR);
    }

    pub(super) fn merge_remapped(&mut self, o: ErrAgg, map: &[u32]) {
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
