//! Input sources: files (memory-mapped or streamed), stdin, gzip (by magic bytes), JSON
//! documents of many records read as one line per record (`document/`), and the
//! newline-aligned batches a stream is cut into. Opening errors name the file; nothing here
//! parses lines.

pub mod chunk;
pub mod document;
pub mod follow;
mod mmap;
pub mod peek;
pub mod split;

pub use mmap::map_large_allocations;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::PathBuf;

use flate2::read::MultiGzDecoder;

/// An input named on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputSpec {
    Stdin,
    Path(PathBuf),
}

impl InputSpec {
    pub fn display(&self) -> String {
        match self {
            InputSpec::Stdin => "<stdin>".to_string(),
            InputSpec::Path(p) => p.display().to_string(),
        }
    }
}

/// The bytes of an opened input.
pub enum Data {
    Mapped(memmap2::Mmap),
    Buffer(Vec<u8>),
    Stream(Box<dyn Read + Send>),
}

impl Data {
    /// The whole content when it is in memory.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Data::Mapped(m) => Some(m),
            Data::Buffer(b) => Some(b),
            Data::Stream(_) => None,
        }
    }
}

pub struct Opened {
    pub name: String,
    pub data: Data,
    /// When the file was last written (µs since the epoch); `None` for stdin. Year-less
    /// stamps are placed before it.
    pub modified: Option<i64>,
    /// A plain (not gzip) regular file's path and size when it was opened: what `shrank`
    /// checks.
    pub file: Option<(PathBuf, u64)>,
}

impl Opened {
    /// An input that stands in for one that could not be opened, or that is read elsewhere.
    pub fn empty(name: String, modified: Option<i64>) -> Opened {
        Opened {
            name,
            data: Data::Buffer(Vec::new()),
            modified,
            file: None,
        }
    }

    /// Whether fewer bytes were read than the file held when it was opened.
    pub fn lost(&self, read: u64) -> bool {
        self.file.as_ref().is_some_and(|(_, size)| read < *size)
    }

    /// Whether the file was cut short while it was read (logrotate's `copytruncate`), given
    /// how many bytes were read of it: a one-line message naming it.
    pub fn shrank(&self, read: u64) -> Option<String> {
        let (path, size) = self.file.as_ref()?;
        if read < *size {
            return Some(format!(
                "{}: truncated while being read: {read} of its {size} bytes read; the rest is not counted",
                self.name
            ));
        }
        let now = std::fs::metadata(path).map_or(0, |m| m.len());
        (now < *size).then(|| {
            format!(
                "{}: truncated to {now} bytes after it was read; the report covers the {size} bytes read",
                self.name
            )
        })
    }

    /// A copy of the first `n` bytes (fewer at the end of the input), read without consuming
    /// a stream: what was read is put back in front of it.
    pub fn head(&mut self, n: usize) -> Vec<u8> {
        if let Data::Stream(_) = self.data {
            let Data::Stream(mut r) = std::mem::replace(&mut self.data, Data::Buffer(Vec::new()))
            else {
                unreachable!()
            };
            let mut buf = Vec::with_capacity(n.min(1 << 20));
            // A read error here surfaces again when the stream is read for real.
            let _ = (&mut r).take(n as u64).read_to_end(&mut buf);
            let copy = buf.clone();
            self.data = Data::Stream(Box::new(Prefixed {
                head: io::Cursor::new(buf),
                rest: r,
            }));
            return copy;
        }
        let b = self.data.bytes().unwrap_or(&[]);
        b[..b.len().min(n)].to_vec()
    }
}

/// A stream with bytes already read off its front put back.
struct Prefixed {
    head: io::Cursor<Vec<u8>>,
    rest: Box<dyn Read + Send>,
}

impl Read for Prefixed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.head.read(buf)?;
        if n > 0 || buf.is_empty() {
            return Ok(n);
        }
        self.rest.read(buf)
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

