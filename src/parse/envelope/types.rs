//! The values envelope readers fill and share: `Kind`, `Stream`, `Envelope` with its
//! `Names`, the per-input `Ctx`, and the size limits every reader keeps to. No reading here:
//! each envelope's reader is its own file, and `mod.rs` chooses among them.

use std::borrow::Cow;

use crate::parse::level::Level;
use crate::parse::time::{self, Micros, YearRef, Zone, ZoneCache};

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

    pub(super) fn parse(b: &[u8]) -> Option<Stream> {
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

    pub(super) fn mark(&mut self, k: Kind) {
        self.kinds |= k.bit();
    }

    pub(super) fn time(&mut self, ts: Micros, cache: &ZoneCache) {
        self.ts = Some(ts);
        self.ts_local = cache.naive_local;
        self.stamp = None;
    }

    /// Reads a stamp left for later (`stamp`), now that the text turned out to have none.
    pub fn read_stamp(&mut self, ctx: &Ctx<'_>, cache: &mut ZoneCache) {
        if let Some(raw) = self.stamp.take()
            && let Some(ts) = std::str::from_utf8(raw)
                .ok()
                .and_then(|s| time::parse_ts(s, ctx.zone, cache))
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

/// Nested envelopes peeled at most this deep: `[pod/...] <time> <syslog line>` is three.
pub(super) const MAX_DEPTH: usize = 4;

/// Records joined from at most this many bytes of text: a runaway run of fragments is cut
/// here rather than held whole.
pub const MAX_JOINED: usize = 16 << 20;
