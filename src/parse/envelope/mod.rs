//! Envelopes: what container runtimes and hosts wrap around a program's line (Docker
//! json-file, Kubernetes CRI, kubectl's prefixes, journald, syslog). Detected per line from
//! its first bytes, unwrapped down to the program's own text, nested as they come; the
//! envelope's time, level and fields come along. Must not parse the inner text: the caller
//! runs the normal detection on it.

pub mod docker;
pub mod frame;
pub mod journald;
pub mod kube;
pub mod syslog;

use std::borrow::Cow;

use super::Level;
use super::time::{Micros, YearRef, Zone, ZoneCache};

/// The envelope kinds, in the order `inputs[].envelopes` lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Docker,
    Cri,
    KubectlTimestamps,
    KubectlPrefix,
    Journald,
    Syslog,
    SyslogIso,
    Syslog5424,
}

impl Kind {
    pub const COUNT: usize = 8;
    pub const ALL: [Kind; 8] = [
        Kind::Docker,
        Kind::Cri,
        Kind::KubectlTimestamps,
        Kind::KubectlPrefix,
        Kind::Journald,
        Kind::Syslog,
        Kind::SyslogIso,
        Kind::Syslog5424,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Docker => "docker",
            Kind::Cri => "cri",
            Kind::KubectlTimestamps => "kubectl_timestamps",
            Kind::KubectlPrefix => "kubectl_prefix",
            Kind::Journald => "journald",
            Kind::Syslog => "syslog",
            Kind::SyslogIso => "syslog_iso",
            Kind::Syslog5424 => "syslog_5424",
        }
    }

    fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// Which output stream of the program a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    pub fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }

    fn parse(b: &[u8]) -> Option<Stream> {
        match b {
            b"stdout" => Some(Stream::Stdout),
            b"stderr" => Some(Stream::Stderr),
            _ => None,
        }
    }
}

/// What the envelopes of one line said. Empty (`kinds == 0`) for a bare line.
#[derive(Clone, Debug, Default)]
pub struct Envelope<'a> {
    /// One bit per `Kind` met, outermost to innermost.
    pub kinds: u16,
    /// The innermost envelope time: the line's time when its own text has none.
    pub ts: Option<Micros>,
    /// An envelope stamp not read yet (Docker's, CRI's): read only when the text has none.
    pub stamp: Option<&'a [u8]>,
    /// That time as wall-clock digits read as UTC, when its stamp carried no zone.
    pub ts_local: Option<Micros>,
    /// journald's `PRIORITY` or syslog's severity: the level when the text has none.
    pub level: Option<Level>,
    pub stream: Option<Stream>,
    pub pid: Option<u32>,
    /// Where the line came from, when the envelope names it: boxed, since most records
    /// (Docker, CRI) carry none and every parsed record carries an `Envelope`.
    pub names: Option<Box<Names<'a>>>,
}

/// The names an envelope gives the line's source.
#[derive(Clone, Debug, Default)]
pub struct Names<'a> {
    pub pod: Option<Cow<'a, str>>,
    pub container: Option<Cow<'a, str>>,
    pub unit: Option<Cow<'a, str>>,
    pub host: Option<Cow<'a, str>>,
    /// The program's name as syslog and journald record it (`SYSLOG_IDENTIFIER`, the tag).
    pub ident: Option<Cow<'a, str>>,
}

impl<'a> Envelope<'a> {
    /// The names, created on first write.
    pub fn names_mut(&mut self) -> &mut Names<'a> {
        self.names.get_or_insert_with(Box::default)
    }

    fn name<'s>(
        &'s self,
        f: impl Fn(&'s Names<'a>) -> &'s Option<Cow<'a, str>>,
    ) -> Option<&'s str> {
        self.names.as_deref().and_then(|n| f(n).as_deref())
    }

    pub fn pod(&self) -> Option<&str> {
        self.name(|n| &n.pod)
    }
    pub fn container(&self) -> Option<&str> {
        self.name(|n| &n.container)
    }
    pub fn unit(&self) -> Option<&str> {
        self.name(|n| &n.unit)
    }
    pub fn host(&self) -> Option<&str> {
        self.name(|n| &n.host)
    }
    pub fn ident(&self) -> Option<&str> {
        self.name(|n| &n.ident)
    }
}

