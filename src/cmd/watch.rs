//! `logtriage watch`: starts the readers (stdin, or followed files), feeds their lines to the
//! `Watcher` with the wall clock, closes windows and judges alerts at least every interval
//! (and after each piece of input, so an alert fires within moments of its line), prints JSON
//! lines or redraws the live view, and ends with the summary at EOF or on SIGINT, SIGTERM or
//! SIGHUP (all three alike).

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{RecvTimeoutError, sync_channel};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::aggregate::AggOptions;
use crate::config::WatchConfig;
use crate::engine::{self, Feed};
use crate::error::RunOutcome;
use crate::input::follow::Follower;
use crate::parse::{Micros, Parser};
use crate::render::watch as render;
use crate::report::{Context, Report};
use crate::watch::event::WatchEvent;
use crate::watch::state::Watcher;
use crate::watch::view::LiveView;

/// Pieces of input queued between the readers and this loop.
const IN_FLIGHT: usize = 32;

/// Alerts and windows are judged at most this often while input streams in.
const JUDGE_EVERY: Duration = Duration::from_millis(100);

fn wall_clock() -> Micros {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as Micros)
}

/// Blocks this large or larger get their own memory maps (see `input::mmap`): with it, peak
/// RSS after 20 M lines is within a few percent of the peak after 2 M (`benches/watch.sh`).
const MAP_BLOCKS_FROM: usize = 128 << 10;

