//! Log store exports (testdata/stores/) through the real binary: each must report what the
//! plain logs it wraps report (testdata/app.log, testdata/nginx-access.log), with the store's
//! names and request ids coming along, one line per record, and broken documents reported as
//! input errors after their records. Expected figures come from the plain logs and from how
//! testdata/generate/stores/wrap.py built the exports, never from logtriage's output alone.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

mod common;
use common::{logtriage, root, stdout_of};

/// Exports of app.log alone, and of app.log with nginx-access.log.
const APP_ONLY: &[&str] = &[
    "loki-logcli-app.jsonl.gz",
    "elasticdump-app.ndjson.gz",
    "cloudwatch-app.json.gz",
    "otlp-file-exporter.jsonl.gz",
];
const APP_AND_NGINX: &[&str] = &[
    "loki-query-range.json.gz",
    "elasticsearch-search.json.gz",
    "gcp-logging-read.json.gz",
];

fn report(files: &[String]) -> Value {
    let mut cmd = logtriage("report");
    cmd.args([
        "--no-progress",
        "--tz",
        "Asia/Kolkata",
        "-f",
        "json",
        "--top",
        "50",
    ])
    .args(files);
    serde_json::from_slice(&stdout_of(&mut cmd)).unwrap()
}

fn store(name: &str) -> String {
    format!("testdata/stores/{name}")
}

