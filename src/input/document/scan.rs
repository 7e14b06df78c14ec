//! The byte-level half of document streaming: a buffered reader over a JSON document that
//! skips whitespace, reads keys and copies one whole value compactly (whitespace outside
//! strings dropped) into a buffer of the caller's, up to a cap, tracking only strings,
//! escapes and bracket depth. Holds at most its read buffer and the value being copied;
//! never builds a tree, never decodes a string, never decides what a value means.

use std::io::{self, Read};

/// How reading a document stopped early.
#[derive(Debug)]
pub enum Stop {
    /// The source failed (a truncated gzip stream, an I/O error).
    Io(io::Error),
    /// The bytes are not JSON where a value, key or separator must be.
    Syntax(String),
    /// The document ended inside a value.
    Eof,
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Stop {
        Stop::Io(e)
    }
}

pub type Res<T> = Result<T, Stop>;

/// A buffered source with its position in the document.
pub struct Src {
    r: Box<dyn Read + Send>,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    /// Document bytes before `buf[0]`.
    base: u64,
    eof: bool,
}

const BUF: usize = 256 << 10;

impl Src {
    pub fn new(r: Box<dyn Read + Send>) -> Src {
        Src {
            r,
            buf: vec![0; BUF].into_boxed_slice(),
            pos: 0,
            len: 0,
            base: 0,
            eof: false,
        }
    }

