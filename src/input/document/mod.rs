//! Documents that hold many records in one JSON value (a JSON array such as `gcloud logging
//! read --format=json`, an Elasticsearch `_search` response, a Loki `query_range` response,
//! `aws logs filter-log-events` output, OTLP JSON exports, pretty-printed JSON): told from an
//! input's first bytes when it is opened, and read as a stream of one compact JSON line per
//! record, in bounded memory. Knows where these exports keep their records and what a record
//! inherits from around it (a Loki stream's labels, an OTLP resource and scope), never what a
//! record means: the envelope readers in `parse/` unwrap the lines this writes.
//!
//! A line of the stream is one record, so an input's `lines` are its records and a line
//! number (`trace`, samples) is the record's index, 1-based, in document order.

mod scan;
#[cfg(test)]
mod tests;

use std::io::{self, Read};

use scan::{Res, Src, Stop};

/// A record longer than this (compact) is cut here: its first bytes and one more go out as
/// its line, which the line reader then counts oversized (`--max-line`) or unparsed, and
/// the rest of it is read and dropped.
pub const MAX_RECORD: usize = 16 << 20;
/// What a record inherits (a Loki stream's labels, an OTLP resource or scope) is kept up to
/// this size; a larger one is dropped (the records then go out without it).
const MAX_CONTEXT: usize = 1 << 20;
/// Keys are compared by at most this many bytes.
const MAX_KEY: usize = 64;