/// The figures an export must share with the logs it wraps.
fn figures(r: &Value) -> Value {
    let error_types: Vec<Value> = r["error_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| json!([e["type"], e["count"], e["source"]]))
        .collect();
    json!({
        "requests": r["requests"]["total"],
        "outcomes": r["requests"]["outcomes"],
        "status": r["status"],
        "error_types": error_types,
        "app_latency": r["latency"]["app"]["overall"],
        "nginx_latency": r["latency"]["nginx"]["overall"],
        "endpoints": r["latency"]["app"]["endpoints"],
    })
}

/// `lines = parsed + continuation + unparsed + blank` for every input.
fn lines_add_up(r: &Value) {
    for i in r["inputs"].as_array().unwrap() {
        let n = |k: &str| i[k].as_u64().unwrap();
        assert_eq!(
            n("lines"),
            n("parsed") + n("continuation") + n("unparsed") + n("blank"),
            "{i}"
        );
    }
}

fn app_lines() -> u64 {
    std::fs::read_to_string(root().join("testdata/app.log"))
        .unwrap()
        .lines()
        .count() as u64
}

#[test]
fn each_export_reports_what_the_logs_it_wraps_report() {
    let plain = figures(&report(&["testdata/app.log".into()]));
    assert_eq!(plain["requests"], 319, "the plain log's own figure");
    for name in APP_ONLY {
        let r = report(&[store(name)]);
        assert_eq!(figures(&r), plain, "{name}");
        lines_add_up(&r);
        // One line per record: app.log's lines, its banner parsed as text inside the envelope.
        assert_eq!(r["inputs"][0]["lines"], app_lines(), "{name}");
        assert_eq!(r["inputs"][0]["unparsed"], 0, "{name}");
    }
    let both = figures(&report(&[
        "testdata/app.log".into(),
        "testdata/nginx-access.log".into(),
    ]));
    assert_eq!(both["requests"], 365);
    for name in APP_AND_NGINX {
        let r = report(&[store(name)]);
        assert_eq!(figures(&r), both, "{name}");
        lines_add_up(&r);
        assert_eq!(r["inputs"][0]["lines"], app_lines() + 365, "{name}");
    }
}

#[test]
fn each_export_names_its_envelope_and_its_sources() {
    let kinds = [
        ("loki-logcli-app.jsonl.gz", "loki"),
        ("loki-query-range.json.gz", "loki"),
        ("elasticsearch-search.json.gz", "elasticsearch"),
        ("elasticdump-app.ndjson.gz", "elasticsearch"),
        ("cloudwatch-app.json.gz", "cloudwatch"),
        ("gcp-logging-read.json.gz", "gcp_logging"),
        ("otlp-file-exporter.jsonl.gz", "otlp"),
    ];
    for (name, kind) in kinds {
        let r = report(&[store(name)]);
        let env = &r["inputs"][0]["envelopes"];
        assert_eq!(env.as_object().unwrap().len(), 1, "{name}: {env}");
        assert_eq!(env[kind], r["inputs"][0]["lines"], "{name}: {env}");
    }
    let sources = |name: &str| -> Vec<String> {
        report(&[store(name)])["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["source"].as_str().unwrap().to_owned())
            .collect()
    };
    let pods = [
        "pod shop-api-5d8c7f9b4-x2x4q/api",
        "pod shop-nginx-6f7d9c8b5-k8l2m/nginx",
    ];
    assert_eq!(sources("loki-query-range.json.gz"), pods);
    assert_eq!(sources("gcp-logging-read.json.gz"), pods);
    assert_eq!(sources("otlp-file-exporter.jsonl.gz"), [pods[0]]);
    assert_eq!(sources("elasticsearch-search.json.gz"), ["host web-1"]);
    assert_eq!(
        sources("cloudwatch-app.json.gz"),
        ["stream shop/api/4f1c2b7e9a6d4c0f8e2b1a3c5d7e9f01"]
    );
}

/// The events `filter ARGS -f json FILE` selects.
fn filter(args: &[&str], file: &str) -> Vec<Value> {
    let mut cmd = logtriage("filter");
    cmd.args(["--tz", "Asia/Kolkata", "-f", "json"])
        .args(args)
        .arg(store(file));
    String::from_utf8(stdout_of(&mut cmd))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn filter_selects_by_the_stores_names_and_labels() {
    let nginx = filter(
        &["--field", "pod=shop-nginx-6f7d9c8b5-k8l2m"],
        "loki-query-range.json.gz",
    );
    assert_eq!(nginx.len(), 365);
    let e = &nginx[0]["envelope"];
    assert_eq!(e["kinds"], json!(["loki"]));
    assert_eq!(e["container"], "nginx");
    assert_eq!(e["labels"]["namespace"], "shop");
    assert_eq!(
        filter(
            &["--field", "label.job=shop/api"],
            "loki-query-range.json.gz"
        )
        .len() as u64,
        app_lines()
    );
    let es = filter(
        &[
            "--field",
            "label.log.file.path=/var/log/nginx/access.log",
            "--field",
            "status=504",
        ],
        "elasticsearch-search.json.gz",
    );
    assert_eq!(es.len(), 29, "nginx's 504s");
    let cw = filter(&["--level", "error"], "cloudwatch-app.json.gz");
    assert!(!cw.is_empty());
    assert_eq!(
        cw[0]["envelope"]["log_stream"],
        "shop/api/4f1c2b7e9a6d4c0f8e2b1a3c5d7e9f01"
    );
}

/// The request that failed first in app.log: its id, and its lines there (1-based).
fn failed_request() -> (String, Vec<u64>) {
    let text = std::fs::read_to_string(root().join("testdata/app.log")).unwrap();
    let id = text
        .lines()
        .find_map(|l| {
            let v: Value = serde_json::from_str(l).ok()?;
            v.get("exc_info")?;
            Some(v["request_id"].as_str()?.to_owned())
        })
        .unwrap();
    let lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(&id))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    (id, lines)
}

#[test]
fn trace_follows_ids_the_store_keeps_beside_the_line() {
    let (id, lines) = failed_request();
    // OTLP: the bodies carry no id, the records' traceId does; GCP: the id moved to `trace`.
    for name in ["otlp-file-exporter.jsonl.gz", "gcp-logging-read.json.gz"] {
        let mut cmd = logtriage("trace");
        cmd.args(["--tz", "Asia/Kolkata", "-f", "json", &id, &store(name)]);
        let out = String::from_utf8(stdout_of(&mut cmd)).unwrap();
        let rows: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rows[0]["type"], "request", "{name}");
        assert_eq!(rows[0]["status"], 500, "{name}");
        assert_eq!(rows[0]["outcome"], "error", "{name}");
        let app: Vec<&Value> = rows
            .iter()
            .filter(|r| r["type"] == "event" && r["format"] == "json")
            .collect();
        // A line is a record: the same numbers as in app.log, which every export keeps in order.
        let at: Vec<u64> = app.iter().map(|r| r["line"].as_u64().unwrap()).collect();
        assert_eq!(at, lines, "{name}");
        assert!(
            app.iter()
                .any(|r| r["error_type"] == "storage.DatabaseError")
        );
        assert_eq!(
            app[0]["envelope"]["pod"], "shop-api-5d8c7f9b4-x2x4q",
            "{name}"
        );
    }
}

#[test]
fn broken_documents_are_input_errors_after_their_records() {
    for (name, records, says) in [
        ("broken-truncated.json", 8, "JSON document cut short"),
        (
            "broken-corrupt.json",
            3,
            "found '@'; the 3 records before are read",
        ),
    ] {
        for mmap in [true, false] {
            let mut cmd = logtriage("report");
            cmd.args(["--no-progress", "-f", "json", "--tz", "Asia/Kolkata"]);
            if !mmap {
                cmd.arg("--no-mmap");
            }
            let out = cmd.arg(store(name)).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{name}");
            let r: Value = serde_json::from_slice(&out.stdout).unwrap();
            let input = &r["inputs"][0];
            assert_eq!(input["lines"], records, "{name}");
            assert_eq!(input["parsed"], records, "{name}");
            assert!(input["error"].as_str().unwrap().contains(says), "{input}");
            assert!(String::from_utf8_lossy(&out.stderr).contains(says));
        }
    }
}

#[test]
fn a_document_reads_alike_mapped_streamed_and_from_stdin() {
    let gz = std::fs::read(root().join("testdata/stores/gcp-logging-read.json.gz")).unwrap();
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut plain).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gcp.json");
    std::fs::write(&path, &plain).unwrap();
    // Old enough to be mapped (a file written in the last 10 s is read).
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let run = |args: &[&str], stdin: Option<&[u8]>| -> Vec<u8> {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("logtriage"));
        cmd.current_dir(root())
            .args([
                "report",
                "--no-progress",
                "-f",
                "json",
                "--tz",
                "Asia/Kolkata",
            ])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(b) = stdin {
            input.write_all(b).unwrap();
        }
        drop(input);
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        // Names and samples' paths differ (`<stdin>`); the figures must not.
        let i = &v["inputs"][0];
        let summary = json!([figures(&v), i["lines"], i["parsed"], common::flag_rules(&v)]);
        serde_json::to_vec(&summary).unwrap()
    };
    let p = path.to_str().unwrap();
    let mapped = run(&[p], None);
    assert_eq!(run(&["--no-mmap", p], None), mapped);
    assert_eq!(run(&["-j", "1", p], None), mapped);
    assert_eq!(run(&["-"], Some(&plain)), mapped);
    assert_eq!(run(&["-"], Some(&gz)), mapped);
}

