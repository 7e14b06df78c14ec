//! `watch` through the real binary: piped JSON lines over the real-software logs (windows,
//! alerts, a final summary equal to `report` on the same lines), following a file through
//! appends, rotation and truncation without losing or doubling a line, oversized and garbage
//! lines. Exact window and alert sequences are tested on `Watcher` directly
//! (src/watch/state.rs), with given timestamps and explicit ticks; usage errors are in
//! tests/cases/usage_errors.toml.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

mod common;
use common::{manifest, root, with_all_logs};

/// The testdata logs interleaved by time, as one stream would carry them.
fn merged() -> Vec<u8> {
    let mut cmd = common::logtriage("filter");
    cmd.args(["--tz", "Asia/Kolkata", "--merge"]);
    let out = with_all_logs(&mut cmd).output().unwrap();
    assert!(out.status.success());
    out.stdout
}

/// The binary with these arguments, in the repository root, every stream piped.
fn spawn(args: &[&str]) -> std::process::Child {
    Command::cargo_bin("logtriage")
        .unwrap()
        .current_dir(root())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Writes `lines` to a running child and gives it `ms` milliseconds to act on them.
fn write_then_wait(stdin: &mut impl Write, lines: impl Iterator<Item = String>, ms: u64) {
    for l in lines {
        stdin.write_all(l.as_bytes()).unwrap();
    }
    stdin.flush().unwrap();
    std::thread::sleep(Duration::from_millis(ms));
}

fn run_stdin(sub: &[&str], input: &[u8]) -> std::process::Output {
    let mut child = spawn(sub);
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn events(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn alerts_and_summary_do_not_depend_on_how_the_pipe_is_read() {
    // All at once (one read takes everything) or a few KiB at a time with pauses (many
    // short reads): every window is judged when it opens either way, so the same alerts
    // fire and the summary is the same.
    let input = merged();
    let args = ["watch", "--tz", "Asia/Kolkata", "-f", "json", "-w", "10s"];
    let whole = events(&run_stdin(&args, &input).stdout);
    let mut child = spawn(&args);
    let mut stdin = child.stdin.take().unwrap();
    for piece in input.chunks(3000) {
        stdin.write_all(piece).unwrap();
        stdin.flush().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    drop(stdin);
    let trickled = events(&child.wait_with_output().unwrap().stdout);
    let alerts = |ev: &[Value]| -> Vec<(String, String, String)> {
        let mut a: Vec<_> = ev
            .iter()
            .filter(|e| e["type"] == "alert")
            .map(|e| {
                (
                    e["rule"].to_string(),
                    e["subject"].to_string(),
                    e["state"].to_string(),
                )
            })
            .collect();
        a.sort();
        a
    };
    assert!(!alerts(&whole).is_empty());
    assert_eq!(alerts(&whole), alerts(&trickled));
    let report = |ev: &[Value]| ev.last().unwrap()["report"].clone();
    assert_eq!(report(&whole), report(&trickled));
}

#[test]
fn piped_windows_alerts_and_a_summary_equal_to_report() {
    let input = merged();
    let out = run_stdin(&["watch", "--tz", "Asia/Kolkata", "-f", "json"], &input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ev = events(&out.stdout);
    let summary = ev.last().unwrap();
    assert_eq!(summary["type"], "summary");
    let rep = run_stdin(&["report", "--tz", "Asia/Kolkata", "-f", "json"], &input);
    let want: Value = serde_json::from_slice(&rep.stdout).unwrap();
    assert_eq!(
        summary["report"], want,
        "watch's summary differs from report"
    );

    // Windows: every timed line once, none late in a time-ordered stream; 5xx as sent.
    let m = manifest();
    let windows: Vec<&Value> = ev.iter().filter(|e| e["type"] == "window").collect();
    assert!(windows.len() >= 9, "{} windows", windows.len());
    let sum = |k: &dyn Fn(&Value) -> u64| windows.iter().map(|w| k(w)).sum::<u64>();
    assert_eq!(summary["late_lines"], 0);
    assert_eq!(want["totals"]["untimed"], 0);
    assert_eq!(
        sum(&|w| w["lines"].as_u64().unwrap()),
        want["totals"]["parsed"].as_u64().unwrap()
    );
    let by = &m["totals"]["by_nginx_status"];
    let nginx_5xx: u64 = ["500", "502", "504"]
        .iter()
        .map(|c| by[c].as_u64().unwrap())
        .sum();
    assert_eq!(
        sum(&|w| w["status_5xx"]["nginx"].as_u64().unwrap()),
        nginx_5xx
    );
    // The app answers every 500 itself (python and node), nginx only relays them.
    assert_eq!(
        sum(&|w| w["status_5xx"]["app"].as_u64().unwrap()),
        by["500"].as_u64().unwrap()
    );
    let starts: Vec<&str> = windows
        .iter()
        .map(|w| w["start"].as_str().unwrap())
        .collect();
    assert!(starts.is_sorted());

    // Alerts are report's rules: the incident's scenarios fire their rules...
    let fired: std::collections::BTreeSet<(String, Option<String>)> = ev
        .iter()
        .filter(|e| e["type"] == "alert" && e["state"] == "firing")
        .map(|e| {
            (
                e["rule"].as_str().unwrap().to_string(),
                e["subject"].as_str().map(str::to_string),
            )
        })
        .collect();
    for rule in [
        "upstream_timeout",
        "upstream_closed",
        "upstream_refused",
        "health_check_failing",
    ] {
        assert!(
            fired.contains(&(rule.to_string(), None)),
            "{rule} did not fire: {fired:?}"
        );
    }
    // ...and they are exactly the flags `report` raises over the same 10 s windows.
    let rep = run_stdin(
        &["report", "--tz", "Asia/Kolkata", "-f", "json", "-w", "10s"],
        &input,
    );
    let rep: Value = serde_json::from_slice(&rep.stdout).unwrap();
    let flagged: std::collections::BTreeSet<(String, Option<String>)> = rep["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["subject"].as_str().map(str::to_string),
            )
        })
        .collect();
    assert_eq!(fired, flagged);
}

#[test]
fn oversized_and_garbage_lines_are_counted_not_fatal() {
    let mut input =
        b"{\"time\":\"2026-11-25T03:16:00Z\",\"level\":\"info\",\"msg\":\"ok\"}\n".to_vec();
    input.extend(vec![b'x'; 5000]);
    input.extend_from_slice(b"\n\xff\xfe\x00binary\x01\n");
    input.extend_from_slice(
        b"{\"time\":\"2026-11-25T03:16:01Z\",\"level\":\"error\",\"msg\":\"bad\"}",
    );
    let out = run_stdin(
        &["watch", "-f", "json", "--max-line", "1KiB", "--tz", "UTC"],
        &input,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ev = events(&out.stdout);
    let s = ev.last().unwrap();
    assert_eq!(s["oversized_lines"], 1);
    let t = &s["report"]["totals"];
    // Two JSON lines (the last without a newline) and the garbage; the oversized one skipped.
    assert_eq!(t["lines"], 3);
    assert_eq!(t["parsed"], 2);
    assert_eq!(t["unparsed"], 1);
}

fn line(i: usize) -> String {
    format!(
        "{{\"time\":\"2026-11-25T03:16:{:02}Z\",\"level\":\"info\",\"msg\":\"line {i}\",\"request_id\":\"req-{i}\"}}\n",
        i % 60
    )
}

#[test]
fn follow_survives_rotation_and_truncation_without_loss_or_doubling() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    std::fs::write(&path, "").unwrap();
    let child = Command::cargo_bin("logtriage")
        .unwrap()
        .args([
            "watch",
            "-f",
            "json",
            "--interval",
            "100ms",
            "--tz",
            "UTC",
            "--follow",
        ])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pause = || std::thread::sleep(Duration::from_millis(600));
    let append = |range: std::ops::Range<usize>| {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        for i in range {
            f.write_all(line(i).as_bytes()).unwrap();
        }
    };
    pause();
    append(0..10);
    pause();
    // Lines written just before the rename are read from the old file.
    append(10..12);
    std::fs::rename(&path, dir.path().join("app.log.1")).unwrap();
    std::fs::write(&path, (12..17).map(line).collect::<String>()).unwrap();
    pause();
    // copytruncate: emptied in place, then shorter content than before.
    std::fs::write(&path, "").unwrap();
    append(17..20);
    pause();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ev = events(&out.stdout);
    let s = ev.last().unwrap();
    assert_eq!(s["type"], "summary");
    assert_eq!(
        s["report"]["totals"]["lines"], 20,
        "{}",
        s["report"]["totals"]
    );
    assert_eq!(s["report"]["requests"]["total"], 20);
}

#[test]
fn an_alert_fires_within_a_second_of_its_line() {
    use std::io::BufRead;
    let mut child = Command::cargo_bin("logtriage")
        .unwrap()
        .args([
            "watch",
            "-f",
            "json",
            "--tz",
            "UTC",
            "--alert-upstream",
            "5",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let _ = tx.send((std::time::Instant::now(), line.unwrap()));
        }
    });
    let timeout = |s: u32| {
        format!(
            "2026/11/25 03:16:{s:02} [error] 7#7: *{s} upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.1, server: x, request: \"POST /pay HTTP/1.1\", upstream: \"http://10.0.0.7:8000/pay\", host: \"x\"\n"
        )
    };
    let mut stdin = child.stdin.take().unwrap();
    write_then_wait(&mut stdin, (0..4).map(timeout), 1500);
    // Four timeouts in the window are under the threshold of five.
    assert!(rx.try_iter().all(|(_, l)| !l.contains("upstream_timeout")));
    let sent = std::time::Instant::now();
    stdin.write_all(timeout(4).as_bytes()).unwrap();
    stdin.flush().unwrap();
    let (at, line) = rx
        .iter()
        .find(|(_, l)| l.contains("\"rule\":\"upstream_timeout\""))
        .expect("the alert");
    let waited = at - sent;
    assert!(line.contains("\"state\":\"firing\""), "{line}");
    assert!(waited < Duration::from_secs(1), "alert after {waited:?}");
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn live_view_redraws_escapes_log_text_restores_the_cursor_and_ends_with_the_report() {
    let mut child = spawn(&[
        "watch",
        "-f",
        "live",
        "--color",
        "never",
        "--interval",
        "100ms",
        "--tz",
        "UTC",
    ]);
    // A path and an error type carrying a terminal title sequence (OSC) from the log.
    let line = |s: u32| {
        format!(
            "{{\"time\":\"2026-11-25T03:16:{s:02}Z\",\"level\":\"error\",\"msg\":\"failed\",\"method\":\"GET\",\"path\":\"/x\\u001b]0;pwned\\u0007\",\"status\":500,\"duration_ms\":12,\"exc_type\":\"Evil\\u001b]0;pwned\\u0007Error\"}}\n"
        )
    };
    let mut stdin = child.stdin.take().unwrap();
    // Long enough for a few redraws.
    write_then_wait(&mut stdin, (0..5).map(line), 500);
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    // The live view was drawn (cursor hidden, screen cleared), with its sections.
    assert!(text.starts_with("\x1b[?25l"), "{text:?}");
    for part in [
        "ALERTS (",
        "5xx_burst",
        "P95 BY ENDPOINT",
        "TOP ERROR TYPES",
    ] {
        assert!(text.contains(part), "{part} missing: {text}");
    }
    // The log's escape sequence never reaches the terminal raw, only escaped.
    assert!(!text.contains("\x1b]0;"), "raw OSC in {text:?}");
    assert!(text.contains("pwned"));
    // The cursor comes back before the final report table.
    let shown = text.rfind("\x1b[?25h").expect("cursor restored");
    let table = &text[shown..];
    assert!(table.contains("Evil"), "{table}");
    assert!(!table.contains("\x1b[H"), "no redraw after the summary");
    // Each frame overwrites the last in place (no clear of the whole screen after the first,
    // so no flicker) and fits the 80x24 a terminal that cannot be asked is taken to be.
    let live = &text[..shown];
    let frames: Vec<&str> = live.split("\x1b[?2026h\x1b[H").skip(1).collect();
    assert!(frames.len() >= 2, "a few redraws: {}", frames.len());
    assert_eq!(
        live.matches("\x1b[2J").count(),
        1,
        "the screen is cleared once"
    );
    for f in &frames {
        let f = f.split("\x1b[J").next().unwrap();
        let rows: Vec<&str> = f.split("\r\n").filter(|r| !r.is_empty()).collect();
        assert!(rows.len() <= 23, "{} rows", rows.len());
        for r in rows {
            let plain = r.replace("\x1b[K", "");
            assert!(plain.chars().count() <= 80, "{plain:?}");
        }
    }
}

#[test]
fn lines_without_time_are_stamped_on_arrival() {
    use std::io::BufRead;
    // The shop service's own lines: JSON without a timestamp, as `tail -f` would pipe them.
    let raw = std::fs::read_to_string(root().join("testdata/deploy/shop/raw.log")).unwrap();
    let app: Vec<String> = raw
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut child = spawn(&["watch", "-f", "json", "-w", "1s"]);
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let _ = tx.send((std::time::Instant::now(), line.unwrap()));
        }
    });
    let mut stdin = child.stdin.take().unwrap();
    let sent = std::time::Instant::now();
    write_then_wait(&mut stdin, app[..20].iter().cloned(), 0);
    let (at, line) = rx
        .recv_timeout(Duration::from_secs(5))
        .expect("a window while input flows");
    let w: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(w["type"], "window", "{line}");
    // A 1 s window closes at its end: within about a second of the lines.
    assert!(at - sent < Duration::from_millis(2500), "{:?}", at - sent);
    assert_eq!(w["lines"], 20);
    write_then_wait(&mut stdin, app[20..].iter().cloned(), 0);
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let rest: Vec<(std::time::Instant, String)> = rx.iter().collect();
    let summary: Value = serde_json::from_str(&rest.last().unwrap().1).unwrap();
    // The summary is `report`'s: the lines are untimed there.
    let totals = &summary["report"]["totals"];
    assert_eq!(totals["untimed"].as_u64(), Some(app.len() as u64));
    let windowed: u64 = rest
        .iter()
        .filter_map(|(_, l)| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["type"] == "window")
        .map(|e| e["lines"].as_u64().unwrap())
        .sum::<u64>()
        + 20;
    assert_eq!(windowed, app.len() as u64, "every line in a window");
}

