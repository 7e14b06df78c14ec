//! `report --save-summary` and summaries as inputs, through the binary on testdata/: the
//! report over host summaries equals the report over the hosts' logs byte for byte; a
//! request whose lines are on two hosts is one request; the bytes of a summary do not
//! depend on threads or chunking; bad summaries and other settings are one-line errors.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{FILES, logtriage, manifest, root, stdout_of};
use serde_json::Value;

const TZ: [&str; 2] = ["--tz", "Asia/Kolkata"];

fn testdata(f: &str) -> String {
    format!("testdata/{f}")
}

/// `logtriage report --save-summary OUT ARGS... FILES...`, which must succeed and print
/// nothing.
fn save(out: &Path, args: &[&str], files: &[String]) {
    let mut cmd = logtriage("report");
    cmd.args(["--no-progress"])
        .args(TZ)
        .args(args)
        .arg("--save-summary")
        .arg(out)
        .args(files);
    let stdout = stdout_of(&mut cmd);
    assert!(stdout.is_empty(), "a summary alone prints nothing");
}

/// `logtriage SUB --tz ... ARGS... INPUTS...`, which must succeed.
fn run(sub: &str, args: &[&str], inputs: &[String]) -> Vec<u8> {
    let mut cmd = logtriage(sub);
    cmd.args(["--no-progress", "--color", "never"])
        .args(TZ)
        .args(args)
        .args(inputs);
    stdout_of(&mut cmd)
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

fn all() -> Vec<String> {
    FILES.iter().map(|f| testdata(f)).collect()
}

#[test]
fn the_report_over_host_summaries_is_the_report_over_their_logs() {
    let dir = tempfile::tempdir().unwrap();
    let logs = all();
    // Three "hosts": the app logs, nginx, the worker; named in the raw run's order.
    let h1 = dir.path().join("h1.summary");
    let h2 = dir.path().join("h2.summary");
    save(&h1, &[], &logs[..2]);
    save(&h2, &[], &logs[3..]);
    for format in ["json", "table", "markdown", "html"] {
        let raw = run("report", &["-f", format], &logs);
        // The worker's log stays raw, between the two summaries, as it is in the raw run.
        let mixed = run(
            "report",
            &["-f", format],
            &[path(&h1), logs[2].clone(), path(&h2)],
        );
        if format == "html" {
            // The page's timelines come from logs only, and it says so.
            let html = String::from_utf8(mixed).unwrap();
            assert!(
                html.contains("Summaries keep no lines"),
                "html note missing"
            );
            continue;
        }
        assert!(raw == mixed, "{format}: the reports differ");
    }
    let raw = run("requests", &["-f", "json"], &logs);
    let joined = run(
        "requests",
        &["-f", "json"],
        &[path(&h1), logs[2].clone(), path(&h2)],
    );
    assert!(raw == joined, "requests: the listings differ");
}

/// testdata/app.log cut in two just after the first `request started` past its middle:
/// that request's other lines are in the second half.
fn halves(dir: &Path) -> [PathBuf; 2] {
    let text = std::fs::read_to_string(root().join("testdata/app.log")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mid = (lines.len() / 2..lines.len())
        .find(|&i| lines[i].contains("\"message\": \"request started\""))
        .expect("a request starts in the second half")
        + 1;
    let a = dir.join("app-a.log");
    let b = dir.join("app-b.log");
    std::fs::write(&a, lines[..mid].join("\n") + "\n").unwrap();
    std::fs::write(&b, lines[mid..].join("\n") + "\n").unwrap();
    [a, b]
}

#[test]
fn a_request_with_lines_on_two_hosts_is_one_request() {
    let dir = tempfile::tempdir().unwrap();
    let [a, b] = halves(dir.path());
    // Host 1: the first half of the app's log and nginx's access log; host 2: the rest.
    let host1 = vec![path(&a), testdata("nginx-access.log")];
    let host2 = vec![
        path(&b),
        testdata("node-app.log"),
        testdata("worker.log"),
        testdata("nginx-access.json.log"),
        testdata("nginx-error.log"),
    ];
    let (s1, s2) = (dir.path().join("1.summary"), dir.path().join("2.summary"));
    save(&s1, &[], &host1);
    save(&s2, &[], &host2);
    let joined = run("report", &["-f", "json"], &[path(&s1), path(&s2)]);
    let raw = run("report", &["-f", "json"], &[host1, host2].concat());
    assert!(raw == joined, "the reports differ");
    let r: Value = serde_json::from_slice(&joined).unwrap();
    let sent = manifest()["totals"]["requests"].as_u64().unwrap();
    assert_eq!(
        r["requests"]["total"].as_u64(),
        Some(sent),
        "every request the client sent, once"
    );
    // The halves share requests: cut app.log's ids at the middle and find some on both sides.
    let ids = |p: &Path| -> std::collections::BTreeSet<String> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter_map(|v| v["request_id"].as_str().map(str::to_string))
            .collect()
    };
    assert!(
        ids(&a).intersection(&ids(&b)).next().is_some(),
        "the cut falls inside a request"
    );
}

#[test]
fn a_summary_is_the_same_bytes_for_any_threads_and_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let logs = all();
    let one = dir.path().join("j1.summary");
    save(&one, &["-j", "1"], &logs);
    let want = std::fs::read(&one).unwrap();
    for (j, chunk) in [("2", "4096"), ("2", "65536"), ("3", "1000003")] {
        let p = dir.path().join(format!("j{j}-{chunk}.summary"));
        save(&p, &["-j", j, "--chunk-size", chunk], &logs);
        assert!(
            std::fs::read(&p).unwrap() == want,
            "-j {j} --chunk-size {chunk}: other bytes"
        );
    }
}