/// A large search response streams in bounded memory: 200 MB of hits, peak RSS measured
/// (`/usr/bin/time -v`-like, from the child's rusage). Kept out of the default run (it
/// writes 200 MB): `cargo test --release --test log_stores -- --ignored --nocapture`.
#[test]
#[ignore]
fn a_large_search_response_streams_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search.json");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    write!(f, "{{\"took\":5,\"timed_out\":false,\"hits\":{{\"hits\":[").unwrap();
    let mut n = 0u64;
    let mut size = 0usize;
    while size < 200 << 20 {
        let hit = format!(
            "{}{{\"_index\":\"logs\",\"_id\":\"{n}\",\"_source\":{{\"@timestamp\":\"2026-11-25T03:{:02}:{:02}.{:03}Z\",\"message\":\"{{\\\"level\\\":\\\"info\\\",\\\"msg\\\":\\\"request finished\\\",\\\"request_id\\\":\\\"r{}\\\",\\\"status\\\":200,\\\"duration_ms\\\":{}}}\",\"host\":{{\"name\":\"web-1\"}}}}}}\n",
            if n == 0 { "" } else { "," },
            (n / 60000) % 60,
            (n / 1000) % 60,
            n % 1000,
            n % 1000,
            n % 97
        );
        size += hit.len();
        f.write_all(hit.as_bytes()).unwrap();
        n += 1;
    }
    write!(f, "]}}}}").unwrap();
    drop(f);
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg(assert_cmd::cargo::cargo_bin("logtriage"))
        .args(["report", "--no-progress", "-f", "json", "--no-triage"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["inputs"][0]["lines"], n);
    assert_eq!(r["inputs"][0]["parsed"], n);
    let rss_kb: u64 = String::from_utf8_lossy(&out.stderr)
        .trim()
        .lines()
        .last()
        .unwrap()
        .parse()
        .unwrap();
    println!("{n} hits, {size} bytes: peak RSS {} MiB", rss_kb / 1024);
}
