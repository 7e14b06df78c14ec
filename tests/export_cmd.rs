//! `logtriage export` against the real binary, without DuckDB (that is `export_duckdb.rs`):
//! the same bytes for any thread count, chunk size and order of encoding; standard output
//! equal to a file; line numbers and accounting equal to `filter`'s and `report`'s; bad
//! output paths and bad input handled with one-line errors, never a panic.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

mod common;
use common::{FILES, logtriage, stdout_of};

/// Every log the determinism and line tests read: the bundled incident, multi-line records
/// (tracebacks, gunicorn), echoed access lines (uvicorn) and envelopes (kubectl, journald).
const MIXED: &[&str] = &[
    "testdata/app.log",
    "testdata/nginx-access.log",
    "testdata/nginx-error.log",
    "testdata/stack/python/python-basic.log",
    "testdata/stack/python/uvicorn-json.log",
    "testdata/stack/python/gunicorn-error.log",
    "testdata/deploy/shop/kubectl-prefix.log",
    "testdata/deploy/shop/journal.json",
];

fn export(format: &str, out: &Path, args: &[&str], files: &[&str]) -> Output {
    logtriage("export")
        .args(["--tz", "Asia/Kolkata", "-f", format, "-o"])
        .arg(out)
        .args(args)
        .args(files)
        .output()
        .unwrap()
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "export failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn same_bytes_for_any_threads_chunk_size_and_row_group_order() {
    let tmp = tempfile::tempdir().unwrap();
    for format in ["parquet", "jsonl", "csv"] {
        let mut first: Option<Vec<u8>> = None;
        for (i, args) in [
            &["-j", "1"][..],
            &["-j", "2"],
            &["-j", "3", "--chunk-size", "700"],
            &["-j", "2", "--chunk-size", "4096", "--no-mmap"],
        ]
        .iter()
        .enumerate()
        {
            let path = tmp.path().join(format!("{i}.{format}"));
            let mut all = vec!["--row-group", "97"];
            all.extend_from_slice(args);
            ok(&export(format, &path, &all, MIXED));
            let bytes = std::fs::read(&path).unwrap();
            match &first {
                None => first = Some(bytes),
                Some(f) => assert!(
                    *f == bytes,
                    "{format} differs with {args:?} ({} vs {} bytes)",
                    f.len(),
                    bytes.len()
                ),
            }
        }
    }
}

#[test]
fn standard_output_holds_the_same_bytes_as_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    for format in ["parquet", "jsonl", "csv"] {
        let path = tmp.path().join(format!("x.{format}"));
        ok(&export(format, &path, &[], MIXED));
        let piped = stdout_of(
            logtriage("export")
                .args(["--tz", "Asia/Kolkata", "-f", format, "-o", "-"])
                .args(MIXED),
        );
        assert_eq!(std::fs::read(&path).unwrap(), piped, "{format}");
    }
}