/// Whether an input whose first bytes are `head` is a document rather than lines: a JSON
/// array of objects, a JSON object whose first line is only `{` (pretty-printed), or an
/// object whose first key is that of a store's export.
pub fn sniff(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut it = head
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, b)| !b.is_ascii_whitespace());
    match it.next() {
        Some((_, b'[')) => matches!(it.next(), Some((_, b'{' | b']'))),
        Some((at, b'{')) => {
            let line_end = memchr::memchr(b'\n', &head[at..]).map_or(head.len(), |p| at + p);
            if head[at + 1..line_end].iter().all(u8::is_ascii_whitespace) && line_end < head.len() {
                return true;
            }
            let Some((k, _)) = it.next().filter(|&(_, b)| b == b'"') else {
                return false;
            };
            let rest = &head[k + 1..];
            let Some(end) = memchr::memchr(b'"', rest) else {
                return false;
            };
            let after = rest[end + 1..]
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace() && *b != b':')
                .take(2)
                .collect::<Vec<u8>>();
            match &rest[..end] {
                b"resourceLogs" | b"took" | b"timed_out" | b"_scroll_id" | b"pit_id" => true,
                b"events" | b"entries" => matches!(after[..], [b'[', b'{' | b']']),
                b"status" => {
                    memchr::memmem::find(&head[..head.len().min(512)], b"\"resultType\"").is_some()
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// How a record array's elements go out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wrap {
    /// As they are.
    Plain,
    /// A Loki `values` pair, with its stream's labels: `{"stream":{..},"values":[pair]}`.
    Loki,
    /// An OTLP log record with its resource and scope, as a one-record `LogsData`.
    Otlp,
}

/// The objects whose members matter, by what they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// The rest of a top-level object found to hold records: skipped.
    Rest,
    /// An Elasticsearch response's `hits`, holding `hits[]`.
    EsHits,
    /// A Loki response's `data`, holding `result[]`.
    LokiData,
    /// One Loki stream: `stream` labels, `values[]`.
    LokiStream,
    /// OTLP `resourceLogs[]` element: `resource`, `scopeLogs[]`.
    OtlpResource,
    /// OTLP `scopeLogs[]` element: `scope`, `logRecords[]`.
    OtlpScope,
}

/// Where the reader stands, innermost last.
#[derive(Debug)]
enum Frame {
    /// Members of a top-level object not yet known to hold records: copied into `pending`,
    /// which goes out as a record if no member holds records.
    Top {
        first: bool,
    },
    Object {
        role: Role,
        first: bool,
    },
    /// Elements that are objects of `role`.
    Array {
        role: Role,
        first: bool,
    },
    /// Elements that are records.
    Records {
        wrap: Wrap,
        first: bool,
    },
}

/// A document read as one compact JSON line per record.
pub struct Document {
    src: Src,
    stack: Vec<Frame>,
    /// The top-level object being read, while it may still be a record.
    pending: Vec<u8>,
    pending_cut: bool,
    key: Vec<u8>,
    rec: Vec<u8>,
    /// Loki stream labels; OTLP resource and scope.
    stream: Vec<u8>,
    resource: Vec<u8>,
    scope: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    /// Records written, and those cut at `MAX_RECORD`.
    pub records: u64,
    pub cut: u64,
    done: bool,
    /// The error that ended the document: given on every read once the records before it
    /// are out, so a reader that stops at it early (a peek at the head) does not hide it.
    failed: Option<(io::ErrorKind, String)>,
}

impl Document {
    pub fn new(r: Box<dyn Read + Send>) -> Document {
        Document {
            src: Src::new(r),
            stack: Vec::new(),
            pending: Vec::new(),
            pending_cut: false,
            key: Vec::new(),
            rec: Vec::new(),
            stream: Vec::new(),
            resource: Vec::new(),
            scope: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            records: 0,
            cut: 0,
            done: false,
            failed: None,
        }
    }

    /// One record out, with a newline.
    fn emit(&mut self, wrap: Wrap, cut: bool) {
        let r = &self.rec;
        let o = &mut self.out;
        let or_empty = |v: &[u8]| if v.is_empty() { &b"{}"[..] } else { v }.to_vec();
        match wrap {
            Wrap::Plain => o.extend_from_slice(r),
            Wrap::Loki => {
                o.extend_from_slice(br#"{"stream":"#);
                o.extend_from_slice(&or_empty(&self.stream));
                o.extend_from_slice(br#","values":["#);
                o.extend_from_slice(r);
                o.extend_from_slice(b"]}");
            }
            Wrap::Otlp => {
                o.extend_from_slice(br#"{"resourceLogs":[{"resource":"#);
                o.extend_from_slice(&or_empty(&self.resource));
                o.extend_from_slice(br#","scopeLogs":[{"scope":"#);
                o.extend_from_slice(&or_empty(&self.scope));
                o.extend_from_slice(br#","logRecords":["#);
                o.extend_from_slice(r);
                o.extend_from_slice(b"]}]}]}");
            }
        }
        o.push(b'\n');
        self.records += 1;
        self.cut += u64::from(cut);
    }

    /// Before an element or member: the closing byte ends the frame (true); else, unless it
    /// is the first, a comma comes first.
    fn next_item(&mut self, close: u8, first: bool) -> Res<bool> {
        let Some(b) = self.src.skip_ws()? else {
            return Err(Stop::Eof);
        };
        if b == close {
            self.src.bump();
            return Ok(true);
        }
        if !first {
            if b != b',' {
                return Err(self.src.syntax("',' or a closing bracket", b));
            }
            self.src.bump();
        }
        Ok(false)
    }

    /// Reads until at least one record is out or the document ends.
    fn step(&mut self) -> Res<()> {
        let Some(frame) = self.stack.last_mut() else {
            return self.top();
        };
        match frame {
            Frame::Records { wrap, first } => {
                let (wrap, was_first) = (*wrap, *first);
                *first = false;
                if self.next_item(b']', was_first)? {
                    self.stack.pop();
                    return Ok(());
                }
                self.rec.clear();
                let fit = self.src.value(Some(&mut self.rec), MAX_RECORD)?;
                self.emit(wrap, !fit);
            }
            Frame::Array { role, first } => {
                let (role, was_first) = (*role, *first);
                *first = false;
                if self.next_item(b']', was_first)? {
                    self.stack.pop();
                    return Ok(());
                }
                if self.src.skip_ws()? == Some(b'{') {
                    self.src.bump();
                    match role {
                        Role::LokiStream => self.stream.clear(),
                        Role::OtlpResource => self.resource.clear(),
                        Role::OtlpScope => self.scope.clear(),
                        _ => {}
                    }
                    self.stack.push(Frame::Object { role, first: true });
                } else {
                    self.src.value(None, 0)?;
                }
            }
            Frame::Object { role, first } => {
                let (role, was_first) = (*role, *first);
                *first = false;
                if self.next_item(b'}', was_first)? {
                    self.stack.pop();
                    return Ok(());
                }
                self.src.key(&mut self.key, None, MAX_KEY)?;
                self.member(role)?;
            }
            Frame::Top { first } => {
                let was_first = *first;
                *first = false;
                if self.next_item(b'}', was_first)? {
                    self.stack.pop();
                    self.pending.push(b'}');
                    self.rec = std::mem::take(&mut self.pending);
                    self.emit(Wrap::Plain, self.pending_cut);
                    return Ok(());
                }
                if !was_first {
                    self.pending.push(b',');
                }
                self.src
                    .key(&mut self.key, Some(&mut self.pending), MAX_KEY)?;
                self.pending.push(b':');
                if let Some(inner) = self.holds_records() {
                    let open = match inner {
                        Frame::Object { .. } => b'{',
                        _ => b'[',
                    };
                    if self.src.skip_ws()? == Some(open) {
                        // A container after all: what was copied of it is no record.
                        self.src.bump();
                        self.pending.clear();
                        self.stack.pop();
                        self.stack.push(Frame::Object {
                            role: Role::Rest,
                            first: false,
                        });
                        self.stack.push(inner);
                        return Ok(());
                    }
                }
                let room = MAX_RECORD.saturating_sub(self.pending.len());
                if !self.src.value(Some(&mut self.pending), room)? {
                    self.pending_cut = true;
                }
            }
        }
        Ok(())
    }

    /// Between top-level values: the next one starts, or the document ends.
    fn top(&mut self) -> Res<()> {
        match self.src.skip_ws()? {
            None => {
                self.done = true;
                Ok(())
            }
            Some(b'[') => {
                self.src.bump();
                self.stack.push(Frame::Records {
                    wrap: Wrap::Plain,
                    first: true,
                });
                Ok(())
            }
            Some(b'{') => {
                self.src.bump();
                self.pending.clear();
                self.pending.push(b'{');
                self.pending_cut = false;
                self.stack.push(Frame::Top { first: true });
                Ok(())
            }
            // A byte-order mark before the first value.
            Some(0xEF) if self.src.offset() == 0 => {
                for _ in 0..3 {
                    self.src.bump();
                }
                Ok(())
            }
            Some(b) => Err(self.src.syntax("a JSON object or array", b)),
        }
    }

    /// Whether the top-level key just read holds the records, given the members before it
    /// (`pending`): the frame its value opens.
    fn holds_records(&self) -> Option<Frame> {
        let before = |k: &[u8]| memchr::memmem::find(&self.pending, k).is_some();
        let records = Frame::Records {
            wrap: Wrap::Plain,
            first: true,
        };
        match &self.key[..] {
            b"resourceLogs" => Some(Frame::Array {
                role: Role::OtlpResource,
                first: true,
            }),
            b"events" | b"entries" => Some(records),
            b"hits"
                if before(b"\"took\"") || before(b"\"timed_out\"") || before(b"\"_scroll_id\"") =>
            {
                Some(Frame::Object {
                    role: Role::EsHits,
                    first: true,
                })
            }
            b"data" if before(b"\"status\"") => Some(Frame::Object {
                role: Role::LokiData,
                first: true,
            }),
            _ => None,
        }
    }

    /// A member of an object whose role is known, at its value.
    fn member(&mut self, role: Role) -> Res<()> {
        let k = &self.key[..];
        let (array, push) = match (role, k) {
            (Role::EsHits, b"hits") => (
                true,
                Frame::Records {
                    wrap: Wrap::Plain,
                    first: true,
                },
            ),
            (Role::LokiData, b"result") => (
                true,
                Frame::Array {
                    role: Role::LokiStream,
                    first: true,
                },
            ),
            (Role::LokiStream, b"values") => (
                true,
                Frame::Records {
                    wrap: Wrap::Loki,
                    first: true,
                },
            ),
            (Role::OtlpResource, b"scopeLogs") => (
                true,
                Frame::Array {
                    role: Role::OtlpScope,
                    first: true,
                },
            ),
            (Role::OtlpScope, b"logRecords") => (
                true,
                Frame::Records {
                    wrap: Wrap::Otlp,
                    first: true,
                },
            ),
            (Role::LokiStream, b"stream") => return context(&mut self.src, &mut self.stream),
            (Role::OtlpResource, b"resource") => return context(&mut self.src, &mut self.resource),
            (Role::OtlpScope, b"scope") => return context(&mut self.src, &mut self.scope),
            _ => {
                self.src.value(None, 0)?;
                return Ok(());
            }
        };
        if array && self.src.skip_ws()? == Some(b'[') {
            self.src.bump();
            self.stack.push(push);
        } else {
            // Not the array it should be (`null`, say): nothing to read in it.
            self.src.value(None, 0)?;
        }
        Ok(())
    }

    /// The error a stop becomes, naming how far the document was read.
    fn error(&self, stop: Stop) -> io::Error {
        let at = self.src.offset();
        let n = self.records;
        match stop {
            Stop::Io(e) => e,
            Stop::Eof => io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "JSON document cut short at byte {at}, inside a value; the {n} records before are read"
                ),
            ),
            Stop::Syntax(what) => io::Error::new(
                io::ErrorKind::InvalidData,
                format!("not a JSON document: {what}; the {n} records before are read"),
            ),
        }
    }
}

/// A context value (labels, resource, scope) copied into `into`; dropped when too large.
fn context(src: &mut Src, into: &mut Vec<u8>) -> Res<()> {
    into.clear();
    if !src.value(Some(into), MAX_CONTEXT)? {
        into.clear();
    }
    Ok(())
}

/// Lines are handed out about this many bytes at a time.
const OUT_BATCH: usize = 64 << 10;

impl Read for Document {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos == self.out.len() {
            self.out.clear();
            self.out_pos = 0;
            if let Some((kind, msg)) = &self.failed {
                return Err(io::Error::new(*kind, msg.clone()));
            }
            while !self.done && self.out.len() < OUT_BATCH {
                if let Err(stop) = self.step() {
                    self.done = true;
                    let e = self.error(stop);
                    self.failed = Some((e.kind(), e.to_string()));
                    if self.out.is_empty() {
                        return Err(e);
                    }
                    // Hand out what was read; the error comes on the next call.
                }
            }
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}
