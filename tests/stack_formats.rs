//! Every logger of the stack through the binary: testdata/stack/ was written by real
//! uvicorn, gunicorn, Flask, Python logging, ecs-logging, winston, morgan, Go's slog and log,
//! nginx and php-fpm under one known load (testdata/generate/stack/, its manifests). Expected
//! numbers come from that load: what each service was sent and how it was made to answer.

mod common;

use common::{logtriage, root};
use serde_json::Value;

fn manifest(svc: &str) -> Value {
    let p = root().join(format!("testdata/stack/{svc}/manifest.json"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn report(args: &[&str]) -> Value {
    let out = logtriage("report")
        .args(["-f", "json", "--tz", "UTC"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// What each file must read as: the formats of its records, and the error types with how
/// many records name them, as the services were made to log them.
struct Want {
    file: &'static str,
    formats: &'static [(&'static str, u64)],
    errors: &'static [(&'static str, u64)],
    /// The file carries a timing per request (some formats have none).
    timed: bool,
}

const NGINX_CONF: &str = "testdata/generate/stack/nginx/nginx.conf";

const WANT: &[Want] = &[
    // uvicorn's own access lines (36) and start-up/shut-down lines (8), its two tracebacks,
    // beside the app's 36 JSON lines: each failure is in the app's `exc_info` and uvicorn's.
    Want {
        file: "python/uvicorn-json.log",
        formats: &[("json", 36), ("uvicorn", 46)],
        errors: &[("fastapi_app.PaymentError", 4)],
        timed: true,
    },
    Want {
        file: "python/python-default.log",
        formats: &[("python", 36)],
        errors: &[("fastapi_app.PaymentError", 2)],
        timed: true,
    },
    Want {
        file: "python/python-dash.log",
        formats: &[("python", 36)],
        errors: &[("fastapi_app.PaymentError", 2)],
        timed: true,
    },
    Want {
        file: "python/python-basic.log",
        formats: &[("python", 36)],
        errors: &[("fastapi_app.PaymentError", 2)],
        timed: true,
    },
    // Flask's own `Exception on ...` record carries the traceback; its 2-line banner is not
    // a log record.
    Want {
        file: "python/python-flask.log",
        formats: &[("python", 38)],
        errors: &[("flask_app.PaymentError", 2)],
        timed: true,
    },
    Want {
        file: "python/gunicorn-error.log",
        formats: &[("gunicorn", 48)],
        errors: &[("flask_app.PaymentError", 2)],
        timed: true,
    },
    Want {
        file: "python/gunicorn-access.log",
        formats: &[("gunicorn_access", 36)],
        errors: &[],
        timed: false,
    },
    Want {
        file: "python/gunicorn-access-us.log",
        formats: &[("gunicorn_access", 36)],
        errors: &[],
        timed: true,
    },
    Want {
        file: "python/gunicorn-access-ms.log",
        formats: &[("gunicorn_access", 36)],
        errors: &[],
        timed: true,
    },
    Want {
        file: "python/gunicorn-access-s.log",
        formats: &[("gunicorn_access", 36)],
        errors: &[],
        timed: true,
    },
    // ECS's error.type is the bare class name.
    Want {
        file: "python/ecs.log",
        formats: &[("json", 36)],
        errors: &[("PaymentError", 2)],
        timed: true,
    },
    Want {
        file: "node/winston.log",
        formats: &[("json", 38)],
        errors: &[("PaymentError", 2)],
        timed: true,
    },
    // winston's JSON on the console, and console.error's stack after each failure.
    Want {
        file: "node/node-console.log",
        formats: &[("json", 38), ("stack", 2)],
        errors: &[("PaymentError", 4)],
        timed: true,
    },
    Want {
        file: "node/morgan-combined.log",
        formats: &[("morgan", 36)],
        errors: &[],
        timed: false,
    },
    Want {
        file: "node/morgan-common.log",
        formats: &[("morgan", 36)],
        errors: &[],
        timed: false,
    },
    Want {
        file: "node/morgan-dev.log",
        formats: &[("morgan", 36)],
        errors: &[],
        timed: true,
    },
    Want {
        file: "node/morgan-short.log",
        formats: &[("morgan", 36)],
        errors: &[],
        timed: true,
    },
    Want {
        file: "node/morgan-tiny.log",
        formats: &[("morgan", 36)],
        errors: &[],
        timed: true,
    },
    Want {
        file: "node/morgan-custom.log",
        formats: &[("morgan", 36)],
        errors: &[],
        timed: true,
    },
    // net/http's panic goes through the standard logger beside slog's lines; slog writes an
    // error's text, not its type.
    Want {
        file: "go/slog-json.log",
        formats: &[("json", 40), ("go_log", 1)],
        errors: &[("panic", 1)],
        timed: true,
    },
    Want {
        file: "go/slog-text.log",
        formats: &[("logfmt", 40), ("go_log", 1)],
        errors: &[("panic", 1)],
        timed: true,
    },
    Want {
        file: "go/go-log.log",
        formats: &[("go_log", 41)],
        errors: &[("panic", 1)],
        timed: true,
    },
    Want {
        file: "nginx/vhost.log",
        formats: &[("nginx_access", 45)],
        errors: &[],
        timed: false,
    },
    Want {
        file: "nginx/vhost-port.log",
        formats: &[("nginx_access", 45)],
        errors: &[],
        timed: false,
    },
    Want {
        file: "nginx/xff-first.log",
        formats: &[("nginx_access", 45)],
        errors: &[],
        timed: false,
    },
    Want {
        file: "nginx/xff-last.log",
        formats: &[("nginx_access", 45)],
        errors: &[],
        timed: false,
    },
    Want {
        file: "nginx/ingress.log",
        formats: &[("nginx_access", 45)],
        errors: &[],
        timed: true,
    },
    Want {
        file: "nginx/custom.log",
        formats: &[("nginx_access", 45)],
        errors: &[],
        timed: true,
    },
    Want {
        file: "nginx/custom-msec.log",
        formats: &[("nginx_access", 45)],
        errors: &[],
        timed: true,
    },
];

/// The load entries that made `file` (its run's, for services run once per configuration).
fn load<'m>(m: &'m Value, file: &str) -> &'m Vec<Value> {
    let f = &m["files"][file];
    match f["load"].as_str() {
        Some(run) => m["loads"][run].as_array().unwrap(),
        None => m["load"].as_array().unwrap(),
    }
}

