//! The only module with threads: parses chunks in parallel on a rayon pool, folds each run of
//! chunks into a `Partial` and reduces them in input order; `scan` runs per-piece work in
//! parallel and delivers the results in input order with absolute line numbers; `watch_*`
//! (`watch.rs`) run the readers of a live stream and hand whole lines to the caller's thread.
//! Must not print; progress goes through a callback.

use rayon::prelude::*;

use crate::aggregate::{AggOptions, Merge, Partial, Scratch};
use crate::input::{Batches, Data, Opened, chunk};
use crate::parse::{Micros, Parsed, Parser};

mod watch;
pub use watch::{Feed, watch_follow, watch_stream};

pub use crate::parse::records::{RULES, RecordRules};

/// Tuning that never changes results.
#[derive(Clone, Copy, Debug)]
pub struct Tuning {
    pub threads: usize,
    pub chunk_size: usize,
    /// The longest line read: a longer one is cut to this many bytes and one more (so its
    /// reader sees it is oversized) and never buffered whole. This one changes results.
    pub max_line: usize,
}

/// One piece of in-memory input.
struct Job<'a> {
    file: u32,
    offset: u64,
    data: &'a [u8],
}

/// Parses and accounts every record of one chunk; a record whose first line is longer than
/// `max_line` is counted unparsed and oversized, not parsed.
fn absorb_chunk(
    p: &mut Partial,
    job: &Job<'_>,
    parser: &Parser,
    max_line: usize,
    scratch: &mut Scratch,
) {
    p.files[job.file as usize].bytes += job.data.len() as u64;
    let mut text = Vec::new();
    chunk::for_each_record(job.data, &RULES, |off, rec| {
        if rec.head > max_line {
            let at = job.offset + off as u64;
            p.absorb(
                job.file,
                at,
                rec.bytes,
                rec.lines,
                &Parsed::Unparsed,
                scratch,
            );
            p.files[job.file as usize].oversized += 1;
            return;
        }
        let mut parsed = crate::parse::Parsed::Blank;
        parser.parse_record_into(
            job.file,
            rec.bytes,
            rec.head,
            &mut scratch.parse,
            &mut text,
            &mut parsed,
        );
        p.absorb(
            job.file,
            job.offset + off as u64,
            rec.bytes,
            rec.lines,
            &parsed,
            scratch,
        );
    });
}

fn fold_jobs(
    jobs: &[Job<'_>],
    nfiles: usize,
    parser: &Parser,
    opts: &AggOptions,
    max_line: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Partial {
    // Long runs per task: every extra partial costs a merge of its request map.
    let min_len = (jobs.len() / (rayon::current_num_threads() * 4)).max(1);
    jobs.par_iter()
        .with_min_len(min_len)
        .fold(
            || (Partial::new(nfiles, opts), Scratch::default()),
            |(mut p, mut s), job| {
                absorb_chunk(&mut p, job, parser, max_line, &mut s);
                progress(job.data.len() as u64);
                (p, s)
            },
        )
        .map(|(mut p, _)| {
            p.seal();
            p
        })
        .reduce(
            || Partial::new(nfiles, opts),
            |mut a, b| {
                a.merge(b);
                a
            },
        )
}

/// Finishes a merged partial's request partitions in parallel, so the serial report step
/// only reads them.
fn finish(p: &mut Partial) {
    let (jobs, names) = p.finish_jobs();
    jobs.into_par_iter().for_each(|job| job.run(names));
}

/// Counts every request's app latency, once, in parallel over the request partitions: after
/// the last merge (a request split over two partials must be whole first), on `threads`.
pub fn count_latency(p: &mut Partial, threads: usize) {
    if p.requests_latency_counted {
        return;
    }
    let deltas: Vec<_> = pool(threads).install(|| {
        finish(p);
        let cx = p.delta_ctx();
        let shards = p.requests.shards();
        // A few groups per worker: each delta costs a merge of its windows.
        let per = shards
            .len()
            .div_ceil(rayon::current_num_threads() * 4)
            .max(1);
        shards
            .par_chunks(per)
            .map(|group| {
                let rows = group.iter().flat_map(|s| s.aggs());
                crate::aggregate::request_latency::request_latency(&cx, rows)
            })
            .collect()
    });
    for d in deltas {
        p.add_latency_delta(d);
    }
    p.requests_latency_counted = true;
}

/// `f` over every item, in parallel on the current pool, results in input order.
pub fn par_map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync + Send) -> Vec<R> {
    items.into_par_iter().map(f).collect()
}

/// `f` over every item on a pool of `threads`, `per_round` items at a time, each round's
/// results handed to `sink` in input order on the caller's thread before the next round
/// runs: ordered parallel output with a bounded amount in flight. Stops at `sink`'s first
/// error.
pub fn rounds<T: Send, R: Send, E>(
    threads: usize,
    items: Vec<T>,
    per_round: usize,
    f: impl Fn(T) -> R + Sync + Send,
    mut sink: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    let pool = pool(threads);
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        let round: Vec<T> = items.by_ref().take(per_round.max(1)).collect();
        for r in pool.install(|| par_map(round, &f)) {
            sink(r)?;
        }
    }
    Ok(())
}