fn describe(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Wraps a buffered reader in a gzip decoder when its first bytes are the gzip magic (then
/// also says so).
fn maybe_gunzip<R: BufRead + Send + 'static>(mut r: R) -> io::Result<(Box<dyn Read + Send>, bool)> {
    let head = r.fill_buf()?;
    if head.starts_with(&GZIP_MAGIC) {
        Ok((Box::new(MultiGzDecoder::new(r)), true))
    } else {
        Ok((Box::new(r), false))
    }
}

/// A file written this recently is read, not mapped: a writer or logrotate's `copytruncate`
/// may cut it while it is read, and reading a mapped page past a file's new end raises
/// SIGBUS, where `read` just ends early (and `Opened::shrank` says so).
const BEING_WRITTEN: std::time::Duration = std::time::Duration::from_secs(10);

/// Standard input for reading as a stream (`watch`). A pipe is grown to 1 MiB when the
/// system allows it: a producer that runs ahead then leaves up to that much per read, where
/// the default 64 KiB pipe made the reader wake, read and hand over a piece sixteen times as
/// often (an eighth of `watch`'s time on a piped file). Reads still return whatever has
/// arrived, so a slow stream is not delayed.
pub fn stdin_stream() -> io::Stdin {
    let stdin = io::stdin();
    // Not a pipe, or a size above /proc/sys/fs/pipe-max-size: it stays as it is.
    let _ = rustix::pipe::fcntl_setpipe_size(&stdin, STREAM_PIPE);
    stdin
}

/// The pipe size `stdin_stream` asks for, and what one read takes at most (`engine::watch`).
pub const STREAM_PIPE: usize = 1 << 20;

/// Opens one input. Errors are one line naming the file and the reason.
pub fn open(spec: &InputSpec, use_mmap: bool) -> Result<Opened, String> {
    let name = spec.display();
    let path = match spec {
        InputSpec::Stdin => {
            let (data, _) = maybe_gunzip(BufReader::with_capacity(1 << 20, io::stdin()))
                .map_err(|e| format!("{name}: {}", describe(&e)))?;
            let (data, _) = as_document(data);
            return Ok(Opened {
                name,
                data: Data::Stream(data),
                modified: None,
                file: None,
            });
        }
        InputSpec::Path(p) => p,
    };
    let fail = |e: io::Error| format!("{name}: {}", describe(&e));
    let meta = std::fs::metadata(path).map_err(fail)?;
    if meta.is_dir() {
        return Err(format!("{name}: is a directory"));
    }
    let file = File::open(path).map_err(fail)?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_micros() as i64);
    let sized = |gzip: bool| (meta.is_file() && !gzip).then(|| (path.clone(), meta.len()));
    let settled = meta
        .modified()
        .ok()
        .and_then(|m| std::time::SystemTime::now().duration_since(m).ok())
        .is_some_and(|age| age >= BEING_WRITTEN);
    if meta.is_file() && meta.len() == 0 {
        return Ok(Opened::empty(name, modified));
    }
    if meta.is_file() && use_mmap && settled {
        let map = mmap::map(&file).map_err(fail)?;
        if document::sniff(&map[..map.len().min(SNIFF)]) {
            // Read as a stream of records, its bytes are not its lines: read, not mapped, so
            // the pages already read do not stay in memory as a mapping's would.
            drop(map);
            let file = File::open(path).map_err(fail)?;
            return Ok(Opened {
                name,
                data: Data::Stream(Box::new(document::Document::new(Box::new(file)))),
                modified,
                file: None,
            });
        }
        if !map.starts_with(&GZIP_MAGIC) {
            return Ok(Opened {
                name,
                data: Data::Mapped(map),
                modified,
                file: sized(false),
            });
        }
    }
    let (data, gzip) = maybe_gunzip(BufReader::with_capacity(1 << 20, file)).map_err(fail)?;
    let (data, document) = as_document(data);
    Ok(Opened {
        name,
        data: Data::Stream(data),
        modified,
        file: if document { None } else { sized(gzip) },
    })
}

/// Bytes of an input's start that tell a JSON document from lines (`document::sniff`).
const SNIFF: usize = 4096;

/// A stream that is a JSON document, as its records one per line; any other as it was (its
/// first bytes put back). Says which.
fn as_document(mut r: Box<dyn Read + Send>) -> (Box<dyn Read + Send>, bool) {
    let mut head = Vec::with_capacity(SNIFF);
    // A read error here surfaces again when the stream is read for real.
    let _ = (&mut r).take(SNIFF as u64).read_to_end(&mut head);
    let doc = document::sniff(&head);
    let r: Box<dyn Read + Send> = Box::new(Prefixed {
        head: io::Cursor::new(head),
        rest: r,
    });
    if doc {
        (Box::new(document::Document::new(r)), true)
    } else {
        (r, false)
    }
}

