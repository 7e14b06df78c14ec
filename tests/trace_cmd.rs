//! `trace` on the real-software logs in testdata/. Expected lines, statuses, outcomes and
//! correlations come from testdata/manifest.json (what the client sent and how nginx and the
//! services answered), never from logtriage's own output. Its exit codes are in
//! tests/cases/exit_codes.toml.

use std::collections::BTreeMap;
use std::process::Output;

use serde_json::Value;

mod common;
use common::{expected_outcome, manifest, root, run_on_all};

fn trace(args: &[&str]) -> Output {
    run_on_all("trace", args)
}

/// `--format json` of several ids in one run: per id, its request record and its events.
fn trace_many(ids: &[&str]) -> BTreeMap<String, (Value, Vec<Value>)> {
    let mut args = vec!["-f", "json"];
    args.extend(ids);
    let out = trace(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut got: BTreeMap<String, (Value, Vec<Value>)> = BTreeMap::new();
    let mut current = String::new();
    for l in String::from_utf8(out.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        if v["type"] == "request" {
            current = v["id"].as_str().unwrap().to_string();
            got.insert(current.clone(), (v, Vec::new()));
        } else {
            assert_eq!(v["type"], "event");
            assert_eq!(v["trace"], current.as_str());
            got.get_mut(&current).unwrap().1.push(v);
        }
    }
    assert_eq!(got.len(), ids.len());
    got
}

fn trace_json(id: &str) -> (Value, Vec<Value>) {
    trace_many(&[id]).remove(id).unwrap()
}

/// The requests of one scenario: (id, client, second the access log stamped).
fn requests(s: &Value) -> Vec<(String, String, String)> {
    s["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["request_id"].as_str().unwrap().to_string(),
                r["client"].as_str().unwrap().to_string(),
                r["logged_at"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// How many requests share a request's client, request line, status and access-log second:
/// the candidates its error line honestly fits.
fn same_second_peers(m: &Value) -> BTreeMap<String, usize> {
    let mut groups: BTreeMap<(String, String, String, u64, String), Vec<String>> = BTreeMap::new();
    for s in m["scenarios"].as_object().unwrap().values() {
        for r in s["requests"].as_array().unwrap() {
            let key = (
                r["client"].as_str().unwrap().to_string(),
                s["method"].as_str().unwrap().to_string(),
                r["path"].as_str().unwrap().to_string(),
                s["nginx_status"].as_u64().unwrap(),
                r["logged_at"].as_str().unwrap().to_string(),
            );
            groups
                .entry(key)
                .or_default()
                .push(r["request_id"].as_str().unwrap().to_string());
        }
    }
    groups
        .into_values()
        .flat_map(|ids| {
            let n = ids.len();
            ids.into_iter().map(move |id| (id, n))
        })
        .collect()
}

#[test]
fn every_scenario_traces_its_lines_status_outcome_and_error_line() {
    let m = manifest();
    let peers = same_second_peers(&m);
    for (name, s) in m["scenarios"].as_object().unwrap() {
        // Every request of the scenario, traced in one run.
        let reqs = requests(s);
        let ids: Vec<&str> = reqs.iter().map(|r| r.0.as_str()).collect();
        let mut traced = trace_many(&ids);
        for (id, client, _) in &reqs {
            let (head, events) = traced.remove(id).unwrap();
            let own: Vec<&Value> = events
                .iter()
                .filter(|e| e["correlated"].is_null())
                .collect();
            let per_file = |f: &str| own.iter().filter(|e| e["file"] == f).count();
            let app_lines = s["app_lines_per_request"].as_u64().unwrap() as usize;
            if let Some(app_log) = s["app_log"].as_str() {
                assert_eq!(
                    per_file(&format!("testdata/{app_log}")),
                    app_lines,
                    "{name} {id}"
                );
                let msgs: Vec<&str> = own
                    .iter()
                    .filter(|e| e["file"] == format!("testdata/{app_log}"))
                    .map(|e| e["msg"].as_str().unwrap())
                    .collect();
                let want: Vec<&str> = s["app_messages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                assert_eq!(msgs, want, "{name} {id}: app lines in time order");
            }
            let access = format!("testdata/{}", s["access_log"].as_str().unwrap());
            assert_eq!(per_file(&access), 1, "{name} {id}");
            assert_eq!(own.len(), app_lines + 1, "{name} {id}");
            assert_eq!(head["lines"], own.len());
            assert_eq!(head["status"], s["nginx_status"], "{name} {id}");
            assert_eq!(head["endpoint"], s["endpoint"], "{name} {id}");
            assert_eq!(head["outcome"], expected_outcome(name), "{name} {id}");

            let correlated: Vec<&Value> = events
                .iter()
                .filter(|e| !e["correlated"].is_null())
                .collect();
            match s["nginx_error_class"].as_str() {
                None => assert!(correlated.is_empty(), "{name} {id}: {correlated:?}"),
                Some(class) => {
                    let n = peers[id.as_str()];
                    assert!(
                        correlated.iter().any(|e| e["error_type"] == class),
                        "{name} {id}: no {class} line"
                    );
                    for e in &correlated {
                        assert_eq!(e["file"], "testdata/nginx-error.log");
                        assert_eq!(e["client"], client.as_str());
                        assert_eq!(e["correlated"]["candidates"], n, "{name} {id}");
                    }
                    if n == 1 {
                        assert_eq!(correlated.len(), 1, "{name} {id}");
                    } else {
                        // Each of the n same-second requests wrote one error line; all fit.
                        assert_eq!(correlated.len(), n, "{name} {id}");
                        assert_eq!(head["ambiguous"], n);
                    }
                }
            }
        }
    }
}

#[test]
fn same_path_from_two_clients_in_one_second_correlates_by_client() {
    let m = manifest();
    let pair = &m["same_second_pair"];
    let clients: Vec<&str> = pair["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let ids: Vec<&str> = pair["request_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let mut error_lines = Vec::new();
    for id in &ids {
        let (_, events) = trace_json(id);
        let access = events
            .iter()
            .find(|e| e["format"] == "nginx_access")
            .unwrap();
        let correlated: Vec<&Value> = events
            .iter()
            .filter(|e| !e["correlated"].is_null())
            .collect();
        assert_eq!(correlated.len(), 1, "{id}");
        assert_eq!(correlated[0]["client"], access["client"]);
        assert_eq!(correlated[0]["correlated"]["candidates"], 1);
        assert_eq!(correlated[0]["error_type"], "upstream_timed_out");
        assert!(clients.contains(&correlated[0]["client"].as_str().unwrap()));
        error_lines.push(correlated[0]["line"].as_u64().unwrap());
    }
    assert_ne!(
        error_lines[0], error_lines[1],
        "each request gets its own error line"
    );
}

#[test]
fn text_shows_header_traceback_and_correlation() {
    let m = manifest();
    let fail = &m["scenarios"]["app_exception"]["requests"][0]["request_id"];
    let out = trace(&[fail.as_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with(&format!("request {}", fail.as_str().unwrap())));
    assert!(text.contains("GET /api/fail/:id  status 500  error"));
    // The traceback inside the JSON string, indented under its line, ending in its class.
    assert!(text.contains("\n    Traceback (most recent call last):\n"));
    assert!(text.contains("\n    storage.DatabaseError: connection lost\n"));

    let timeout = &m["scenarios"]["timeout"]["requests"][0]["request_id"];
    let out = trace(&[timeout.as_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("~ upstream timed out (110: Connection timed out)"));
    assert!(text.contains("(correlated by client, request line, status and time)"));
}

#[test]
fn raw_prints_the_original_lines_and_several_ids_trace_separately() {
    let m = manifest();
    let s = &m["scenarios"]["refused"];
    let a = s["requests"][0]["request_id"].as_str().unwrap();
    let b = s["requests"][1]["request_id"].as_str().unwrap();
    let out = trace(&["-f", "raw", a]);
    let text = String::from_utf8(out.stdout).unwrap();
    let access = std::fs::read_to_string(root().join("testdata/nginx-access.log")).unwrap();
    let errors = std::fs::read_to_string(root().join("testdata/nginx-error.log")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // No app line (nothing listens upstream): the error line, then the access line.
    assert_eq!(lines.len(), 2);
    assert!(errors.lines().any(|l| l == lines[0]));
    assert!(access.lines().any(|l| l == lines[1] && l.contains(a)));

    let out = trace(&["-f", "json", a, b]);
    let text = String::from_utf8(out.stdout).unwrap();
    let heads: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["type"] == "request")
        .collect();
    assert_eq!(heads.len(), 2);
    assert_eq!(heads[0]["id"], a);
    assert_eq!(heads[1]["id"], b);
}

#[test]
fn output_is_the_same_for_any_threads_and_chunk_size() {
    let m = manifest();
    let id = m["scenarios"]["timeout"]["requests"][3]["request_id"]
        .as_str()
        .unwrap();
    let base = trace(&["-f", "json", "-j", "1", id]).stdout;
    for args in [
        ["-j", "4", "--chunk-size", "1000"],
        ["-j", "2", "--chunk-size", "64"],
    ] {
        let mut a = vec!["-f", "json", id];
        a.extend(args);
        assert_eq!(trace(&a).stdout, base, "{args:?}");
    }
}
