//! Follows a path like `tail -F`: reads what is appended; when the path is replaced (rotation
//! by rename and create) keeps reading the old file through its open handle until it has been
//! quiet for `QUIET`, while reading the new one from its start; when the file is cut under the
//! reader (truncation, `copytruncate`, a rewrite in place: see `tail::GUARD`) starts again at
//! its beginning. A FIFO or other non-regular file is read as a stream (`stream.rs`). A
//! missing path is waited for. Never memory-maps, never blocks on a writer. Knows nothing
//! about parsing or threads.

mod stream;
mod tail;

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::split::Piece;
use stream::Stream;
use tail::{Drained, Tail};

/// How long a file replaced at its path (rotated away) must go without growing before it is
/// taken as complete and closed. A writer that reopens its log on a signal (logrotate's
/// `postrotate`, a `SIGHUP`, a size check every few hundred lines) keeps writing the old file
/// for a moment after the rename; lines it writes there after `QUIET` of silence are lost.
/// At shutdown every old file still open is read to its end whatever its age.
pub const QUIET: Duration = Duration::from_secs(1);

/// What a poll noticed besides new lines.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    None,
    Rotated,
    Truncated,
}

enum Source {
    File(Tail),
    Stream(Stream),
}

impl Source {
    fn drain(&mut self, out: &mut Vec<Piece>) -> io::Result<Drained> {
        match self {
            Source::File(t) => t.drain(out),
            Source::Stream(s) => s.drain(out),
        }
    }

    fn finish(&mut self, out: &mut Vec<Piece>) {
        match self {
            Source::File(t) => t.finish(out),
            Source::Stream(s) => s.finish(out),
        }
    }

    fn oversized(&self) -> u64 {
        match self {
            Source::File(t) => t.oversized(),
            Source::Stream(s) => s.oversized(),
        }
    }
}

/// A file the path named before a rotation, still open and read.
struct Retired {
    tail: Tail,
    /// When it was last seen growing (or retired).
    active: Instant,
}

pub struct Follower {
    pub path: PathBuf,
    max_line: usize,
    quiet: Duration,
    /// What the path names now (None while it is missing).
    current: Option<Source>,
    /// Old files, oldest first.
    retired: Vec<Retired>,
    /// Oversized lines of old files already closed.
    closed_oversized: u64,
    /// The last poll stopped at a read budget: more may be waiting.
    pending: bool,
}

impl Follower {
    /// Opens `path` (if it exists) at its end, or at its start with `from_start`. A FIFO is
    /// opened without waiting for a writer.
    pub fn new(path: PathBuf, from_start: bool, max_line: usize) -> io::Result<Follower> {
        let mut f = Follower {
            path,
            max_line,
            quiet: QUIET,
            current: None,
            retired: Vec::new(),
            closed_oversized: 0,
            pending: false,
        };
        if f.path.is_dir() {
            return Err(io::Error::other("is a directory"));
        }
        f.open(from_start)?;
        Ok(f)
    }

    /// The same with another quiet period for rotated files (tests).
    pub fn with_quiet(mut self, quiet: Duration) -> Follower {
        self.quiet = quiet;
        self
    }

    fn open(&mut self, from_start: bool) -> io::Result<()> {
        // O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer (a hang at
        // startup). It stays set: a stream is polled, never waited on, and on a regular file
        // it has no effect.
        let opened = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&self.path);
        let file: File = match opened {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                self.current = None;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        self.current = Some(if meta.is_dir() {
            return Err(io::Error::other("is a directory"));
        } else if meta.is_file() {
            let id = (meta.dev(), meta.ino());
            Source::File(Tail::new(file, id, meta.len(), from_start, self.max_line)?)
        } else {
            Source::Stream(Stream::new(file, self.max_line))
        });
        Ok(())
    }

    /// Oversized lines dropped so far.
    pub fn oversized(&self) -> u64 {
        self.closed_oversized
            + self.retired.iter().map(|r| r.tail.oversized()).sum::<u64>()
            + self.current.as_ref().map_or(0, Source::oversized)
    }

    /// Whether the last poll stopped short of the end of some input (poll again at once).
    pub fn pending(&self) -> bool {
        self.pending
    }

    /// Reads whatever is new; lines go to `out`.
    pub fn poll(&mut self, out: &mut Vec<Piece>) -> io::Result<Change> {
        let now = Instant::now();
        self.pending = false;
        // Old files first: what their writer put there came before the new file's lines.
        let mut i = 0;
        while i < self.retired.len() {
            let r = &mut self.retired[i];
            let d = match r.tail.drain(out) {
                Ok(d) => d,
                Err(e) => {
                    // Unreadable now: closed, so it cannot hold up the files after it.
                    let mut r = self.retired.remove(i);
                    r.tail.finish(out);
                    self.closed_oversized += r.tail.oversized();
                    return Err(e);
                }
            };
            self.pending |= d.more;
            let busy = d.grew || d.cut || d.more;
            if busy {
                r.active = now;
            }
            if !busy && now.duration_since(r.active) >= self.quiet {
                let mut r = self.retired.remove(i);
                r.tail.finish(out);
                self.closed_oversized += r.tail.oversized();
            } else {
                i += 1;
            }
        }
        if self.current.is_none() {
            // Created since: read it from its start.
            self.open(true)?;
        }
        let Some(cur) = self.current.as_mut() else {
            return Ok(Change::None);
        };
        let d = cur.drain(out)?;
        self.pending |= d.more;
        let mut change = if d.cut {
            Change::Truncated
        } else {
            Change::None
        };
        let Source::File(tail) = cur else {
            // A stream has no rotation: it is read for as long as `watch` runs.
            return Ok(change);
        };
        if d.more {
            // Not at the end yet: rotation is looked for once it is.
            return Ok(change);
        }
        let now_id = std::fs::metadata(&self.path)
            .ok()
            .map(|m| (m.dev(), m.ino()));
        if now_id.is_some_and(|id| id != tail.id) {
            // Rotated: the old file stays open and is read until it is quiet, as its writer
            // may still be writing it; the new one is read from its start.
            if let Some(Source::File(old)) = self.current.take() {
                self.retired.push(Retired {
                    tail: old,
                    active: now,
                });
            }
            self.open(true)?;
            if let Some(cur) = self.current.as_mut() {
                self.pending |= cur.drain(out)?.more;
            }
            change = Change::Rotated;
        }
        Ok(change)
    }

    /// At the end of watching (after polls have read every input to its end): every old
    /// file is closed, and a last partial line of each file is a line.
    pub fn finish(&mut self, out: &mut Vec<Piece>) {
        for mut r in self.retired.drain(..) {
            r.tail.finish(out);
            self.closed_oversized += r.tail.oversized();
        }
        if let Some(cur) = self.current.as_mut() {
            cur.finish(out);
        }
    }
}

#[cfg(test)]
mod tests;
