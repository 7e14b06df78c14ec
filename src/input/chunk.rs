//! Newline-aligned chunking of in-memory input, and iteration over its records: a line, the
//! fragments an envelope split one line into, and the lines that continue a record (a
//! traceback under its log line). Knows nothing about formats: a `Joiner` from the caller
//! says which lines join. Every record keeps its byte offset, and chunks are cut only where
//! a record starts whatever came before, so results never depend on the cut.

use std::ops::Range;

/// Which lines make one record. The reader applies it; formats are known elsewhere.
pub trait Joiner: Sync {
    /// Whether `next` is another fragment of the envelope line `last` (one logical line
    /// that a container runtime wrote in pieces): it belongs to the record's head.
    fn fragment(&self, last: &[u8], next: &[u8]) -> bool;
    /// Whether the non-blank line `next` continues the record whose first line is `first`
    /// and whose last non-blank line is `last` (a traceback frame, a stack line).
    fn continues(&self, first: &[u8], last: &[u8], next: &[u8]) -> bool;
    /// False only where the non-blank line `next` starts a record whatever the record
    /// before it: then neither `fragment(last, next)` nor `continues(any, last, next)`
    /// holds. Readers that cut input cut only before such a line.
    fn may_join(&self, last: &[u8], next: &[u8]) -> bool;
    /// A shortcut, exact or false: true only for a line that is not blank, is no fragment of
    /// any line and continues no record (`fragment` and `continues` are false whatever came
    /// before). Most lines of a JSON log are such, and answering costs one look.
    fn alone(&self, _line: &[u8]) -> bool {
        false
    }
    /// Whether a line is blank for joining: it joins a record only when a line after it
    /// continues the record. Whitespace only, unless the caller knows lines whose own text
    /// is empty inside a frame.
    fn blank(&self, line: &[u8]) -> bool {
        is_blank(line)
    }
}

/// Never joins: every line is its own record.
pub struct Lines;

impl Joiner for Lines {
    fn fragment(&self, _: &[u8], _: &[u8]) -> bool {
        false
    }
    fn continues(&self, _: &[u8], _: &[u8], _: &[u8]) -> bool {
        false
    }
    fn may_join(&self, _: &[u8], _: &[u8]) -> bool {
        false
    }
}

/// One record: its bytes (inner newlines kept, the final one not), its physical lines, and
/// the length of its head (the line, or the fragments of it, before any continuation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    pub bytes: &'a [u8],
    pub lines: u32,
    pub head: usize,
}

impl<'a> Record<'a> {
    /// The head; the whole record when nothing continues it.
    pub fn head(&self) -> &'a [u8] {
        &self.bytes[..self.head]
    }

    /// The continuation lines after the head, if any.
    pub fn tail(&self) -> Option<&'a [u8]> {
        (self.head < self.bytes.len()).then(|| &self.bytes[self.head + 1..])
    }
}

/// A record stops taking continuation lines at this many lines or bytes: a runaway run of
/// indented text must not become one record of the whole input. The next line then starts
/// a record of its own, as it would have without the cap.
pub const MAX_RECORD_LINES: u32 = 10_000;
pub const MAX_RECORD_BYTES: usize = 4 << 20;

/// Whether a line holds only whitespace (a `\r` of CRLF included).
#[inline]
pub fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Whether a record starts at the line beginning at `ls` whatever came before: the line is
/// not blank, and no non-blank line before it in `data` may join it.
pub fn starts_record<J: Joiner + ?Sized>(data: &[u8], ls: usize, j: &J) -> bool {
    let le = memchr::memchr(b'\n', &data[ls..]).map_or(data.len(), |p| ls + p);
    let line = &data[ls..le];
    if j.blank(line) {
        return false;
    }
    let mut end = ls;
    while end > 0 {
        // The line ending at `end - 1` (its newline).
        let ps = memchr::memrchr(b'\n', &data[..end - 1]).map_or(0, |p| p + 1);
        let prev = &data[ps..end - 1];
        if !j.blank(prev) {
            return !j.may_join(prev, line);
        }
        end = ps;
    }
    true
}

/// Cuts `data` into ranges of about `target` bytes, each starting where a record starts
/// whatever came before (`starts_record`). A record longer than `target` stays whole.
pub fn split<J: Joiner + ?Sized>(data: &[u8], target: usize, j: &J) -> Vec<Range<usize>> {
    let target = target.max(1);
    let mut out = Vec::with_capacity(data.len() / target + 1);
    let mut start = 0;
    while start < data.len() {
        let want = start.saturating_add(target);
        let cut = if want >= data.len() {
            None
        } else {
            memchr::memchr(b'\n', &data[want..]).and_then(|i| next_start(data, want + i + 1, j))
        };
        match cut {
            Some(c) => {
                out.push(start..c);
                start = c;
            }
            None => {
                out.push(start..data.len());
                break;
            }
        }
    }
    out
}