impl Envelope<'_> {
    pub fn has(&self, k: Kind) -> bool {
        self.kinds & k.bit() != 0
    }

    pub fn kinds(&self) -> impl Iterator<Item = Kind> + '_ {
        Kind::ALL.into_iter().filter(|k| self.has(*k))
    }

    fn mark(&mut self, k: Kind) {
        self.kinds |= k.bit();
    }

    fn time(&mut self, ts: Micros, cache: &ZoneCache) {
        self.ts = Some(ts);
        self.ts_local = cache.naive_local;
        self.stamp = None;
    }

    /// Reads a stamp left for later (`stamp`), now that the text turned out to have none.
    pub fn read_stamp(&mut self, ctx: &Ctx<'_>, cache: &mut ZoneCache) {
        if let Some(raw) = self.stamp.take()
            && let Some(ts) = std::str::from_utf8(raw)
                .ok()
                .and_then(|s| super::time::parse_ts(s, ctx.zone, cache))
        {
            self.time(ts, cache);
        }
    }
}

/// What the parser knows of an input besides its lines: the zone for its naive stamps and
/// the date its year-less stamps are placed near.
pub struct Ctx<'z> {
    pub zone: &'z Zone,
    pub year: YearRef,
}

/// Where the text inside the outer envelope is.
pub enum Outer {
    /// No decoding envelope: the record itself.
    Bare,
    /// The text was decoded or joined into the caller's buffer.
    Buf,
}

/// Nested envelopes peeled at most this deep: `[pod/...] <time> <syslog line>` is three.
const MAX_DEPTH: usize = 4;

/// The outer envelopes that decode or join (Docker json-file decodes a JSON string, CRI
/// fragments join) into `buf`; journald entries are told by their JSON scan instead.
/// `record` may span several physical lines when `joins` joined fragments into it.
pub fn outer<'a>(record: &'a [u8], env: &mut Envelope<'a>, buf: &mut Vec<u8>) -> Outer {
    buf.clear();
    match record.first() {
        Some(b'{') if docker::is_docker(record) => {
            if docker::unwrap(record, env, buf).is_some() {
                return Outer::Buf;
            }
            *env = Envelope::default();
        }
        Some(b'0'..=b'9') if kube::iso_stamp(record) && memchr::memchr(b'\n', record).is_some() => {
            if kube::join_cri(record, env, buf).is_some() {
                return Outer::Buf;
            }
            *env = Envelope::default();
        }
        _ => {}
    }
    buf.clear();
    Outer::Bare
}

/// Peels the envelopes that only frame the text (CRI, kubectl's timestamps and prefix,
/// syslog, journalctl's text), innermost last; returns the program's own text.
pub fn peel<'a>(
    mut text: &'a [u8],
    env: &mut Envelope<'a>,
    ctx: &Ctx<'_>,
    cache: &mut ZoneCache,
) -> &'a [u8] {
    for _ in 0..MAX_DEPTH {
        let next = match text.first() {
            // nginx's own stamps (`2026/12/01`, `127.0.0.1`) are told apart at fixed places.
            Some(b'0'..=b'9') if kube::iso_stamp(text) => kube::cri(text, env)
                .or_else(|| syslog::iso(text, env, ctx, cache))
                .or_else(|| kube::timestamps(text, env, ctx, cache)),
            Some(b'[') => kube::prefix(text, env),
            Some(b'<') => syslog::rfc5424(text, env, ctx, cache)
                .or_else(|| syslog::rfc3164(text, env, ctx, cache)),
            Some(b'A'..=b'S') => syslog::rfc3164(text, env, ctx, cache),
            _ => None,
        };
        match next {
            Some(inner) => text = inner,
            None => break,
        }
    }
    text
}

/// Whether `next` continues the record `prev` ends: a Docker fragment (its `log` without a
/// trailing newline) or a CRI `P` line, followed by a line of the same stream. Decided by
/// the two lines alone, so chunking and the reader agree wherever input is cut.
#[inline]
pub fn joins(prev: &[u8], next: &[u8]) -> bool {
    match prev.first() {
        Some(b'{') => {
            docker::fragment_stream(prev).is_some_and(|s| docker::stream_of(next) == Some(s))
        }
        Some(b'0'..=b'9') if kube::iso_stamp(prev) => {
            kube::cri_partial_stream(prev).is_some_and(|s| kube::cri_stream(next) == Some(s))
        }
        _ => false,
    }
}

/// Whether a line may continue into the next one (a Docker fragment, a CRI `P` line): a
/// stream reader holds it until the next line arrives.
#[inline]
pub fn may_continue(line: &[u8]) -> bool {
    match line.first() {
        Some(b'{') => docker::fragment_stream(line).is_some(),
        Some(b'0'..=b'9') => kube::iso_stamp(line) && kube::cri_partial_stream(line).is_some(),
        _ => false,
    }
}

/// Records joined from at most this many bytes of text: a runaway run of fragments is cut
/// here rather than held whole.
pub const MAX_JOINED: usize = 16 << 20;

#[cfg(test)]
mod tests;
