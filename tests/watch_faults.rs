//! `watch` through the real binary under the faults of issue 12: a file renamed away while
//! its writer keeps writing it, a file truncated and refilled past its old size between two
//! polls, SIGTERM and SIGHUP, FIFOs with and without a writer. A writer in the test makes the
//! input; the expected counts are what it wrote; `watch` is stopped by a signal and its final
//! summary must count every line once (no fragment as unparsed). Readiness is waited for by
//! condition (a window event, the file open in /proc/PID/fd), never by a fixed sleep.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

/// Longest wait for any one condition: generous on a loaded machine, bounded.
const PATIENCE: Duration = Duration::from_secs(10);

/// Line `n` of the writer, stamped `ms` milliseconds after 03:16:00 UTC.
fn line(n: usize, ms: u64) -> String {
    let s = 3 * 3600 + 16 * 60 + ms / 1000;
    format!(
        "{{\"time\":\"2026-11-25T{:02}:{:02}:{:02}.{:03}Z\",\"level\":\"info\",\"msg\":\"n\",\"request_id\":\"r{n}\"}}\n",
        s / 3600,
        s / 60 % 60,
        s % 60,
        ms % 1000
    )
}

/// The window event of second `sec` after 03:16:00 (with `-w 1s`) starts with this.
fn second(sec: u64) -> String {
    let s = 16 * 60 + sec;
    format!("2026-11-25T03:{:02}:{:02}.000Z", s / 60, s % 60)
}

/// A running `watch -f json --tz UTC ARGS`, its stdout parsed line by line on a thread.
struct Watch {
    child: Child,
    events: Receiver<Value>,
    seen: Vec<Value>,
}

impl Watch {
    fn start(args: &[&str], paths: &[&Path], stdin: bool) -> Watch {
        let mut child = Command::cargo_bin("logtriage")
            .unwrap()
            .args(["watch", "-f", "json", "--tz", "UTC"])
            .args(args)
            .args(paths.iter().flat_map(|p| [Path::new("--follow"), p]))
            .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, events) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(stdout).lines() {
                let _ = tx.send(serde_json::from_str::<Value>(&l.unwrap()).unwrap());
            }
        });
        Watch {
            child,
            events,
            seen: Vec::new(),
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The window event starting at `start`, waited for.
    fn window(&mut self, start: &str) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(w) = self
                .seen
                .iter()
                .find(|e| e["type"] == "window" && e["start"] == start)
            {
                return w.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(e) => self.seen.push(e),
                Err(RecvTimeoutError::Timeout) => panic!("no window at {start}: {:?}", self.seen),
                Err(RecvTimeoutError::Disconnected) => panic!("watch ended before {start}"),
            }
        }
    }

    /// Sends `kill -SIG` and returns the exit status, the summary event and stderr.
    fn stop(self, sig: &str) -> (ExitStatus, Value, String) {
        self.stop_after(&[sig])
    }

    /// Sends each signal in turn, 20 ms apart, and returns as `stop` does.
    fn stop_after(mut self, sigs: &[&str]) -> (ExitStatus, Value, String) {
        for (i, sig) in sigs.iter().enumerate() {
            if i > 0 {
                std::thread::sleep(Duration::from_millis(20));
            }
            let ok = Command::new("kill")
                .args([&format!("-{sig}"), &self.pid().to_string()])
                .status()
                .unwrap();
            assert!(ok.success());
        }
        let sig = sigs.join("+");
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("watch still running {PATIENCE:?} after SIG{sig}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        self.seen.extend(self.events.iter());
        let summary = self.seen.last().cloned().unwrap_or(Value::Null);
        assert_eq!(summary["type"], "summary", "SIG{sig}: {err}");
        (status, summary, err)
    }
}

/// Whether process `pid` has `path` open (its /proc/PID/fd links name the file's current
/// path).
fn has_open(pid: u32, path: &Path) -> bool {
    let want = path.canonicalize().unwrap();
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten()
        .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|l| l == want))
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The summary's line accounting: every line parsed once, none a fragment.
fn assert_counted(summary: &Value, written: u64) {
    let t = &summary["report"]["totals"];
    assert_eq!(t["lines"], written, "{t}");
    assert_eq!(t["parsed"], written, "{t}");
    assert_eq!(t["unparsed"], 0, "{t}");
    assert_eq!(t["continuation"], 0, "{t}");
    assert_eq!(t["blank"], 0, "{t}");
    // Every line carries its own request id: a doubled line would show here.
    assert_eq!(summary["report"]["requests"]["total"], written);
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(ok.success());
}

