//! `logtriage filter [FILE]...`: every line is parsed in parallel and tested against the
//! predicates; matches are printed in input order, file after file (or, with `--merge`,
//! interleaved by time). With `--request-id` only, a byte prefilter picks the candidate
//! lines first. Must not decide what matches (`select/matcher.rs`) or how a line looks
//! (`render/events`).

use std::io::{self, Write};

use anyhow::Result;
use memchr::memmem::Finder;

use crate::cli::LinesFormat;
use crate::config::FilterConfig;
use crate::engine::{self, Found};
use crate::error::RunOutcome;
use crate::input::chunk;
use crate::parse::{ParseCache, Parsed, Parser};
use crate::render::Render;
use crate::render::events::{self, Layout};
use crate::render::style::Style;
use crate::select::event::Event;
use crate::select::matcher::Matcher;

/// Selects the lines of one piece; only matches become `Event`s.
fn select(
    piece: &engine::Piece<'_>,
    parser: &Parser,
    matcher: &Matcher,
    finders: &[Finder<'_>],
    keep_events: bool,
) -> Found<Option<Event>> {
    let mut cache = ParseCache::default();
    let mut text = Vec::new();
    let mut items = Vec::new();
    let mut oversized = 0;
    let mut consider = |idx: u64, start: usize, raw: &[u8], head: usize| {
        if head > piece.max_line {
            oversized += 1;
            return;
        }
        let selected = match parser.parse_record(piece.file, raw, head, &mut cache, &mut text) {
            Parsed::Event(ev) => matcher
                .matches(&ev, raw)
                .then(|| keep_events.then(|| Event::new(piece.offset + start as u64, raw, &ev))),
            Parsed::Blank | Parsed::Unparsed => matcher
                .unparsed(raw)
                .then(|| keep_events.then(|| Event::unparsed(piece.offset + start as u64, raw))),
        };
        if let Some(ev) = selected {
            items.push((idx, ev));
        }
    };
    let lines = if finders.is_empty() {
        let mut idx = 0;
        chunk::for_each_record(piece.data, &engine::RULES, |start, rec| {
            consider(idx, start, rec.bytes, rec.head);
            idx += rec.lines as u64;
        });
        chunk::count_lines(piece.data)
    } else {
        let (found, lines) = chunk::records_matching(piece.data, finders, &engine::RULES);
        for (idx, r, _, head) in found {
            consider(idx, r.start, &piece.data[r], head);
        }
        lines
    };
    Found {
        lines,
        items,
        oversized,
    }
}

pub fn run(cfg: &FilterConfig, out: &mut dyn Write, diag: &mut dyn Write) -> Result<RunOutcome> {
    let ic = &cfg.input;
    let super::ForLines {
        mut opened,
        mut errors,
        parser,
        since,
        until,
    } = super::open_for_lines(ic, false, diag)?;
    let matcher = Matcher {
        min_level: cfg.min_level,
        since,
        until,
        request_ids: cfg.request_ids.clone(),
        predicates: cfg.predicates.clone(),
        grep: cfg.grep.clone(),
    };
    // Only ids narrow the candidates safely: every selected line must contain one.
    let needles = super::id_needles(&cfg.request_ids);
    let finders: Vec<Finder<'_>> = needles.iter().map(Finder::new).collect();
    let paths: Vec<String> = opened.iter().map(|o| o.name.clone()).collect();
    let style = Style { color: ic.color };
    let layout = Layout::for_files(&paths);
    let keep_events = !cfg.count;
    let mut matched: u64 = 0;
    let mut merged: Vec<Event> = Vec::new();
    let mut write_error: Option<io::Error> = None;
    let read_errors = engine::scan(
        &mut opened,
        super::tuning(ic),
        |piece| select(piece, &parser, &matcher, &finders, keep_events),
        |file, line, ev| {
            matched += 1;
            let Some(mut ev) = ev else { return true };
            ev.file = file;
            ev.line = line;
            if cfg.merge {
                merged.push(ev);
                return true;
            }
            match print(&ev, &paths, cfg.format, layout, style, out) {
                Ok(()) => true,
                Err(e) => {
                    write_error = Some(e);
                    false
                }
            }
        },
    );
    if let Some(e) = write_error {
        return Err(e.into());
    }
    super::note_scanned(read_errors, ic.max_line, &mut errors, diag)?;
    if cfg.merge {
        interleave(&mut merged);
        for ev in &merged {
            print(ev, &paths, cfg.format, layout, style, out)?;
        }
    }
    if cfg.count {
        writeln!(out, "{matched}")?;
    }
    Ok(super::outcome(&errors, matched > 0))
}

/// Orders events of several files by time; a line without a timestamp keeps the time of the
/// line before it in its file, so it stays next to it. Ties keep file order, then position.
fn interleave(events: &mut [Event]) {
    let mut last: Vec<Option<i64>> = Vec::new();
    for e in events.iter_mut() {
        let f = e.file as usize;
        if last.len() <= f {
            last.resize(f + 1, None);
        }
        match e.ts {
            Some(t) => last[f] = Some(t),
            None => e.at = last[f],
        }
    }
    events.sort_by(|a, b| {
        a.at.unwrap_or(i64::MIN)
            .cmp(&b.at.unwrap_or(i64::MIN))
            .then(a.file.cmp(&b.file))
            .then(a.offset.cmp(&b.offset))
    });
}

fn print(
    ev: &Event,
    paths: &[String],
    format: LinesFormat,
    layout: Layout,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        LinesFormat::Raw => events::Raw.render(ev, out),
        LinesFormat::Json => events::Json { paths, trace: None }.render(ev, out),
        LinesFormat::Text => events::Text {
            paths,
            layout,
            style,
        }
        .render(ev, out),
    }
}
