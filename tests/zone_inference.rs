//! Time zones without `--tz`, and one latency per request, on testdata/deploy: the "berlin"
//! run was written with TZ=Europe/Berlin (naive `asctime` and nginx error-log stamps, access
//! log at +0100), "shop" with TZ=America/New_York; both are analysed here in a UTC "laptop".
//! Expected values come from testdata/deploy/manifest.json.

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

mod common;
use common::root;

const BERLIN: &str = "testdata/deploy/berlin";

fn manifest() -> Value {
    common::deploy_run("berlin")
}

/// `logtriage SUB ARGS FILES` on a machine whose local zone is `local`.
fn run(local: &str, sub: &str, args: &[&str], files: &[&str]) -> std::process::Output {
    let mut cmd = Command::cargo_bin("logtriage").unwrap();
    cmd.current_dir(root()).env("TZ", local).arg(sub).args(args);
    for f in files {
        cmd.arg(format!("{BERLIN}/{f}"));
    }
    cmd.output().unwrap()
}

fn report(local: &str, args: &[&str], files: &[&str]) -> (Value, String) {
    let mut a = vec!["-f", "json", "--top", "50"];
    a.extend_from_slice(args);
    let out = run(local, "report", &a, files);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const CONSISTENT: [&str; 3] = ["app.log", "nginx-access.log", "nginx-error.log"];

/// The span of the run as the client saw it: first request sent to the last one's end.
fn run_seconds(m: &Value) -> f64 {
    let mut sent: Vec<&str> = Vec::new();
    for s in m["scenarios"].as_object().unwrap().values() {
        for r in s["requests"].as_array().unwrap() {
            sent.push(r["sent_at"].as_str().unwrap());
        }
    }
    sent.sort();
    let t = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    };
    (t(sent[sent.len() - 1]) - t(sent[0])) as f64 / 1000.0
}

fn reading<'a>(v: &'a Value, file: &str) -> &'a Value {
    let input = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with(file))
        .unwrap();
    &input["timezone"]
}

#[test]
fn naive_stamps_are_placed_by_the_access_log() {
    let m = manifest();
    let offset = "UTC+01:00";
    let (v, stderr) = report("UTC", &[], &CONSISTENT);
    for f in ["app.log", "nginx-error.log"] {
        let z = reading(&v, f);
        assert_eq!(z["zone"], offset, "{f}: {z}");
        assert_eq!(z["how"], "inferred", "{f}");
        assert!(z["note"].as_str().unwrap().contains(offset), "{f}");
    }
    // Every request id the app logged is in the access log, at the same offset.
    let app_requests: u64 = m["scenarios"]
        .as_object()
        .unwrap()
        .values()
        .filter(|s| s["app_log"] == "app.log")
        .map(|s| s["count"].as_u64().unwrap())
        .sum();
    let app = reading(&v, "app.log");
    assert_eq!(app["request_ids"].as_u64(), Some(app_requests));
    assert_eq!(app["ids_agreeing"].as_u64(), Some(app_requests));
    // Each 504's error line met its access line in the same second.
    let slow = m["scenarios"]["slow"]["count"].as_u64().unwrap();
    assert_eq!(
        reading(&v, "nginx-error.log")["matched_error_lines"].as_u64(),
        Some(slow)
    );
    // The report spans the run, not an hour more.
    let span = v["time_range"]["seconds"].as_f64().unwrap();
    assert!(
        (span - run_seconds(&m)).abs() < 5.0,
        "{span} vs {}",
        run_seconds(&m)
    );
    assert!(!stderr.contains("warning"), "{stderr}");
    // The same as being told.
    let (told, _) = report("UTC", &["--tz", "Europe/Berlin"], &CONSISTENT);
    assert_eq!(told["time_range"], v["time_range"]);
    assert_eq!(told["windows"], v["windows"]);
    assert_eq!(told["flags"], v["flags"]);
    assert_eq!(reading(&told, "app.log")["how"], "tz");
}

#[test]
fn tz_wins_and_the_right_local_zone_is_confirmed() {
    let (v, _) = report("UTC", &["--tz", "UTC"], &CONSISTENT);
    // Told so, even when wrong: the hour between them stays.
    assert_eq!(reading(&v, "app.log")["how"], "tz");
    assert!(v["time_range"]["seconds"].as_f64().unwrap() > 3600.0);
    let (v, _) = report("Europe/Berlin", &[], &CONSISTENT);
    let z = reading(&v, "app.log");
    assert_eq!(z["how"], "confirmed");
    assert_eq!(z["zone"], "Europe/Berlin");
    // Without anything zoned to compare with, the local zone is assumed, unchecked.
    let (v, _) = report("UTC", &[], &["app.log"]);
    let z = reading(&v, "app.log");
    assert_eq!(z["how"], "assumed");
    assert!(z["note"].as_str().unwrap().contains("not checked"), "{z}");
}

