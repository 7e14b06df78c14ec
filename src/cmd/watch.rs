//! `logtriage watch`: starts the readers (stdin, or followed files), feeds their lines to the
//! `Watcher` with the wall clock, closes windows and judges alerts at least every interval
//! (and after each piece of input, so an alert fires within moments of its line), prints JSON
//! lines or redraws the live view, and ends with the summary at EOF or on SIGINT, SIGTERM or
//! SIGHUP (all three alike). Must not hold window, request or alert state (`watch/` does)
//! or format the view (`render/watch`).

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::aggregate::AggOptions;
use crate::config::WatchConfig;
use crate::engine::{self, Feed};
use crate::error::{InputError, RunOutcome};
use crate::input::follow::Follower;
use crate::input::{InputSpec, Opened};
use crate::parse::{Micros, Parser};
use crate::render::watch as render;
use crate::render::{Render, table::TableRender};
use crate::report::{Context, Report};
use crate::watch::event::WatchEvent;
use crate::watch::state::Watcher;
use crate::watch::view::{LineRate, LiveView};

/// Pieces of input queued between the readers and this loop.
const IN_FLIGHT: usize = 8;

/// Alerts and windows are judged at most this often while input streams in.
const JUDGE_EVERY: Duration = Duration::from_millis(100);

fn wall_clock() -> Micros {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as Micros)
}

pub fn run(cfg: &WatchConfig, out: &mut dyn Write, diag: &mut dyn Write) -> Result<RunOutcome> {
    // Blocks of `MAP_BLOCKS_FROM` or more get their own maps: with it, peak RSS after 20 M
    // lines is within a few percent of the peak after 2 M (`benches/watch.sh`).
    crate::input::map_large_allocations(super::MAP_BLOCKS_FROM);
    let stop = stop_on_signal();
    let (names, feeds) = start_readers(cfg, &stop)?;
    let w = watcher(cfg, &names);
    let view = render::Live {
        color: cfg.color,
        inputs: names.clone(),
        width: 80,
        height: 24,
    };
    if cfg.live {
        view.start(out)?;
    }
    let (w, errors) = watch_until_end(cfg, feeds, w, &view, out, diag)?;
    finish(cfg, w, &names, &errors, &view, out)?;
    Ok(super::outcome(&errors, true))
}

/// Signals this close to the first are the same stop delivered twice, not a second Ctrl-C.
const SAME_STOP: Duration = Duration::from_millis(500);

/// The flag SIGINT, SIGTERM and SIGHUP set to end watching.
fn stop_on_signal() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // ctrlc's `termination` feature runs this for SIGTERM and SIGHUP too, so `kill`, a
        // service manager's stop and a closed terminal end like Ctrl-C: with the summary. A
        // second signal while the inputs are read to their end or the summary is written
        // exits at once, but not one that comes with the first: `timeout` signals its child
        // and then the child's process group, and systemd the main process and then its
        // cgroup, so one stop often arrives twice within microseconds.
        let mut first: Option<Instant> = None;
        let _ = ctrlc::set_handler(move || {
            let now = Instant::now();
            match first {
                None => {
                    first = Some(now);
                    stop.store(true, Ordering::SeqCst);
                }
                Some(at) if now.duration_since(at) >= SAME_STOP => std::process::exit(130),
                Some(_) => {}
            }
        });
    }
    stop
}

/// The readers' side of the loop: the queue they fill, how many inputs are still open, and
/// how a stop is taken.
struct Feeds {
    rx: Receiver<Feed>,
    open: usize,
    stop: Arc<AtomicBool>,
    /// Followed files (read to their end once stopped), not stdin.
    follow: bool,
    /// Once stopped on stdin: how many more queued pieces are taken.
    queued: Option<usize>,
}

/// What the queue gave.
enum Next {
    Feed(Feed),
    Timeout,
    /// Watching ends: stopped on stdin and its queue taken, or every reader gone.
    Done,
}

impl Feeds {
    fn next(&mut self, wait: Duration) -> Next {
        if self.stop.load(Ordering::Relaxed) && !self.follow {
            // Stdin cannot be read to an end that may never come: what its reader had
            // already handed over when the signal came is counted (at most what the queue
            // holds, so a fast producer cannot keep this going), then watching ends.
            let left = self.queued.get_or_insert(IN_FLIGHT + 1);
            *left = left.saturating_sub(1);
            return match self.rx.try_recv() {
                Ok(feed) if *left > 0 => Next::Feed(feed),
                _ => Next::Done,
            };
        }
        match self.rx.recv_timeout(wait) {
            Ok(feed) => Next::Feed(feed),
            Err(RecvTimeoutError::Timeout) => Next::Timeout,
            Err(RecvTimeoutError::Disconnected) => Next::Done,
        }
    }
}

