//! `Parser`: one record of one input -> `Parsed`. Unwraps the envelopes, tells the format of
//! the text inside from its first bytes and hands it to that format's reader; holds what is
//! known per input (`FileCtx`). Calls the readers, which never call back into it; knows
//! nothing about counting.

use std::borrow::Cow;

use super::cache::ParseCache;
use super::envelope::{self, Envelope};
use super::event::{LogEvent, MAX_LATENCY_MS, Parsed};
use super::fields::{self, FieldSpec, Unit};
use super::format::Format;
use super::time::{YearRef, Zone};
use super::{json, log_format, nginx_access, nginx_error, stack, text};

/// What the parser knows of one input besides its lines.
#[derive(Clone, Debug, Default)]
pub struct FileCtx {
    /// The zone of this input's naive stamps; `None`: the parser's zone.
    pub zone: Option<Zone>,
    /// The date this input's year-less stamps are placed near (its mtime, or its newest
    /// dated line); `None`: the parser's.
    pub year: Option<YearRef>,
    /// Who writes this input's access lines, and the unit of their bare timing.
    pub access: nginx_access::Access,
    /// The unit of its latency keys whose name states none (`duration`: Go's slog writes
    /// integer nanoseconds), when its head showed them; `Auto` reads them as seconds.
    pub auto_latency: Unit,
}

/// Everything a worker needs to parse lines; cheap to share across threads.
pub struct Parser {
    pub fields: FieldSpec,
    pub zone: Zone,
    /// Per input, by index; inputs beyond the list take the defaults.
    files: Vec<FileCtx>,
    year: YearRef,
    nginx_error: nginx_error::Classifier,
    /// The user's access-log formats, tried before the built-in readers.
    log_formats: Vec<log_format::LogFormat>,
}

impl Parser {
    pub fn new(fields: FieldSpec, zone: Zone) -> Parser {
        let now = chrono::Utc::now().timestamp_micros();
        Parser {
            fields,
            zone,
            files: Vec::new(),
            year: YearRef::of(now).expect("the current date"),
            nginx_error: nginx_error::Classifier::new(),
            log_formats: Vec::new(),
        }
    }

    /// Reads access lines with these formats first (`--nginx-log-format`, `--nginx-conf`).
    pub fn with_log_formats(mut self, formats: Vec<log_format::LogFormat>) -> Parser {
        self.log_formats = formats;
        self
    }

    /// Sets what is known of each input (by index).
    pub fn with_files(mut self, files: Vec<FileCtx>) -> Parser {
        self.files = files;
        self
    }

    /// Reads input `file`'s naive stamps in `zone` from now on.
    pub fn set_zone(&mut self, file: u32, zone: Zone) {
        let i = file as usize;
        if self.files.len() <= i {
            self.files.resize(i + 1, FileCtx::default());
        }
        self.files[i].zone = Some(zone);
    }

    pub fn file(&self, file: u32) -> Option<&FileCtx> {
        self.files.get(file as usize)
    }

    /// How input `file`'s access lines read.
    pub fn access_of(&self, file: u32) -> &nginx_access::Access {
        static NGINX: nginx_access::Access = nginx_access::Access {
            producer: nginx_access::Producer::Nginx,
            unit: Unit::S,
            echo: false,
        };
        self.file(file).map_or(&NGINX, |f| &f.access)
    }

    /// The zone naive stamps of input `file` are read in.
    pub fn zone_of(&self, file: u32) -> &Zone {
        self.file(file)
            .and_then(|f| f.zone.as_ref())
            .unwrap_or(&self.zone)
    }

