//! `report` on the real-software logs in testdata/. Every expected number is derived from
//! testdata/manifest.json, i.e. from what the generator sent and how the services behave,
//! never from logtriage's own output.

use std::collections::BTreeMap;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

mod common;
use common::{FILES, app_errors, manifest, root, scenarios};

fn report(extra: &[&str]) -> Value {
    let m = manifest();
    let mut cmd = Command::cargo_bin("logtriage").unwrap();
    cmd.current_dir(root())
        .args(["report", "-f", "json", "--no-progress", "--top", "50"]);
    if !extra.contains(&"--tz") {
        cmd.args(["--tz", m["timezone"].as_str().unwrap()]);
    }
    cmd.args(extra);
    for f in FILES {
        cmd.arg(format!("testdata/{f}"));
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn count(s: &Value) -> u64 {
    s["count"].as_u64().unwrap()
}

#[test]
fn line_accounting_matches_the_files() {
    let m = manifest();
    let v = report(&[]);
    for (i, f) in FILES.iter().enumerate() {
        let input = &v["inputs"][i];
        let want = &m["files"][f];
        assert_eq!(input["path"], format!("testdata/{f}"));
        assert_eq!(input["lines"], want["lines"], "{f}");
        assert_eq!(input["bytes"], want["bytes"], "{f}");
        let g = |k: &str| input[k].as_u64().unwrap();
        assert_eq!(g("lines"), g("parsed") + g("unparsed") + g("blank"), "{f}");
        let unparsed = if *f == "app.log" {
            m["app_banner_lines"].as_u64().unwrap()
        } else {
            0
        };
        assert_eq!(g("unparsed"), unparsed, "{f}");
        assert_eq!(g("untimed"), 0, "{f}");
    }
    assert_eq!(
        v["inputs"][3]["formats"]["nginx_access"],
        m["files"]["nginx-access.log"]["lines"]
    );
    assert_eq!(
        v["inputs"][4]["formats"]["nginx_json"],
        m["files"]["nginx-access.json.log"]["lines"]
    );
    assert_eq!(
        v["inputs"][5]["formats"]["nginx_error"],
        m["files"]["nginx-error.log"]["lines"]
    );
    assert_eq!(v["unparsed_samples"][0]["path"], "testdata/app.log");
    assert_eq!(v["unparsed_samples"][0]["line"], 1);
    assert!(
        v["unparsed_samples"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Serving HTTP")
    );
}

#[test]
fn nginx_status_counts_per_source() {
    let m = manifest();
    let v = report(&[]);
    let mut nginx: BTreeMap<String, u64> = BTreeMap::new();
    let mut app: BTreeMap<String, u64> = BTreeMap::new();
    for (_, s) in scenarios(&m) {
        let status = s["nginx_status"].as_u64().unwrap();
        *nginx.entry(status.to_string()).or_default() += count(s);
        // The services log a status for every request they answered (not hung or cut).
        if s["app_log"].is_string() && (status == 200 || status == 500) {
            *app.entry(status.to_string()).or_default() += count(s);
        }
    }
    assert_eq!(serde_json::to_value(&nginx).unwrap(), v["status"]["nginx"]);
    assert_eq!(serde_json::to_value(&app).unwrap(), v["status"]["app"]);
}

#[test]
fn error_types_from_nginx_classes_and_app_exceptions() {
    let m = manifest();
    let v = report(&[]);
    let mut want: BTreeMap<(String, String), u64> = BTreeMap::new();
    for (_, s) in scenarios(&m) {
        if let Some(c) = s["nginx_error_class"].as_str() {
            *want.entry(("nginx".into(), c.into())).or_default() += count(s);
        }
        if let Some(t) = s["app_error_type"].as_str() {
            *want.entry(("app".into(), t.into())).or_default() += count(s);
        }
    }
    // The structlog job fails exactly once.
    want.insert(("app".into(), "OperationalError".into()), 1);
    let got: BTreeMap<(String, String), u64> = v["error_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                (
                    e["source"].as_str().unwrap().into(),
                    e["type"].as_str().unwrap().into(),
                ),
                e["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, want);
    // Cross-check with the generator's own substring count of the error log.
    for (class, n) in m["nginx_error_lines_by_class_substring"]
        .as_object()
        .unwrap()
    {
        assert_eq!(
            got.get(&("nginx".to_string(), class.clone()))
                .copied()
                .unwrap_or(0),
            n.as_u64().unwrap(),
            "{class}"
        );
    }
    let find = |t: &str| {
        v["error_types"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["type"] == t)
            .unwrap()
            .clone()
    };
    let timed_out = find("upstream_timed_out");
    assert_eq!(timed_out["http_status"], 504);
    let eps: BTreeMap<String, u64> = timed_out["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["endpoint"].as_str().unwrap().to_string(),
                e["count"].as_u64().unwrap(),
            )
        })
        .collect();
    let sc = &m["scenarios"];
    assert_eq!(
        eps["POST /retrieval/apple_health_data"],
        count(&sc["timeout"]) + count(&sc["timeout_same_second"])
    );
    assert_eq!(eps["GET /health"], count(&sc["health_timeout"]));
    // Sample request ids of the app exception are ids of requests that raised it.
    let db = find("storage.DatabaseError");
    let ids: Vec<&Value> = sc["app_exception"]["request_ids"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    let samples = db["request_ids"].as_array().unwrap();
    assert_eq!(samples.len(), 5);
    assert!(samples.iter().all(|s| ids.contains(&s)));
    assert_eq!(db["endpoints"][0]["endpoint"], "GET /api/fail/:id");
}

#[test]
fn requests_grouped_across_app_and_nginx() {
    let m = manifest();
    let v = report(&[]);
    let sc = &m["scenarios"];
    let total: u64 = scenarios(&m).iter().map(|(_, s)| count(s)).sum();
    let r = &v["requests"];
    assert_eq!(r["total"], total);
    let c = |n: &str| count(&sc[n]);
    let timeout = c("timeout") + c("timeout_same_second") + c("health_timeout");
    let closed = c("upstream_closed") + c("upstream_reset");
    let error = c("app_exception") + c("node_error") + c("refused");
    assert_eq!(r["outcomes"]["timeout"], timeout);
    assert_eq!(r["outcomes"]["upstream_closed"], closed);
    assert_eq!(r["outcomes"]["error"], error);
    assert_eq!(r["outcomes"]["unfinished"], 0);
    assert_eq!(r["outcomes"]["ok"], total - timeout - closed - error);
    assert_eq!(r["with_errors"], timeout + closed + error);
    // Hung and cut requests: the app logged their start but never their end.
    assert_eq!(r["unfinished"], timeout + closed);
    // The slowest are the proxy timeouts (proxy_read_timeout 2s).
    let slow = r["slowest"].as_array().unwrap();
    // --top 50, and every request has an nginx duration.
    assert_eq!(slow.len(), 50);
    for s in slow.iter().take(timeout as usize) {
        assert_eq!(s["outcome"], "timeout");
        assert_eq!(s["status"], 504);
        assert!(s["nginx_ms"].as_f64().unwrap() >= 2000.0);
    }
    let timeout_ids: Vec<&Value> = ["timeout", "timeout_same_second", "health_timeout"]
        .iter()
        .flat_map(|n| sc[n]["request_ids"].as_array().unwrap())
        .collect();
    assert!(
        slow.iter()
            .take(timeout as usize)
            .all(|s| timeout_ids.contains(&&s["id"]))
    );
}

#[test]
fn latency_per_source_and_health_kept_apart() {
    let m = manifest();
    let v = report(&[]);
    let sc = &m["scenarios"];
    let c = |n: &str| count(&sc[n]);
    let ep = |side: &str, name: &str| -> Value {
        v["latency"][side]["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["endpoint"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(ep("nginx", "GET /api/items/:id")["count"], c("ok_items"));
    assert_eq!(ep("app", "GET /api/items/:id")["count"], c("ok_items"));
    assert_eq!(ep("nginx", "GET /health")["health"], true);
    assert_eq!(
        ep("nginx", "GET /health")["count"],
        c("ok_health") + c("health_timeout")
    );
    assert_eq!(
        v["latency"]["nginx"]["health"]["count"],
        c("ok_health") + c("health_timeout")
    );
    // Only answered health checks carry an app duration.
    assert_eq!(v["latency"]["app"]["health"]["count"], c("ok_health"));
    let nginx_total: u64 = scenarios(&m).iter().map(|(_, s)| count(s)).sum();
    assert_eq!(
        v["latency"]["nginx"]["overall"]["count"].as_u64().unwrap()
            + v["latency"]["nginx"]["health"]["count"].as_u64().unwrap(),
        nginx_total
    );
    // Timeouts make the nginx p99 at least proxy_read_timeout; the app never saw them end.
    assert!(v["latency"]["nginx"]["overall"]["p99"].as_f64().unwrap() >= 2000.0);
    assert!(v["latency"]["app"]["overall"]["max"].as_f64().unwrap() < 2000.0);
    assert_eq!(ep("app", "GET /api/node/users/:id")["count"], c("ok_node"));
}

#[test]
fn levels_and_windows() {
    let m = manifest();
    let v = report(&[]);
    let sc = &m["scenarios"];
    let errors_app: u64 = scenarios(&m)
        .iter()
        .map(|(_, s)| app_errors(s) * count(s))
        .sum();
    let nginx_error_lines = m["files"]["nginx-error.log"]["lines"].as_u64().unwrap();
    // + the structlog job's one `batch failed`.
    assert_eq!(v["levels"]["ERROR"], errors_app + nginx_error_lines + 1);
    // The structlog job's closing warning is the only WARN line.
    assert_eq!(v["levels"]["WARN"], 1);
    let windows = v["windows"].as_array().unwrap();
    let sum = |k: &str| windows.iter().map(|w| w[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum("lines"), v["totals"]["parsed"].as_u64().unwrap());
    assert_eq!(sum("errors"), v["levels"]["ERROR"].as_u64().unwrap());
    let nginx_5xx: u64 = scenarios(&m)
        .iter()
        .filter(|(_, s)| s["nginx_status"].as_u64().unwrap() >= 500)
        .map(|(_, s)| count(s))
        .sum();
    assert_eq!(sum("status_5xx"), nginx_5xx);
    assert_eq!(v["primary_source"], "nginx");
    let _ = sc;
}

#[test]
fn wrong_zone_shifts_only_naive_timestamps() {
    // nginx's error log is naive local time; read as UTC it lands 5h30 later than the
    // access log's stamps of the same requests.
    let v = report(&["--tz", "UTC"]);
    let first = |i: usize| {
        chrono::DateTime::parse_from_rfc3339(v["inputs"][i]["first"].as_str().unwrap()).unwrap()
    };
    let shift = first(5) - first(3);
    assert!(
        shift.num_minutes() >= 329 && shift.num_minutes() <= 331,
        "{shift}"
    );
    let right = report(&[]);
    let first = |i: usize| {
        chrono::DateTime::parse_from_rfc3339(right["inputs"][i]["first"].as_str().unwrap()).unwrap()
    };
    assert!((first(5) - first(3)).num_seconds().abs() < 60);
}

#[test]
fn thread_count_does_not_change_output() {
    let base = serde_json::to_string(&report(&["-j", "1"])).unwrap();
    for extra in [
        &["-j", "2"][..],
        &["-j", "3", "--chunk-size", "997"],
        &["--no-mmap", "--chunk-size", "4096"],
    ] {
        assert_eq!(
            serde_json::to_string(&report(extra)).unwrap(),
            base,
            "{extra:?}"
        );
    }
}
