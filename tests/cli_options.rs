//! Options through the real binary, on small inputs built here so every expected number
//! follows from how the input was made. Here the inputs built by a loop; options over fixed
//! inputs are in tests/cases/ (time_range, request_ids, report_sections, completions_man).

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

fn bin() -> Command {
    Command::cargo_bin("logtriage").unwrap()
}

fn json(args: &[&str]) -> Value {
    let out = bin()
        .args(["report", "-f", "json", "--no-progress"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Writes `content` to a log file in a fresh directory (kept alive by the returned guard).
fn log_file(content: &str) -> (tempfile::TempDir, String) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("test.log");
    std::fs::write(&p, content).unwrap();
    let p = p.to_string_lossy().into_owned();
    (d, p)
}

/// The `type` of every error type in a report, in order.
fn error_types(v: &Value) -> Vec<String> {
    v["error_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

/// 600 lines, one per second from 2025-05-06T04:00:00Z; every 10th is an ERROR with a
/// latency of 100 ms, the others INFO with latency i % 100 ms.
fn minute_log() -> (tempfile::TempDir, String) {
    let mut s = String::new();
    for i in 0..600u64 {
        let level = if i % 10 == 0 { "error" } else { "info" };
        let ms = if i % 10 == 0 { 100 } else { i % 100 };
        s.push_str(&format!(
            "{{\"ts\":{},\"level\":\"{level}\",\"msg\":\"m\",\"spanRef\":\"t{}\",\"method\":\"GET\",\"path\":\"/items/{i}\",\"elapsed\":{},\"took_ms\":{ms}}}\n",
            1_746_504_000 + i,
            i / 2,
            ms * 1000
        ));
    }
    log_file(&s)
}

#[test]
fn window_since_until() {
    let (_d, f) = minute_log();
    let v = json(&["--tz", "UTC", "-w", "1m", &f]);
    assert_eq!(v["window_seconds"], 60);
    let w = v["windows"].as_array().unwrap();
    assert_eq!(w.len(), 10);
    assert!(w.iter().all(|w| w["lines"] == 60 && w["errors"] == 6));
    assert_eq!(w[0]["start"], "2025-05-06T04:00:00.000Z");
    // Default window for a 599 s span: at most 60 windows -> 10s.
    assert_eq!(json(&["--tz", "UTC", &f])["window_seconds"], 10);

    let v = json(&[
        "--tz",
        "UTC",
        "--since",
        "2025-05-06 04:02",
        "--until",
        "2025-05-06T04:04:00Z",
        &f,
    ]);
    assert_eq!(v["totals"]["filtered"], 480);
    assert_eq!(v["levels"]["ERROR"], 12);
    assert_eq!(v["totals"]["lines"], 600);
    // Relative: the last 100 s before the newest line (04:09:59) starts at 04:08:19.
    let v = json(&["--tz", "UTC", "--since", "100s", &f]);
    assert_eq!(v["totals"]["filtered"], 499);
    assert_eq!(v["time_range"]["start"], "2025-05-06T04:08:19.000Z");
}

#[test]
fn field_and_latency_overrides() {
    let (_d, f) = minute_log();
    // No alias names spanRef: no requests. Mapped, every two lines share an id.
    assert_eq!(json(&["--tz", "UTC", &f])["requests"]["total"], 0);
    let v = json(&["--tz", "UTC", "--field", "request_id=spanRef", &f]);
    assert_eq!(v["requests"]["total"], 300);
    // `took_ms` is the built-in latency alias; `elapsed` in microseconds must give the same.
    let a = json(&["--tz", "UTC", &f]);
    let b = json(&["--tz", "UTC", "--latency-field", "elapsed:us", &f]);
    assert_eq!(
        a["latency"]["app"]["overall"],
        b["latency"]["app"]["overall"]
    );
    let overall = &a["latency"]["app"]["overall"];
    assert_eq!(overall["count"], 600);
    assert_eq!(overall["max"], 100.0);
    // Endpoint ids collapse: one endpoint.
    assert_eq!(
        a["latency"]["app"]["endpoints"][0]["endpoint"],
        "GET /items/:id"
    );
    assert_eq!(
        a["latency"]["app"]["endpoints"].as_array().unwrap().len(),
        1
    );
}

#[test]
fn top_limits_ranked_lists() {
    let mut s = String::new();
    for i in 0..30 {
        for _ in 0..=i {
            s.push_str(&format!("{{\"time\":1746504000,\"level\":\"error\",\"error_type\":\"E{i}\",\"request_id\":\"r{i}\",\"status\":500,\"duration\":{i}}}\n"));
        }
    }
    let (_d, p) = log_file(&s);
    let v = json(&["--top", "3", &p]);
    assert_eq!(error_types(&v), ["E29", "E28", "E27"]);
    assert_eq!(v["error_types"][0]["count"], 30);
    let slow: Vec<&str> = v["requests"]["slowest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(slow, ["r29", "r28", "r27"]);
    assert_eq!(v["requests"]["slowest"][0]["duration_ms"], 29000.0);
}

#[test]
fn formats_render() {
    let (_d, f) = minute_log();
    let md = bin()
        .args(["report", "-f", "markdown", "--tz", "UTC", &f])
        .output()
        .unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.starts_with("## Incident log report"));
    assert!(md.contains("| ERROR |") || md.contains("ERROR"));
    assert!(md.contains("`GET /items/:id`"));
    let table = bin()
        .args(["report", "--color", "always", "--tz", "UTC", &f])
        .output()
        .unwrap();
    assert!(table.stdout.contains(&0x1b), "colour asked for");
    let plain = bin()
        .args(["report", "--tz", "UTC", &f])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let plain = String::from_utf8(plain.stdout).unwrap();
    assert!(!plain.contains('\u{1b}'));
    assert!(plain.contains("TIMELINE"));
    assert!(plain.contains('█'), "sparkline drawn");
}

#[test]
fn window_latency_summaries() {
    let (_d, f) = minute_log();
    let v = json(&["--tz", "UTC", "-w", "1m", &f]);
    let w = &v["windows"][0];
    // Minute one: i = 0..59; i % 10 == 0 -> 100 ms, else i % 100 ms.
    let mut vals: Vec<u64> = (0..60u64)
        .map(|i| if i % 10 == 0 { 100 } else { i % 100 })
        .collect();
    vals.sort();
    let rank = |p: f64| vals[((p / 100.0 * 60.0).ceil() as usize).max(1) - 1] as f64;
    let s = &w["latency"]["app"];
    assert_eq!(s["count"], 60);
    assert_eq!(s["p50"], rank(50.0));
    assert_eq!(s["p95"], rank(95.0));
    assert_eq!(s["max"], 100.0);
    assert_eq!(s["mean"], vals.iter().sum::<u64>() as f64 / 60.0);
    assert_eq!(w["p95"], s["p95"]);
    assert!(w["latency"]["nginx"].is_null());
}