    /// The offset of the next byte in the document.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Makes `buf[pos..len]` non-empty unless the source has ended; false at its end.
    fn fill(&mut self) -> io::Result<bool> {
        while self.pos == self.len {
            if self.eof {
                return Ok(false);
            }
            self.base += self.len as u64;
            self.pos = 0;
            self.len = 0;
            match self.r.read(&mut self.buf) {
                Ok(0) => self.eof = true,
                Ok(n) => self.len = n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    pub fn bump(&mut self) {
        self.pos += 1;
    }

    /// The next byte that is not JSON whitespace, not consumed; `None` at the end.
    pub fn skip_ws(&mut self) -> Res<Option<u8>> {
        loop {
            if !self.fill()? {
                return Ok(None);
            }
            let rest = &self.buf[self.pos..self.len];
            match rest
                .iter()
                .position(|b| !matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
            {
                Some(i) => {
                    self.pos += i;
                    return Ok(Some(self.buf[self.pos]));
                }
                None => self.pos = self.len,
            }
        }
    }

    /// Skips whitespace and requires `want` next, consumed.
    pub fn expect(&mut self, want: u8, what: &str) -> Res<()> {
        match self.skip_ws()? {
            Some(b) if b == want => {
                self.bump();
                Ok(())
            }
            Some(b) => Err(self.syntax(what, b)),
            None => Err(Stop::Eof),
        }
    }

    pub fn syntax(&self, what: &str, got: u8) -> Stop {
        Stop::Syntax(format!(
            "expected {what} at byte {} of the document, found {}",
            self.offset(),
            shown(got)
        ))
    }

    /// A key and its colon: the key's raw bytes between the quotes (escapes as written)
    /// into `key`, at most `cap` of them kept; the quoted key also into `copy` when given.
    pub fn key(&mut self, key: &mut Vec<u8>, copy: Option<&mut Vec<u8>>, cap: usize) -> Res<()> {
        key.clear();
        match self.skip_ws()? {
            Some(b'"') => {}
            Some(b) => return Err(self.syntax("a key", b)),
            None => return Err(Stop::Eof),
        }
        let start = key.len();
        self.string(key, cap)?;
        if let Some(c) = copy {
            c.extend_from_slice(&key[start..]);
        }
        // The quotes are not part of the key as compared.
        key.remove(0);
        key.pop();
        self.expect(b':', "':' after a key")
    }

    /// Copies a string (at its opening quote) with its quotes into `out`, bytes past `cap`
    /// dropped; a raw newline inside it (invalid JSON) becomes `\n`, so a copied value never
    /// spans lines.
    fn string(&mut self, out: &mut Vec<u8>, cap: usize) -> Res<()> {
        self.bump();
        push(out, b"\"", cap);
        loop {
            if !self.fill()? {
                return Err(Stop::Eof);
            }
            let rest = &self.buf[self.pos..self.len];
            let Some(i) = memchr::memchr3(b'"', b'\\', b'\n', rest) else {
                push(out, rest, cap);
                self.pos = self.len;
                continue;
            };
            push(out, &rest[..i], cap);
            let c = rest[i];
            self.pos += i + 1;
            match c {
                b'"' => {
                    push(out, b"\"", cap);
                    return Ok(());
                }
                b'\n' => push(out, b"\\n", cap),
                _ => {
                    // An escape: the backslash and the byte after it, whatever it is.
                    push(out, b"\\", cap);
                    if !self.fill()? {
                        return Err(Stop::Eof);
                    }
                    let e = self.buf[self.pos];
                    self.pos += 1;
                    push(
                        out,
                        if e == b'\n' {
                            b"n"
                        } else {
                            std::slice::from_ref(&e)
                        },
                        cap,
                    );
                }
            }
        }
    }

    /// Copies one value compactly into `out` (or only reads past it when `out` is `None`).
    /// Past `cap` bytes the rest is read and dropped; returns whether it all fit. Strings,
    /// escapes and depth are tracked, nothing else is checked: the reader of the copy judges it.
    pub fn value(&mut self, mut out: Option<&mut Vec<u8>>, cap: usize) -> Res<bool> {
        let start = out.as_ref().map_or(0, |o| o.len());
        let mut sink = Vec::new();
        let mut depth = 0u32;
        loop {
            let Some(b) = self.skip_ws()? else {
                return Err(Stop::Eof);
            };
            let o: &mut Vec<u8> = match out.as_deref_mut() {
                Some(o) => o,
                None => {
                    sink.clear();
                    &mut sink
                }
            };
            // Bytes of this value kept so far, against the cap.
            let room = cap.saturating_add(start);
            match b {
                b'"' => self.string(o, room)?,
                b'{' | b'[' => {
                    depth += 1;
                    self.bump();
                    push(o, &[b], room);
                    continue;
                }
                b'}' | b']' if depth > 0 => {
                    depth -= 1;
                    self.bump();
                    push(o, &[b], room);
                }
                b',' | b':' if depth > 0 => {
                    self.bump();
                    push(o, &[b], room);
                    continue;
                }
                b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => self.scalar(o, room)?,
                other => return Err(self.syntax("a value", other)),
            }
            if depth == 0 {
                let fit = out.as_ref().is_none_or(|o| o.len() - start <= cap);
                return Ok(fit);
            }
        }
    }

    /// A number or literal: its bytes up to the next delimiter.
    fn scalar(&mut self, out: &mut Vec<u8>, cap: usize) -> Res<()> {
        loop {
            if !self.fill()? {
                return Ok(());
            }
            let rest = &self.buf[self.pos..self.len];
            let end = rest.iter().position(|b| {
                matches!(
                    b,
                    b',' | b']' | b'}' | b':' | b' ' | b'\n' | b'\r' | b'\t' | b'"' | b'{' | b'['
                )
            });
            match end {
                Some(i) => {
                    push(out, &rest[..i], cap);
                    self.pos += i;
                    return Ok(());
                }
                None => {
                    push(out, rest, cap);
                    self.pos = self.len;
                }
            }
        }
    }
}

/// Appends `bytes` while `out` holds at most `cap` bytes, then one byte more at most (so a
/// reader can tell the value was cut).
#[inline]
fn push(out: &mut Vec<u8>, bytes: &[u8], cap: usize) {
    let room = cap.saturating_add(1).saturating_sub(out.len());
    out.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// A byte as an error message shows it.
fn shown(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}