/// The first line start at or after `from` (itself a line start) where a record starts
/// whatever came before.
fn next_start<J: Joiner + ?Sized>(data: &[u8], mut from: usize, j: &J) -> Option<usize> {
    let mut last: Option<Range<usize>> = None;
    while from < data.len() {
        let le = memchr::memchr(b'\n', &data[from..]).map_or(data.len(), |p| from + p);
        let line = &data[from..le];
        if !j.blank(line) {
            let boundary = match &last {
                Some(r) => !j.may_join(&data[r.clone()], line),
                None => starts_record(data, from, j),
            };
            if boundary {
                return Some(from);
            }
            last = Some(from..le);
        }
        from = le + 1;
    }
    None
}

/// The record being built: its start, first line, last non-blank line, end, lines, head
/// end, and whether a continuation line joined it (then fragments no longer extend the
/// head).
#[derive(Clone, Copy)]
struct Open {
    start: usize,
    first_end: usize,
    last: (usize, usize),
    end: usize,
    lines: u32,
    head_end: usize,
    continued: bool,
}

impl Open {
    fn new(ls: usize, le: usize) -> Open {
        Open {
            start: ls,
            first_end: le,
            last: (ls, le),
            end: le,
            lines: 1,
            head_end: le,
            continued: false,
        }
    }
}

/// The records of `data`, in order, with their offsets: what `for_each_record` visits.
/// Blank lines between a record and a line that continues it belong to the record; any
/// others are records of their own.
pub struct Records<'a, J: Joiner + ?Sized> {
    data: &'a [u8],
    j: &'a J,
    pos: usize,
    open: Option<Open>,
    /// Blank lines seen after the open record: the first one's start, their count.
    pending: Option<(usize, u32)>,
    /// A record finished and not yet handed out.
    ready: Option<Open>,
    /// Blank lines to hand out as records of their own: the next one's start, how many.
    blanks: Option<(usize, u32)>,
}

impl<'a, J: Joiner + ?Sized> Records<'a, J> {
    pub fn new(data: &'a [u8], j: &'a J) -> Records<'a, J> {
        Records {
            data,
            j,
            pos: 0,
            open: None,
            pending: None,
            ready: None,
            blanks: None,
        }
    }

    fn record(&self, o: Open) -> (usize, Record<'a>) {
        (
            o.start,
            Record {
                bytes: &self.data[o.start..o.end],
                lines: o.lines,
                head: o.head_end - o.start,
            },
        )
    }

    /// Ends the open record: it, then its pending blank lines, are handed out next.
    fn close(&mut self) {
        self.ready = self.open.take();
        self.blanks = self.pending.take();
    }

    /// Takes one physical line into the record being built.
    fn take(&mut self, ls: usize, le: usize) {
        let line = &self.data[ls..le];
        if self.j.alone(line) {
            if self.open.is_some() {
                self.close();
            }
            self.open = Some(Open::new(ls, le));
            return;
        }
        if self.j.blank(line) {
            match (&self.open, &mut self.pending) {
                (None, _) => {
                    self.blanks = Some((ls, 1));
                }
                (Some(_), Some((_, n))) => *n += 1,
                (Some(_), None) => self.pending = Some((ls, 1)),
            }
            return;
        }
        if let Some(o) = &mut self.open {
            let d = self.data;
            let first = &d[o.start..o.first_end];
            let last = &d[o.last.0..o.last.1];
            let blanks = self.pending.map_or(0, |(_, n)| n);
            let fragment = blanks == 0 && !o.continued && self.j.fragment(last, line);
            let room = o.lines.saturating_add(blanks) < MAX_RECORD_LINES
                && le - o.start <= MAX_RECORD_BYTES;
            if fragment || (room && self.j.continues(first, last, line)) {
                o.lines += 1 + blanks;
                o.last = (ls, le);
                o.end = le;
                if fragment {
                    o.head_end = le;
                } else {
                    o.continued = true;
                }
                self.pending = None;
                return;
            }
            self.close();
        }
        self.open = Some(Open::new(ls, le));
    }
}

