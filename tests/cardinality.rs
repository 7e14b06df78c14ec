//! Inputs with more names than memory should hold, through the real binary (issue 12: "1e6
//! distinct endpoints; one line a second for 11 days with `-w 1s`"): endpoints past
//! `--max-endpoints` fold into `(other endpoints)` and a fixed window widens, the same for
//! any thread count or chunk size. Expected numbers come from the lines each test writes.
//! `--max-endpoints 0` is refused in tests/cases/usage_errors.toml.

use std::fmt::Write as _;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;
use std::process::Command;

fn bin() -> Command {
    Command::cargo_bin("logtriage").unwrap()
}

fn run(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// 3,000 endpoints with 1 to 3 lines each (`i % 3 + 1`), and 7 health checks.
fn many_endpoints(dir: &tempfile::TempDir) -> (String, u64) {
    let mut s = String::new();
    let mut lines = 0;
    for i in 0..3_000u64 {
        for k in 0..=(i % 3) {
            let t = 1_700_000_000 + lines;
            writeln!(
                s,
                r#"{{"ts":{t},"level":"info","method":"GET","path":"/files/report-{i}-x/view","status":200,"duration_ms":{}.5,"request_id":"r{i}-{k}"}}"#,
                i % 50
            )
            .unwrap();
            lines += 1;
        }
    }
    for k in 0..7 {
        let t = 1_700_000_000 + lines;
        writeln!(
            s,
            r#"{{"ts":{t},"level":"info","method":"GET","path":"/healthz","status":200,"duration_ms":1.0,"request_id":"h{k}"}}"#
        )
        .unwrap();
        lines += 1;
    }
    let p = dir.path().join("app.log");
    std::fs::write(&p, s).unwrap();
    (p.to_string_lossy().into_owned(), lines)
}

fn report_json(path: &str, extra: &[&str]) -> (Vec<u8>, Value) {
    let mut args = vec!["report", "-f", "json", "--no-progress", "--tz", "UTC", path];
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let v = serde_json::from_slice(&out).unwrap();
    (out, v)
}

#[test]
fn endpoints_past_the_cap_fold_into_other_the_same_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (path, lines) = many_endpoints(&dir);
    let cap = ["--max-endpoints", "100", "--top", "100000"];
    let (first, v) = report_json(&path, &[&cap[..], &["-j", "1"]].concat());
    for extra in [
        &["-j", "2"][..],
        &["-j", "2", "--chunk-size", "4096"],
        &["-j", "1", "--chunk-size", "20000"],
    ] {
        let (again, _) = report_json(&path, &[&cap[..], extra].concat());
        assert!(first == again, "output differs with {extra:?}");
    }
    assert_eq!(v["totals"]["lines"], lines);
    let eps = v["latency"]["app"]["endpoints"].as_array().unwrap();
    let count = |e: &Value| e["count"].as_u64().unwrap();
    let other: Vec<&Value> = eps
        .iter()
        .filter(|e| e["endpoint"] == "(other endpoints)")
        .collect();
    assert_eq!(other.len(), 1, "{eps:?}");
    // 100 real endpoints kept by name besides the health check, which is never folded.
    let named: Vec<&Value> = eps
        .iter()
        .filter(|e| e["endpoint"] != "(other endpoints)" && e["health"] == false)
        .collect();
    assert_eq!(named.len(), 100);
    let health: Vec<&Value> = eps.iter().filter(|e| e["health"] == true).collect();
    assert_eq!(health.len(), 1);
    assert_eq!(count(health[0]), 7);
    // Every line of a kept endpoint is its own: 1 to 3 lines as written.
    for e in &named {
        let name = e["endpoint"].as_str().unwrap();
        let i: u64 = name
            .trim_start_matches("GET /files/report-")
            .trim_end_matches("-x/view")
            .parse()
            .unwrap();
        assert_eq!(count(e), i % 3 + 1, "{name}");
    }
    let kept: u64 = named.iter().map(|e| count(e)).sum();
    let folded = &v["totals"]["endpoints_folded"];
    assert_eq!(folded["max_endpoints"], 100);
    assert_eq!(folded["into"], "(other endpoints)");
    assert_eq!(folded["lines"], lines - 7 - kept);
    assert_eq!(count(other[0]), lines - 7 - kept);
    // Folded lines still count everywhere else.
    assert_eq!(v["latency"]["app"]["overall"]["count"], lines - 7);
}

#[test]
fn the_table_says_endpoints_were_folded_and_requests_lists_them_as_other() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = many_endpoints(&dir);
    let (code, out, err) = run(&[
        "report",
        "--no-progress",
        "--tz",
        "UTC",
        "--max-endpoints",
        "10",
        &path,
    ]);
    assert_eq!(code, 0, "{err}");
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("more than --max-endpoints 10 distinct endpoints"),
        "{text}"
    );
    let (code, out, err) = run(&[
        "requests",
        "-f",
        "json",
        "--no-progress",
        "--tz",
        "UTC",
        "--max-endpoints",
        "10",
        &path,
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_slice(&out).unwrap();
    let rows = v["requests"].as_array().unwrap();
    let other = rows
        .iter()
        .filter(|r| r["endpoint"] == "(other endpoints)")
        .count();
    let named = rows
        .iter()
        .filter(|r| {
            r["endpoint"]
                .as_str()
                .is_some_and(|e| e.starts_with("GET /files/"))
        })
        .count();
    // Each request is one line: 10 endpoints of 1 to 3 requests keep their names.
    assert!((10..=30).contains(&named), "{named}");
    assert_eq!(other + named + 7, rows.len());
}

#[test]
fn a_fixed_one_second_window_over_eleven_days_widens_and_says_so() {
    // One line every 10 s for 11 days: 95,040 windows of 1 s, 15,840 of 1 min.
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::new();
    let n = 11 * 86_400 / 10;
    for i in 0..n {
        let t = 1_700_006_400 + i * 10;
        writeln!(
            s,
            r#"{{"ts":{t},"level":"info","method":"GET","path":"/a","status":200,"duration_ms":2.5}}"#
        )
        .unwrap();
    }
    let p = dir.path().join("days.log");
    std::fs::write(&p, s).unwrap();
    let path = p.to_string_lossy().into_owned();
    let (first, v) = report_json(&path, &["-w", "1s", "-j", "1"]);
    let (again, _) = report_json(&path, &["-w", "1s", "-j", "2", "--chunk-size", "65536"]);
    assert!(first == again, "output differs with 2 threads");
    assert_eq!(v["window_requested_seconds"], 1);
    assert_eq!(v["window_seconds"], 60);
    let wins = v["windows"].as_array().unwrap();
    assert_eq!(wins.len() as u64, n / 6);
    let lines: u64 = wins.iter().map(|w| w["lines"].as_u64().unwrap()).sum();
    assert_eq!(lines, n);
    // A width that fits is kept as asked.
    let (_, v) = report_json(&path, &["-w", "2m"]);
    assert_eq!(v["window_seconds"], 120);
    assert!(v.get("window_requested_seconds").is_none());
}
