//! `logtriage export -f parquet|jsonl|csv -o FILE [FILE]...`: every record is parsed in
//! parallel (`engine::scan`, as `filter` does) into a `Row`; rows are gathered in input order
//! into groups of `--row-group` rows, each round of groups is encoded in parallel and
//! written in order, so memory holds a few groups whatever the input's size and the bytes
//! do not depend on threads or chunks. Ends with one note per input on `diag` that accounts
//! for every line. Must not build a row's values (`select/row.rs`) nor spell them
//! (`render/export/`).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::Mutex;

use anyhow::Result;

use crate::cli::ExportFormat;
use crate::config::{ExportConfig, Output};
use crate::engine::{self, Found, Piece};
use crate::error::{RunOutcome, usage};
use crate::input::chunk;
use crate::parse::{Micros, ParseCache, Parsed, Parser};
use crate::render::export::{Csv, Export, Jsonl, Parquet};
use crate::select::row::{Row, RowBuilder};

/// What became of one input's lines: `lines = rows + outside + unparsed + blank +
/// continuation`, the accounting `report` keeps (`rows + outside` is its `parsed`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub lines: u64,
    pub rows: u64,
    /// Parsed records with a time outside `--since`/`--until`.
    pub outside: u64,
    pub unparsed: u64,
    /// Of `unparsed`, records whose first line is longer than `--max-line`.
    pub oversized: u64,
    pub blank: u64,
    /// Physical lines joined into the record before them (tracebacks, envelope fragments).
    pub continuation: u64,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.lines += o.lines;
        self.rows += o.rows;
        self.outside += o.outside;
        self.unparsed += o.unparsed;
        self.oversized += o.oversized;
        self.blank += o.blank;
        self.continuation += o.continuation;
    }
}

/// What every worker shares.
struct Work<'a> {
    parser: &'a Parser,
    builder: RowBuilder,
    since: Option<Micros>,
    until: Option<Micros>,
    /// Per input; each worker adds its piece's counts once.
    tallies: Mutex<Vec<Tally>>,
}

impl Work<'_> {
    /// The rows of one piece, with the 0-based index of their first line in it.
    fn rows(&self, piece: &Piece<'_>) -> Found<Row> {
        let mut cache = ParseCache::default();
        let mut text = Vec::new();
        let mut scratch = String::new();
        let mut t = Tally::default();
        let mut items = Vec::new();
        let mut idx = 0u64;
        chunk::for_each_record(piece.data, &engine::RULES, |_, rec| {
            let at = idx;
            idx += rec.lines as u64;
            t.lines += rec.lines as u64;
            t.continuation += rec.lines.saturating_sub(1) as u64;
            if rec.head > piece.max_line {
                t.unparsed += 1;
                t.oversized += 1;
                return;
            }
            match self
                .parser
                .parse_record(piece.file, rec.bytes, rec.head, &mut cache, &mut text)
            {
                Parsed::Blank => t.blank += 1,
                Parsed::Unparsed => t.unparsed += 1,
                Parsed::Event(ev) => {
                    // As in `report`: a line without a time is kept whatever the range.
                    let out = ev.ts.is_some_and(|ts| {
                        self.since.is_some_and(|s| ts < s) || self.until.is_some_and(|u| ts >= u)
                    });
                    if out {
                        t.outside += 1;
                    } else {
                        t.rows += 1;
                        items.push((at, self.builder.build(piece.file, &ev, &mut scratch)));
                    }
                }
            }
        });
        if let Ok(mut all) = self.tallies.lock() {
            all[piece.file as usize].add(&t);
        }
        Found {
            lines: chunk::count_lines(piece.data),
            items,
            oversized: 0,
        }
    }
}