#[test]
fn a_file_written_in_two_zones_is_named() {
    let m = manifest();
    let tz = &m["tzchange"];
    let (v, stderr) = report("UTC", &[], &["tzchange-app.log", "nginx-access.log"]);
    let z = reading(&v, "tzchange-app.log");
    let per_zone = tz["request_ids_by_zone"].as_object().unwrap();
    let (berlin_ids, utc_ids) = (
        per_zone["Europe/Berlin"].as_array().unwrap().len() as u64,
        per_zone["UTC"].as_array().unwrap().len() as u64,
    );
    assert_eq!(z["request_ids"].as_u64(), Some(berlin_ids + utc_ids));
    assert_eq!(z["ids_agreeing"].as_u64(), Some(berlin_ids.max(utc_ids)));
    let other = if z["zone"] == "UTC+01:00" {
        ("UTC+00:00", utc_ids)
    } else {
        ("UTC+01:00", berlin_ids)
    };
    assert_eq!(z["conflicting"][other.0].as_u64(), Some(other.1), "{z}");
    assert!(
        stderr.contains("tzchange-app.log") && stderr.contains("cannot be placed consistently"),
        "{stderr}"
    );
}

#[test]
fn trace_and_filter_place_the_error_log_too() {
    let m = manifest();
    let slow = &m["scenarios"]["slow"];
    let id = slow["request_ids"][0].as_str().unwrap();
    let out = run("UTC", "trace", &[id, "-f", "json"], &CONSISTENT);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap()).unwrap();
    // The 504's error line is tied to the request only when both are in one zone.
    assert_eq!(first["correlated"], 1, "{first}");
    // nginx gave up after its 1 s timeout; the app answered later, and the trace says so.
    assert_eq!(first["late"]["app_status"], slow["app_status"], "{first}");
    let text = run("UTC", "trace", &[id], &CONSISTENT);
    assert!(
        String::from_utf8_lossy(&text.stdout)
            .contains("nginx gave up after 1.0 s; the app answered 200 after 2.5 s"),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("read as UTC+01:00"));
    // filter --merge interleaves the app's lines with nginx's where they happened.
    let out = run(
        "UTC",
        "filter",
        &["--merge", "-f", "json", "--request-id", id],
        &CONSISTENT,
    );
    let events: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let files: Vec<&str> = events.iter().map(|e| e["file"].as_str().unwrap()).collect();
    let access = files
        .iter()
        .position(|f| f.ends_with("nginx-access.log"))
        .unwrap();
    // The access line (nginx gave up after 1 s) comes between the app's first and last.
    assert!(access > 0 && access < files.len() - 1, "{files:?}");
}

#[test]
fn a_request_counts_its_latency_once() {
    let m = manifest();
    let b = &m;
    let (v, _) = report("UTC", &["--tz", "Europe/Berlin"], &["app.log"]);
    // One latency per request of app.log, whatever its slow-request line said before.
    let mut durations: Vec<f64> = Vec::new();
    let mut health = 0;
    for (name, s) in b["scenarios"].as_object().unwrap() {
        if s["app_log"] != "app.log" {
            continue;
        }
        for r in s["requests"].as_array().unwrap() {
            if name == "health" {
                health += 1;
            } else {
                durations.push(r["app_duration_ms"].as_f64().unwrap());
            }
        }
    }
    let app = &v["latency"]["app"];
    assert_eq!(
        app["overall"]["count"].as_u64(),
        Some(durations.len() as u64)
    );
    assert_eq!(app["health"]["count"].as_u64(), Some(health));
    let max = durations.iter().cloned().fold(0.0, f64::max);
    assert!((app["overall"]["max"].as_f64().unwrap() - max).abs() < 0.01);
    // nginx gave up on the slow ones; the app answered them later.
    let (v, _) = report("UTC", &["--tz", "Europe/Berlin"], &CONSISTENT);
    let timeout = v["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "upstream_timeout")
        .unwrap();
    let late = &timeout["app_side"][0]["late"];
    let slow: Vec<&Value> = b["scenarios"]["slow"]["requests"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    let slowest = slow
        .iter()
        .map(|r| r["app_duration_ms"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert!(
        (late["app_ms"].as_f64().unwrap() - slowest).abs() < 0.01,
        "{late}"
    );
    assert_eq!(late["app_status"], b["scenarios"]["slow"]["app_status"]);
    let nginx_ms = slow
        .iter()
        .map(|r| r["nginx_request_time"].as_f64().unwrap() * 1000.0)
        .fold(f64::MAX, f64::min);
    assert!(
        (late["nginx_ms"].as_f64().unwrap() - nginx_ms).abs() < 0.5,
        "{late}"
    );
    let flags = common::flag_rules(&v);
    assert!(
        !flags.contains(&"hung_requests"),
        "they did not hang: {flags:?}"
    );
    // In words, instead of where they "stopped".
    let out = run(
        "UTC",
        "report",
        &["--tz", "Europe/Berlin", "--color", "never"],
        &CONSISTENT,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("answered after nginx gave up") || text.contains("nginx gave up after"),
        "{text}"
    );
}
