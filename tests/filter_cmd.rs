//! `filter` on the real-software logs in testdata/, each predicate on its own. Expected
//! counts come from testdata/manifest.json and testdata/README.md (how the data was made),
//! never from logtriage's own output.

use std::process::Output;

use serde_json::Value;

mod common;
use common::{FILES, app_errors, manifest, root, run_on_all};

fn filter(args: &[&str]) -> Output {
    run_on_all("filter", args)
}

fn count(args: &[&str]) -> u64 {
    let mut a = vec!["--count"];
    a.extend(args);
    let out = filter(&a);
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Sum over scenarios of `f(scenario) * count`.
fn per_request(m: &Value, f: impl Fn(&Value) -> u64) -> u64 {
    m["scenarios"]
        .as_object()
        .unwrap()
        .values()
        .map(|s| f(s) * s["count"].as_u64().unwrap())
        .sum()
}

#[test]
fn no_predicate_selects_every_line() {
    let m = manifest();
    let lines: u64 = m["files"]
        .as_object()
        .unwrap()
        .values()
        .map(|f| f["lines"].as_u64().unwrap())
        .sum();
    assert_eq!(count(&[]), lines);
    // Raw output is the input itself, file after file.
    let out = filter(&[]);
    let mut want = Vec::new();
    for f in FILES {
        want.extend(std::fs::read(root().join("testdata").join(f)).unwrap());
    }
    assert_eq!(out.stdout, want);
}

#[test]
fn level_selects_that_level_and_worse() {
    let m = manifest();
    let app_errors = per_request(&m, app_errors);
    let nginx_errors = m["nginx_error_log"]["levels"]["error"].as_u64().unwrap();
    // worker.log: the job's one `batch failed` error and its closing warning (README).
    assert_eq!(count(&["--level", "error"]), app_errors + nginx_errors + 1);
    assert_eq!(count(&["--level", "warn"]), app_errors + nginx_errors + 2);
    assert_eq!(count(&["--level", "fatal"]), 0);
}

#[test]
fn request_id_selects_the_requests_lines() {
    let m = manifest();
    let s = &m["scenarios"]["app_exception"];
    let id = s["requests"][0]["request_id"].as_str().unwrap();
    let want = s["app_lines_per_request"].as_u64().unwrap() + 1;
    assert_eq!(count(&["--request-id", id]), want);
    let other = m["scenarios"]["ok_node"]["requests"][0]["request_id"]
        .as_str()
        .unwrap();
    assert_eq!(
        count(&["--request-id", id, "--request-id", other]),
        want + m["scenarios"]["ok_node"]["app_lines_per_request"]
            .as_u64()
            .unwrap()
            + 1
    );
}

#[test]
fn field_predicates_on_canonical_names_and_raw_paths() {
    let m = manifest();
    let by_status = |code: &str| m["totals"]["by_nginx_status"][code].as_u64().unwrap();
    // Only access records carry 504 (the app never answered those requests).
    assert_eq!(count(&["--field", "status=504"]), by_status("504"));
    // A raw dotted path into pino-http's `req` object.
    let node_error = m["scenarios"]["node_error"]["count"].as_u64().unwrap();
    assert_eq!(count(&["--field", "req.url~^/api/node/boom"]), node_error);
    // The normalised endpoint, on app lines and access records alike.
    let fail = &m["scenarios"]["app_exception"];
    let per = fail["app_lines_per_request"].as_u64().unwrap() + 1;
    assert_eq!(
        count(&["--field", "endpoint=GET /api/fail/:id"]),
        fail["count"].as_u64().unwrap() * per
    );
    // Both predicates must hold.
    assert_eq!(
        count(&["--field", "status~^5", "--field", "format=nginx_access"]),
        by_status("500") + by_status("502") + by_status("504")
            - m["scenarios"]["node_error"]["count"].as_u64().unwrap()
    );
    let classes = &m["nginx_error_log"]["lines_by_class"];
    assert_eq!(
        count(&["--field", "error_type=upstream_timed_out"]),
        classes["upstream_timed_out"].as_u64().unwrap()
    );
}

#[test]
fn grep_matches_messages() {
    let m = manifest();
    let hung = |name: &str| m["scenarios"][name]["count"].as_u64().unwrap();
    assert_eq!(
        count(&["--grep", "^calling payment provider$"]),
        hung("timeout") + hung("timeout_same_second")
    );
}

#[test]
fn time_bounds_and_merge_order() {
    let m = manifest();
    let total: u64 = m["files"]
        .as_object()
        .unwrap()
        .values()
        .map(|f| f["lines"].as_u64().unwrap())
        .sum();
    let unparsed = m["app_banner_lines"].as_u64().unwrap();
    // Every stamped line is after the generator's first request and before now.
    assert_eq!(
        count(&["--since", "2000-01-01 00:00", "--until", "2100-01-01 00:00"]),
        total - unparsed
    );
    assert_eq!(count(&["--until", "2000-01-01 00:00"]), 0);

    let out = filter(&["--merge", "-f", "json", "--level", "warn"]);
    let ts: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["ts"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(ts.len() > 100);
    assert!(
        ts.windows(2).all(|w| w[0] <= w[1]),
        "merged output is in time order"
    );
}

#[test]
fn formats_and_exit_codes() {
    let m = manifest();
    let id = m["scenarios"]["timeout"]["requests"][0]["request_id"]
        .as_str()
        .unwrap();
    let out = filter(&["--request-id", id, "-f", "json"]);
    assert_eq!(out.status.code(), Some(0));
    for l in String::from_utf8(out.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["request_id"], id);
        assert!(v["file"].as_str().unwrap().starts_with("testdata/"));
        assert!(v["line"].as_u64().unwrap() >= 1);
    }
    let out = filter(&["--request-id", id, "-f", "text"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("calling payment provider"));
    assert!(text.contains("testdata/nginx-access.log:"));

    assert_eq!(
        filter(&["--grep", "no such message anywhere"])
            .status
            .code(),
        Some(1)
    );
    let bad = filter(&["--grep", "("]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--grep"));
    let bad = filter(&["--field", "status"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--field"));
}