#[test]
fn a_summary_of_summaries_is_the_summary_of_their_logs() {
    let dir = tempfile::tempdir().unwrap();
    let logs = all();
    let (s1, s2) = (dir.path().join("1.summary"), dir.path().join("2.summary"));
    save(&s1, &[], &logs[..4]);
    save(&s2, &[], &logs[4..]);
    let (of_logs, of_summaries) = (
        dir.path().join("logs.summary"),
        dir.path().join("both.summary"),
    );
    save(&of_logs, &[], &logs);
    save(&of_summaries, &[], &[path(&s1), path(&s2)]);
    assert!(
        std::fs::read(&of_logs).unwrap() == std::fs::read(&of_summaries).unwrap(),
        "a region's summary differs from its hosts' logs'"
    );
}

#[test]
fn the_endpoint_cap_folds_alike_over_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let logs = all();
    let cap = ["--max-endpoints", "3"];
    let (s1, s2) = (dir.path().join("1.summary"), dir.path().join("2.summary"));
    save(&s1, &cap, &logs[..3]);
    save(&s2, &cap, &logs[3..]);
    let raw = run("report", &[&["-f", "json"][..], &cap].concat(), &logs);
    let joined = run(
        "report",
        &[&["-f", "json"][..], &cap].concat(),
        &[path(&s1), path(&s2)],
    );
    assert!(raw == joined, "the reports differ");
}

#[test]
fn a_summary_is_a_small_fraction_of_its_logs() {
    let dir = tempfile::tempdir().unwrap();
    let logs = all();
    let s = dir.path().join("all.summary");
    save(&s, &[], &logs);
    let logs_bytes: u64 = logs
        .iter()
        .map(|l| std::fs::metadata(root().join(l)).unwrap().len())
        .sum();
    let summary = std::fs::metadata(&s).unwrap().len();
    assert!(
        summary * 4 <= logs_bytes,
        "{summary} bytes of summary for {logs_bytes} of logs"
    );
}

#[test]
fn a_summary_travels_through_a_pipe() {
    let logs = all();
    let mut save = logtriage("report");
    save.args(["--no-progress"])
        .args(TZ)
        .args(["--save-summary", "-"])
        .args(&logs[..3]);
    let bytes = stdout_of(&mut save);
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("logtriage"));
    let out = cmd
        .current_dir(root())
        .args(["report", "--no-progress", "-f", "json"])
        .args(TZ)
        .arg("-")
        .args(&logs[3..])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(&bytes)?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout == run("report", &["-f", "json"], &logs),
        "the reports differ"
    );
}

#[test]
fn a_summary_and_a_report_together() {
    let dir = tempfile::tempdir().unwrap();
    let logs = all();
    let s = dir.path().join("s.summary");
    let mut cmd = logtriage("report");
    cmd.args(["--no-progress", "-f", "json"])
        .args(TZ)
        .arg("--save-summary")
        .arg(&s)
        .args(&logs);
    let report = stdout_of(&mut cmd);
    assert!(report == run("report", &["-f", "json"], &logs));
    assert!(run("report", &["-f", "json"], &[path(&s)]) == report);
}

/// The run's stderr, which must be one line naming `name`, and exit 2.
fn one_line_error(cmd: &mut Command, name: &str) -> String {
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{cmd:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(name), "{err}");
    err
}

#[test]
fn bad_summaries_are_one_line_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.summary");
    save(&good, &[], &all());
    let bytes = std::fs::read(&good).unwrap();
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "cut.summary",
            bytes[..bytes.len() / 2].to_vec(),
            "truncated",
        ),
        (
            "flipped.summary",
            {
                let mut b = bytes.clone();
                let i = b.len() - 10;
                b[i] ^= 1;
                b
            },
            "checksum",
        ),
        (
            "newer.summary",
            {
                let mut b = bytes.clone();
                b[8] = b[8].wrapping_add(1);
                b
            },
            "summary format 2",
        ),
    ];
    for (name, b, says) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, b).unwrap();
        let mut cmd = logtriage("report");
        cmd.args(TZ).arg(&p);
        let err = one_line_error(&mut cmd, name);
        assert!(err.contains(says), "{name}: {err}");
    }
}

#[test]
fn other_settings_are_an_error_naming_the_option() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.summary");
    save(&s, &["--window", "10s"], &all());
    for (args, option) in [
        (&["--tz", "Asia/Kolkata"][..], "--window"),
        (&["--tz", "UTC", "--window", "10s"][..], "--tz"),
        (
            &["--tz", "Asia/Kolkata", "--window", "10s", "--no-triage"][..],
            "--rules",
        ),
        (
            &[
                "--tz",
                "Asia/Kolkata",
                "--window",
                "10s",
                "--since",
                "2026-11-25T03:00:00Z",
            ][..],
            "--since",
        ),
    ] {
        let mut cmd = logtriage("report");
        cmd.args(args).arg(&s);
        let err = one_line_error(&mut cmd, "s.summary");
        assert!(err.contains(option), "{args:?}: {err}");
    }
    // With the same options it is read.
    run("report", &["--window", "10s"], &[path(&s)]);
}

#[test]
fn commands_that_read_lines_refuse_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.summary");
    save(&s, &[], &all());
    for sub in ["trace", "filter"] {
        let mut cmd = logtriage(sub);
        cmd.args(TZ);
        if sub == "trace" {
            cmd.arg("some-id");
        }
        let out = cmd.arg(&s).arg("testdata/app.log").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{sub}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("s.summary: is a logtriage summary"),
            "{sub}: {err}"
        );
    }
}