/// Starts the readers: one for stdin, or one thread following every `--follow` file (a file
/// that cannot be opened ends the run before anything is read). Returns the inputs' names.
fn start_readers(cfg: &WatchConfig, stop: &Arc<AtomicBool>) -> Result<(Vec<String>, Feeds)> {
    // Up to 1 MiB a piece from stdin (`input::STREAM_PIPE`): 8 MiB of input in flight keeps
    // the parser busy without holding much of a fast producer's backlog.
    let (tx, rx) = sync_channel::<Feed>(IN_FLIGHT);
    let mut feeds = Feeds {
        rx,
        open: 1,
        stop: stop.clone(),
        follow: !cfg.follow.is_empty(),
        queued: None,
    };
    if cfg.follow.is_empty() {
        let names = vec!["<stdin>".to_string()];
        engine::watch_stream(
            0,
            names[0].clone(),
            Box::new(crate::input::stdin_stream()),
            cfg.max_line,
            tx,
        );
        return Ok((names, feeds));
    }
    let mut followers = Vec::new();
    for p in &cfg.follow {
        followers.push(
            Follower::new(p.clone(), cfg.from_start, cfg.max_line).map_err(|source| {
                InputError {
                    input: format!("--follow: {}", p.display()),
                    source,
                }
            })?,
        );
    }
    let names: Vec<String> = cfg.follow.iter().map(|p| p.display().to_string()).collect();
    engine::watch_follow(followers, Duration::from_millis(100), stop.clone(), tx);
    // Followed inputs end only once stopped, read to their end by the follow thread.
    feeds.open = names.len();
    Ok((names, feeds))
}

/// The parser, told what each followed file's first MiB says: what `report` would learn from
/// it (who writes its access lines and their unit, a key's latency unit, whether the app
/// server's access lines echo the app's own, the year of year-less stamps). Regular files
/// only: opening a FIFO would wait for a writer, and a stream's head cannot be read twice.
fn parser(cfg: &WatchConfig) -> Parser {
    let parser =
        Parser::new(cfg.fields.clone(), cfg.zone.clone()).with_log_formats(cfg.log_formats.clone());
    if cfg.follow.is_empty() {
        return parser;
    }
    let mut heads: Vec<Opened> = cfg
        .follow
        .iter()
        .map(|p| {
            let regular = std::fs::metadata(p).is_ok_and(|m| m.is_file());
            let spec = InputSpec::Path(p.clone());
            regular
                .then(|| crate::input::open(&spec, false).ok())
                .flatten()
                .unwrap_or_else(|| Opened::empty(p.display().to_string(), None))
        })
        .collect();
    let contexts = super::zones::file_contexts(&mut heads, &parser);
    parser.with_files(contexts)
}

/// The live state, aggregating as `report` does with last words and triage, over windows
/// capped for a stream.
fn watcher(cfg: &WatchConfig, names: &[String]) -> Watcher {
    let opts = AggOptions {
        window: None,
        since: None,
        until: None,
        last_words: true,
        rules: Some(cfg.rules.clone()),
        window_cap: Some(crate::aggregate::latency::STREAM_WINDOW_CAP),
        zone_evidence: !cfg.zone_explicit,
        origins: names
            .iter()
            .map(|n| crate::aggregate::sources::from_path(n))
            .collect::<Vec<_>>()
            .into(),
        max_endpoints: Some(cfg.max_endpoints),
    };
    let mut w = Watcher::new(cfg.params.clone(), parser(cfg), names.len(), &opts);
    if !cfg.zone_explicit {
        w.infer(names.to_vec(), cfg.zone_name.clone());
    }
    w
}

/// Feeds every piece of input to `w` until the inputs end or watching is stopped, judging
/// windows and alerts as it goes and printing what happens (JSON lines, or the live view
/// every interval). Returns the watcher and each input's read error.
fn watch_until_end(
    cfg: &WatchConfig,
    mut feeds: Feeds,
    mut w: Watcher,
    view: &render::Live,
    out: &mut dyn Write,
    diag: &mut dyn Write,
) -> Result<(Watcher, Vec<Option<String>>)> {
    // Every input is open at the start: one slot each.
    let mut taken = Taken::new(feeds.open);
    let started = Instant::now();
    let mut rate = LineRate::default();
    let mut next_draw = started + cfg.interval;
    let mut last_judge = started;
    // Lines read since the last judgement: judged within JUDGE_EVERY, so an alert fires
    // well inside a second of the line that crosses its threshold (`Taken::take` judges at
    // each line that opens a window).
    let mut unjudged = false;
    let mut events: Vec<WatchEvent> = Vec::new();
    while feeds.open > 0 {
        let wait = next_draw
            .saturating_duration_since(Instant::now())
            .min(JUDGE_EVERY);
        match feeds.next(wait) {
            Next::Feed(feed) => {
                unjudged |= taken.take(feed, &mut w, &mut feeds.open, &mut events, diag)?
            }
            Next::Timeout => {}
            Next::Done => break,
        }
        if (unjudged || w.waiting()) && last_judge.elapsed() >= JUDGE_EVERY {
            events.extend(w.tick(wall_clock()));
            last_judge = Instant::now();
            unjudged = false;
        }
        if Instant::now() >= next_draw {
            events.extend(w.tick(wall_clock()));
            last_judge = Instant::now();
            unjudged = false;
            next_draw = Instant::now() + cfg.interval;
            if cfg.live {
                let (cols, rows) = terminal_size();
                view.sized(cols, rows)
                    .render(&LiveView::of(&w, &mut rate, started.elapsed()), out)?;
            }
        }
        if !cfg.live && !events.is_empty() {
            for e in events.drain(..) {
                render::JsonLines.render(&e, out)?;
            }
            out.flush()?;
        }
        events.clear();
    }
    Ok((w, taken.errors))
}

