//! One output file: its line buffer, timestamp cache and byte and line counts, and the `--only`
//! bits that say which files are written. Owns buffering and counting; it must not decide what
//! a line says.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use crate::clock::{Stamp, StampCache};

/// `--only` bits, one per file.
pub(crate) const IN_APP: u8 = 1;
pub(crate) const IN_ERROR: u8 = 2;
pub(crate) const IN_ACCESS: u8 = 4;
/// `app-compact.log`, the second app-log shape (`compact`), written after the simulation.
pub(crate) const IN_COMPACT: u8 = 8;

pub(crate) struct Sink {
    pub(crate) path: PathBuf,
    out: Option<BufWriter<File>>,
    pub(crate) stamp: StampCache,
    pub(crate) line: Vec<u8>,
    pub(crate) bytes: u64,
    pub(crate) lines: u64,
}

impl Sink {
    pub(crate) fn new(path: PathBuf, enabled: bool, stamp: Stamp) -> io::Result<Self> {
        let out = if enabled {
            Some(BufWriter::with_capacity(8 << 20, File::create(&path)?))
        } else {
            None
        };
        Ok(Self {
            path,
            out,
            stamp: StampCache::new(stamp),
            line: Vec::with_capacity(8192),
            bytes: 0,
            lines: 0,
        })
    }
    /// Lines are always formatted and counted, written only when enabled: `--only` must not
    /// change the simulation (and so the bytes of the files it does write).
    pub(crate) fn commit(&mut self) -> io::Result<()> {
        self.line.push(b'\n');
        self.bytes += self.line.len() as u64;
        self.lines += 1;
        if let Some(out) = &mut self.out {
            out.write_all(&self.line)?;
        }
        self.line.clear();
        Ok(())
    }
    pub(crate) fn finish(&mut self) -> io::Result<()> {
        if let Some(out) = &mut self.out {
            out.flush()?;
        }
        Ok(())
    }
}
