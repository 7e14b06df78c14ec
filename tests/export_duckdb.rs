//! `export` read by a real engine: DuckDB (its Python package, driven with `python3`) loads
//! the Parquet file the binary wrote from the bundled logs, and its answers must be the
//! report's figures: rows = parsed records (per input), status counts per source, distinct
//! request ids, error-type counts, and per-endpoint p95 with `quantile_disc`. JSON lines and
//! CSV must hold the same rows as the Parquet file, hostile lines included, and the README's
//! DuckDB queries must run. Skips with a message when DuckDB is missing, unless
//! `LOGTRIAGE_REQUIRE_DUCKDB` is set (CI sets it: `.ci/run` installs the package).
//!
//! Comparing like with like: the report's percentiles are nearest-rank (the smallest value
//! with at least 95% of the values at or below it, docs/report-schema.md), which is what
//! DuckDB's `quantile_disc(x, 0.95)` returns. The report keeps latencies as f32, so values
//! agree to f32 precision (checked to 1 µs plus one part in 10^6). nginx logs one access
//! record per request, so its p95 is over rows; the app's latency counts once per request,
//! from its completion line (the last app line with a status and a latency, else its last
//! app line with a latency, in input order), plus every app line without a request id: the
//! query below picks those rows. Statuses the report does not count (an app server's access
//! line whose request the app logged itself: `inputs[].echoed_access_lines`) are left out
//! of the status comparison, since the export keeps the status the line states.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

mod common;
use common::{FILES, logtriage, stdout_of};

/// Runs `{"views": {name: sql}, "queries": {name: sql}}` in one DuckDB connection and
/// prints `{name: rows}` as JSON (numbers as numbers, everything else as text).
const RUNNER: &str = r#"
import json, sys, decimal, datetime
import duckdb
spec = json.load(sys.stdin)
con = duckdb.connect()
for name, sql in spec["views"].items():
    con.execute(f"create view {name} as {sql}")
def plain(v):
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    return v
out = {}
for name, sql in spec["queries"].items():
    out[name] = [[plain(v) for v in row] for row in con.execute(sql).fetchall()]
json.dump(out, sys.stdout)
"#;

/// Whether DuckDB can be used; `false` means skip (after saying so), unless it is required.
fn duckdb_available(test: &str) -> bool {
    let found = Command::new("python3")
        .args(["-c", "import duckdb"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var_os("LOGTRIAGE_REQUIRE_DUCKDB").is_none(),
            "LOGTRIAGE_REQUIRE_DUCKDB is set but python3 cannot import duckdb (python3 -m pip install duckdb)"
        );
        eprintln!(
            "{test}: SKIPPED: python3 cannot import duckdb (python3 -m pip install --break-system-packages duckdb)"
        );
    }
    found
}

