//! The reader threads of `watch` (part of the engine, the only module with threads): stdin
//! read as it arrives, followed files polled, each handing whole lines to the caller's
//! thread over a channel, and at a stop reading followed inputs to their end. Must not print.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::time::Duration;

use crate::input::follow::Follower;
use crate::input::split::{LineSplitter, Piece};

/// What the readers of `watch` send to its loop.
pub enum Feed {
    /// Whole lines of input `file`.
    Lines { file: u32, piece: Piece },
    /// Lines dropped for exceeding `--max-line` (a running total per input).
    Oversized { file: u32, total: u64 },
    /// Reading `file` failed; the message names it.
    Error { file: u32, message: String },
    /// `file` reached its end: stdin at EOF; a followed input only once `watch` is stopped
    /// and it has been read to its end.
    End { file: u32 },
}

/// Reads a stream (stdin) on its own thread, in pieces of whole lines as they arrive.
pub fn watch_stream(
    file: u32,
    name: String,
    mut reader: Box<dyn std::io::Read + Send>,
    max_line: usize,
    tx: SyncSender<Feed>,
) {
    std::thread::Builder::new()
        .name("logtriage-stdin".into())
        .spawn(move || {
            let mut split = LineSplitter::new(max_line);
            let mut buf = vec![0u8; crate::input::STREAM_PIPE];
            let mut pieces = Vec::new();
            let mut oversized = 0;
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        let _ = tx.send(Feed::Error {
                            file,
                            message: format!("{name}: read error: {e}"),
                        });
                        break;
                    }
                };
                split.push(&buf[..n], &mut pieces);
                if !send(&tx, file, &mut pieces, &mut oversized, split.oversized) {
                    return;
                }
            }
            split.finish(&mut pieces);
            send(&tx, file, &mut pieces, &mut oversized, split.oversized);
            let _ = tx.send(Feed::End { file });
        })
        .expect("stdin reader thread");
}

/// Sends pieces and a changed oversized total; false when the loop has gone.
fn send(
    tx: &SyncSender<Feed>,
    file: u32,
    pieces: &mut Vec<Piece>,
    sent_oversized: &mut u64,
    oversized: u64,
) -> bool {
    for piece in pieces.drain(..) {
        if tx.send(Feed::Lines { file, piece }).is_err() {
            return false;
        }
    }
    if oversized != *sent_oversized {
        *sent_oversized = oversized;
        return tx
            .send(Feed::Oversized {
                file,
                total: oversized,
            })
            .is_ok();
    }
    true
}

/// Follows files on one thread, polling every `every` (at once while an input has more
/// than a poll's budget waiting) until `stop` is set. Then every input is read to its end,
/// old files kept open after a rotation included, each one's last partial line is a line, and
/// each input ends with `Feed::End`: the loop waits for those, so nothing written before the
/// signal is lost.
pub fn watch_follow(
    mut followers: Vec<Follower>,
    every: Duration,
    stop: Arc<AtomicBool>,
    tx: SyncSender<Feed>,
) {
    std::thread::Builder::new()
        .name("logtriage-follow".into())
        .spawn(move || {
            let mut pieces = Vec::new();
            let mut oversized = vec![0u64; followers.len()];
            let mut failed = vec![false; followers.len()];
            while !stop.load(Ordering::Relaxed) {
                if !follow_round(
                    &mut followers,
                    &mut pieces,
                    &mut oversized,
                    &mut failed,
                    &tx,
                ) {
                    return;
                }
                if !followers.iter().any(|f| f.pending()) {
                    std::thread::sleep(every);
                }
            }
            // Stopped: a last round reads what was written up to now, more rounds what a
            // budget left (a writer outpacing the reader keeps this going; a second signal
            // exits at once). A failing input does not hold the others up.
            loop {
                if !follow_round(
                    &mut followers,
                    &mut pieces,
                    &mut oversized,
                    &mut failed,
                    &tx,
                ) {
                    return;
                }
                if !followers
                    .iter()
                    .zip(&failed)
                    .any(|(f, failed)| f.pending() && !failed)
                {
                    break;
                }
            }
            for (i, f) in followers.iter_mut().enumerate() {
                f.finish(&mut pieces);
                if !send(&tx, i as u32, &mut pieces, &mut oversized[i], f.oversized())
                    || tx.send(Feed::End { file: i as u32 }).is_err()
                {
                    return;
                }
            }
        })
        .expect("follow thread");
}

/// Polls each follower once and sends what it read; a poll's error is sent once until the
/// input reads again. False when the loop has gone.
fn follow_round(
    followers: &mut [Follower],
    pieces: &mut Vec<Piece>,
    oversized: &mut [u64],
    failed: &mut [bool],
    tx: &SyncSender<Feed>,
) -> bool {
    for (i, f) in followers.iter_mut().enumerate() {
        match f.poll(pieces) {
            Ok(_) => failed[i] = false,
            Err(e) if !failed[i] => {
                failed[i] = true;
                let message = format!("{}: {e}", f.path.display());
                if tx
                    .send(Feed::Error {
                        file: i as u32,
                        message,
                    })
                    .is_err()
                {
                    return false;
                }
            }
            Err(_) => {}
        }
        if !send(tx, i as u32, pieces, &mut oversized[i], f.oversized()) {
            return false;
        }
    }
    true
}
