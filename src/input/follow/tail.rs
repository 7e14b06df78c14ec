//! One followed regular file, read by position: what was appended since the last read, and
//! whether the file was cut under the reader (truncated, or rewritten in place). Never seeks,
//! never maps, knows nothing about paths, rotation or parsing.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

use crate::input::split::{LineSplitter, Piece};

/// How many bytes before the read position every read fetches again and compares with what
/// was read there before. A cut is detected when they differ or are gone:
/// - the file shrank below the position at any moment (the re-read comes back short), or
/// - it was truncated and refilled past the old size between two polls (`copytruncate`
///   followed by a burst of writes; `>` redirection rewriting it): the bytes now before the
///   position are other lines, so they differ.
///
/// What it cannot detect: a refill whose bytes in those last 4 KiB before the position equal
/// the old ones (the same lines written again in the same order, or a log of identical
/// lines): that is indistinguishable from growth by looking at the file, and reading
/// continues at the old position. 4 KiB holds several whole lines of a typical log, with
/// their timestamps and ids, so any real refill differs there.
pub const GUARD: usize = 4 << 10;
/// One read: the guard plus up to this much new input.
const READ: usize = 64 << 10;
/// At most this much is read from one file in one poll, so a large backlog (`--from-start`
/// on a big file) goes out in pieces as it is read and other inputs are not starved.
pub const BUDGET: u64 = 1 << 20;

/// What one `drain` did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Drained {
    /// New bytes were read.
    pub grew: bool,
    /// The file was cut under the reader: reading started again at its beginning.
    pub cut: bool,
    /// Stopped at `BUDGET` with input perhaps left: poll again without waiting.
    pub more: bool,
}

pub struct Tail {
    file: File,
    /// (device, inode): what the followed path named when this was opened.
    pub id: (u64, u64),
    /// Offset of the next byte to read.
    pos: u64,
    /// The bytes just before `pos` (up to `GUARD` of them), as read.
    guard: Vec<u8>,
    split: LineSplitter,
    buf: Vec<u8>,
}

impl Tail {
    /// Starts at the file's beginning, or at its end (`size`, as the caller's `fstat` saw it).
    pub fn new(
        file: File,
        id: (u64, u64),
        size: u64,
        from_start: bool,
        max_line: usize,
    ) -> io::Result<Tail> {
        let mut t = Tail {
            file,
            id,
            pos: 0,
            guard: Vec::with_capacity(GUARD),
            split: LineSplitter::new(max_line),
            buf: vec![0; GUARD + READ],
        };
        if !from_start {
            let k = size.min(GUARD as u64) as usize;
            let at = size - k as u64;
            let n = read_at_least(&t.file, &mut t.buf[..k], at, k)?;
            // Shorter if it shrank since the fstat: start at the end of what is there.
            t.guard.extend_from_slice(&t.buf[..n]);
            t.pos = at + n as u64;
        }
        t.split.reset(t.pos);
        Ok(t)
    }

    /// Reads what was appended (up to `BUDGET`); whole lines go to `out`. After a cut the
    /// partial line held from before it is dropped, not counted: its end is gone, so it is a
    /// fragment, and reading starts again at offset 0.
    pub fn drain(&mut self, out: &mut Vec<Piece>) -> io::Result<Drained> {
        let mut d = Drained::default();
        let mut read = 0u64;
        loop {
            if read >= BUDGET {
                d.more = true;
                return Ok(d);
            }
            let k = self.guard.len();
            // The guard and the new bytes come from one read, so what follows the guard is
            // known to continue it (a cut between two reads is seen by the second).
            let n = read_at_least(&self.file, &mut self.buf, self.pos - k as u64, k)?;
            if n < k || self.buf[..k] != self.guard[..] {
                self.pos = 0;
                self.guard.clear();
                self.split.reset(0);
                d.cut = true;
                continue;
            }
            if n == k {
                return Ok(d);
            }
            let data = &self.buf[k..n];
            self.pos += data.len() as u64;
            read += data.len() as u64;
            d.grew = true;
            self.split.push(data, out);
            if data.len() >= GUARD {
                self.guard.clear();
                self.guard.extend_from_slice(&data[data.len() - GUARD..]);
            } else {
                let drop = (self.guard.len() + data.len()).saturating_sub(GUARD);
                self.guard.drain(..drop);
                self.guard.extend_from_slice(data);
            }
        }
    }

    /// The file is complete: a last partial line is a line.
    pub fn finish(&mut self, out: &mut Vec<Piece>) {
        self.split.finish(out);
    }

    /// Oversized lines dropped so far.
    pub fn oversized(&self) -> u64 {
        self.split.oversized
    }
}

/// Reads at `offset` into `buf` until at least `min` bytes are in or the file ends there
/// (a regular file returns short only at its end, so this is normally one `pread`).
fn read_at_least(file: &File, buf: &mut [u8], offset: u64, min: usize) -> io::Result<usize> {
    let mut n = 0;
    loop {
        match file.read_at(&mut buf[n..], offset + n as u64) {
            Ok(0) => return Ok(n),
            Ok(m) => {
                n += m;
                if n >= min.max(1) || n == buf.len() {
                    return Ok(n);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}