/// What the readers reported besides lines, per input.
struct Taken {
    errors: Vec<Option<String>>,
    /// Lines dropped as over `--max-line` (each reader's running total).
    oversized: Vec<u64>,
}

impl Taken {
    fn new(inputs: usize) -> Taken {
        Taken {
            errors: vec![None; inputs],
            oversized: vec![0; inputs],
        }
    }

    /// Takes one report of a reader: lines go to `w` (then true: they await judgement), an
    /// input's end counts down `open`. Alerts are judged as soon as a line opens a window,
    /// into `events`: a piece may span many windows (a file piped in arrives a megabyte at
    /// a time), and each must be judged while it is the newest, whatever the reads were.
    fn take(
        &mut self,
        feed: Feed,
        w: &mut Watcher,
        open: &mut usize,
        events: &mut Vec<WatchEvent>,
        diag: &mut dyn Write,
    ) -> std::io::Result<bool> {
        match feed {
            Feed::Lines { file, piece } => {
                w.add_bytes(file, piece.data.len() as u64);
                let now = wall_clock();
                crate::input::chunk::for_each_line(&piece.data, |off, line| {
                    w.feed(file, piece.offset + off as u64, line, now);
                    if w.due() {
                        events.extend(w.tick(now));
                    }
                });
                return Ok(true);
            }
            Feed::Oversized { file, total } => {
                self.oversized[file as usize] = total;
                w.counters.oversized = self.oversized.iter().sum();
            }
            Feed::Error { file, message } => {
                writeln!(diag, "logtriage: error: {message}")?;
                self.errors[file as usize] = Some(message);
            }
            Feed::End { .. } => *open = open.saturating_sub(1),
        }
        Ok(false)
    }
}

/// Closes every window and prints what that raised, then the summary: `report`'s table on
/// the live view, a JSON line otherwise.
fn finish(
    cfg: &WatchConfig,
    mut w: Watcher,
    names: &[String],
    errors: &[Option<String>],
    view: &render::Live,
    out: &mut dyn Write,
) -> Result<()> {
    let mut events = w.finish();
    if cfg.live {
        view.stop(out)?;
    } else {
        for e in events.drain(..) {
            render::JsonLines.render(&e, out)?;
        }
    }
    let counters = w.counters.clone();
    let summary = summary(cfg, w, names, errors);
    if cfg.live {
        TableRender {
            color: cfg.color,
            width: cfg.width,
            wide: false,
            brief: false,
        }
        .render(&summary, out)?;
    } else {
        let last = render::Summary {
            oversized_lines: counters.oversized,
            late_lines: counters.late,
            report: &summary,
        };
        render::JsonLines.render(&last, out)?;
    }
    out.flush()?;
    Ok(())
}

/// The summary: everything watched, finished as `report` finishes it.
fn summary(
    cfg: &WatchConfig,
    mut w: Watcher,
    names: &[String],
    errors: &[Option<String>],
) -> Report {
    let retired = std::mem::take(&mut w.retired);
    let local = super::zones::Local {
        zone: &cfg.zone,
        name: &cfg.zone_name,
        explicit: cfg.zone_explicit,
    };
    let zones = super::zones::readings(&local, &w.summary.files, w.summary.zones.as_deref(), names);
    let ctx = Context {
        rules: Some(&cfg.rules),
        retired: Some(&retired),
        paths: names,
        errors,
        timezone: &cfg.zone_name,
        zones: &zones,
        top: cfg.top,
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    engine::install(threads, || Report::build(w.summary, &ctx))
}

/// The terminal's size now (it may have been resized since the last redraw); 80x24 when
/// it cannot be told.
fn terminal_size() -> (usize, usize) {
    terminal_size::terminal_size().map_or((80, 24), |(w, h)| (w.0 as usize, h.0 as usize))
}