pub fn run(cfg: &ExportConfig, out: &mut dyn Write, diag: &mut dyn Write) -> Result<RunOutcome> {
    // Created before any input is read, so a bad path fails at once.
    let mut file = match &cfg.output {
        Output::File(path) => Some(BufWriter::with_capacity(
            1 << 20,
            File::create(path).map_err(|e| {
                usage(format!(
                    "--output {}: cannot create it: {e}",
                    path.display()
                ))
            })?,
        )),
        Output::Stdout => None,
    };
    let named = match &cfg.output {
        Output::File(path) => path.display().to_string(),
        Output::Stdout => "standard output".to_string(),
    };
    let out: &mut dyn Write = match file.as_mut() {
        Some(f) => f,
        None => out,
    };
    let ic = &cfg.input;
    let super::ForLines {
        mut opened,
        mut errors,
        parser,
        since,
        until,
    } = super::open_for_lines(ic, false, diag)?;
    let paths: Vec<String> = opened.iter().map(|o| o.name.clone()).collect();
    let work = Work {
        parser: &parser,
        builder: RowBuilder::for_paths(&paths),
        since,
        until,
        tallies: Mutex::new(vec![Tally::default(); paths.len()]),
    };
    let written = match cfg.format {
        ExportFormat::Parquet => {
            let mut p = Parquet::new(&paths)?;
            export(cfg, &mut opened, &work, &mut p, out)
        }
        ExportFormat::Jsonl => export(cfg, &mut opened, &work, &mut Jsonl { paths: &paths }, out),
        ExportFormat::Csv => export(cfg, &mut opened, &work, &mut Csv::new(&paths), out),
    };
    let scanned = match written {
        Ok(s) => s,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Err(e.into()),
        Err(e) => return Err(anyhow::anyhow!("--output {named}: cannot write it: {e}")),
    };
    super::note_scanned(scanned, ic.max_line, &mut errors, diag)?;
    let tallies = work.tallies.into_inner().unwrap_or_default();
    let ranged = since.is_some() || until.is_some();
    for (name, t) in paths.iter().zip(&tallies) {
        writeln!(diag, "logtriage: note: {}", note(name, t, ranged))?;
    }
    Ok(super::outcome(&errors, true))
}

/// Scans every input into rows, encodes each round of `threads` full groups in parallel,
/// writes them in order, then the rest and the format's end. Stops at the first write error.
fn export<E: Export>(
    cfg: &ExportConfig,
    opened: &mut [crate::input::Opened],
    work: &Work<'_>,
    format: &mut E,
    out: &mut dyn Write,
) -> io::Result<engine::Scanned> {
    let ic = &cfg.input;
    let per_round = ic.threads.max(1);
    let mut group: Vec<Row> = Vec::with_capacity(cfg.row_group);
    let mut ready: Vec<Vec<Row>> = Vec::with_capacity(per_round);
    let mut failed: Option<io::Error> = None;
    let scanned = engine::scan(
        opened,
        super::tuning(ic),
        |piece| work.rows(piece),
        |_, line, mut row| {
            row.line = line;
            group.push(row);
            if group.len() == cfg.row_group {
                ready.push(std::mem::replace(
                    &mut group,
                    Vec::with_capacity(cfg.row_group),
                ));
                if ready.len() == per_round
                    && let Err(e) = flush(ic.threads, &mut ready, format, out)
                {
                    failed = Some(e);
                    return false;
                }
            }
            true
        },
    );
    if let Some(e) = failed {
        return Err(e);
    }
    if !group.is_empty() {
        ready.push(group);
    }
    flush(ic.threads, &mut ready, format, out)?;
    format.finish(out)?;
    Ok(scanned)
}

/// Encodes the groups in parallel and writes them in order.
fn flush<E: Export>(
    threads: usize,
    ready: &mut Vec<Vec<Row>>,
    format: &mut E,
    out: &mut dyn Write,
) -> io::Result<()> {
    if ready.is_empty() {
        return Ok(());
    }
    let groups = std::mem::take(ready);
    let shared: &E = format;
    let pieces = engine::install(threads, || {
        engine::par_map(groups, |rows| shared.encode(&rows))
    });
    for p in pieces {
        format.write(p?, out)?;
    }
    Ok(())
}

/// One input's accounting, as the note on `diag` says it: every line is in one of the
/// counts, so they add up to `lines`.
pub fn note(name: &str, t: &Tally, ranged: bool) -> String {
    let n = |k: u64, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    let mut s = format!(
        "{name}: {} exported, {} unparsed",
        n(t.rows, "record", "records"),
        n(t.unparsed, "line", "lines")
    );
    if t.oversized > 0 {
        s.push_str(&format!(" ({} over --max-line)", t.oversized));
    }
    if ranged {
        s.push_str(&format!(
            ", {} outside --since/--until",
            n(t.outside, "record", "records")
        ));
    }
    s.push_str(&format!(
        ", {} blank, {} joined into the record above; {} in all",
        t.blank,
        t.continuation,
        n(t.lines, "line", "lines")
    ));
    s
}
