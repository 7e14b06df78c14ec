//! Unit tests of `Follower`: appends, rotation with a writer still on the old file, cuts
//! (truncation, truncate and refill), FIFOs, the read budget.

use super::*;
use std::io::Write;

fn lines(out: &mut Vec<Piece>) -> Vec<String> {
    let mut v = Vec::new();
    for p in out.drain(..) {
        crate::input::chunk::for_each_line(&p.data, |_, l| {
            v.push(String::from_utf8_lossy(l).into_owned())
        });
    }
    v
}

fn append(path: &std::path::Path, s: &str) {
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap()
        .write_all(s.as_bytes())
        .unwrap();
}

#[test]
fn appends_rotation_and_truncation_lose_no_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    std::fs::write(&path, "old\n").unwrap();
    let mut f = Follower::new(path.clone(), false, 1 << 20)
        .unwrap()
        .with_quiet(Duration::from_secs(3600));
    let mut out = Vec::new();
    append(&path, "a1\na2 par");
    assert_eq!(f.poll(&mut out).unwrap(), Change::None);
    assert_eq!(lines(&mut out), vec!["a1"]);
    append(&path, "tial\n");
    f.poll(&mut out).unwrap();
    assert_eq!(lines(&mut out), vec!["a2 partial"]);
    // Rotation: the old file gets a last line after the rename, then a new file appears.
    let rotated = dir.path().join("app.log.1");
    std::fs::rename(&path, &rotated).unwrap();
    let mut old = std::fs::OpenOptions::new()
        .append(true)
        .open(&rotated)
        .unwrap();
    old.write_all(b"a3\n").unwrap();
    std::fs::write(&path, "b1\nb2\n").unwrap();
    assert_eq!(f.poll(&mut out).unwrap(), Change::Rotated);
    assert_eq!(lines(&mut out), vec!["a3", "b1", "b2"]);
    // The writer is still on the old file: what it writes there is read, old file first.
    old.write_all(b"a4\na5").unwrap();
    append(&path, "b3\n");
    assert_eq!(f.poll(&mut out).unwrap(), Change::None);
    assert_eq!(lines(&mut out), vec!["a4", "b3"]);
    // Truncation (copytruncate), then new content shorter than before.
    std::fs::write(&path, "").unwrap();
    append(&path, "c\n");
    assert_eq!(f.poll(&mut out).unwrap(), Change::Truncated);
    assert_eq!(lines(&mut out), vec!["c"]);
    // At the end the old file's last partial line is a line.
    f.finish(&mut out);
    assert_eq!(lines(&mut out), vec!["a5"]);
}

#[test]
fn a_rotated_file_is_closed_once_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    std::fs::write(&path, "").unwrap();
    let mut f = Follower::new(path.clone(), false, 1 << 20)
        .unwrap()
        .with_quiet(Duration::ZERO);
    let mut out = Vec::new();
    let rotated = dir.path().join("app.log.1");
    std::fs::rename(&path, &rotated).unwrap();
    std::fs::write(&path, "new\n").unwrap();
    assert_eq!(f.poll(&mut out).unwrap(), Change::Rotated);
    assert_eq!(f.retired.len(), 1);
    // A partial last line in it is a line when it is closed.
    append(&rotated, "last");
    f.poll(&mut out).unwrap();
    assert_eq!(f.retired.len(), 1, "it grew: still open");
    f.poll(&mut out).unwrap();
    assert!(f.retired.is_empty(), "quiet: closed");
    assert_eq!(lines(&mut out), vec!["new", "last"]);
}

#[test]
fn truncate_and_refill_past_the_old_size_starts_again_without_a_fragment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    std::fs::write(&path, "").unwrap();
    let mut f = Follower::new(path.clone(), false, 1 << 20).unwrap();
    let mut out = Vec::new();
    append(&path, "first 1\nfirst 2\nhalf a li");
    f.poll(&mut out).unwrap();
    assert_eq!(lines(&mut out), vec!["first 1", "first 2"]);
    // Cut and refilled with more than there was, before the next poll.
    std::fs::write(&path, "second 1\nsecond 2\nsecond 3\nsecond 4\n").unwrap();
    assert_eq!(f.poll(&mut out).unwrap(), Change::Truncated);
    // The held fragment ("half a li") is dropped, the new content read whole.
    assert_eq!(
        lines(&mut out),
        vec!["second 1", "second 2", "second 3", "second 4"]
    );
    append(&path, "second 5\n");
    assert_eq!(f.poll(&mut out).unwrap(), Change::None);
    assert_eq!(lines(&mut out), vec!["second 5"]);
}

#[test]
fn a_missing_file_is_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("later.log");
    let mut f = Follower::new(path.clone(), false, 1 << 20).unwrap();
    let mut out = Vec::new();
    f.poll(&mut out).unwrap();
    assert!(out.is_empty());
    std::fs::write(&path, "first\n").unwrap();
    f.poll(&mut out).unwrap();
    assert_eq!(lines(&mut out), vec!["first"]);
}

#[test]
fn a_large_backlog_is_read_a_budget_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.log");
    let line = "x".repeat(99) + "\n";
    let n = 3 * tail::BUDGET as usize / line.len();
    std::fs::write(&path, line.repeat(n)).unwrap();
    let mut f = Follower::new(path, true, 1 << 20).unwrap();
    let mut out = Vec::new();
    let mut polls = 0;
    let mut got = 0;
    loop {
        f.poll(&mut out).unwrap();
        polls += 1;
        got += lines(&mut out).len();
        if !f.pending() {
            break;
        }
    }
    assert_eq!(got, n);
    assert!(polls >= 3, "{polls} polls");
}

#[test]
fn a_fifo_is_read_as_a_stream_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pipe");
    let ok = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(ok.success());
    // No writer: opening and polling return at once.
    let mut f = Follower::new(path.clone(), false, 1 << 20).unwrap();
    let mut out = Vec::new();
    assert_eq!(f.poll(&mut out).unwrap(), Change::None);
    assert!(out.is_empty());
    let mut w = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    w.write_all(b"one\ntw").unwrap();
    f.poll(&mut out).unwrap();
    assert_eq!(lines(&mut out), vec!["one"]);
    // The writer closes: its partial line is its last line; a new writer is read too.
    w.write_all(b"o").unwrap();
    drop(w);
    f.poll(&mut out).unwrap();
    assert_eq!(lines(&mut out), vec!["two"]);
    let mut w = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    w.write_all(b"three\n").unwrap();
    f.poll(&mut out).unwrap();
    assert_eq!(lines(&mut out), vec!["three"]);
}