/// Reads a stream in newline-aligned batches of about `target` bytes each, carrying the
/// partial last line into the next batch. The final line may lack a newline. Like
/// `chunk::split`, a batch ends only where a record starts whatever came before.
pub struct Batches {
    reader: Box<dyn Read + Send>,
    carry: Vec<u8>,
    target: usize,
    done: bool,
    joiner: &'static dyn chunk::Joiner,
    pub offset: u64,
    /// The longest line kept whole; the rest of a longer one is dropped as it is read.
    max_line: usize,
    /// Inside an oversized line whose first bytes were handed out: drop up to its newline.
    skipping: bool,
    /// Bytes dropped so far (read, never handed out).
    pub skipped: u64,
}

/// A batch grows past its target to keep a record whole up to this size, then is cut at a
/// newline regardless: a runaway run of fragments must not hold the whole stream.
const MAX_BATCH: usize = 256 << 20;

impl Batches {
    pub fn new(reader: Box<dyn Read + Send>, target: usize) -> Batches {
        Batches {
            reader,
            carry: Vec::new(),
            target: target.max(4096),
            done: false,
            joiner: &chunk::Lines,
            offset: 0,
            max_line: usize::MAX,
            skipping: false,
            skipped: 0,
        }
    }

    /// A line longer than `max_line` is handed out as its first `max_line + 1` bytes (its
    /// reader can tell it is oversized) at the end of a batch, and the rest of it is dropped
    /// as it is read: memory stays flat for a line of any length (`/dev/zero` included).
    pub fn bounded(mut self, max_line: usize) -> Batches {
        self.max_line = max_line.max(1);
        self
    }

    /// Drops the rest of an oversized line; false at the end of the stream (or an error,
    /// which the next read gives again).
    fn skip_rest(&mut self, buf: &mut Vec<u8>) -> bool {
        let mut scratch = vec![0u8; 64 * 1024];
        loop {
            let n = match self.reader.read(&mut scratch) {
                Ok(0) | Err(_) => return false,
                Ok(n) => n,
            };
            match memchr::memchr(b'\n', &scratch[..n]) {
                Some(nl) => {
                    self.skipping = false;
                    self.skipped += nl as u64 + 1;
                    self.offset += nl as u64 + 1;
                    buf.extend_from_slice(&scratch[nl + 1..n]);
                    return true;
                }
                None => {
                    self.skipped += n as u64;
                    self.offset += n as u64;
                }
            }
        }
    }

    /// Where an oversized line starts in `buf`, if the line being read is one: it has run
    /// past `max_line` without a newline.
    fn oversized_at(&self, buf: &[u8]) -> Option<usize> {
        let start = memchr::memrchr(b'\n', buf).map_or(0, |p| p + 1);
        (buf.len() - start > self.max_line).then_some(start)
    }

    /// Records are the runs of lines `joiner` ties together.
    pub fn joining(mut self, joiner: &'static dyn chunk::Joiner) -> Batches {
        self.joiner = joiner;
        self
    }

    /// Where to end a batch in `buf` (just after a newline at or past `from`): the last
    /// line start where a record starts whatever came before, the line there complete.
    fn cut(&self, buf: &[u8], from: usize) -> Option<usize> {
        let mut newlines = memchr::memrchr_iter(b'\n', &buf[from..]).map(|i| from + i);
        let after = newlines.next()?;
        if buf.len() > MAX_BATCH {
            return Some(after + 1);
        }
        newlines
            .take(64)
            .map(|nl| nl + 1)
            .find(|&ls| chunk::starts_record(buf, ls, self.joiner))
    }