impl<'a, J: Joiner + ?Sized> Iterator for Records<'a, J> {
    type Item = (usize, Record<'a>);

    fn next(&mut self) -> Option<(usize, Record<'a>)> {
        loop {
            if let Some(o) = self.ready.take() {
                return Some(self.record(o));
            }
            if let Some((at, n)) = self.blanks {
                let end =
                    memchr::memchr(b'\n', &self.data[at..]).map_or(self.data.len(), |p| at + p);
                self.blanks = (n > 1).then_some((end + 1, n - 1));
                let bytes = &self.data[at..end];
                let rec = Record {
                    bytes,
                    lines: 1,
                    head: bytes.len(),
                };
                return Some((at, rec));
            }
            if self.pos >= self.data.len() {
                self.open?;
                self.close();
                continue;
            }
            let ls = self.pos;
            let le = memchr::memchr(b'\n', &self.data[ls..]).map_or(self.data.len(), |p| ls + p);
            self.pos = le + 1;
            self.take(ls, le);
        }
    }
}

/// Calls `f(offset_in_data, record)` for every record. A final line without a newline
/// counts as a line, as `wc -l` plus one.
#[inline]
pub fn for_each_record<'a, J: Joiner + ?Sized>(
    data: &'a [u8],
    j: &'a J,
    mut f: impl FnMut(usize, Record<'a>),
) {
    for (off, rec) in Records::new(data, j) {
        f(off, rec);
    }
}

/// Calls `f(offset_in_data, line)` for every line; `line` excludes its `\n`. A final line
/// without a newline counts as a line, as `wc -l` plus one.
#[inline]
pub fn for_each_line(data: &[u8], mut f: impl FnMut(usize, &[u8])) {
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', data) {
        f(start, &data[start..nl]);
        start = nl + 1;
    }
    if start < data.len() {
        f(start, &data[start..]);
    }
}

/// Lines in `data` as `for_each_line` sees them: newlines, plus a last line without one.
pub fn count_lines(data: &[u8]) -> u64 {
    let n = memchr::memchr_iter(b'\n', data).count() as u64;
    n + u64::from(data.last().is_some_and(|&b| b != b'\n'))
}

/// A record `records_matching` found: the 0-based index of its first line, its range, its
/// physical lines and its head length.
pub type Matched = (u64, Range<usize>, u32, usize);

/// What `records_matching` searches and counts at a time: L1-sized (32 KiB took 143 ms where
/// 128 KiB took 156 for `benches/trace.sh`'s three files).
const SEARCH_BLOCK: usize = 32 << 10;

/// Every record holding a match of any finder, once, in order, and the lines of `data` as
/// `count_lines` counts them. `data` must start where a record starts. Between matches
/// lines are counted, not visited; a match inside a record widens to the whole record, found
/// by stepping back to where a record starts whatever came before and reading records
/// forward from there.
///
/// One pass: each block is searched and its newlines counted while it is in L1 cache, so
/// memory is read once where a search and then a count read it twice (each runs near memory
/// speed, so the second pass nearly doubled the time). A record's line index then counts
/// only from the start of its block.
pub fn records_matching<J: Joiner + ?Sized>(
    data: &[u8],
    finders: &[memchr::memmem::Finder<'_>],
    j: &J,
) -> (Vec<Matched>, u64) {
    let longest = finders.iter().map(|f| f.needle().len()).max().unwrap_or(0);
    // Newlines before each block.
    let mut before: Vec<u64> = Vec::with_capacity(data.len() / SEARCH_BLOCK + 1);
    let (mut starts, mut newlines, mut at) = (Vec::new(), 0u64, 0usize);
    while at < data.len() {
        let end = (at + SEARCH_BLOCK).min(data.len());
        before.push(newlines);
        newlines += memchr::memchr_iter(b'\n', &data[at..end]).count() as u64;
        // A needle that starts in this block may end in the next.
        let window = &data[at..(end + longest.saturating_sub(1)).min(data.len())];
        for f in finders {
            starts.extend(f.find_iter(window).map(|p| at + p).take_while(|&p| p < end));
        }
        at = end;
    }
    starts.sort_unstable();
    let line_of = |start: usize| {
        let block = start / SEARCH_BLOCK;
        let from = block * SEARCH_BLOCK;
        before[block] + memchr::memchr_iter(b'\n', &data[from..start]).count() as u64
    };
    let lines = newlines + u64::from(data.last().is_some_and(|&b| b != b'\n'));
    (records_at(data, starts, j, line_of), lines)
}

/// The records holding the sorted byte offsets `starts`, once each, as `records_matching`
/// returns them; `line_of` gives the index of the line starting at an offset.
fn records_at<J: Joiner + ?Sized>(
    data: &[u8],
    starts: Vec<usize>,
    j: &J,
    line_of: impl Fn(usize) -> u64,
) -> Vec<Matched> {
    let mut out: Vec<Matched> = Vec::new();
    // Records are known to start at `floor`: the end of the last one found.
    let mut floor = 0usize;
    for at in starts {
        if at < floor {
            continue;
        }
        let mut from = memchr::memrchr(b'\n', &data[..at]).map_or(0, |p| p + 1);
        while from > floor && !starts_record(data, from, j) {
            from = memchr::memrchr(b'\n', &data[..from - 1]).map_or(0, |p| p + 1);
        }
        let from = from.max(floor);
        for (off, rec) in Records::new(&data[from..], j) {
            let start = from + off;
            let end = start + rec.bytes.len();
            if end < at {
                continue;
            }
            if start <= at {
                out.push((line_of(start), start..end, rec.lines, rec.head));
                floor = (end + 1).min(data.len());
            }
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests;