fn duckdb(
    views: &[(&str, String)],
    queries: &[(&str, String)],
) -> BTreeMap<String, Vec<Vec<Value>>> {
    let spec = json!({
        "views": views.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "queries": queries.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
    });
    let mut child = Command::new("python3")
        .args(["-c", RUNNER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(spec.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "duckdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn export(format: &str, out: &Path, files: &[&str]) {
    let o = logtriage("export")
        .args(["--tz", "Asia/Kolkata", "-f", format, "-o"])
        .arg(out)
        .args(files)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "export: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn report(files: &[&str]) -> Value {
    let out = stdout_of(
        logtriage("report")
            .args(["--tz", "Asia/Kolkata", "-f", "json", "--top", "1000000"])
            .args(files),
    );
    serde_json::from_slice(&out).unwrap()
}

/// A SQL string literal.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn int(v: &Value) -> u64 {
    v.as_f64().unwrap() as u64
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// Every figure DuckDB computes from the Parquet export of `files` equals the report's.
fn parquet_agrees_with_the_report(files: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let pq = tmp.path().join("x.parquet");
    export("parquet", &pq, files);
    let rep = report(files);
    let echo_files: Vec<String> = rep["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| int(&i["echoed_access_lines"]) > 0)
        .map(|i| lit(i["path"].as_str().unwrap()))
        .collect();
    let file_order = format!(
        "[{}]",
        files.iter().map(|f| lit(f)).collect::<Vec<_>>().join(", ")
    );
    let echoed = if echo_files.is_empty() {
        "false".to_string()
    } else {
        format!(
            "(format in ('uvicorn', 'gunicorn_access', 'morgan') and file in ({}))",
            echo_files.join(", ")
        )
    };
    let views = [(
        "t",
        format!("select * from read_parquet({})", lit(pq.to_str().unwrap())),
    )];
    let queries = [
        ("rows", "select count(*) from t".to_string()),
        ("ts_type", "select typeof(ts) from t limit 1".to_string()),
        ("per_file", "select file, count(*) from t group by all".to_string()),
        (
            "status",
            format!(
                "select source, status, count(*) from t where status is not null and not {echoed} group by all"
            ),
        ),
        ("ids", "select count(distinct request_id) from t".to_string()),
        (
            "error_types",
            "select source, error_type, count(*) from t where error_type is not null group by all"
                .to_string(),
        ),
        (
            "p95_nginx",
            "select coalesce(endpoint, '-'), count(*), quantile_disc(latency_ms, 0.95) from t \
             where source = 'nginx' and latency_ms is not null group by all"
                .to_string(),
        ),
        (
            "p95_app",
            format!(
                "with done as (
                   select endpoint, latency_ms, row_number() over (
                     partition by request_id
                     order by status is not null desc, list_position({file_order}, file) desc, line desc) as k
                   from t where source = 'app' and request_id is not null and latency_ms is not null)
                 select coalesce(endpoint, '-'), count(*), quantile_disc(latency_ms, 0.95) from (
                   select endpoint, latency_ms from done where k = 1
                   union all
                   select endpoint, latency_ms from t
                   where source = 'app' and request_id is null and latency_ms is not null)
                 group by all"
            ),
        ),
    ];
    let got = duckdb(&views, &queries);
    let totals = &rep["totals"];
    assert_eq!(int(&totals["filtered"]), 0);
    assert_eq!(int(&got["rows"][0][0]), int(&totals["parsed"]), "rows");
    assert_eq!(text(&got["ts_type"][0][0]), "TIMESTAMP WITH TIME ZONE");
    let per_file: BTreeMap<String, u64> = got["per_file"]
        .iter()
        .map(|r| (text(&r[0]), int(&r[1])))
        .collect();
    for input in rep["inputs"].as_array().unwrap() {
        let path = input["path"].as_str().unwrap();
        let parsed = int(&input["parsed"]);
        assert_eq!(per_file.get(path).copied().unwrap_or(0), parsed, "{path}");
    }
    let status: BTreeMap<(String, String), u64> = got["status"]
        .iter()
        .map(|r| ((text(&r[0]), text(&r[1])), int(&r[2])))
        .collect();
    let mut want = BTreeMap::new();
    for (src, codes) in rep["status"].as_object().unwrap() {
        for (code, n) in codes.as_object().unwrap() {
            want.insert((src.clone(), code.clone()), int(n));
        }
    }
    assert_eq!(status, want, "status counts");
    assert_eq!(
        int(&got["ids"][0][0]),
        int(&rep["requests"]["total"]),
        "ids"
    );
    let types: BTreeMap<(String, String), u64> = got["error_types"]
        .iter()
        .map(|r| ((text(&r[0]), text(&r[1])), int(&r[2])))
        .collect();
    let want: BTreeMap<(String, String), u64> = rep["error_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| ((text(&e["source"]), text(&e["type"])), int(&e["count"])))
        .collect();
    assert_eq!(types, want, "error types");
    for side in ["nginx", "app"] {
        let got: BTreeMap<String, (u64, f64)> = got[&format!("p95_{side}")]
            .iter()
            .map(|r| (text(&r[0]), (int(&r[1]), r[2].as_f64().unwrap())))
            .collect();
        let want: BTreeMap<String, (u64, f64)> = rep["latency"][side]["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    text(&e["endpoint"]),
                    (int(&e["count"]), e["p95"].as_f64().unwrap()),
                )
            })
            .collect();
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{side} endpoints"
        );
        for (ep, (n, p95)) in &want {
            let (gn, gp) = got[ep];
            assert_eq!(gn, *n, "{side} {ep}: latencies counted");
            assert!(
                (gp - p95).abs() <= 0.001 + p95.abs() * 1e-6,
                "{side} {ep}: DuckDB p95 {gp} vs report {p95}"
            );
        }
    }
}

#[test]
fn duckdb_on_the_parquet_export_gives_the_reports_figures() {
    if !duckdb_available("duckdb_on_the_parquet_export_gives_the_reports_figures") {
        return;
    }
    let bundle: Vec<String> = FILES.iter().map(|f| format!("testdata/{f}")).collect();
    let bundle: Vec<&str> = bundle.iter().map(String::as_str).collect();
    parquet_agrees_with_the_report(&bundle);
    // Multi-line records, app server access lines the report does not count again
    // (uvicorn's), logfmt and Go's log.
    parquet_agrees_with_the_report(&[
        "testdata/stack/python/uvicorn-json.log",
        "testdata/stack/python/python-basic.log",
        "testdata/stack/python/gunicorn-access.log",
        "testdata/stack/go/slog-text.log",
        "testdata/stack/go/go-log.log",
    ]);
}

#[test]
fn jsonl_and_csv_hold_the_rows_of_the_parquet_file_hostile_lines_included() {
    if !duckdb_available("jsonl_and_csv_hold_the_rows_of_the_parquet_file_hostile_lines_included") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let hostile = tmp.path().join("hostile.log");
    let mut lines = String::new();
    for (i, m) in [
        r#"comma, \"quote\" and 'single'"#,
        r#"new\nline and CRLF\r\n inside"#,
        r#"ESC \u001b[2J\u001b[31m BEL \u0007 NUL \u0000 DEL \u007f C1 \u009b"#,
        r#"bidi \u202eevil\u202c zero \u200b"#,
        r#"=cmd|' /C calc'!A0"#,
        r#"tab\there, backslash \\, é 日本 😀"#,
    ]
    .iter()
    .enumerate()
    {
        lines.push_str(&format!(
            r#"{{"time":"2025-05-06T04:00:0{i}Z","level":"error","msg":"{m}","request_id":"r\"{i},","error_type":"E\n{i}"}}"#
        ));
        lines.push('\n');
    }
    std::fs::write(&hostile, lines).unwrap();
    let hostile = hostile.to_str().unwrap().to_string();
    let mut files: Vec<String> = FILES.iter().map(|f| format!("testdata/{f}")).collect();
    files.push(hostile);
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let path = |ext: &str| tmp.path().join(format!("x.{ext}"));
    for f in ["parquet", "jsonl", "csv"] {
        export(f, &path(f), &files);
    }
    let p = |ext: &str| lit(path(ext).to_str().unwrap());
    let views = [
        (
            "pq",
            format!("select * from read_parquet({})", p("parquet")),
        ),
        (
            "js",
            format!(
                "select * from read_json({}, format = 'newline_delimited', columns = {{ts: 'VARCHAR', file: 'VARCHAR', line: 'BIGINT', status: 'INTEGER', request_id: 'VARCHAR', message: 'VARCHAR', error_type: 'VARCHAR', latency_ms: 'DOUBLE'}})",
                p("jsonl")
            ),
        ),
        (
            "cs",
            format!(
                "select * from read_csv({}, header = true, all_varchar = true, quote = '\"', escape = '\"', strict_mode = true)",
                p("csv")
            ),
        ),
    ];
    // Per format: rows, and a digest of the values in input order (a null as an empty
    // string, since CSV cannot tell them apart).
    let digest = |t: &str| {
        format!(
            "select count(*), md5(string_agg(concat_ws(chr(31), file, line::varchar, coalesce(status::varchar, ''), coalesce(request_id, ''), coalesce(message, ''), coalesce(error_type, ''), coalesce(latency_ms::double::varchar, '')), chr(30) order by list_position([{}], file), line::bigint)) from {t}",
            files.iter().map(|f| lit(f)).collect::<Vec<_>>().join(", ")
        )
    };
    let queries = [
        ("pq", digest("pq")),
        ("js", digest("js")),
        ("cs", digest("cs")),
        (
            "hostile",
            "select message from pq where file like '%hostile.log' order by line".to_string(),
        ),
        (
            "ts",
            "select count(*) from pq join js using (file, line) where strftime(pq.ts, '%Y-%m-%dT%H:%M:%S.%fZ') = js.ts"
                .to_string(),
        ),
    ];
    let got = duckdb(&views, &queries);
    let rows = int(&got["pq"][0][0]);
    assert!(rows > 1000);
    assert_eq!(got["js"], got["pq"], "JSON lines differ from Parquet");
    assert_eq!(got["cs"], got["pq"], "CSV differs from Parquet");
    assert_eq!(int(&got["ts"][0][0]), rows, "every ts the same instant");
    let hostile: Vec<String> = got["hostile"].iter().map(|r| text(&r[0])).collect();
    assert_eq!(hostile.len(), 6);
    assert_eq!(hostile[1], "new\nline and CRLF\r\n inside");
    assert_eq!(
        hostile[2],
        "ESC \u{1b}[2J\u{1b}[31m BEL \u{7} NUL \u{0} DEL \u{7f} C1 \u{9b}"
    );
    assert_eq!(hostile[4], "=cmd|' /C calc'!A0");
}

#[test]
fn the_readmes_duckdb_queries_run() {
    if !duckdb_available("the_readmes_duckdb_queries_run") {
        return;
    }
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    // The ```sql blocks of the export section are DuckDB's; ClickHouse's are ```text.
    let section = readme
        .split("\n## `logtriage export")
        .nth(1)
        .expect("README has an export section");
    let section = section.split("\n## ").next().unwrap();
    let blocks: Vec<&str> = section
        .split("```sql\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert!(blocks.len() >= 2, "expected DuckDB queries in the README");
    let tmp = tempfile::tempdir().unwrap();
    let pq = tmp.path().join("incident.parquet");
    let bundle: Vec<String> = FILES.iter().map(|f| format!("testdata/{f}")).collect();
    let bundle: Vec<&str> = bundle.iter().map(String::as_str).collect();
    export("parquet", &pq, &bundle);
    let queries: Vec<(String, String)> = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            (
                format!("q{i}"),
                b.replace("'incident.parquet'", &lit(pq.to_str().unwrap()))
                    .trim()
                    .trim_end_matches(';')
                    .to_string(),
            )
        })
        .collect();
    let queries: Vec<(&str, String)> = queries
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let got = duckdb(&[], &queries);
    for (name, rows) in &got {
        assert!(!rows.is_empty(), "README query {name} returned no rows");
    }
}