    /// Next batch and its byte offset in the stream; `Ok(None)` at the end. On a read error
    /// (e.g. truncated gzip) the bytes read so far are returned first, then the error.
    pub fn next_batch(&mut self) -> io::Result<Option<(u64, Vec<u8>)>> {
        if self.done {
            return Ok(None);
        }
        let mut buf = std::mem::take(&mut self.carry);
        if self.skipping && !self.skip_rest(&mut buf) {
            self.skipping = false;
            self.done = true;
            return Ok(None);
        }
        let mut scanned = 0;
        loop {
            if let Some(start) = self.oversized_at(&buf) {
                // The lines before it and its first bytes end this batch; the rest of what
                // was read of it is dropped.
                let keep = start + self.max_line + 1;
                let dropped = (buf.len() - keep) as u64;
                buf.truncate(keep);
                self.skipping = true;
                let off = self.offset;
                self.offset += buf.len() as u64 + dropped;
                self.skipped += dropped;
                return Ok(Some((off, buf)));
            }
            if buf.len() >= self.target {
                // Only new bytes are searched, so one huge line costs linear time.
                if let Some(cut) = self.cut(&buf, scanned) {
                    self.carry = buf.split_off(cut);
                    let off = self.offset;
                    self.offset += buf.len() as u64;
                    return Ok(Some((off, buf)));
                }
                // The last newline stays in view: once the line after it is complete, the
                // cut may be there.
                scanned =
                    memchr::memrchr(b'\n', &buf[scanned..]).map_or(buf.len(), |i| scanned + i);
            }
            let start = buf.len();
            buf.resize(start + self.target.max(64 * 1024), 0);
            let n = match self.reader.read(&mut buf[start..]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    buf.truncate(start);
                    continue;
                }
                Err(e) => {
                    buf.truncate(start);
                    self.done = true;
                    if buf.is_empty() {
                        return Err(e);
                    }
                    self.carry.clear();
                    // Hand back what was read; the error surfaces on the next call.
                    self.reader = Box::new(FailOnce(Some(e)));
                    self.done = false;
                    let off = self.offset;
                    self.offset += buf.len() as u64;
                    return Ok(Some((off, buf)));
                }
            };
            buf.truncate(start + n);
            if n == 0 {
                self.done = true;
                if buf.is_empty() {
                    return Ok(None);
                }
                let off = self.offset;
                self.offset += buf.len() as u64;
                return Ok(Some((off, buf)));
            }
        }
    }
}

struct FailOnce(Option<io::Error>);

impl Read for FailOnce {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(e) => Err(e),
            None => Ok(0),
        }
    }
}

/// Reads a whole stream into memory (needed when a relative `--since` must know the newest
/// line before aggregating). Returns what was read and the error that stopped it, if any.
pub fn slurp(mut r: Box<dyn Read + Send>) -> (Vec<u8>, Option<io::Error>) {
    let mut v = Vec::new();
    match r.read_to_end(&mut v) {
        Ok(_) => (v, None),
        Err(e) => (v, Some(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_cover_stream_and_end_at_newlines() {
        let text: Vec<u8> = (0..5000)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .chain(b"tail".iter().copied())
            .collect();
        let mut b = Batches::new(Box::new(io::Cursor::new(text.clone())), 4096);
        let mut all = Vec::new();
        while let Some((off, chunk)) = b.next_batch().unwrap() {
            assert_eq!(off as usize, all.len());
            all.extend_from_slice(&chunk);
        }
        assert_eq!(all, text);
    }

    #[test]
    fn batches_keep_joined_lines_together() {
        // Lines ending in `+` continue into the next; the runs straddle many batch cuts.
        let text: Vec<u8> = (0..3000)
            .flat_map(|i| format!("line {i}{}\n", if i % 7 < 5 { "+" } else { "" }).into_bytes())
            .collect();
        struct Plus;
        impl chunk::Joiner for Plus {
            fn fragment(&self, last: &[u8], _: &[u8]) -> bool {
                last.ends_with(b"+")
            }
            fn continues(&self, _: &[u8], _: &[u8], _: &[u8]) -> bool {
                false
            }
            fn may_join(&self, last: &[u8], _: &[u8]) -> bool {
                last.ends_with(b"+")
            }
        }
        let mut b = Batches::new(Box::new(io::Cursor::new(text.clone())), 4096).joining(&Plus);
        let mut all = Vec::new();
        while let Some((off, chunk)) = b.next_batch().unwrap() {
            assert_eq!(off as usize, all.len());
            let last = chunk[..chunk.len() - 1]
                .rsplit(|&c| c == b'\n')
                .next()
                .unwrap();
            assert!(!last.ends_with(b"+") || all.len() + chunk.len() == text.len());
            all.extend_from_slice(&chunk);
        }
        assert_eq!(all, text);
    }

    #[test]
    fn read_error_returns_data_then_error() {
        struct Broken(usize);
        impl Read for Broken {
            fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "truncated"));
                }
                self.0 -= 1;
                b[..3].copy_from_slice(b"ab\n");
                Ok(3)
            }
        }
        let mut b = Batches::new(Box::new(Broken(2)), 4096);
        let (_, first) = b.next_batch().unwrap().unwrap();
        assert_eq!(first, b"ab\nab\n");
        assert!(b.next_batch().is_err());
    }
}
