//! `requests` on the real-software logs in testdata/. Every expected count, endpoint, status,
//! outcome and last message comes from testdata/manifest.json (what the client sent, how nginx
//! and the services answered, what the app logged per request), never from logtriage's output.
//! Its exit codes and usage errors are in tests/cases/ (exit_codes, usage_errors).

use std::collections::{BTreeMap, BTreeSet};
use std::process::Output;

use serde_json::Value;

mod common;
use common::{app_errors, expected_outcome, manifest, run_on_all, scenarios};

fn requests(args: &[&str]) -> Output {
    run_on_all("requests", args)
}

fn listing(args: &[&str]) -> Value {
    let mut all = vec!["-f", "json"];
    all.extend(args);
    let out = requests(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn ids(s: &Value) -> Vec<String> {
    s["request_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_request_is_listed_as_it_was_made() {
    let m = manifest();
    let l = listing(&[]);
    let total = m["totals"]["requests"].as_u64().unwrap();
    assert_eq!(l["total"], total);
    assert_eq!(l["matched"], total);
    let rows: BTreeMap<&str, &Value> = l["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r))
        .collect();
    assert_eq!(rows.len() as u64, total);
    let mut outcomes: BTreeMap<&str, u64> = BTreeMap::new();
    for (name, s) in scenarios(&m) {
        let app_lines = s["app_lines_per_request"].as_u64().unwrap();
        for id in ids(s) {
            let r = rows[id.as_str()];
            let ctx = format!("{name} {id}");
            assert_eq!(r["endpoint"], s["endpoint"], "{ctx}");
            assert_eq!(r["status"], s["nginx_status"], "{ctx}");
            assert_eq!(r["nginx_status"], s["nginx_status"], "{ctx}");
            // The app's lines plus the one access-log record; error-log lines carry no id.
            assert_eq!(r["lines"], app_lines + 1, "{ctx}");
            assert_eq!(r["error_type"], s["app_error_type"], "{ctx}");
            assert_eq!(r["outcome"], expected_outcome(name), "{ctx}");
            let messages = s["app_messages"].as_array().unwrap();
            assert_eq!(
                r["last_message"],
                messages.last().cloned().unwrap_or(Value::Null),
                "{ctx}"
            );
            assert_eq!(r["errors"], app_errors(s), "{ctx}");
            assert_eq!(r["duration_from"], "logged", "{ctx}");
            *outcomes.entry(expected_outcome(name)).or_default() += 1;
        }
    }
    for (k, v) in outcomes {
        assert_eq!(l["outcomes"][k], v, "outcome {k}");
    }
    // Default order: by first line's time.
    let firsts: Vec<&str> = l["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["first"].as_str().unwrap())
        .collect();
    assert!(firsts.is_sorted());
}

/// Last words: stuck requests grouped by the last message the app logged for them.
#[test]
fn last_words_group_stuck_requests_by_their_last_app_message() {
    let m = manifest();
    let mut want: BTreeMap<String, (u64, BTreeSet<String>)> = BTreeMap::new();
    for (name, s) in scenarios(&m) {
        if !matches!(expected_outcome(name), "timeout" | "upstream_closed") {
            continue;
        }
        let last = s["app_messages"].as_array().unwrap().last().unwrap();
        let e = want.entry(last.as_str().unwrap().to_string()).or_default();
        e.0 += s["count"].as_u64().unwrap();
        e.1.insert(s["endpoint"].as_str().unwrap().to_string());
    }
    assert_eq!(want.len(), 3, "the scenarios stop at three distinct places");
    let l = listing(&[]);
    let groups = l["last_words"].as_array().unwrap();
    assert_eq!(groups.len(), want.len());
    let counts: Vec<u64> = groups
        .iter()
        .map(|g| g["count"].as_u64().unwrap())
        .collect();
    assert!(counts.is_sorted_by(|a, b| a >= b), "largest group first");
    for g in groups {
        let msg = g["message"].as_str().unwrap();
        let (count, endpoints) = &want[msg];
        assert_eq!(g["count"], *count, "{msg}");
        let got: BTreeSet<String> = g["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["endpoint"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(&got, endpoints, "{msg}");
        assert_eq!(g["request_ids"].as_array().unwrap().len(), 5);
    }

    // The table says it in words.
    let out = requests(&["--outcome", "timeout"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let timeouts: u64 = scenarios(&m)
        .iter()
        .filter(|(n, s)| {
            expected_outcome(n) == "timeout" && s["app_messages"][1] == "calling payment provider"
        })
        .map(|(_, s)| s["count"].as_u64().unwrap())
        .sum();
    assert!(
        text.contains(&format!(
            "{timeouts} requests stopped after \"calling payment provider\""
        )),
        "{text}"
    );
}

#[test]
fn outcome_endpoint_and_duration_filters_select_exactly() {
    let m = manifest();
    let count_where = |f: &dyn Fn(&str, &Value) -> bool| -> u64 {
        scenarios(&m)
            .iter()
            .filter(|(n, s)| f(n, s))
            .map(|(_, s)| s["count"].as_u64().unwrap())
            .sum()
    };
    let timeouts = count_where(&|n, _| expected_outcome(n) == "timeout");
    let l = listing(&["--outcome", "timeout"]);
    assert_eq!(l["matched"], timeouts);
    assert!(
        l["requests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["outcome"] == "timeout" && r["status"] == 504)
    );
    let both = listing(&["--outcome", "timeout,upstream_closed"]);
    assert_eq!(
        both["matched"],
        timeouts + count_where(&|n, _| expected_outcome(n) == "upstream_closed")
    );

    let health = listing(&["--endpoint", "^GET /health$"]);
    assert_eq!(
        health["matched"],
        count_where(&|_, s| s["endpoint"] == "GET /health")
    );

    // nginx gives up after proxy_read_timeout: every 504 took at least that long.
    let limit_ms = m["proxy_read_timeout_s"].as_f64().unwrap() * 1000.0;
    let slow = listing(&["--slower-than", &format!("{}ms", limit_ms - 100.0)]);
    let slow_ids: BTreeSet<&str> = slow["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert!(r["duration_ms"].as_f64().unwrap() > limit_ms - 100.0);
            r["id"].as_str().unwrap()
        })
        .collect();
    for (name, s) in scenarios(&m) {
        if expected_outcome(name) == "timeout" {
            for id in ids(s) {
                assert!(slow_ids.contains(id.as_str()), "{name} {id}");
            }
        }
    }
}

#[test]
fn sort_and_top() {
    let l = listing(&["--sort", "duration", "--top", "7"]);
    let rows = l["requests"].as_array().unwrap();
    assert_eq!(rows.len(), 7);
    assert_eq!(l["matched"], manifest()["totals"]["requests"]);
    let d: Vec<f64> = rows
        .iter()
        .map(|r| r["duration_ms"].as_f64().unwrap())
        .collect();
    assert!(d.is_sorted_by(|a, b| a >= b), "{d:?}");
    // The scenario whose requests log the most ERROR lines comes first.
    let m = manifest();
    let most = scenarios(&m)
        .iter()
        .map(|(_, s)| app_errors(s))
        .max()
        .unwrap();
    assert!(most > 0);
    let e = listing(&["--sort", "errors", "--top", "3"]);
    for r in e["requests"].as_array().unwrap() {
        assert_eq!(r["errors"], most);
    }
}

#[test]
fn csv_has_a_header_and_one_row_per_request() {
    let out = requests(&["-f", "csv"]);
    assert!(out.status.success());
    let mut rdr = csv::Reader::from_reader(out.stdout.as_slice());
    let header = rdr.headers().unwrap().clone();
    assert_eq!(&header[0], "id");
    assert!(header.iter().any(|h| h == "last_message"));
    let outcome = header.iter().position(|h| h == "outcome").unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(
        rows.len() as u64,
        manifest()["totals"]["requests"].as_u64().unwrap()
    );
    let json = listing(&[]);
    for (row, want) in rows.iter().zip(json["requests"].as_array().unwrap()) {
        assert_eq!(&row[0], want["id"].as_str().unwrap());
        assert_eq!(&row[outcome], want["outcome"].as_str().unwrap());
    }
    // An empty listing still has its header.
    let none = requests(&["-f", "csv", "--outcome", "unfinished"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(
        String::from_utf8(none.stdout)
            .unwrap()
            .starts_with("id,first,")
    );
}

#[test]
fn output_does_not_depend_on_threads_or_chunks() {
    let one = requests(&["-f", "json", "-j", "1"]);
    let many = requests(&["-f", "json", "-j", "2", "--chunk-size", "777"]);
    assert!(one.status.success());
    assert_eq!(one.stdout, many.stdout);
    let t1 = requests(&["-j", "1"]);
    let t2 = requests(&["-j", "2", "--chunk-size", "4096"]);
    assert_eq!(t1.stdout, t2.stdout);
}
