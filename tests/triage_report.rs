//! Triage in `report` (rules, incidents, patterns, `--rules`, `--fail-on`) on the real-software
//! logs in testdata/. Expected counts, times and types come from testdata/manifest.json and the
//! generator (what was sent, in which phase, how nginx and the services answered), never from
//! logtriage's own output. Exit codes of `--fail-on`, bad rules files and the order of the
//! sections are in tests/cases/ (exit_codes, rules_files, report_sections).

use std::collections::BTreeSet;
use std::io::Write;
use std::process::Output;

use serde_json::Value;

mod common;
use common::{expected_outcome, manifest, run_on_all, scenarios};

fn report(args: &[&str]) -> Output {
    run_on_all("report", args)
}

fn report_json(args: &[&str]) -> Value {
    let mut all = vec!["-f", "json"];
    all.extend(args);
    let out = report(&all);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn flags<'a>(v: &'a Value, rule: &str) -> Vec<&'a Value> {
    v["flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// RFC 3339 UTC with milliseconds -> microseconds since the epoch.
fn micros(t: &str) -> i64 {
    let dt = chrono::DateTime::parse_from_rfc3339(t).unwrap();
    dt.timestamp_micros()
}

fn phase(m: &Value, name: &str) -> (i64, i64) {
    let p = m["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap();
    (
        micros(p["started_at"].as_str().unwrap()),
        micros(p["ended_at"].as_str().unwrap()),
    )
}

fn write_temp(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

#[test]
fn each_nginx_rule_fires_with_the_count_of_its_lines() {
    let m = manifest();
    let v = report_json(&[]);
    let by_class = &m["nginx_error_lines_by_class_substring"];
    for (rule, class) in [
        ("upstream_timeout", "upstream_timed_out"),
        ("upstream_closed", "upstream_prematurely_closed"),
        ("upstream_refused", "upstream_connect_refused"),
        ("upstream_reset", "upstream_reset"),
    ] {
        let f = flags(&v, rule);
        assert_eq!(f.len(), 1, "{rule}");
        assert_eq!(f[0]["count"], by_class[class], "{rule}");
        assert!(!f[0]["samples"].as_array().unwrap().is_empty(), "{rule}");
        let sample = &f[0]["samples"][0];
        assert_eq!(sample["path"], "testdata/nginx-error.log");
    }
    // Classes the scenarios never produce.
    for rule in [
        "no_live_upstreams",
        "upstream_too_big_header",
        "worker_connections_exhausted",
        "too_many_open_files",
        "restart",
    ] {
        assert!(flags(&v, rule).is_empty(), "{rule} fired");
    }
    // The endpoints behind the timeouts are those of the timeout scenarios, and the app side
    // says where those requests stopped: the last message each scenario's handler logged.
    let t = &flags(&v, "upstream_timeout")[0];
    let mut want_eps = BTreeSet::new();
    let mut want_words = BTreeSet::new();
    for (name, s) in scenarios(&m) {
        if expected_outcome(name) == "timeout" {
            want_eps.insert(s["endpoint"].as_str().unwrap().to_string());
            want_words.insert(
                s["app_messages"]
                    .as_array()
                    .unwrap()
                    .last()
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
    }
    let got_eps: BTreeSet<String> = t["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got_eps, want_eps);
    let got_words: BTreeSet<String> = t["app_side"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["last_message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got_words, want_words);
    // Refused connections never reached the app.
    let r = &flags(&v, "upstream_refused")[0];
    assert_eq!(r["app_side"][0]["last_message"], Value::Null);
    assert_eq!(
        r["app_side"][0]["requests"],
        m["scenarios"]["refused"]["count"]
    );
}

#[test]
fn clean_traffic_raises_no_flag() {
    // The normal phase alone: every request answered.
    let m = manifest();
    let (_, normal_end) = phase(&m, "normal");
    let until = chrono::DateTime::from_timestamp_micros(normal_end)
        .unwrap()
        .to_rfc3339();
    let v = report_json(&["--until", &until]);
    assert!(v["totals"]["parsed"].as_u64().unwrap() > 100);
    assert_eq!(v["flags"], Value::Array(vec![]), "{}", v["flags"]);
    assert_eq!(v["incidents"], Value::Array(vec![]));
    // And `--fail-on warning` then exits 0.
    let out = report(&["--until", &until, "--fail-on", "warning", "-f", "json"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn one_incident_spans_the_incident_phase() {
    let m = manifest();
    let v = report_json(&[]);
    let incidents = v["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{incidents:?}");
    let inc = &incidents[0];
    let window = v["window_seconds"].as_i64().unwrap() * 1_000_000;
    let (start, end) = phase(&m, "incident");
    let got_start = micros(inc["start"].as_str().unwrap());
    let got_end = micros(inc["end"].as_str().unwrap());
    assert!(
        (got_start - start).abs() <= window,
        "start {got_start} vs phase {start}"
    );
    assert!(
        (got_end - end).abs() <= window,
        "end {got_end} vs phase {end}"
    );
    assert_eq!(inc["severity"], "critical");
    let peak = micros(inc["peak"].as_str().unwrap());
    assert!(got_start <= peak && peak < got_end);
    let summary = inc["summary"].as_str().unwrap();
    assert!(summary.contains("upstream timeouts (504)"), "{summary}");
    let rules: BTreeSet<&str> = inc["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for r in [
        "upstream_timeout",
        "upstream_closed",
        "upstream_refused",
        "health_check_failing",
        "hung_requests",
        "new_error_type",
    ] {
        assert!(rules.contains(r), "{r} missing from {rules:?}");
    }
}

#[test]
fn health_checks_and_hung_requests_are_counted_from_the_scenarios() {
    let m = manifest();
    let v = report_json(&[]);
    let s = &m["scenarios"]["health_timeout"];
    // Each failed health check: its 504 access record and its `upstream timed out` error line.
    let h = &flags(&v, "health_check_failing")[0];
    assert_eq!(h["count"], s["count"].as_u64().unwrap() * 2);
    assert_eq!(h["endpoints"][0]["name"], "GET /health");
    // Requests the app started and never answered: timeouts and closed or reset upstreams.
    let hung: u64 = scenarios(&m)
        .iter()
        .filter(|(n, s)| {
            matches!(expected_outcome(n), "timeout" | "upstream_closed")
                && s["app_lines_per_request"].as_u64().unwrap() > 0
        })
        .map(|(_, s)| s["count"].as_u64().unwrap())
        .sum();
    let f = &flags(&v, "hung_requests")[0];
    assert_eq!(f["count"], hung);
    let words: u64 = f["app_side"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["requests"].as_u64().unwrap())
        .sum();
    assert_eq!(words, hung);
}

#[test]
fn new_error_types_are_only_those_absent_before_the_incident() {
    let m = manifest();
    let v = report_json(&[]);
    let got: BTreeSet<String> = flags(&v, "new_error_type")
        .iter()
        .map(|f| f["subject"].as_str().unwrap().to_string())
        .collect();
    // Every app exception and nginx class of the scenarios appears in the incident phase only,
    // and worker.py's job fails once with OperationalError during it.
    let mut want: BTreeSet<String> = BTreeSet::new();
    for (_, s) in scenarios(&m) {
        for key in ["app_error_type", "nginx_error_class"] {
            if let Some(t) = s[key].as_str() {
                assert_eq!(
                    s["phases"].as_object().unwrap().keys().collect::<Vec<_>>(),
                    ["incident"]
                );
                want.insert(t.to_string());
            }
        }
    }
    want.insert("OperationalError".to_string());
    assert_eq!(got, want);

    // Seen once in the normal phase, a type is no longer new.
    let (normal_start, _) = phase(&m, "normal");
    let early = chrono::DateTime::from_timestamp_micros(normal_start + 5_000_000).unwrap();
    let line = format!(
        "{{\"time\":\"{}\",\"level\":\"error\",\"msg\":\"request failed\",\"error_type\":\"storage.DatabaseError\"}}\n",
        early.to_rfc3339()
    );
    let dir = tempfile::tempdir().unwrap();
    let extra = dir.path().join("early.log");
    std::fs::write(&extra, line).unwrap();
    let v = report_json(&[extra.to_str().unwrap()]);
    let got: BTreeSet<String> = flags(&v, "new_error_type")
        .iter()
        .map(|f| f["subject"].as_str().unwrap().to_string())
        .collect();
    assert!(!got.contains("storage.DatabaseError"), "{got:?}");
    assert!(got.contains("UpstreamError"), "{got:?}");
}

#[test]
fn error_patterns_collapse_the_messages() {
    let m = manifest();
    let v = report_json(&["--top", "50"]);
    let patterns = v["patterns"].as_array().unwrap();
    let find = |t: &str| patterns.iter().find(|p| p["template"] == t);
    let by_class = &m["nginx_error_lines_by_class_substring"];
    // nginx's messages carry errno numbers; masked, each class is one pattern.
    let timeouts = find(
        "upstream timed out (<n>: Connection timed out) while reading response header from upstream",
    )
    .expect("timeout pattern");
    assert_eq!(timeouts["count"], by_class["upstream_timed_out"]);
    assert_eq!(timeouts["levels"]["ERROR"], by_class["upstream_timed_out"]);
    assert_eq!(timeouts["sample"]["path"], "testdata/nginx-error.log");
    let failed = find("request failed").expect("app pattern");
    assert_eq!(failed["count"], m["scenarios"]["app_exception"]["count"]);
    // Only patterns with error lines are listed.
    for p in patterns {
        let l = &p["levels"];
        assert!(l["ERROR"].as_u64().unwrap_or(0) + l["FATAL"].as_u64().unwrap_or(0) > 0);
    }
    let inc = &v["incidents"][0];
    let new: Vec<&str> = inc["new_patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(new.contains(&"request failed"), "{new:?}");
    assert!(!new.contains(&"request started"), "{new:?}");
}

#[test]
fn rules_file_tunes_disables_and_adds_rules() {
    let m = manifest();
    let rules = write_temp(
        r#"
[rules.upstream_timeout]
enabled = false

[rules.upstream_refused]
min_count = 1000

[rules.upstream_closed]
severity = "warning"

[[custom]]
id = "gateway_timeouts"
severity = "critical"
description = "504s in the access log"
match = { format = "nginx_access", fields = ["status=504"] }
condition = { count_at_least = 1 }

[[custom]]
id = "slow_retrieval"
severity = "warning"
description = "retrieval p95 over 1.5s at nginx"
match = { fields = ["endpoint=POST /retrieval/apple_health_data", "format~^nginx"] }
condition = { p95_above = "1500ms" }
"#,
    );
    let path = rules.path().to_str().unwrap();
    let v = report_json(&["--rules", path]);
    assert!(flags(&v, "upstream_timeout").is_empty());
    assert!(flags(&v, "upstream_refused").is_empty());
    assert_eq!(flags(&v, "upstream_closed")[0]["severity"], "warning");
    let g = &flags(&v, "gateway_timeouts")[0];
    let timeouts: u64 = scenarios(&m)
        .iter()
        .filter(|(n, s)| expected_outcome(n) == "timeout" && s["access_log"] == "nginx-access.log")
        .map(|(_, s)| s["count"].as_u64().unwrap())
        .sum();
    assert_eq!(g["count"], timeouts);
    assert_eq!(g["severity"], "critical");
    assert_eq!(flags(&v, "slow_retrieval").len(), 1);

    // `logtriage rules` shows the file's effect.
    let out = common::logtriage("rules")
        .args(["--rules", path])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("gateway_timeouts"));
    assert!(text.contains("min_count = 1000"));
}

#[test]
fn a_restart_in_the_middle_is_flagged_and_one_at_the_start_is_not() {
    let m = manifest();
    let (start, end) = phase(&m, "incident");
    let at = |t: i64| {
        chrono::DateTime::from_timestamp_micros(t)
            .unwrap()
            .to_rfc3339()
    };
    let dir = tempfile::tempdir().unwrap();
    let svc = dir.path().join("svc.log");
    std::fs::write(
        &svc,
        format!(
            "{{\"time\":\"{}\",\"level\":\"info\",\"msg\":\"Application startup complete.\"}}\n{{\"time\":\"{}\",\"level\":\"info\",\"msg\":\"Application startup complete.\"}}\n",
            at(phase(&m, "normal").0),
            at((start + end) / 2)
        ),
    )
    .unwrap();
    let v = report_json(&[svc.to_str().unwrap()]);
    let r = flags(&v, "restart");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["count"], 1);
    assert_eq!(r[0]["samples"][0]["line"], 2);
}