/// Sorts in parallel on the current pool (unstable: give `cmp` a total order).
pub fn par_sort<T: Send>(items: &mut [T], cmp: impl Fn(&T, &T) -> std::cmp::Ordering + Sync) {
    items.par_sort_unstable_by(cmp);
}

/// Runs `f` on a pool of `threads` workers, so `par_map` inside it uses exactly those.
pub fn install<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    pool(threads).install(f)
}

/// Newline-aligned jobs over every in-memory input, in input order.
fn memory_jobs(inputs: &[Opened], size: usize) -> Vec<Job<'_>> {
    let mut jobs = Vec::new();
    for (i, o) in inputs.iter().enumerate() {
        if let Some(data) = o.data.bytes() {
            jobs.extend(chunk::split(data, size, &RULES).into_iter().map(|r| Job {
                file: i as u32,
                offset: r.start as u64,
                data: &data[r],
            }));
        }
    }
    jobs
}

/// Up to `n` batches of a stream, and whether the stream ended (at its end, or at a read
/// error, which is recorded in `error` naming the input).
fn next_round(
    batches: &mut Batches,
    n: usize,
    name: &str,
    error: &mut Option<String>,
) -> (Vec<(u64, Vec<u8>)>, bool) {
    let mut round = Vec::with_capacity(n);
    while round.len() < n {
        match batches.next_batch() {
            Ok(Some(b)) => round.push(b),
            Ok(None) => return (round, true),
            Err(e) => {
                *error = Some(format!(
                    "{name}: read error after {} bytes: {e}",
                    batches.offset
                ));
                return (round, true);
            }
        }
    }
    (round, false)
}

/// Builds a pool with the requested threads.
pub fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("logtriage-{i}"))
        .build()
        .expect("thread pool")
}

/// Aggregates every input. Returns the merged partial and, per input, the error that
/// stopped reading it (the lines before the error are counted).
pub fn aggregate(
    inputs: &mut [Opened],
    parser: &Parser,
    opts: &AggOptions,
    tune: Tuning,
    progress: &(dyn Fn(u64) + Sync),
) -> (Partial, Vec<Option<String>>) {
    let nfiles = inputs.len();
    let mut errors = vec![None; nfiles];
    // Streams are taken out first so the in-memory inputs can be borrowed by the jobs.
    let streams: Vec<(usize, String, Box<dyn std::io::Read + Send>)> = inputs
        .iter_mut()
        .enumerate()
        .filter_map(
            |(i, o)| match std::mem::replace(&mut o.data, Data::Buffer(Vec::new())) {
                Data::Stream(r) => Some((i, o.name.clone(), r)),
                other => {
                    o.data = other;
                    None
                }
            },
        )
        .collect();
    let jobs = memory_jobs(inputs, tune.chunk_size);
    let pool = pool(tune.threads);
    pool.install(|| {
        let mut total = fold_jobs(&jobs, nfiles, parser, opts, tune.max_line, progress);
        for (i, name, reader) in streams {
            let mut batches = Batches::new(reader, tune.chunk_size)
                .joining(&RULES)
                .bounded(tune.max_line);
            let mut done = false;
            while !done {
                let round;
                (round, done) = next_round(&mut batches, tune.threads * 4, &name, &mut errors[i]);
                let jobs: Vec<Job<'_>> = round
                    .iter()
                    .map(|(off, data)| Job {
                        file: i as u32,
                        offset: *off,
                        data,
                    })
                    .collect();
                total.merge(fold_jobs(
                    &jobs,
                    nfiles,
                    parser,
                    opts,
                    tune.max_line,
                    progress,
                ));
            }
            // The bytes of oversized lines that were dropped unread were read all the same.
            total.files[i].bytes += batches.skipped;
        }
        let mut total = total.fold_endpoints();
        finish(&mut total);
        (total, errors)
    })
}