pub fn run(cfg: &WatchConfig, out: &mut dyn Write, diag: &mut dyn Write) -> Result<RunOutcome> {
    crate::input::map_large_allocations(MAP_BLOCKS_FROM);
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // ctrlc's `termination` feature runs this for SIGTERM and SIGHUP too, so `kill`, a
        // service manager's stop and a closed terminal end like Ctrl-C: with the summary. A
        // second signal while the inputs are read to their end or the summary is written
        // exits at once.
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
    }
    // Up to 64 KiB a piece: 2 MiB of input in flight keeps the parser busy without holding
    // megabytes of a fast producer's backlog.
    let (tx, rx) = sync_channel::<Feed>(IN_FLIGHT);
    let names: Vec<String>;
    let mut open_streams;
    if cfg.follow.is_empty() {
        names = vec!["<stdin>".to_string()];
        engine::watch_stream(
            0,
            names[0].clone(),
            Box::new(std::io::stdin()),
            cfg.max_line,
            tx,
        );
        open_streams = 1;
    } else {
        let mut followers = Vec::new();
        for p in &cfg.follow {
            followers.push(
                Follower::new(p.clone(), cfg.from_start, cfg.max_line)
                    .map_err(|e| anyhow::anyhow!("--follow: {}: {e}", p.display()))?,
            );
        }
        names = cfg.follow.iter().map(|p| p.display().to_string()).collect();
        engine::watch_follow(followers, Duration::from_millis(100), stop.clone(), tx);
        // Followed inputs end only once stopped, read to their end by the follow thread.
        open_streams = names.len();
    }
    let follow = !cfg.follow.is_empty();

    let mut parser =
        Parser::new(cfg.fields.clone(), cfg.zone.clone()).with_log_formats(cfg.log_formats.clone());
    // A followed file's first MiB says what `report` would learn from it: who writes its
    // access lines and their unit, a key's latency unit, whether the app server's access
    // lines echo the app's own, the year of year-less stamps. Regular files only: opening a
    // FIFO would wait for a writer, and a stream's head cannot be read twice.
    if follow {
        let mut heads: Vec<crate::input::Opened> = cfg
            .follow
            .iter()
            .map(|p| {
                let regular = std::fs::metadata(p).is_ok_and(|m| m.is_file());
                let spec = crate::input::InputSpec::Path(p.clone());
                regular
                    .then(|| crate::input::open(&spec, false).ok())
                    .flatten()
                    .unwrap_or_else(|| crate::input::Opened::empty(p.display().to_string(), None))
            })
            .collect();
        let contexts = super::file_contexts(&mut heads, &parser);
        parser = parser.with_files(contexts);
    }
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
    let mut w = Watcher::new(cfg.params.clone(), parser, names.len(), &opts);
    if !cfg.zone_explicit {
        w.infer(names.clone(), cfg.zone_name.clone());
    }
    let mut errors: Vec<Option<String>> = vec![None; names.len()];
    let mut oversized = vec![0u64; names.len()];
    let mut view = render::Live::new(cfg.color, names.clone());
    if cfg.live {
        view.start(out)?;
    }
    let started = Instant::now();
    let mut next_draw = started + cfg.interval;
    let mut last_judge = started;
    // Lines read since the last judgement: judged within JUDGE_EVERY, so an alert fires
    // well inside a second of the line that crosses its threshold, and whenever a new window
    // opens, so input faster than real time has every window judged while it is recent.
    let mut unjudged = false;
    let mut events: Vec<WatchEvent> = Vec::new();
    // Once stopped on stdin: how many more queued pieces are taken.
    let mut queued: Option<usize> = None;
    while open_streams > 0 {
        let wait = next_draw
            .saturating_duration_since(Instant::now())
            .min(JUDGE_EVERY);
        let got = if stop.load(Ordering::Relaxed) && !follow {
            // Stdin cannot be read to an end that may never come: what its reader had
            // already handed over when the signal came is counted (at most what the queue
            // holds, so a fast producer cannot keep this going), then watching ends.
            let left = queued.get_or_insert(IN_FLIGHT + 1);
            *left = left.saturating_sub(1);
            match rx.try_recv() {
                Ok(feed) if *left > 0 => Ok(feed),
                _ => break,
            }
        } else {
            rx.recv_timeout(wait)
        };
        match got {
            Ok(Feed::Lines { file, piece }) => {
                w.add_bytes(file, piece.data.len() as u64);
                let now = wall_clock();
                crate::input::chunk::for_each_line(&piece.data, |off, line| {
                    w.feed(file, piece.offset + off as u64, line, now)
                });
                unjudged = true;
            }
            Ok(Feed::Oversized { file, total }) => {
                oversized[file as usize] = total;
                w.counters.oversized = oversized.iter().sum();
            }
            Ok(Feed::Error { file, message }) => {
                writeln!(diag, "logtriage: error: {message}")?;
                errors[file as usize] = Some(message);
            }
            Ok(Feed::End { .. }) => open_streams = open_streams.saturating_sub(1),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if (unjudged || w.waiting()) && (last_judge.elapsed() >= JUDGE_EVERY || w.due()) {
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
                view.draw(&LiveView::of(&w), started.elapsed(), out)?;
            }
        }
        if !cfg.live && !events.is_empty() {
            for e in events.drain(..) {
                render::json_event(&e, out)?;
            }
            out.flush()?;
        }
        events.clear();
    }
    events.extend(w.finish());
    if cfg.live {
        view.stop(out)?;
    } else {
        for e in events.drain(..) {
            render::json_event(&e, out)?;
        }
    }
    let counters = w.counters.clone();
    let retired = std::mem::take(&mut w.retired);
    let local = super::Local {
        zone: &cfg.zone,
        name: &cfg.zone_name,
        explicit: cfg.zone_explicit,
    };
    let zones = super::readings(&local, &w.summary.files, w.summary.zones.as_deref(), &names);
    let ctx = Context {
        rules: Some(&cfg.rules),
        retired: Some(&retired),
        paths: &names,
        errors: &errors,
        timezone: &cfg.zone_name,
        zones: &zones,
        top: cfg.top,
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let summary = engine::install(threads, || Report::build(w.summary, &ctx));
    if cfg.live {
        crate::render::Render::render(
            &crate::render::table::TableRender { color: cfg.color },
            &summary,
            out,
        )?;
    } else {
        render::json_summary(&summary, counters.oversized, counters.late, out)?;
    }
    out.flush()?;
    Ok(if errors.iter().any(Option::is_some) {
        RunOutcome::InputErrors
    } else {
        RunOutcome::Success
    })
}
