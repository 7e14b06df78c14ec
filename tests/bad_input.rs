//! Bad input through the real binary: every case either reports a one-line error naming the
//! file, or counts the lines as unparsed; never a panic, never a lost line. Here only what a
//! case file cannot say (a 50 MB line, a bounded count, a live pipe or a file cut while
//! read); fixed inputs are in tests/cases/ (line_accounting, input_sources, usage_errors).

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

fn bin() -> Command {
    Command::cargo_bin("logtriage").unwrap()
}

/// Runs `report --format json` on the given files; returns (exit code, report, stderr).
fn report(args: &[&str]) -> (i32, Value, String) {
    let out = bin()
        .args(["report", "--format", "json", "--tz", "UTC", "--no-progress"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad json ({e}); stderr: {stderr}"));
    (out.status.code().unwrap(), v, stderr)
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

fn counts(v: &Value) -> (u64, u64, u64, u64) {
    let t = &v["totals"];
    let g = |k: &str| t[k].as_u64().unwrap();
    (g("lines"), g("parsed"), g("unparsed"), g("blank"))
}

fn assert_balanced(v: &Value) {
    let (lines, parsed, unparsed, blank) = counts(v);
    assert_eq!(
        lines,
        parsed + unparsed + blank,
        "lines = parsed + unparsed + blank"
    );
}

const JSON_LINE: &str = r#"{"time":"2025-05-06T04:00:08Z","level":"info","msg":"ok","request_id":"r1","status":200,"duration_ms":5}"#;

#[test]
fn fifty_megabyte_single_line() {
    let d = tempfile::tempdir().unwrap();
    let mut big = vec![b'x'; 50 << 20];
    big.push(b'\n');
    big.extend_from_slice(JSON_LINE.as_bytes());
    big.push(b'\n');
    let f = write(&d, "big.log", &big);
    for extra in [&[][..], &["--no-mmap"][..]] {
        let mut args = vec![f.as_str()];
        args.extend_from_slice(extra);
        let (code, v, _) = report(&args);
        assert_eq!(code, 0);
        assert_eq!(counts(&v), (2, 1, 1, 0));
        // The sample is cut, not copied whole into the report.
        assert!(v["unparsed_samples"][0]["text"].as_str().unwrap().len() <= 300);
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn truncated_gzip_counts_what_was_read_and_exits_2() {
    let d = tempfile::tempdir().unwrap();
    let text: String = (0..20_000)
        .map(|i| format!("{{\"time\":\"2025-05-06T04:00:08Z\",\"msg\":\"line {i}\"}}\n"))
        .collect();
    let gz = gzip(text.as_bytes());
    let f = write(&d, "cut.gz", &gz[..gz.len() / 2]);
    let (code, v, stderr) = report(&[&f]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cut.gz"), "stderr names the file: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    let (lines, parsed, unparsed, blank) = counts(&v);
    assert!(lines > 0 && lines < 20_000, "read part of it: {lines}");
    assert_eq!(lines, parsed + unparsed + blank);
    assert!(v["inputs"][0]["error"].as_str().unwrap().contains("cut.gz"));
}

#[test]
fn broken_pipe_exits_quietly() {
    let d = tempfile::tempdir().unwrap();
    // 50k seconds of lines with a 1s window: megabytes of table output.
    let text: String = (0..50_000)
        .map(|i| {
            format!(
                "{{\"time\":{},\"level\":\"error\",\"msg\":\"x\"}}\n",
                1_746_504_008 + i
            )
        })
        .collect();
    let f = write(&d, "long.log", text.as_bytes());
    let mut child = bin()
        .args(["report", "--window", "1s", "--color", "never", &f])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert!(err.is_empty(), "stderr: {err}");
}

/// logrotate's `copytruncate` cuts a file while it is read: the file is read, not mapped
/// (it was just written), the cut is reported naming the file, and the report covers what
/// was read. Never a SIGBUS.
#[test]
fn a_file_truncated_while_being_read_is_reported_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let line = format!("{JSON_LINE}\n");
    let n = 1_000_000;
    let body = line.repeat(n);
    let mut seen = 0;
    // When the cut lands is up to the scheduler: before the read ends it loses lines, after
    // it the file shrank under a finished read. Both must be said; try a few moments.
    for delay_ms in [60u64, 20, 150, 5] {
        let path = write(&dir, "app.log", body.as_bytes());
        let child = bin()
            .args([
                "report",
                "--format",
                "json",
                "--tz",
                "UTC",
                "--no-progress",
                "-j",
                "1",
            ])
            .arg(&path)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(1_000_003).unwrap();
        drop(f);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.code().is_some(), "killed by a signal: {stderr}");
        let v: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("bad json ({e}); stderr: {stderr}"));
        assert_balanced(&v);
        let lines = v["totals"]["lines"].as_u64().unwrap();
        assert!(lines <= n as u64, "{lines}");
        if stderr.contains(&format!("{path}: truncated")) {
            seen += 1;
            let lost = lines < n as u64;
            // Lost bytes are the input's error (exit 2); a cut after the read is a warning.
            assert_eq!(
                out.status.code(),
                Some(if lost { 2 } else { 0 }),
                "{stderr}"
            );
            assert_eq!(v["inputs"][0]["error"].is_string(), lost, "{stderr}");
        }
    }
    assert!(seen > 0, "no run reported the cut");
}