/// Zone evidence (`aggregate::zones`) from the given pieces of input (input index, bytes),
/// parsed in parallel and merged in order: what commands that do not aggregate use.
pub fn zone_evidence(
    pieces: &[(u32, &[u8])],
    nfiles: usize,
    parser: &Parser,
    tune: Tuning,
) -> crate::aggregate::zones::ZoneEvidence {
    use crate::aggregate::zones::ZoneEvidence;
    let jobs: Vec<(u32, &[u8])> = pieces
        .iter()
        .flat_map(|&(f, data)| {
            chunk::split(data, tune.chunk_size, &RULES)
                .into_iter()
                .map(move |r| (f, &data[r]))
        })
        .collect();
    pool(tune.threads).install(|| {
        jobs.par_iter()
            .map(|&(file, data)| {
                let mut z = ZoneEvidence::new(nfiles);
                let mut cache = crate::parse::ParseCache::default();
                let mut text = Vec::new();
                chunk::for_each_record(data, &RULES, |_, rec| {
                    let parsed =
                        parser.parse_record(file, rec.bytes, rec.head, &mut cache, &mut text);
                    if let Parsed::Event(ev) = parsed {
                        z.observe(file, &ev);
                    }
                });
                z
            })
            .reduce(
                || ZoneEvidence::new(nfiles),
                |mut a, b| {
                    a.merge(b);
                    a
                },
            )
    })
}

/// The newest timestamp in in-memory inputs (for relative `--since`/`--until`).
pub fn newest(inputs: &[Opened], parser: &Parser, tune: Tuning) -> Option<Micros> {
    let jobs = memory_jobs(inputs, tune.chunk_size);
    pool(tune.threads).install(|| {
        jobs.par_iter()
            .map_init(crate::parse::ParseCache::default, |cache, job| {
                let mut best = None;
                let mut text = Vec::new();
                chunk::for_each_record(job.data, &RULES, |_, rec| {
                    let parsed =
                        parser.parse_record(job.file, rec.bytes, rec.head, cache, &mut text);
                    if let Parsed::Event(ev) = parsed {
                        best = best.max(ev.ts);
                    }
                });
                best
            })
            .max()
            .flatten()
    })
}

/// One newline-aligned piece of an input, handed to a `scan` worker.
pub struct Piece<'a> {
    pub file: u32,
    /// Byte offset of the piece in its input.
    pub offset: u64,
    pub data: &'a [u8],
    /// Records whose first line is longer are skipped by the worker (and counted in
    /// `Found::oversized`), never parsed.
    pub max_line: usize,
}

/// What a `scan` worker kept from one piece: items with the 0-based index of their line
/// within the piece, and how many lines the piece holds (`chunk::count_lines`).
pub struct Found<T> {
    pub lines: u64,
    pub items: Vec<(u64, T)>,
    /// Records skipped for a first line longer than `Piece::max_line`.
    pub oversized: u64,
}

