//! What the commands learn from the heads of their inputs before reading them whole: the
//! date year-less stamps are placed near, who writes the access lines, a latency key's unit
//! (`heads`), and the zone naive stamps are read in (`zones_for_lines`, `readings`). Shared
//! by every subcommand that reads logs; must not aggregate, print results or import
//! `cmd/mod.rs` (which uses this file).

use std::io::{self, Write};

use crate::aggregate::zones::{self, InputFacts, Reading, ZoneEvidence};
use crate::config::InputConfig;
use crate::engine::{self, Tuning};
use crate::input::{self, Opened};
use crate::parse::envelope::Kind;
use crate::parse::{
    FileCtx, ParseCache, Parsed, Parser, Source, Unit, YearRef, Zone, nginx_access,
};

/// Bytes at the head of each input searched for a dated line, to place year-less stamps.
const YEAR_SAMPLE: usize = 1 << 20;

/// What the parser needs to know of each input: the date its year-less stamps (RFC 3164
/// syslog) are placed near, from the newest dated line in its first MiB, else its mtime.
pub fn file_contexts(opened: &mut [Opened], parser: &Parser) -> Vec<FileCtx> {
    heads(opened, parser).0
}

/// `file_contexts`, and whether the inputs' first MiB hold both stamps without a zone and
/// stamps with one: only then is zone evidence worth gathering.
pub fn heads(opened: &mut [Opened], parser: &Parser) -> (Vec<FileCtx>, bool) {
    let (mut naive, mut zoned) = (false, false);
    let mut cache = ParseCache::default();
    let mut text = Vec::new();
    let contexts = opened
        .iter_mut()
        .enumerate()
        .map(|(i, o)| {
            let head = o.head(YEAR_SAMPLE);
            let whole = if head.len() == YEAR_SAMPLE {
                memchr::memrchr(b'\n', &head).map_or(0, |p| p + 1)
            } else {
                head.len()
            };
            let mut newest = None;
            let mut access = nginx_access::Evidence::default();
            let (mut latencies, mut huge) = (0u32, 0u32);
            input::chunk::for_each_record(&head[..whole], &engine::RULES, |_, rec| {
                let parsed =
                    parser.parse_record(i as u32, rec.bytes, rec.head, &mut cache, &mut text);
                if let Parsed::Event(ev) = parsed {
                    naive |= ev.ts_local.is_some();
                    zoned |= ev.ts.is_some() && ev.ts_local.is_none();
                    if !(ev.env.has(Kind::Syslog) && ev.ts == ev.env.ts) {
                        newest = newest.max(ev.ts);
                    }
                    access.observe(&ev, rec.head());
                    if ev.source() == Source::App
                        && let Some(ms) = ev.latency_ms
                    {
                        latencies += 1;
                        // Read as seconds, a million of them: the key meant a smaller unit.
                        huge += (ms >= 1e9) as u32;
                    }
                }
            });
            FileCtx {
                zone: None,
                year: newest
                    .and_then(YearRef::near)
                    .or_else(|| o.modified.and_then(YearRef::of)),
                access: access.decide(&o.name),
                // Integer nanoseconds (Go's `time.Duration`) under a key that names no unit.
                auto_latency: if huge * 2 > latencies {
                    Unit::Ns
                } else {
                    Unit::Auto
                },
            }
        })
        .collect();
    (contexts, naive && zoned)
}

/// Bytes at the head of each input that `trace` and `filter` read for zone evidence.
const ZONE_SAMPLE: usize = 64 << 20;

/// For the commands that do not aggregate (`trace`, `filter`): without `--tz`, the zone of
/// each input's naive stamps from the evidence in its first `ZONE_SAMPLE` bytes; the parser
/// that reads them so, and the readings (notes go to `diag`).
pub fn zones_for_lines(
    ic: &InputConfig,
    opened: &mut [Opened],
    parser: Parser,
    tune: Tuning,
    diag: &mut dyn Write,
) -> io::Result<(Parser, Vec<Option<Reading>>)> {
    let mut contexts = file_contexts(opened, &parser);
    let parser = parser.with_files(contexts.clone());
    if ic.zone_explicit {
        return Ok((parser, Vec::new()));
    }
    let heads: Vec<Vec<u8>> = opened
        .iter_mut()
        .map(|o| match o.data.bytes() {
            Some(_) => Vec::new(),
            None => o.head(ZONE_SAMPLE),
        })
        .collect();
    let pieces: Vec<(u32, &[u8])> = opened
        .iter()
        .zip(&heads)
        .enumerate()
        .map(|(i, (o, h))| {
            let data = o.data.bytes().unwrap_or(h);
            let cut = data.len().min(ZONE_SAMPLE);
            let cut = if cut < data.len() {
                memchr::memrchr(b'\n', &data[..cut]).map_or(0, |p| p + 1)
            } else {
                cut
            };
            (i as u32, &data[..cut])
        })
        .collect();
    let ev = engine::zone_evidence(&pieces, opened.len(), &parser, tune);
    let local = Local {
        zone: &ic.zone,
        name: &ic.zone_name,
        explicit: false,
    };
    let paths: Vec<String> = opened.iter().map(|o| o.name.clone()).collect();
    let zones: Vec<Option<Reading>> = (0..opened.len())
        .map(|i| {
            let facts = InputFacts {
                path: &paths[i],
                naive: ev.naive[i],
                first: ev.first[i],
            };
            zones::decide(Some(&ev), i as u32, &facts, local.zone, local.name, false)
        })
        .collect();
    for (i, z) in zones.iter().enumerate() {
        let Some(z) = z else { continue };
        if let Some(o) = z.reread {
            contexts[i].zone = Zone::fixed(o);
        }
        if z.how == "inferred" || z.note.contains("cannot be placed consistently") {
            writeln!(diag, "logtriage: note: {}", z.note)?;
        }
    }
    Ok((parser.with_files(contexts), zones))
}

/// The zone naive stamps are read in unless the evidence says otherwise.
pub struct Local<'a> {
    pub zone: &'a Zone,
    pub name: &'a str,
    /// Given with `--tz`: it wins.
    pub explicit: bool,
}

/// How each input's naive stamps were read (`None`: it has none).
pub fn readings(
    local: &Local<'_>,
    files: &[crate::aggregate::FileStats],
    evidence: Option<&ZoneEvidence>,
    paths: &[String],
) -> Vec<Option<Reading>> {
    files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let facts = InputFacts {
                path: &paths[i],
                naive: f.naive,
                first: f.first,
            };
            zones::decide(
                evidence,
                i as u32,
                &facts,
                local.zone,
                local.name,
                local.explicit,
            )
        })
        .collect()
}
