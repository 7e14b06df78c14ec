//! One followed input that is not a regular file (a FIFO, a character device, a socket),
//! read as a stream: what arrives, in order, with no seeking, no sizes and no rotation or
//! truncation logic. The descriptor is non-blocking, so a poll never waits for a writer.
//! Knows nothing about paths or parsing.

use std::fs::File;
use std::io::{self, Read};

use super::tail::{BUDGET, Drained};
use crate::input::split::{LineSplitter, Piece};

pub struct Stream {
    /// Opened with `O_NONBLOCK` (see `Follower::open`): a read returns what is buffered,
    /// `WouldBlock` when a writer is connected but silent, 0 when no writer is connected.
    file: File,
    split: LineSplitter,
    buf: Vec<u8>,
}

impl Stream {
    pub fn new(file: File, max_line: usize) -> Stream {
        Stream {
            file,
            split: LineSplitter::new(max_line),
            buf: vec![0; 64 << 10],
        }
    }

    /// Reads what has arrived (up to `BUDGET`); whole lines go to `out`.
    ///
    /// A FIFO whose writers have all closed reads as end of input (0): the partial line the
    /// last writer left, if any, is then its last line. The FIFO stays open, so a new writer
    /// is read from its first line on, as `tail -F` waits for one; the input ends only when
    /// `watch` does.
    pub fn drain(&mut self, out: &mut Vec<Piece>) -> io::Result<Drained> {
        let mut d = Drained::default();
        let mut read = 0u64;
        loop {
            if read >= BUDGET {
                d.more = true;
                return Ok(d);
            }
            match self.file.read(&mut self.buf) {
                Ok(0) => {
                    self.split.finish(out);
                    return Ok(d);
                }
                Ok(n) => {
                    read += n as u64;
                    d.grew = true;
                    self.split.push(&self.buf[..n], out);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(d),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// `watch` ends: a last partial line is a line.
    pub fn finish(&mut self, out: &mut Vec<Piece>) {
        self.split.finish(out);
    }

    /// Oversized lines dropped so far.
    pub fn oversized(&self) -> u64 {
        self.split.oversized
    }
}
