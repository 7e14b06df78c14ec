//! Follows a file like `tail -F`: reads what is appended; when the path is replaced (rotation
//! by rename and create) reads the old file to its end, then the new one from its start; when
//! the file shrinks (truncation, `copytruncate`) starts again at its beginning. A missing file
//! is waited for. Never memory-maps. Knows nothing about parsing.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

use super::split::{LineSplitter, Piece};

/// What a poll noticed besides new lines.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    None,
    Rotated,
    Truncated,
}

pub struct Follower {
    pub path: PathBuf,
    file: Option<File>,
    /// (device, inode) of the open file.
    id: Option<(u64, u64)>,
    pos: u64,
    split: LineSplitter,
    buf: Vec<u8>,
}

impl Follower {
    /// Opens `path` (if it exists) at its end, or at its start with `from_start`.
    pub fn new(path: PathBuf, from_start: bool, max_line: usize) -> io::Result<Follower> {
        let mut f = Follower {
            path,
            file: None,
            id: None,
            pos: 0,
            split: LineSplitter::new(max_line),
            buf: vec![0; 1 << 16],
        };
        if f.path.is_dir() {
            return Err(io::Error::other("is a directory"));
        }
        f.open(from_start)?;
        Ok(f)
    }

    fn open(&mut self, from_start: bool) -> io::Result<()> {
        match File::open(&self.path) {
            Ok(mut file) => {
                let meta = file.metadata()?;
                self.id = Some((meta.dev(), meta.ino()));
                self.pos = if from_start {
                    0
                } else {
                    file.seek(SeekFrom::End(0))?
                };
                self.split.reset(self.pos);
                self.file = Some(file);
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                self.file = None;
                self.id = None;
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Oversized lines dropped so far.
    pub fn oversized(&self) -> u64 {
        self.split.oversized
    }

    /// Reads whatever is new; lines go to `out`.
    pub fn poll(&mut self, out: &mut Vec<Piece>) -> io::Result<Change> {
        let mut change = Change::None;
        if self.file.is_none() {
            // Created since: read it from its start.
            self.open(true)?;
            if self.file.is_none() {
                return Ok(change);
            }
        }
        self.drain(out)?;
        let now = std::fs::metadata(&self.path).ok();
        let now_id = now.as_ref().map(|m| (m.dev(), m.ino()));
        if now_id.is_some() && now_id != self.id {
            // Rotated: the old file is complete (read to its end above); a last partial line
            // in it is a line.
            self.split.finish(out);
            self.open(true)?;
            self.drain(out)?;
            change = Change::Rotated;
        } else if let Some(m) = now
            && m.len() < self.pos
        {
            self.split.finish(out);
            if let Some(f) = self.file.as_mut() {
                f.seek(SeekFrom::Start(0))?;
            }
            self.pos = 0;
            self.split.reset(0);
            self.drain(out)?;
            change = Change::Truncated;
        }
        Ok(change)
    }

    fn drain(&mut self, out: &mut Vec<Piece>) -> io::Result<()> {
        let Some(file) = self.file.as_mut() else {
            return Ok(());
        };
        loop {
            let n = match file.read(&mut self.buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.pos += n as u64;
            self.split.push(&self.buf[..n], out);
        }
    }

    /// At the end of watching: a last partial line is a line.
    pub fn finish(&mut self, out: &mut Vec<Piece>) {
        self.split.finish(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn lines(out: &mut Vec<Piece>) -> Vec<String> {
        let mut v = Vec::new();
        for p in out.drain(..) {
            crate::input::chunk::for_each_line(&p.data, |_, l| {
                v.push(String::from_utf8_lossy(l).into_owned())
            });
        }
        v
    }

    #[test]
    fn appends_rotation_and_truncation_lose_no_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        std::fs::write(&path, "old\n").unwrap();
        let mut f = Follower::new(path.clone(), false, 1 << 20).unwrap();
        let mut out = Vec::new();
        let append = |s: &str| {
            let mut h = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .unwrap();
            h.write_all(s.as_bytes()).unwrap();
        };
        append("a1\na2 par");
        assert_eq!(f.poll(&mut out).unwrap(), Change::None);
        assert_eq!(lines(&mut out), vec!["a1"]);
        append("tial\n");
        f.poll(&mut out).unwrap();
        assert_eq!(lines(&mut out), vec!["a2 partial"]);
        // Rotation: the old file gets a last line after the rename, then a new file appears.
        std::fs::rename(&path, dir.path().join("app.log.1")).unwrap();
        let mut old = std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join("app.log.1"))
            .unwrap();
        old.write_all(b"a3\n").unwrap();
        std::fs::write(&path, "b1\nb2\n").unwrap();
        assert_eq!(f.poll(&mut out).unwrap(), Change::Rotated);
        assert_eq!(lines(&mut out), vec!["a3", "b1", "b2"]);
        // Truncation (copytruncate), then new content shorter than before.
        std::fs::write(&path, "").unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"c\n")
            .unwrap();
        assert_eq!(f.poll(&mut out).unwrap(), Change::Truncated);
        assert_eq!(lines(&mut out), vec!["c"]);
    }

    #[test]
    fn a_missing_file_is_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("later.log");
        let mut f = Follower::new(path.clone(), false, 1 << 20).unwrap();
        let mut out = Vec::new();
        f.poll(&mut out).unwrap();
        assert!(out.is_empty());
        std::fs::write(&path, "first\n").unwrap();
        f.poll(&mut out).unwrap();
        assert_eq!(lines(&mut out), vec!["first"]);
    }
}