#[test]
fn follow_keeps_reading_a_renamed_file_until_it_is_quiet() {
    const N: usize = 50_000;
    const ROTATE_AT: [usize; 3] = [12_000, 25_000, 38_000];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    File::create(&path).unwrap();
    let watch = Watch::start(&["--from-start"], &[&path], false);
    wait_until("watch follows app.log", || has_open(watch.pid(), &path));
    let rotated = |k: usize| -> PathBuf { dir.path().join(format!("app.log.{k}")) };
    // The writer: steady lines; at each rotation the file is renamed and a new one created at
    // once, but the writer stays on the old file for 0.3 s more (as a logger that reopens its
    // file on a signal does), then moves to the new one.
    let mut out = OpenOptions::new().append(true).open(&path).unwrap();
    let mut next: Option<(Instant, File)> = None;
    let mut k = 0;
    for i in 0..N {
        if ROTATE_AT.contains(&i) {
            k += 1;
            std::fs::rename(&path, rotated(k)).unwrap();
            let new = OpenOptions::new()
                .append(true)
                .create_new(true)
                .open(&path)
                .unwrap();
            next = Some((Instant::now() + Duration::from_millis(300), new));
        }
        if next.as_ref().is_some_and(|(at, _)| Instant::now() >= *at) {
            out = next.take().unwrap().1;
        }
        out.write_all(line(i, i as u64 / 10).as_bytes()).unwrap();
        if i % 50 == 0 {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    if let Some((_, new)) = next {
        out = new;
    }
    drop(out);
    // Each old file was written for 0.3 s after its rename: all of it is in the files...
    let on_disk: usize = (1..=3)
        .map(rotated)
        .chain([path.clone()])
        .map(|p| std::fs::read_to_string(p).unwrap().lines().count())
        .sum();
    assert_eq!(on_disk, N);
    let old_written = std::fs::read_to_string(rotated(1)).unwrap().lines().count();
    assert!(
        old_written > ROTATE_AT[0],
        "the writer stayed on the old file"
    );
    // ...and the first old file, quiet for long since, has been read and closed.
    wait_until("watch closes the quiet app.log.1", || {
        !has_open(watch.pid(), &rotated(1))
    });
    let (status, summary, err) = watch.stop("INT");
    assert!(status.success(), "{err}");
    assert_eq!(err, "");
    assert_counted(&summary, N as u64);
}

#[test]
fn follow_truncate_and_refill_within_one_poll_loses_nothing() {
    // Five contents, each longer than the one before; each after the first replaces the
    // previous in one go (truncate and write), far inside one 100 ms poll. Each ends with a
    // line of the next second, which closes the window of its own second (`--lateness 0s`):
    // that window event says `watch` has read the whole content before it is replaced.
    const COUNTS: [usize; 5] = [80, 90, 100, 110, 120];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    File::create(&path).unwrap();
    let mut watch = Watch::start(
        &["--from-start", "-w", "1s", "--lateness", "0s"],
        &[&path],
        false,
    );
    wait_until("watch follows app.log", || has_open(watch.pid(), &path));
    let mut n = 0;
    let mut last_size = 0;
    for (r, count) in COUNTS.iter().enumerate() {
        let sec = r as u64;
        let mut content = String::new();
        for j in 0..count - 1 {
            content += &line(n, sec * 1000 + j as u64);
            n += 1;
        }
        content += &line(n, (sec + 1) * 1000);
        n += 1;
        assert!(content.len() > last_size, "refilled past the old size");
        last_size = content.len();
        let mut f = OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        f.write_all(content.as_bytes()).unwrap();
        drop(f);
        let w = watch.window(&second(sec));
        // The previous content's last line (this second's) and this content's lines.
        let want = if r == 0 { count - 1 } else { *count };
        assert_eq!(w["lines"], want as u64, "second {sec}: {w}");
    }
    let (status, summary, err) = watch.stop("INT");
    assert!(status.success(), "{err}");
    assert_counted(&summary, n as u64);
    assert_eq!(n, 500);
}

/// A watch following `path`, written with `n` lines first and read from its start, once it
/// has the file open.
fn following(path: &Path, n: usize) -> Watch {
    std::fs::write(path, (0..n).map(|i| line(i, i as u64)).collect::<String>()).unwrap();
    let watch = Watch::start(&["--from-start"], &[path], false);
    wait_until("watch follows the file", || has_open(watch.pid(), path));
    watch
}

#[test]
fn sigterm_and_sighup_end_with_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let mut totals = Vec::new();
    for sig in ["INT", "TERM", "HUP"] {
        // Following: the file is read to its end before the summary, whenever the signal
        // comes after startup.
        let watch = following(&dir.path().join(format!("{sig}.log")), 300);
        let (status, summary, err) = watch.stop(sig);
        assert!(status.success(), "SIG{sig}: {status:?} {err}");
        assert_counted(&summary, 300);
        totals.push(summary["report"]["totals"].clone());

        // Piped, with the writer still open: what was read when the signal came is counted.
        let mut watch = Watch::start(&["-w", "1s", "--lateness", "0s"], &[], true);
        let mut stdin = watch.child.stdin.take().unwrap();
        let lines: String = (0..100).map(|i| line(i, i as u64)).collect();
        stdin.write_all(lines.as_bytes()).unwrap();
        stdin.write_all(line(100, 1000).as_bytes()).unwrap();
        stdin.flush().unwrap();
        assert_eq!(watch.window(&second(0))["lines"], 100);
        let (status, summary, err) = watch.stop(sig);
        drop(stdin);
        assert!(status.success(), "SIG{sig} on stdin: {status:?} {err}");
        assert_counted(&summary, 101);
    }
    assert!(totals.windows(2).all(|w| w[0] == w[1]), "{totals:?}");
}

#[test]
fn one_stop_delivered_twice_still_ends_with_the_summary() {
    // `timeout` sends its signal to the child and then to the child's process group, so a
    // watch it runs gets SIGTERM twice; that is one stop, not a second impatient Ctrl-C.
    let dir = tempfile::tempdir().unwrap();
    let watch = following(&dir.path().join("app.log"), 200);
    let (status, summary, err) = watch.stop_after(&["TERM", "TERM"]);
    assert!(status.success(), "{status:?} {err}");
    assert_counted(&summary, 200);
}

#[test]
fn follow_reads_a_fifo_as_a_stream() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("app.pipe");
    mkfifo(&fifo);
    // Not --from-start: a stream has no end to seek to (this was "Illegal seek").
    let mut watch = Watch::start(&["-w", "1s", "--lateness", "0s"], &[&fifo], false);
    wait_until("watch opens the FIFO", || has_open(watch.pid(), &fifo));
    // Opening for writing waits for a reader: watch is one.
    let mut w1 = OpenOptions::new().write(true).open(&fifo).unwrap();
    let mut n = 0;
    let mut write = |w: &mut File, count: usize, ms: &dyn Fn(usize) -> u64| {
        for _ in 0..count {
            w.write_all(line(n, ms(n)).as_bytes()).unwrap();
            n += 1;
        }
    };
    // Second 0 and a line of second 1 to close its window, the writer still open: the lines
    // are read as they come, not at the writer's end.
    write(&mut w1, 100, &|i| i as u64);
    write(&mut w1, 1, &|_| 1000);
    assert_eq!(watch.window(&second(0))["lines"], 100);
    // The first writer goes; a second one comes and is read too.
    write(&mut w1, 50, &|i| 1000 + i as u64);
    drop(w1);
    let mut w2 = OpenOptions::new().write(true).open(&fifo).unwrap();
    write(&mut w2, 50, &|i| 1000 + i as u64);
    write(&mut w2, 1, &|_| 2000);
    assert_eq!(watch.window(&second(1))["lines"], 101);
    drop(w2);
    let (status, summary, err) = watch.stop("TERM");
    assert!(status.success(), "{err}");
    assert_eq!(err, "", "no error (no seek) on a FIFO");
    assert_counted(&summary, n as u64);
    assert_eq!(n, 202);
}

#[test]
fn follow_a_fifo_without_a_writer_does_not_block_startup() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("nobody.pipe");
    mkfifo(&fifo);
    let file = dir.path().join("app.log");
    let mut text: String = (0..40).map(|i| line(i, i as u64)).collect();
    text += &line(40, 1000);
    std::fs::write(&file, text).unwrap();
    // The FIFO first: opening it must not wait for a writer that never comes.
    let mut watch = Watch::start(
        &["--from-start", "-w", "1s", "--lateness", "0s"],
        &[&fifo, &file],
        false,
    );
    wait_until("watch opens the file after the FIFO", || {
        has_open(watch.pid(), &file)
    });
    // The file is read while the FIFO has no writer.
    assert_eq!(watch.window(&second(0))["lines"], 40);
    let (status, summary, err) = watch.stop("INT");
    assert!(status.success(), "{err}");
    assert_counted(&summary, 41);
    let inputs = summary["report"]["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2);
}