/// Nearest-rank percentile, as the report computes it.
fn rank(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((p / 100.0 * v.len() as f64).ceil() as usize).max(1) - 1]
}

#[test]
fn every_stack_log_reads_as_its_load_made_it() {
    for w in WANT {
        let (svc, name) = w.file.split_once('/').unwrap();
        let m = manifest(svc);
        let f = &m["files"][name];
        let path = format!("testdata/stack/{}", w.file);
        let mut args = vec![path.as_str()];
        if name.starts_with("custom") {
            args.splice(0..0, ["--nginx-conf", NGINX_CONF]);
        }
        let v = report(&args);
        let input = &v["inputs"][0];
        let g = |k: &str| input[k].as_u64().unwrap();
        let at = w.file;

        // Every line accounted for; every record of the file's own format parsed, its
        // traceback lines (and the blank lines inside chained ones) its continuation.
        assert_eq!(g("lines"), f["lines"].as_u64().unwrap(), "{at}");
        assert_eq!(
            g("lines"),
            g("parsed") + g("continuation") + g("unparsed") + g("blank"),
            "{at}"
        );
        let cont = f["continuation_lines"].as_u64().unwrap() + f["blank_lines"].as_u64().unwrap();
        let other = f["other_lines"].as_u64().unwrap();
        assert!(
            g("continuation") >= cont && g("continuation") <= cont + other,
            "{at}"
        );
        assert!(g("unparsed") <= other, "{at}: {}", input["unparsed"]);
        for (fmt, n) in w.formats {
            assert_eq!(
                input["formats"][fmt].as_u64(),
                Some(*n),
                "{at}: {}",
                input["formats"]
            );
        }
        let parsed: u64 = w.formats.iter().map(|(_, n)| n).sum();
        assert_eq!(g("parsed"), parsed, "{at}");

        // Statuses as sent, each request once: where the app logs its own status, uvicorn's
        // access lines for the same requests are shown but not counted again.
        let side = if svc == "nginx" { "nginx" } else { "app" };
        let want_status = f["requests"]["by_status"].clone();
        let echoed = f["requests"]["uvicorn_access_lines"]["count"]
            .as_u64()
            .unwrap_or(0);
        assert_eq!(input["echoed_access_lines"].as_u64(), Some(echoed), "{at}");
        assert_eq!(v["status"][side], want_status, "{at}");

        // One request per id sent that the file carries.
        let text =
            String::from_utf8_lossy(&std::fs::read(root().join(&path)).unwrap()).into_owned();
        let sent = load(&m, name);
        let ids = sent
            .iter()
            .filter(|e| e["id"].as_str().is_some_and(|id| text.contains(id)))
            .count() as u64;
        // nginx gives the connections that sent no request line an id of its own.
        let fmt = f["log_format_string"].as_str().unwrap_or("");
        let own_ids = if fmt.contains("$request_id") || fmt.contains("$req_id") {
            sent.iter()
                .filter(|e| e["kind"] == "odd" && e["status"].is_u64())
                .count() as u64
        } else {
            0
        };
        assert_eq!(v["requests"]["total"].as_u64(), Some(ids + own_ids), "{at}");

        // Error types, as the services were made to log them.
        let types: Vec<(String, u64)> = v["error_types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["type"].as_str().unwrap().to_owned(),
                    e["count"].as_u64().unwrap(),
                )
            })
            .collect();
        let want_types: Vec<(String, u64)> =
            w.errors.iter().map(|(t, n)| (t.to_string(), *n)).collect();
        assert_eq!(types, want_types, "{at}");

        // Latency: every timed request once, health checks apart, in milliseconds whatever
        // unit the logger wrote; p95 at the load's: the 300 ms handlers.
        let lat = &v["latency"][side];
        if !w.timed {
            assert!(lat["overall"].is_null(), "{at}");
            continue;
        }
        assert!(lat["unit_doubt"].is_null(), "{at}");
        let health = sent.iter().filter(|e| e["kind"] == "health").count() as u64;
        assert_eq!(lat["health"]["count"].as_u64(), Some(health), "{at}");
        let timed: Vec<f64> = sent
            .iter()
            .filter(|e| e["kind"] != "health" && e["status"].is_u64())
            .map(|e| e["sleep_ms"].as_f64().unwrap_or(0.0))
            .collect();
        let count = lat["overall"]["count"].as_u64().unwrap();
        assert_eq!(count, timed.len() as u64, "{at}");
        let p95 = lat["overall"]["p95"].as_f64().unwrap();
        let want = rank(timed, 95.0);
        assert!(
            p95 >= want - 1.0 && p95 < want + 60.0,
            "{at}: p95 {p95} for sleeps' {want}"
        );
    }
}

