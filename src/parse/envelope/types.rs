//! The values envelope readers fill and share: `Kind`, `Stream`, `Envelope` with its
//! `Names` and `Carried`, the per-input `Ctx`, and the size limits every reader keeps to. No reading here:
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
    Loki,
    Elasticsearch,
    Cloudwatch,
    GcpLogging,
    Otlp,
}

impl Kind {
    pub const COUNT: usize = 13;
    pub const ALL: [Kind; 13] = [
        Kind::Docker,
        Kind::Cri,
        Kind::KubectlTimestamps,
        Kind::KubectlPrefix,
        Kind::Journald,
        Kind::Syslog,
        Kind::SyslogIso,
        Kind::Syslog5424,
        Kind::Loki,
        Kind::Elasticsearch,
        Kind::Cloudwatch,
        Kind::GcpLogging,
        Kind::Otlp,
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
            Kind::Loki => "loki",
            Kind::Elasticsearch => "elasticsearch",
            Kind::Cloudwatch => "cloudwatch",
            Kind::GcpLogging => "gcp_logging",
            Kind::Otlp => "otlp",
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

/// Request fields a log store keeps beside the line.
#[derive(Clone, Debug, Default)]
pub struct Carried<'a> {
    pub request_id: Option<Cow<'a, str>>,
    pub method: Option<Cow<'a, str>>,
    pub path: Option<Cow<'a, str>>,
    pub status: Option<u16>,
    pub latency_ms: Option<f64>,
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
    /// The log store's own stream name where it has one (CloudWatch's `logStreamName`).
    pub log_stream: Option<Cow<'a, str>>,
    /// Every label or attribute a log store kept with the line (Loki's stream labels, GCP's
    /// `resource.labels` and `labels`, OTLP resource attributes), as it names them, in its
    /// order; the ones above are also read from these.
    pub labels: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// What a log store recorded of the request besides the text (GCP's `httpRequest` and
    /// `trace`, OTLP's `traceId`): the line's own fields when its text has none. Kept here,
    /// behind the names' box, so that every other record's `Envelope` stays as small.
    pub carried: Carried<'a>,
}

impl<'a> Names<'a> {
    /// Takes a store's label: kept in `labels`, and as the pod, container, host or program
    /// when its name is one of the names stores give them.
    pub fn label(&mut self, key: Cow<'a, str>, value: Cow<'a, str>) {
        let slot = match &*key {
            "pod" | "pod_name" | "k8s.pod.name" | "k8s_pod_name" | "kubernetes.pod.name" => {
                Some(&mut self.pod)
            }
            "container"
            | "container_name"
            | "k8s.container.name"
            | "k8s_container_name"
            | "kubernetes.container.name"
            | "container.name" => Some(&mut self.container),
            "host" | "hostname" | "host.name" | "node_name" | "instance_id" => Some(&mut self.host),
            "service_name" | "service.name" | "app" | "job" => Some(&mut self.ident),
            "unit" | "systemd_unit" => Some(&mut self.unit),
            _ => None,
        };
        if let Some(slot) = slot
            && slot.is_none()
        {
            *slot = Some(value.clone());
        }
        if self.labels.len() < MAX_LABELS {
            self.labels.push((key, value));
        }
    }

    /// A label's value by its name.
    pub fn label_value(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }
}

/// Labels kept per line at most: a store's line with thousands is not kept whole.
pub const MAX_LABELS: usize = 64;

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
    pub fn log_stream(&self) -> Option<&str> {
        self.name(|n| &n.log_stream)
    }

    /// The request fields, created on first write.
    pub fn carried_mut(&mut self) -> &mut Carried<'a> {
        &mut self.names_mut().carried
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