/// Runs `work` on every piece of every input in parallel and hands the items, in input order,
/// to `sink(file, line, item)` with 1-based line numbers in their file. Pieces are worked a
/// window at a time, so memory stays bounded however much is kept; streams are read in
/// batches. `sink` returns false to stop early (a closed pipe). Returns what was read.
pub fn scan<T: Send>(
    inputs: &mut [Opened],
    tune: Tuning,
    work: impl Fn(&Piece<'_>) -> Found<T> + Sync,
    sink: impl FnMut(u32, u64, T) -> bool,
) -> Scanned {
    let all = vec![true; inputs.len()];
    scan_some(inputs, &all, tune, work, sink)
}

/// What a `scan` read: per input the error that stopped reading it, and the records the
/// workers skipped as oversized.
pub struct Scanned {
    pub errors: Vec<Option<String>>,
    pub oversized: u64,
}

/// `scan` over the inputs whose `wanted` entry is true.
pub fn scan_some<T: Send>(
    inputs: &mut [Opened],
    wanted: &[bool],
    tune: Tuning,
    work: impl Fn(&Piece<'_>) -> Found<T> + Sync,
    sink: impl FnMut(u32, u64, T) -> bool,
) -> Scanned {
    let mut scan = Scan {
        errors: vec![None; inputs.len()],
        oversized: 0,
        window: tune.threads.max(1) * 4,
        pool: pool(tune.threads),
        tune,
        work,
        sink,
    };
    for (i, o) in inputs.iter_mut().enumerate() {
        if !wanted.get(i).copied().unwrap_or(false) {
            continue;
        }
        let data = std::mem::replace(&mut o.data, Data::Buffer(Vec::new()));
        let go_on = match data {
            Data::Stream(r) => scan.stream(i, o, r),
            data => {
                let go_on = scan.mapped(i as u32, data.bytes().unwrap_or(&[]));
                o.data = data;
                go_on
            }
        };
        if !go_on {
            break;
        }
    }
    Scanned {
        errors: scan.errors,
        oversized: scan.oversized,
    }
}

/// What `scan_some` carries from input to input.
struct Scan<W, S> {
    errors: Vec<Option<String>>,
    oversized: u64,
    /// Pieces worked on at once, in input order.
    window: usize,
    pool: rayon::ThreadPool,
    tune: Tuning,
    work: W,
    sink: S,
}

impl<T: Send, W, S> Scan<W, S>
where
    W: Fn(&Piece<'_>) -> Found<T> + Sync,
    S: FnMut(u32, u64, T) -> bool,
{
    /// A stream, read in rounds of `window` batches; false once the sink asked to stop.
    fn stream(&mut self, i: usize, o: &Opened, r: Box<dyn std::io::Read + Send>) -> bool {
        let file = i as u32;
        let mut before = 0u64;
        let mut batches = Batches::new(r, self.tune.chunk_size)
            .joining(&RULES)
            .bounded(self.tune.max_line);
        let mut done = false;
        let mut read = 0u64;
        while !done {
            let round;
            (round, done) = next_round(&mut batches, self.window, &o.name, &mut self.errors[i]);
            read += round.iter().map(|(_, d)| d.len() as u64).sum::<u64>();
            read += std::mem::take(&mut batches.skipped);
            if done && self.errors[i].is_none() {
                // A file cut short as it was read: lost bytes are the input's error.
                self.errors[i] = o.shrank(read).filter(|_| o.lost(read));
            }
            let pieces: Vec<(u64, &[u8])> = round.iter().map(|(off, d)| (*off, &d[..])).collect();
            if !self.round(file, &mut before, &pieces) {
                return false;
            }
        }
        true
    }

    /// Bytes in memory, cut into newline-aligned chunks; false once the sink asked to stop.
    fn mapped(&mut self, file: u32, bytes: &[u8]) -> bool {
        let mut before = 0u64;
        let ranges = chunk::split(bytes, self.tune.chunk_size, &RULES);
        for group in ranges.chunks(self.window) {
            let pieces: Vec<(u64, &[u8])> = group
                .iter()
                .map(|r| (r.start as u64, &bytes[r.clone()]))
                .collect();
            if !self.round(file, &mut before, &pieces) {
                return false;
            }
        }
        true
    }

    /// Works on `pieces` in parallel, then hands their items to the sink in order; false
    /// once the sink asked to stop.
    fn round(&mut self, file: u32, before: &mut u64, pieces: &[(u64, &[u8])]) -> bool {
        let (work, max_line) = (&self.work, self.tune.max_line);
        let found: Vec<Found<T>> = self.pool.install(|| {
            pieces
                .par_iter()
                .map(|&(offset, data)| {
                    work(&Piece {
                        file,
                        offset,
                        data,
                        max_line,
                    })
                })
                .collect()
        });
        for f in found {
            self.oversized += f.oversized;
            for (idx, item) in f.items {
                if !(self.sink)(file, *before + idx + 1, item) {
                    return false;
                }
            }
            *before += f.lines;
        }
        true
    }
}