#[test]
fn tracebacks_are_whole_records_in_trace_and_filter() {
    // The chained failure of the Python text log: its traceback, with the cause and the
    // blank lines between, is one record under the log line that names its request.
    let m = manifest("python");
    let sent = load(&m, "python-default.log");
    let fail = sent.iter().filter(|e| e["kind"] == "fail").nth(1).unwrap();
    let id = fail["id"].as_str().unwrap();
    let out = logtriage("filter")
        .args([
            "--tz",
            "UTC",
            "--request-id",
            id,
            "testdata/stack/python/python-default.log",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for part in [
        "Traceback (most recent call last):",
        "ConnectionError: payment gateway unreachable",
        "The above exception was the direct cause of the following exception:",
        "fastapi_app.PaymentError: card declined",
    ] {
        assert!(text.contains(part), "{part} missing from\n{text}");
    }
    let out = logtriage("trace")
        .args([
            "-f",
            "json",
            "--tz",
            "UTC",
            id,
            "testdata/stack/python/python-default.log",
        ])
        .output()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let failed = lines
        .iter()
        .find(|l| l["error_type"] == "fastapi_app.PaymentError")
        .expect("the failing record");
    assert!(
        failed["raw"].as_str().unwrap().contains("direct cause"),
        "{failed}"
    );
}

#[test]
fn records_are_the_same_for_any_chunk_size_and_thread_count() {
    let files = [
        "testdata/stack/python/uvicorn-json.log",
        "testdata/stack/python/python-dash.log",
        "testdata/stack/go/slog-text.log",
        "testdata/stack/node/node-console.log",
        "testdata/stack/nginx/error.log",
    ];
    let base = report(&files);
    for (j, chunk) in [("1", "64"), ("2", "100"), ("2", "1000"), ("2", "4096")] {
        let mut args = vec!["-j", j, "--chunk-size", chunk];
        args.extend(files);
        let v = report(&args);
        assert_eq!(v, base, "-j {j} --chunk-size {chunk}");
    }
}

#[test]
fn a_users_log_format_reads_exactly() {
    // custom-msec.log was written by `log_format custom_msec '$msec $status $request_time
    // "$request" $http_x_request_id'` (testdata/generate/stack/nginx/nginx.conf).
    let m = manifest("nginx");
    let f = &m["files"]["custom-msec.log"];
    let fmt = f["log_format_string"].as_str().unwrap();
    let path = "testdata/stack/nginx/custom-msec.log";
    // Without the format nothing reads it; with it, every line, as nginx answered.
    assert_eq!(report(&[path])["inputs"][0]["parsed"], 0);
    let v = report(&["--nginx-log-format", fmt, path]);
    assert_eq!(v["inputs"][0]["parsed"], f["records"]);
    assert_eq!(v["status"]["nginx"], f["requests"]["by_status"]);
    assert_eq!(v["requests"]["total"], f["requests"]["with_id"]);
    // Another layout's format reads none of it: its lines stay unparsed, with samples.
    let other = m["files"]["custom.log"]["log_format_string"]
        .as_str()
        .unwrap();
    let v = report(&["--nginx-log-format", other, path]);
    assert_eq!(v["inputs"][0]["unparsed"], f["lines"]);
    assert!(!v["unparsed_samples"].as_array().unwrap().is_empty());
    // A format that cannot split lines is refused, naming the option.
    let out = logtriage("report")
        .args([
            "--nginx-log-format",
            "$status$request_time [$time_local]",
            path,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("logtriage: error: --nginx-log-format") && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn a_misread_latency_unit_is_said_to_be_doubtful() {
    // slog's JSONHandler writes `duration` in nanoseconds; read as seconds (as the user
    // insists here), the median request would take days.
    let path = "testdata/stack/go/slog-json.log";
    let v = report(&["--latency-field", "duration:s", path]);
    let doubt = v["latency"]["app"]["unit_doubt"].as_str().expect("a doubt");
    assert!(
        doubt.contains("above an hour") && doubt.contains("--latency-field"),
        "{doubt}"
    );
    let out = logtriage("report")
        .args(["--tz", "UTC", "--latency-field", "duration:s", path])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("the latency's unit is likely misread")
    );
    // Left to itself, the same file reads in nanoseconds, without a doubt.
    assert!(report(&[path])["latency"]["app"]["unit_doubt"].is_null());
}
