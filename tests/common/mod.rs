//! Shared by the binary tests on testdata/: the bundled logs, the manifest that says how they
//! were made, and the command under test.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

/// Every log in testdata/, in the order the tests pass them.
pub const FILES: [&str; 6] = [
    "app.log",
    "node-app.log",
    "worker.log",
    "nginx-access.log",
    "nginx-access.json.log",
    "nginx-error.log",
];

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// testdata/manifest.json: what the generator sent and how the services answered.
pub fn manifest() -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("testdata/manifest.json")).unwrap())
        .unwrap()
}

/// testdata/deploy/manifest.json: the runs behind the envelope and time-zone tests, `run`
/// being `shop` or `berlin`.
pub fn deploy_run(run: &str) -> Value {
    let text = std::fs::read_to_string(root().join("testdata/deploy/manifest.json")).unwrap();
    let m: Value = serde_json::from_str(&text).unwrap();
    m["runs"][run].clone()
}

/// The rules a JSON report flagged, in its order.
pub fn flag_rules(report: &Value) -> Vec<&str> {
    report["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect()
}

/// `logtriage SUBCOMMAND` run from the repository root.
pub fn logtriage(subcommand: &str) -> Command {
    let mut cmd = Command::cargo_bin("logtriage").unwrap();
    cmd.current_dir(root()).arg(subcommand);
    cmd
}

/// Appends every testdata log to `cmd`.
pub fn with_all_logs(cmd: &mut Command) -> &mut Command {
    for f in FILES {
        cmd.arg(format!("testdata/{f}"));
    }
    cmd
}

/// `logtriage SUBCOMMAND ARGS... <every testdata log>` in the zone the logs were written in,
/// without colour.
pub fn run_on_all(subcommand: &str, args: &[&str]) -> Output {
    let mut cmd = logtriage(subcommand);
    cmd.args(["--tz", "Asia/Kolkata", "--color", "never"])
        .args(args);
    with_all_logs(&mut cmd).output().unwrap()
}

/// The stdout of `cmd`, which must succeed: otherwise the test fails showing its stderr.
pub fn stdout_of(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The stdout of `logtriage report --no-progress --tz Asia/Kolkata -f FORMAT ARGS...
/// <every testdata log>`, which must succeed.
pub fn report_all(format: &str, args: &[&str]) -> Vec<u8> {
    let mut cmd = logtriage("report");
    cmd.args(["--no-progress", "--tz", "Asia/Kolkata", "-f", format])
        .args(args);
    stdout_of(with_all_logs(&mut cmd))
}

/// The manifest's scenarios by name.
pub fn scenarios(m: &Value) -> Vec<(&str, &Value)> {
    m["scenarios"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect()
}

/// How many ERROR lines the app logs per request of a scenario.
pub fn app_errors(s: &Value) -> u64 {
    s["app_levels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| *l == "ERROR")
        .count() as u64
}

/// The outcome a scenario's requests must get, from how they were made.
pub fn expected_outcome(name: &str) -> &'static str {
    match name {
        "timeout" | "timeout_same_second" | "health_timeout" => "timeout",
        "upstream_closed" | "upstream_reset" => "upstream_closed",
        // nginx answered 500 after the app logged the failure; 502 with no app line at all.
        "app_exception" | "node_error" | "refused" => "error",
        // 2xx, and client errors nginx answered itself (404, 413).
        _ => "ok",
    }
}