    /// Unwraps the envelopes of one record of input `file` (a line without its newline, or
    /// several that `envelope::joins` joined), detects the format of the text inside from
    /// its first bytes and parses it. Decoded text lives in `buf`, which the event borrows.
    pub fn parse<'a>(
        &self,
        file: u32,
        record: &'a [u8],
        cache: &mut ParseCache,
        buf: &'a mut Vec<u8>,
    ) -> Parsed<'a> {
        let mut out = Parsed::Blank;
        self.parse_into(file, record, cache, buf, &mut out);
        out
    }

    /// Parses one record as the reader delivered it: its head (the line, or its envelope
    /// fragments) by format, then what its continuation lines add (a traceback's error type),
    /// or, when no format read the head, whether the whole record is a bare stack.
    pub fn parse_record_into<'a>(
        &self,
        file: u32,
        record: &'a [u8],
        head: usize,
        cache: &mut ParseCache,
        buf: &'a mut Vec<u8>,
        out: &mut Parsed<'a>,
    ) {
        let (h, tail) = match record.get(head) {
            Some(_) => (&record[..head], Some(&record[head + 1..])),
            None => (record, None),
        };
        self.parse_into(file, h, cache, buf, out);
        if let Parsed::Event(e) = out
            && let Some(ms) = e.latency_ms
            && !(0.0..=MAX_LATENCY_MS).contains(&ms)
        {
            e.latency_ms = None;
            e.latency_out_of_range = true;
        }
        if let Parsed::Event(e) = out
            && e.status.is_some()
            && e.format.is_some_and(Format::is_server_access)
            && self.access_of(file).echo
        {
            e.echoed_status = e.status.take();
        }
        match out {
            Parsed::Event(e) => {
                if let Some(t) = tail {
                    if e.env.kinds != 0 {
                        stack::add_framed_tail(e, envelope::frame::texts(t));
                    } else {
                        stack::add_tail(e, t);
                    }
                }
            }
            Parsed::Unparsed => {
                if let Some(e) = stack::bare(h.strip_suffix(b"\r").unwrap_or(h), tail) {
                    *out = Parsed::Event(e);
                }
            }
            Parsed::Blank => {}
        }
    }

    /// `parse_record_into`, returned.
    pub fn parse_record<'a>(
        &self,
        file: u32,
        record: &'a [u8],
        head: usize,
        cache: &mut ParseCache,
        buf: &'a mut Vec<u8>,
    ) -> Parsed<'a> {
        let mut out = Parsed::Blank;
        self.parse_record_into(file, record, head, cache, buf, &mut out);
        out
    }

    /// `parse` into the caller's value: the event is built where it stays, which on the hot
    /// path saves moving a few hundred bytes per line.
    pub fn parse_into<'a>(
        &self,
        file: u32,
        record: &'a [u8],
        cache: &mut ParseCache,
        buf: &'a mut Vec<u8>,
        out: &mut Parsed<'a>,
    ) {
        let line = record.strip_suffix(b"\r").unwrap_or(record);
        // A byte-order mark opens files some Windows tools write (and every file after the
        // first in a concatenation of them): not part of the line.
        let line = match line {
            [0xEF, 0xBB, 0xBF, rest @ ..] => rest,
            _ => line,
        };
        let fc = self.file(file);
        cache.auto_latency = fc.map_or(Unit::Auto, |f| f.auto_latency);
        let zone = fc.and_then(|f| f.zone.as_ref()).unwrap_or(&self.zone);
        let ctx = envelope::Ctx {
            zone,
            year: fc.and_then(|f| f.year).unwrap_or(self.year),
        };
        // A bare JSON line, the common case: no envelope to peel. A journald entry's keys
        // come in any order; the JSON scan of the line says whether it is one.
        if line.first() == Some(&b'{') && !envelope::docker::is_docker(line) {
            cache.zone.naive_local = None;
            cache.json_flags = 0;
            *out = Parsed::Event(LogEvent::default());
            let Parsed::Event(e) = out else {
                unreachable!("just set")
            };
            if !json::parse_into(line, &self.fields, zone, cache, e) {
                *out = Parsed::Unparsed;
                return;
            }
            e.ts_local = e.ts.and(cache.zone.naive_local);
            let mut env = Envelope::default();
            let flags = cache.json_flags;
            if flags & (fields::JOURNAL | fields::STORES) == 0 {
                return;
            }
            let unwrapped = if flags & fields::JOURNAL != 0 {
                envelope::journald::unwrap(line, &mut env, buf)
            } else {
                envelope::store(line, flags, &mut env, buf)
            };
            if unwrapped.is_some() {
                let decoded: &'a Vec<u8> = buf;
                self.inner(file, decoded, &mut env, &ctx, cache, out);
            }
            return;
        }
        let mut env = Envelope::default();
        let bare = match envelope::outer(line, &mut env, buf) {
            envelope::Outer::Bare => true,
            envelope::Outer::Buf => false,
        };
        if bare {
            self.inner(file, line, &mut env, &ctx, cache, out);
            // A line no format read for its invalid UTF-8 (nginx writes request bytes raw
            // into its error log) is read again with the bad bytes replaced.
            if matches!(out, Parsed::Unparsed) && std::str::from_utf8(line).is_err() {
                buf.clear();
                buf.extend_from_slice(String::from_utf8_lossy(line).as_bytes());
                let mut env = Envelope::default();
                let lossy: &'a Vec<u8> = buf;
                self.inner(file, lossy, &mut env, &ctx, cache, out);
            }
            return;
        }
        let decoded: &'a Vec<u8> = buf;
        self.inner(file, decoded, &mut env, &ctx, cache, out);
    }

    /// Peels the envelopes that only frame `text`, detects and parses the program's text,
    /// and lets the envelope fill in what the text lacks.
    fn inner<'a>(
        &self,
        file: u32,
        text: &'a [u8],
        env: &mut Envelope<'a>,
        ctx: &envelope::Ctx<'_>,
        cache: &mut ParseCache,
        out: &mut Parsed<'a>,
    ) {
        let text = envelope::peel(text, env, ctx, &mut cache.zone);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        let start = text.iter().position(|b| !b.is_ascii_whitespace());
        if start.is_none() && env.kinds == 0 {
            *out = Parsed::Blank;
            return;
        }
        let body = &text[start.unwrap_or(text.len())..];
        cache.zone.naive_local = None;
        cache.json_flags = 0;
        *out = Parsed::Event(LogEvent::default());
        let Parsed::Event(e) = out else {
            unreachable!("just set")
        };
        // An envelope with no text (journalctl's null for a long field) still says when.
        let access = self.access_of(file);
        let parsed = !body.is_empty() && self.detect(body, ctx.zone, access, cache, e);
        if parsed {
            e.ts_local = e.ts.and(cache.zone.naive_local);
        } else if env.kinds == 0 {
            *out = Parsed::Unparsed;
            return;
        } else {
            e.format = Some(Format::Text);
            e.msg = (!body.is_empty()).then(|| match simdutf8::basic::from_utf8(body) {
                Ok(s) => Cow::Borrowed(s.trim_end()),
                Err(_) => Cow::Owned(String::from_utf8_lossy(body).trim_end().to_owned()),
            });
        }
        if env.kinds == 0 {
            return;
        }
        if e.ts.is_none() {
            env.read_stamp(ctx, &mut cache.zone);
            e.ts = env.ts;
            e.ts_local = env.ts_local;
        }
        e.level = e.level.or(env.level);
        if let Some(n) = env.names.as_deref_mut() {
            carry(std::mem::take(&mut n.carried), e);
        }
        e.inner = Some(body);
        e.env = std::mem::take(env);
    }

    /// The formats of a program's own text, told apart by the first byte; fills `ev` (a
    /// default event) and says whether one matched.
    #[inline]
    fn detect<'a>(
        &self,
        body: &'a [u8],
        zone: &Zone,
        access: &nginx_access::Access,
        cache: &mut ParseCache,
        ev: &mut LogEvent<'a>,
    ) -> bool {
        match body[0] {
            b'{' => json::parse_into(body, &self.fields, zone, cache, ev),
            b'0'..=b'9' if nginx_error::looks_like(body) => simdutf8::basic::from_utf8(body)
                .ok()
                .and_then(|s| self.nginx_error.parse_into(s, zone, &mut cache.zone, ev))
                .is_some(),
            _ => {
                let Ok(s) = simdutf8::basic::from_utf8(body) else {
                    return false;
                };
                if self
                    .log_formats
                    .iter()
                    .any(|f| f.parse_into(s, zone, &mut cache.zone, ev))
                {
                    return true;
                }
                // An access line's first token is its client (an address or a host), never
                // a `key=`: a logfmt line is not searched for its `[` first.
                let logfmt = text::logfmt::looks_like(body);
                (!logfmt
                    && nginx_access::parse_into(s, zone, &mut cache.zone, access, ev).is_some())
                    || text::parse_into(
                        s,
                        &self.fields,
                        zone,
                        &mut cache.zone,
                        &mut cache.text_keys,
                        cache.auto_latency,
                        ev,
                    )
            }
        }
    }
}

/// What a log store kept of the request, where the text says nothing of it: out of line, as
/// only store records carry any.
#[inline(never)]
fn carry<'a>(c: envelope::Carried<'a>, e: &mut LogEvent<'a>) {
    e.request_id = e.request_id.take().or(c.request_id);
    e.method = e.method.take().or(c.method);
    e.path = e.path.take().or(c.path);
    e.status = e.status.or(c.status);
    e.latency_ms = e.latency_ms.or(c.latency_ms);
}