/// The JSON lines of an export.
fn rows(files: &[&str]) -> Vec<Value> {
    let out = stdout_of(
        logtriage("export")
            .args(["--tz", "Asia/Kolkata", "-f", "jsonl", "-o", "-"])
            .args(files),
    );
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn line_numbers_are_filters_and_rows_are_reports_parsed_records() {
    let exported = rows(MIXED);
    let at: Vec<(String, u64)> = exported
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap().to_string(),
                r["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // Input order: file by file, lines rising.
    let mut sorted = at.clone();
    sorted.sort_by_key(|(f, l)| (MIXED.iter().position(|m| m == f).unwrap(), *l));
    assert_eq!(at, sorted);
    // `filter -f json` prints every record (parsed or not) with its first line's number.
    let filtered = stdout_of(
        logtriage("filter")
            .args(["--tz", "Asia/Kolkata", "-f", "json"])
            .args(MIXED),
    );
    let filter_at: BTreeSet<(String, u64)> = String::from_utf8(filtered)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["file"].as_str().unwrap().to_string(),
                v["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(at.iter().all(|a| filter_at.contains(a)));
    // One row per parsed record of the report, per input.
    let report: Value = serde_json::from_slice(&stdout_of(
        logtriage("report")
            .args(["--tz", "Asia/Kolkata", "-f", "json", "--no-triage"])
            .args(MIXED),
    ))
    .unwrap();
    for input in report["inputs"].as_array().unwrap() {
        let path = input["path"].as_str().unwrap();
        let n = at.iter().filter(|(f, _)| f == path).count() as u64;
        assert_eq!(n, input["parsed"].as_u64().unwrap(), "{path}");
    }
}

#[test]
fn the_notes_account_for_every_line() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("mixed.log");
    let mut text = String::from("not a log line\n\n");
    text.push_str(&std::fs::read_to_string("testdata/stack/python/python-basic.log").unwrap());
    text.push_str(&"x".repeat(300));
    text.push('\n');
    std::fs::write(&bad, text).unwrap();
    let bad = bad.to_str().unwrap().to_string();
    let o = export(
        "csv",
        &tmp.path().join("o.csv"),
        &["--max-line", "200"],
        &[&bad],
    );
    ok(&o);
    let err = String::from_utf8(o.stderr).unwrap();
    let note = err
        .lines()
        .find(|l| l.contains("records exported"))
        .unwrap_or_else(|| panic!("no note: {err}"));
    let num = |what: &str| -> u64 {
        let i = note
            .find(what)
            .unwrap_or_else(|| panic!("{what} in {note}"));
        note[..i]
            .split_whitespace()
            .last()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (rows, unparsed, blank, joined, lines) = (
        num(" records exported"),
        num(" lines unparsed"),
        num(" blank"),
        num(" joined"),
        num(" lines in all"),
    );
    assert_eq!(rows + unparsed + blank + joined, lines, "{note}");
    assert_eq!((unparsed, blank), (2, 1), "{note}");
    assert!(note.contains("(1 over --max-line)"), "{note}");
    let csv_rows = std::fs::read_to_string(tmp.path().join("o.csv")).unwrap();
    let mut rd = csv::Reader::from_reader(csv_rows.as_bytes());
    assert_eq!(rd.records().count() as u64, rows);
}

#[test]
fn an_output_that_cannot_be_written_is_one_line_naming_it() {
    let o = export(
        "parquet",
        Path::new("/nonexistent-dir/out.parquet"),
        &[],
        &["testdata/app.log"],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent-dir/out.parquet"), "{err}");
    // A full device: the write fails after the file was created.
    if Path::new("/dev/full").exists() {
        let o = export("jsonl", Path::new("/dev/full"), &[], &["testdata/app.log"]);
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8(o.stderr).unwrap();
        assert!(
            err.contains("/dev/full") && err.contains("cannot write"),
            "{err}"
        );
    }
}

#[test]
fn an_input_as_the_output_is_refused_before_it_is_touched() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("app.log");
    std::fs::copy("testdata/app.log", &log).unwrap();
    let before = std::fs::read(&log).unwrap();
    let o = export("jsonl", &log, &[], &[log.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is also an input"));
    assert_eq!(std::fs::read(&log).unwrap(), before);
}

#[test]
fn bad_input_never_panics_and_the_rest_is_exported() {
    let tmp = tempfile::tempdir().unwrap();
    let garbage = tmp.path().join("garbage.log");
    let mut g: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    g.extend_from_slice(
        b"\n{\"msg\":\"\xff\xfe bad utf8\",\"level\":\"error\"}\n{\"a\":[[[[[[[[[[\n",
    );
    std::fs::write(&garbage, g).unwrap();
    for format in ["parquet", "jsonl", "csv"] {
        let out = tmp.path().join(format!("o.{format}"));
        let o = export(
            format,
            &out,
            &["-j", "2"],
            &[
                garbage.to_str().unwrap(),
                "/nonexistent/missing.log",
                "/dev/null",
                "testdata/worker.log",
            ],
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.contains("missing.log"), "{err}");
        assert!(
            err.contains("testdata/worker.log: 11 records exported"),
            "{err}"
        );
        assert!(std::fs::metadata(&out).unwrap().len() > 0);
    }
}

#[test]
fn every_bundled_log_exports() {
    // The report's totals, for the whole bundle: one row per parsed record.
    let files: Vec<String> = FILES.iter().map(|f| format!("testdata/{f}")).collect();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let exported = rows(&files);
    let report: Value =
        serde_json::from_slice(&common::report_all("json", &["--no-triage"])).unwrap();
    assert_eq!(
        exported.len() as u64,
        report["totals"]["parsed"].as_u64().unwrap()
    );
    let first = &exported[0];
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 23, "{keys:?}");
}

#[test]
fn pods_and_containers_come_from_the_kubelet_and_docker_paths() {
    // The names the deploy run gave its pod and container (testdata/deploy/manifest.json).
    let run = common::deploy_run("shop");
    let f = &run["envelope_fields"];
    let (pod, container) = (
        f["cri"]["pod"].as_str().unwrap(),
        f["cri"]["container"].as_str().unwrap(),
    );
    let docker_id = &f["docker"]["container_id"].as_str().unwrap()[..12];
    let mut paths: Vec<String> = f["cri"]["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("testdata/deploy/shop/{}", p.as_str().unwrap()))
        .collect();
    let docker = format!(
        "testdata/deploy/shop/{}",
        f["docker"]["path"].as_str().unwrap()
    );
    paths.push(docker.clone());
    let files: Vec<&str> = paths.iter().map(String::as_str).collect();
    let rows = rows(&files);
    assert!(!rows.is_empty());
    for r in &rows {
        let (want_pod, want_container) = if r["file"] == docker.as_str() {
            (None, docker_id)
        } else {
            (Some(pod), container)
        };
        assert_eq!(r["pod"].as_str(), want_pod, "{r}");
        assert_eq!(r["container"].as_str(), Some(want_container), "{r}");
    }
}
