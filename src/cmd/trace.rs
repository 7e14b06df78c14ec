//! `logtriage trace ID... [FILE]...`: a byte prefilter (memmem) over every input in parallel
//! finds the lines holding an id and only those are parsed; a second prefiltered pass finds
//! the nginx error lines and access records that share a traced request's request line, for
//! correlation. Then each request's timeline is printed. Must not build timelines
//! (`src/trace.rs` does) or format lines (`render/`).

use std::collections::BTreeSet;
use std::io::Write;

use anyhow::Result;
use memchr::memmem::Finder;

use crate::aggregate::outcome::Completions;
use crate::cli::LinesFormat;
use crate::config::TraceConfig;
use crate::engine::{self, Found};
use crate::error::RunOutcome;
use crate::input::{Opened, chunk};
use crate::parse::{Format, Micros, ParseCache, Parsed, Parser};
use crate::render::style::Style;
use crate::render::{Render, events, trace as trace_render};
use crate::select::event::Event;
use crate::trace::{self, AccessKey, Trace};

/// What the correlation pass keeps.
enum Side {
    Error(Event),
    Access(AccessKey),
}

/// Parses the lines of `data` that hold any finder's needle; `keep` turns a parsed line
/// into an item or drops it.
fn candidates<T>(
    piece: &engine::Piece<'_>,
    finders: &[Finder<'_>],
    parser: &Parser,
    keep: impl Fn(Event) -> Option<T>,
) -> Found<T> {
    let mut cache = ParseCache::default();
    let mut text = Vec::new();
    let mut oversized = 0;
    let (found, lines) = chunk::records_matching(piece.data, finders, &engine::RULES);
    let items = found
        .into_iter()
        .filter_map(|(idx, r, _, head)| {
            if head > piece.max_line {
                oversized += 1;
                return None;
            }
            let raw = &piece.data[r.clone()];
            let parsed = parser.parse_record(piece.file, raw, head, &mut cache, &mut text);
            let Parsed::Event(ev) = parsed else {
                return None;
            };
            keep(Event::new(piece.offset + r.start as u64, raw, &ev)).map(|t| (idx, t))
        })
        .collect();
    Found {
        lines,
        items,
        oversized,
    }
}

pub fn run(cfg: &TraceConfig, out: &mut dyn Write, diag: &mut dyn Write) -> Result<RunOutcome> {
    let g = gather(cfg, diag)?;
    print(cfg, &g.traces, &g.paths, out)?;
    Ok(super::outcome(&g.errors, !g.traces.is_empty()))
}

/// What `gather` found: the timelines of the ids that some line carries (in the order the
/// ids were given), the inputs' names and the error that stopped reading each.
pub struct Gathered {
    pub traces: Vec<Trace>,
    pub paths: Vec<String>,
    pub errors: Vec<Option<String>>,
}

/// Reads the inputs and builds each id's timeline, as `trace` prints them (`report -f html`
/// links its slowest and stuck requests to these).
pub fn gather(cfg: &TraceConfig, diag: &mut dyn Write) -> Result<Gathered> {
    let ic = &cfg.input;
    // Two passes over the input: streams are read into memory once.
    let super::ForLines {
        mut opened,
        mut errors,
        parser,
        since,
        until,
    } = super::open_for_lines(ic, true, diag)?;
    let tune = super::tuning(ic);
    let range = (since, until);
    let paths: Vec<String> = opened.iter().map(|o| o.name.clone()).collect();
    let own = own_lines(cfg, &mut opened, &parser, range, &mut errors, diag)?;
    let (nginx_errors, access) = correlated(&mut opened, &own, &parser, tune);
    let completes = completions(&opened, &own, &parser);
    let traces = timelines(cfg, own, &nginx_errors, &access, &paths, &completes, diag)?;
    Ok(Gathered {
        traces,
        paths,
        errors,
    })
}

/// Pass 1: per id, the lines whose request-id field is that id, within `--since`/`--until`.
fn own_lines(
    cfg: &TraceConfig,
    opened: &mut [Opened],
    parser: &Parser,
    (since, until): (Option<Micros>, Option<Micros>),
    errors: &mut [Option<String>],
    diag: &mut dyn Write,
) -> std::io::Result<Vec<Vec<Event>>> {
    let tune = super::tuning(&cfg.input);
    let in_range = |ts: Option<Micros>| {
        since.is_none_or(|s| ts.is_some_and(|t| t >= s))
            && until.is_none_or(|u| ts.is_some_and(|t| t < u))
    };
    let needles = super::id_needles(&cfg.ids);
    let finders: Vec<Finder<'_>> = needles.iter().map(Finder::new).collect();
    let mut own: Vec<Vec<Event>> = vec![Vec::new(); cfg.ids.len()];
    let read_errors = engine::scan(
        opened,
        tune,
        |piece| {
            candidates(piece, &finders, parser, |ev| {
                let rid = ev.request_id.as_deref()?;
                let which = cfg
                    .ids
                    .iter()
                    .zip(&cfg.shortened)
                    .position(|(id, &short)| {
                        id == rid || (short && rid.starts_with(id.as_str()))
                    })?;
                Some((which, ev))
            })
        },
        |file, line, (which, mut ev)| {
            ev.file = file;
            ev.line = line;
            if in_range(ev.ts) {
                own[which].push(ev);
            }
            true
        },
    );
    super::note_scanned(read_errors, tune.max_line, errors, diag)?;
    Ok(own)
}

/// Pass 2: the nginx error lines and access records sharing a traced request's client and
/// request line (read errors were reported by pass 1).
fn correlated(
    opened: &mut [Opened],
    own: &[Vec<Event>],
    parser: &Parser,
    tune: engine::Tuning,
) -> (Vec<Event>, Vec<AccessKey>) {
    let keys: BTreeSet<(String, String, String)> = own
        .iter()
        .flatten()
        .filter(|e| e.is_access())
        .filter_map(AccessKey::of)
        .map(|k| (k.client, k.method, k.target))
        .collect();
    let mut nginx_errors = Vec::new();
    let mut access = Vec::new();
    if !keys.is_empty() {
        let targets: BTreeSet<&str> = keys.iter().map(|k| k.2.as_str()).collect();
        let finders: Vec<Finder<'_>> = targets.iter().map(|t| Finder::new(t.as_bytes())).collect();
        let shares = |e: &Event| match (&e.client, &e.method, &e.path) {
            (Some(c), Some(m), Some(p)) => keys.contains(&(c.clone(), m.clone(), p.clone())),
            _ => false,
        };
        // Only files that hold nginx lines can hold what this pass looks for: those with a
        // traced access line, and those whose first lines include nginx error lines.
        let mut wanted: Vec<bool> = opened
            .iter()
            .enumerate()
            .map(|(i, o)| {
                o.data
                    .bytes()
                    .is_some_and(|b| looks_like_error_log(i as u32, b, parser))
            })
            .collect();
        for e in own.iter().flatten().filter(|e| e.is_access()) {
            wanted[e.file as usize] = true;
        }
        let read_errors = engine::scan_some(
            opened,
            &wanted,
            tune,
            |piece| {
                candidates(piece, &finders, parser, |ev| {
                    if !shares(&ev) {
                        return None;
                    }
                    match ev.format {
                        Some(Format::NginxError) => Some(Side::Error(ev)),
                        _ if ev.is_access() => AccessKey::of(&ev).map(Side::Access),
                        _ => None,
                    }
                })
            },
            |file, line, side| {
                match side {
                    Side::Error(mut ev) => {
                        ev.file = file;
                        ev.line = line;
                        nginx_errors.push(ev);
                    }
                    Side::Access(k) => access.push(k),
                }
                true
            },
        );
        // Already reported by the first pass.
        drop(read_errors);
    }
    (nginx_errors, access)
}

/// Each id's timeline, in the order the ids were given; an id no line carries is named on
/// `diag` and has none.
fn timelines(
    cfg: &TraceConfig,
    own: Vec<Vec<Event>>,
    nginx_errors: &[Event],
    access: &[AccessKey],
    paths: &[String],
    completes: &Completions,
    diag: &mut dyn Write,
) -> std::io::Result<Vec<Trace>> {
    let mut traces: Vec<Trace> = Vec::new();
    for ((id, &short), lines) in cfg.ids.iter().zip(&cfg.shortened).zip(own) {
        if lines.is_empty() {
            writeln!(
                diag,
                "logtriage: no line carries request id '{}{}'",
                { crate::render::escape::term(id) },
                if short { "…" } else { "" }
            )?;
            continue;
        }
        // A shortened id stands for the one id it starts; several are named, none followed.
        let mut full: Vec<&str> = lines
            .iter()
            .filter_map(|e| e.request_id.as_deref())
            .collect();
        full.sort_unstable();
        full.dedup();
        if full.len() > 1 {
            let shown: Vec<String> = full
                .iter()
                .take(5)
                .map(|f| crate::render::escape::term(f).into_owned())
                .collect();
            writeln!(
                diag,
                "logtriage: request id '{}…' starts {} ids ({}{}); give more of it",
                crate::render::escape::term(id),
                full.len(),
                shown.join(", "),
                if full.len() > 5 { ", ..." } else { "" }
            )?;
            continue;
        }
        let id = full.first().map_or(id.as_str(), |f| f).to_string();
        traces.push(trace::build(
            &id,
            lines,
            nginx_errors,
            access,
            paths,
            completes,
        ));
    }
    Ok(traces)
}

/// Writes the timelines in `--format`.
fn print(cfg: &TraceConfig, traces: &[Trace], paths: &[String], out: &mut dyn Write) -> Result<()> {
    let ic = &cfg.input;
    let style = Style { color: ic.color };
    for (n, t) in traces.iter().enumerate() {
        match cfg.format {
            LinesFormat::Raw => {
                for e in &t.events {
                    events::Raw.render(e, out)?;
                }
            }
            LinesFormat::Json => {
                trace_render::Json.render(&t.summary, out)?;
                let lines = events::Json {
                    paths,
                    trace: Some(&t.summary.id),
                };
                for e in &t.events {
                    lines.render(e, out)?;
                }
            }
            LinesFormat::Text => {
                if n > 0 {
                    writeln!(out)?;
                }
                trace_render::Text { style }.render(&t.summary, out)?;
                let lines = events::Text {
                    paths,
                    layout: events::Layout::for_timeline(&t.events, paths),
                    style,
                };
                for e in &t.events {
                    lines.render(e, out)?;
                }
            }
        }
    }
    Ok(())
}

/// Which inputs log completions (a status or latency on some request's app line), judged
/// from the first `COMPLETION_SAMPLE` bytes of each input that holds a traced app line.
fn completions(
    opened: &[crate::input::Opened],
    own: &[Vec<Event>],
    parser: &Parser,
) -> Completions {
    const COMPLETION_SAMPLE: usize = 4 << 20;
    let mut masks = vec![0u16; opened.len()];
    let mut files: Vec<u32> = own
        .iter()
        .flatten()
        .filter(|e| e.source() == crate::parse::Source::App)
        .map(|e| e.file)
        .collect();
    files.sort_unstable();
    files.dedup();
    let mut cache = ParseCache::default();
    let mut text = Vec::new();
    for f in files {
        let Some(data) = opened[f as usize].data.bytes() else {
            continue;
        };
        let head = &data[..data.len().min(COMPLETION_SAMPLE)];
        let head = &head[..memchr::memrchr(b'\n', head).map_or(head.len(), |i| i + 1)];
        chunk::for_each_record(head, &engine::RULES, |_, rec| {
            if let Parsed::Event(ev) =
                parser.parse_record(f, rec.bytes, rec.head, &mut cache, &mut text)
                && ev.source() == crate::parse::Source::App
                && ev.request_id.is_some()
                && (ev.status.is_some() || ev.latency_ms.is_some())
            {
                masks[f as usize] |= 1 << ev.format.map_or(0, |x| x as u8);
            }
        });
    }
    Completions::from_masks(masks)
}

/// Whether the first 64 KiB of input `file` hold an nginx error-log line.
fn looks_like_error_log(file: u32, data: &[u8], parser: &Parser) -> bool {
    let head = &data[..data.len().min(64 * 1024)];
    let mut cache = ParseCache::default();
    let mut text = Vec::new();
    let mut found = false;
    chunk::for_each_record(head, &engine::RULES, |_, rec| {
        if !found
            && let Parsed::Event(ev) =
                parser.parse_record(file, rec.bytes, rec.head, &mut cache, &mut text)
        {
            found = ev.format == Some(Format::NginxError);
        }
    });
    found
}