/// What `report` learns from a file's first MiB, `watch --follow` learns too: who writes the
/// access lines and their unit (gunicorn's `%(D)s` µs), and that uvicorn's access lines echo
/// the app's own (each request counted once). Statuses and latency as the load made them.
#[test]
fn a_followed_file_is_read_as_report_reads_it() {
    let m: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("testdata/stack/python/manifest.json")).unwrap(),
    )
    .unwrap();
    for name in ["uvicorn-json.log", "gunicorn-access-us.log"] {
        let path = format!("testdata/stack/python/{name}");
        let child = spawn(&["watch", "-f", "json", "--from-start", "--follow", &path]);
        // The whole file is read within a poll or two; then stop as a user would.
        std::thread::sleep(Duration::from_millis(1500));
        send_signal(child.id(), "INT");
        let out = child.wait_with_output().unwrap();
        let ev = events(&out.stdout);
        let summary = &ev.last().unwrap()["report"];
        let want = &m["files"][name]["requests"]["by_status"];
        assert_eq!(&summary["status"]["app"], want, "{name}");
        let report = common::logtriage("report")
            .args(["-f", "json", &path])
            .output()
            .unwrap();
        let r: Value = serde_json::from_slice(&report.stdout).unwrap();
        assert_eq!(summary["latency"]["app"], r["latency"]["app"], "{name}");
        assert_eq!(
            summary["inputs"][0]["echoed_access_lines"], r["inputs"][0]["echoed_access_lines"],
            "{name}"
        );
    }
}

/// Sends a signal by name with the `kill` command (no unsafe code in tests).
fn send_signal(pid: u32, sig: &str) {
    Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .unwrap();
}
