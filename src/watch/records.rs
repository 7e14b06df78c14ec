//! Records of `watch` as they arrive: each input's open record waits for the line after it
//! (a fragment of an envelope, a traceback line continues it), as the readers of files
//! assemble them (`input::chunk`), or for `RECORD_IDLE`. Decides only where records end:
//! must not parse them or count anything (the watcher takes what this hands out).

use rustc_hash::FxHashMap;

use crate::input::chunk::{Joiner, MAX_RECORD_BYTES, MAX_RECORD_LINES};
use crate::parse::Micros;
use crate::parse::records::RULES;

/// A record stays open this long for a line that continues it before it is taken as it is:
/// a logger writes a traceback at once, and an alert must not wait long for its line.
pub const RECORD_IDLE: Micros = 200_000;

/// Whether `line` is blank: a record of its own unless the line after it continues the
/// record before it.
pub fn blank(line: &[u8]) -> bool {
    RULES.blank(line)
}

/// The record of an input still open: the next line may continue it.
pub struct Pending {
    pub offset: u64,
    pub bytes: Vec<u8>,
    /// Where its first line ends, and where its last non-blank line starts, in `bytes`.
    first_end: usize,
    last: usize,
    /// Where its head (the line and its fragments) ends in `bytes`.
    pub head: usize,
    /// Whether a continuation line joined (then fragments no longer extend the head).
    continued: bool,
    pub lines: u32,
    /// Blank lines after it: part of it if the next line continues it, else records of
    /// their own.
    pub blanks: Vec<(u64, Vec<u8>)>,
    /// Wall clock when its last line arrived.
    pub since: Micros,
}

/// Per input, the record waiting for its next line.
#[derive(Default)]
pub struct OpenRecords {
    pending: FxHashMap<u32, Pending>,
    /// The buffer of the last record taken, for the next one.
    spare: Vec<u8>,
}

impl OpenRecords {
    /// Joins line `raw` of `file`, arrived at `now`, to that input's open record if it
    /// continues it (or is blank, for now); returns whether it did.
    pub fn join(&mut self, file: u32, offset: u64, raw: &[u8], now: Micros) -> bool {
        let Some(p) = self.pending.get_mut(&file) else {
            return false;
        };
        if RULES.blank(raw) {
            p.blanks.push((offset, raw.to_vec()));
            p.since = now;
            return true;
        }
        let last = &p.bytes[p.last..];
        let fragment = p.blanks.is_empty() && !p.continued && RULES.fragment(last, raw);
        let room = p.lines.saturating_add(p.blanks.len() as u32) < MAX_RECORD_LINES
            && p.bytes.len() + raw.len() < MAX_RECORD_BYTES;
        if !(fragment || (room && RULES.continues(&p.bytes[..p.first_end], last, raw))) {
            return false;
        }
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
        true
    }

    /// Opens a record of `file` with its first line (not blank; the input has none open).
    pub fn open(&mut self, file: u32, offset: u64, raw: &[u8], now: Micros) {
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

    /// Ends the open record of `file`, if any, and hands it out.
    pub fn take(&mut self, file: u32) -> Option<Pending> {
        self.pending.remove(&file)
    }

    /// A taken record's buffer, for the next record.
    pub fn recycle(&mut self, bytes: Vec<u8>) {
        self.spare = bytes;
    }

    /// Whether any record waits for the line after it.
    pub fn waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    /// When the longest-waiting open record got its last line.
    pub fn oldest(&self) -> Option<Micros> {
        self.pending.values().map(|p| p.since).min()
    }

    /// The inputs whose record waited at least `RECORD_IDLE` by `now`, in input order.
    pub fn idle(&self, now: Micros) -> Vec<u32> {
        let mut idle: Vec<u32> = self
            .pending
            .iter()
            .filter(|(_, p)| now.saturating_sub(p.since) >= RECORD_IDLE)
            .map(|(f, _)| *f)
            .collect();
        idle.sort_unstable();
        idle
    }
}
