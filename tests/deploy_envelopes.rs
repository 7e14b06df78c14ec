//! The container and host envelopes of testdata/deploy/shop: one FastAPI service's output
//! (untimed JSON lines on stderr, uvicorn's text on both streams) as Docker, the kubelet's CRI
//! files, kubectl, journald and rsyslog keep it. Every expected number comes from
//! testdata/deploy/manifest.json and the capture the envelopes were built from, never from
//! logtriage's output.

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

mod common;
use common::root;

const SHOP: &str = "testdata/deploy/shop";

fn manifest() -> Value {
    common::deploy_run("shop")
}

/// The captured lines in order: (seq, stream, text).
fn capture() -> Vec<(u64, String, String)> {
    let text = std::fs::read_to_string(root().join(SHOP).join("capture.jsonl")).unwrap();
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["seq"].as_u64().unwrap(),
                v["stream"].as_str().unwrap().to_string(),
                v["text"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn run(sub: &str, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("logtriage")
        .unwrap()
        .current_dir(root())
        .env("TZ", "UTC")
        .arg(sub)
        .args(args)
        .output()
        .unwrap()
}

fn json(sub: &str, args: &[&str]) -> Value {
    let out = run(sub, args);
    assert!(
        out.status.success(),
        "{sub} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn report(files: &[&str]) -> Value {
    let mut args = vec!["-f", "json", "--top", "50", "--tz", "America/New_York"];
    args.extend_from_slice(files);
    json("report", &args)
}

/// Every envelope file of the run, with the envelope kind logtriage must name it by (the
/// innermost, for kubectl's prefix around its timestamps).
fn envelope_files(m: &Value) -> Vec<(String, &'static str)> {
    m["files"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(f, v)| {
            let kind = match (v["envelope"].as_str()?, f.as_str()) {
                ("docker_json_file", _) => "docker",
                ("cri", _) => "cri",
                ("kubectl", "kubectl-timestamps.log") => "kubectl_timestamps",
                ("kubectl", _) => "kubectl_prefix",
                ("journal_json", _) => "journald",
                ("journal_short", _) | ("syslog", "syslog") => "syslog",
                ("journal_short_iso", _) | ("syslog", "syslog-rfc3339.log") => "syslog_iso",
                ("syslog", "syslog-5424.log") => "syslog_5424",
                ("journal_export", _) => return None,
                (e, f) => panic!("unknown envelope {e} of {f}"),
            };
            Some((format!("{SHOP}/{f}"), kind))
        })
        .collect()
}

/// The captured lines that continue a traceback above them: uvicorn prints one on stderr per
/// failed request (`Traceback (most recent call last):`, its indented frames, and the
/// exception line that ends it) under its `ERROR:` line.
fn traceback_seqs(cap: &[(u64, String, String)]) -> Vec<u64> {
    let mut out = Vec::new();
    let mut inside = false;
    for (seq, _, t) in cap {
        if t == "Traceback (most recent call last):" {
            inside = true;
        } else if inside && !t.starts_with(' ') {
            inside = false;
            out.push(*seq);
        }
        if inside {
            out.push(*seq);
        }
    }
    out
}

/// Whether an envelope keeps a program's lines apart so that a traceback's lines join the
/// record above them: all but journald's JSON, whose keys come in any order.
fn joins_tracebacks(kind: &str) -> bool {
    kind != "journald"
}

/// uvicorn's own lines as it writes them: a padded level, a colon, the message.
fn uvicorn_line(t: &str) -> bool {
    ["INFO:     ", "WARNING:  ", "ERROR:    "]
        .iter()
        .any(|p| t.starts_with(p))
}

#[test]
fn every_envelope_gives_back_the_captured_lines() {
    let m = manifest();
    let cap = capture();
    let is_app = |text: &str| text.starts_with('{');
    let tracebacks = traceback_seqs(&cap).len() as u64;
    let fail = m["scenarios"]["fail"]["count"].as_u64().unwrap();
    // Every failed request raises the same error down the same calls: one traceback each,
    // all of one length.
    assert!(
        tracebacks > 0 && tracebacks.is_multiple_of(fail),
        "{tracebacks}"
    );
    let files = envelope_files(&m);
    assert!(files.len() >= 12, "{files:?}");
    for (path, kind) in files {
        let name = path.strip_prefix(&format!("{SHOP}/")).unwrap();
        let want = &m["files"][name];
        let v = report(&[&path]);
        let input = &v["inputs"][0];
        let g = |k: &str| input[k].as_u64().unwrap();
        assert_eq!(g("lines"), want["lines"].as_u64().unwrap(), "{name}");
        assert_eq!(
            g("lines"),
            g("parsed") + g("continuation") + g("unparsed") + g("blank"),
            "{name}"
        );
        // One record per captured line (fragments joined), less the traceback lines that
        // join the line above them; nothing unparsed or untimed.
        let tb = if joins_tracebacks(kind) {
            tracebacks
        } else {
            0
        };
        let records = want["records"].as_u64().unwrap() - tb;
        assert_eq!(g("parsed"), records, "{name}");
        assert_eq!(g("continuation"), g("lines") - records, "{name}");
        assert_eq!(g("unparsed"), 0, "{name}");
        // kubectl's prefix alone carries no time.
        let timed = want["first_utc"].is_string();
        assert_eq!(g("untimed"), if timed { 0 } else { records }, "{name}");
        assert_eq!(input["envelopes"][kind].as_u64(), Some(records), "{name}");
        // The app's JSON lines, less those the envelope lost: journalctl writes null for a
        // field of 4096 bytes or more, rsyslog cuts a message at 8 KiB.
        let lost: Vec<u64> = want["message_null_entries"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(want["messages_truncated"].as_array().into_iter().flatten())
            .map(|e| e["seq"].as_u64().unwrap())
            .collect();
        let app = cap
            .iter()
            .filter(|(seq, _, t)| is_app(t) && !lost.contains(seq))
            .count() as u64;
        assert_eq!(input["formats"]["json"].as_u64(), Some(app), "{name}");
        // The rest is uvicorn's own lines, and text no format reads (the coloured banner;
        // in journald's JSON the traceback lines too, each its own record).
        let f = |k: &str| input["formats"][k].as_u64().unwrap_or(0);
        let uvicorn = cap.iter().filter(|(_, _, t)| uvicorn_line(t)).count() as u64;
        assert_eq!(f("uvicorn"), uvicorn, "{name}");
        assert_eq!(f("text") + f("uvicorn") + app, records, "{name}");
        if joins_tracebacks(kind) {
            // uvicorn's ERROR line of each failure carries its traceback whole: the error
            // type is the exception line's, and filter prints the frames under it.
            let out = run("filter", &["--level", "error", "-f", "json", &path]);
            let events: Vec<Value> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .filter(|e: &Value| e["format"] == "uvicorn")
                .collect();
            assert_eq!(events.len() as u64, fail, "{name}");
            for e in &events {
                assert_eq!(e["error_type"], "storage.DatabaseError", "{name}");
            }
            let out = run("filter", &["--level", "error", "-f", "text", &path]);
            let text = String::from_utf8_lossy(&out.stdout);
            let frames = text.matches("\n      File \"").count() as u64;
            // uvicorn's frames, and those of the app's own `exc_info` (a JSON value printed
            // under its line), where the envelope kept the line whole.
            let want_frames = cap
                .iter()
                .filter(|(seq, _, _)| !lost.contains(seq))
                .map(|(_, _, t)| {
                    if t.starts_with("  File \"") {
                        1
                    } else if is_app(t) {
                        serde_json::from_str::<Value>(t).unwrap()["exc_info"]
                            .as_str()
                            .map_or(0, |x| x.matches("\n  File \"").count())
                    } else {
                        0
                    }
                })
                .sum::<usize>() as u64;
            assert_eq!(frames, want_frames, "{name}: {text}");
        }
        // Every request: the 48 nginx sent on and the 27 probes, by their ids.
        assert_eq!(v["requests"]["total"], m["totals"]["requests"], "{name}");
        // The envelope's times (whole seconds where it keeps no more).
        if timed {
            let first = want["first_utc"].as_str().unwrap();
            let got = input["first"].as_str().unwrap();
            // RFC 3164 has no year: it comes from the file's mtime (a checkout's), tested
            // below with a set one.
            let from = if kind == "syslog" { 5 } else { 0 };
            assert_eq!(got[from..19], first[from..19], "{name}");
        }
    }
}

#[test]
fn docker_and_cri_keep_the_stream_and_join_the_16_kib_line() {
    let m = manifest();
    let export = &m["export"];
    let id = export["request_id"].as_str().unwrap();
    let cri = m["envelope_fields"]["cri"]["paths"][0]
        .as_str()
        .unwrap()
        .to_string();
    let docker = m["envelope_fields"]["docker"]["path"]
        .as_str()
        .unwrap()
        .to_string();
    for (f, parts) in [
        (docker, export["docker_fragments"].as_u64().unwrap()),
        (cri, export["cri_parts"].as_u64().unwrap()),
    ] {
        let path = format!("{SHOP}/{f}");
        let want = &m["files"][f.as_str()];
        // uvicorn prints its tracebacks on stderr: their lines join the ERROR line above.
        let tracebacks = traceback_seqs(&capture()).len() as u64;
        for (stream, n) in want["records_by_stream"].as_object().unwrap() {
            let out = run(
                "filter",
                &["--field", &format!("stream={stream}"), "--count", &path],
            );
            let got: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
            let joined = if stream == "stderr" { tracebacks } else { 0 };
            assert_eq!(got, n.as_u64().unwrap() - joined, "{f} {stream}");
        }
        // The long line is one record, its message whole.
        let out = run("filter", &["--request-id", id, "-f", "json", &path]);
        let events: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let export_line = events
            .iter()
            .find(|e| {
                e["msg"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("export payload"))
            })
            .unwrap_or_else(|| panic!("{f}: no export line in {events:?}"));
        assert_eq!(
            export_line["msg"].as_str().unwrap().len() as u64,
            export["message_bytes"].as_u64().unwrap(),
            "{f}"
        );
        assert_eq!(export_line["envelope"]["stream"], "stderr", "{f}");
        let raw = run("filter", &["--request-id", id, "-f", "raw", &path]);
        let lines = String::from_utf8_lossy(&raw.stdout).lines().count() as u64;
        // Its physical lines are printed as they are in the file, fragments and all.
        let app_lines = m["scenarios"]["export"]["app_messages"]
            .as_array()
            .unwrap()
            .len() as u64;
        assert_eq!(lines, app_lines - 1 + parts, "{f}");
    }
}

#[test]
fn envelope_fields_name_the_source() {
    let m = manifest();
    let f = &m["envelope_fields"];
    let pod = format!(
        "pod {}/{}/{}",
        f["cri"]["namespace"].as_str().unwrap(),
        f["cri"]["pod"].as_str().unwrap(),
        f["cri"]["container"].as_str().unwrap()
    );
    let cri = format!("{SHOP}/{}", f["cri"]["paths"][1].as_str().unwrap());
    // Records, less the traceback lines that join the line above them (not in journald's
    // JSON).
    let tracebacks = traceback_seqs(&capture()).len() as u64;
    let records = |name: &str| {
        let joined = if name == "journal.json" {
            0
        } else {
            tracebacks
        };
        m["files"][name]["records"].as_u64().unwrap() - joined
    };
    let cases = [
        (cri, pod, records("kubectl-prefix.log")),
        (
            format!("{SHOP}/kubectl-prefix.log"),
            format!(
                "pod {}/{}",
                f["kubectl"]["pod"].as_str().unwrap(),
                f["kubectl"]["container"].as_str().unwrap()
            ),
            records("kubectl-prefix.log"),
        ),
        (
            format!("{SHOP}/journal.json"),
            format!(
                "unit {}/{}",
                f["journald"]["host"].as_str().unwrap(),
                f["journald"]["unit"].as_str().unwrap()
            ),
            records("journal.json"),
        ),
        (
            format!("{SHOP}/syslog-5424.log"),
            format!(
                "host {}/{}",
                f["syslog"]["host"].as_str().unwrap(),
                f["syslog"]["app_name"].as_str().unwrap()
            ),
            records("syslog-5424.log"),
        ),
        (
            format!("{SHOP}/{}", f["docker"]["path"].as_str().unwrap()),
            format!(
                "container {}",
                &f["docker"]["container_id"].as_str().unwrap()[..12]
            ),
            records(f["docker"]["path"].as_str().unwrap()),
        ),
    ];
    for (path, source, lines) in cases {
        let v = report(&[&path]);
        assert_eq!(v["sources"][0]["source"], source.as_str(), "{path}");
        assert_eq!(v["sources"][0]["lines"].as_u64(), Some(lines), "{path}");
    }
    // The fields select lines and show in every event.
    let j = &f["journald"];
    let out = run(
        "filter",
        &[
            "--field",
            &format!("unit={}", j["unit"].as_str().unwrap()),
            "--field",
            &format!("pid={}", j["pid"]),
            "--count",
            &format!("{SHOP}/journal.json"),
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        records("journal.json").to_string()
    );
    let out = run(
        "filter",
        &["-f", "json", &format!("{SHOP}/syslog-5424.log")],
    );
    let first: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(first["envelope"]["host"], f["syslog"]["host"]);
    assert_eq!(first["envelope"]["program"], f["syslog"]["app_name"]);
    assert_eq!(first["envelope"]["pid"], f["syslog"]["procid"]);
}

#[test]
fn journald_priority_is_the_level_only_when_the_line_has_none() {
    let m = manifest();
    let v = report(&[&format!("{SHOP}/journal.json")]);
    // PRIORITY is 6 (info) for every line; the app's and uvicorn's own levels win where
    // they wrote them, and the exception lines, over 4096 bytes, are null in journalctl's
    // JSON.
    let cap = capture();
    let count = |f: &dyn Fn(&str) -> bool| cap.iter().filter(|(_, _, t)| f(t)).count() as u64;
    let warnings = count(&|t| t.contains("\"WARNING\"") || t.starts_with("WARNING:  "));
    let errors = count(&|t| t.starts_with("ERROR:    "));
    assert!(errors > 0);
    assert_eq!(v["levels"]["WARN"].as_u64(), Some(warnings));
    assert_eq!(v["levels"]["ERROR"].as_u64(), Some(errors));
    let j = json("report", &["-f", "json", &format!("{SHOP}/journal.json")]);
    assert_eq!(
        j["levels"]["INFO"].as_u64().unwrap() + warnings + errors,
        m["files"]["journal.json"]["records"].as_u64().unwrap()
    );
}

#[test]
fn lines_without_timestamps_are_counted_not_timed() {
    let m = manifest();
    let s = &m;
    let v = report(&[&format!("{SHOP}/raw.log")]);
    let headline = v["headline"].as_str().unwrap();
    assert!(
        headline.starts_with("no timestamps: counts only"),
        "{headline}"
    );
    assert!(v["windows"].as_array().unwrap().is_empty());
    assert!(v["time_range"].is_null());
    // The app's JSON lines carry no status or latency: no request is unfinished, and only
    // those with an error line failed. Nothing says how the others ended.
    let fail = s["scenarios"]["fail"]["count"].as_u64().unwrap();
    let total = s["totals"]["requests"].as_u64().unwrap();
    let r = &v["requests"];
    assert_eq!(r["total"].as_u64(), Some(total));
    assert_eq!(r["with_errors"].as_u64(), Some(fail));
    assert_eq!(r["unfinished"], Value::Null);
    assert_eq!(r["outcomes"]["error"].as_u64(), Some(fail));
    assert_eq!(r["outcomes"]["unknown"].as_u64(), Some(total - fail));
    assert_eq!(r["outcomes"]["unfinished"], 0);
    assert!(
        headline.contains(&format!("{fail} of {fail} with a known outcome failed"))
            && headline.contains(&format!("{} unknown", total - fail)),
        "{headline}"
    );
    // The error type is still counted, its requests named. Each failure is logged twice:
    // the app's JSON line, and uvicorn's traceback of the exception the app re-raised.
    assert_eq!(v["error_types"][0]["type"], "storage.DatabaseError");
    assert_eq!(v["error_types"][0]["count"].as_u64(), Some(2 * fail));
    assert_eq!(
        v["error_types"][0]["request_ids"].as_array().map(Vec::len),
        Some(fail as usize)
    );
    // No flag claims a request hung: nothing says any did.
    let flags = common::flag_rules(&v);
    assert!(!flags.contains(&"hung_requests"), "{flags:?}");
}

#[test]
fn nginx_tells_the_outcomes_the_app_does_not_log() {
    let m = manifest();
    let s = &m;
    let docker = format!(
        "{SHOP}/{}",
        s["envelope_fields"]["docker"]["path"].as_str().unwrap()
    );
    let v = report(&[
        &docker,
        &format!("{SHOP}/nginx-access.log"),
        &format!("{SHOP}/nginx-error.log"),
    ]);
    let by = &s["totals"]["by_nginx_status"];
    let o = &v["requests"]["outcomes"];
    assert_eq!(o["ok"], by["200"]);
    assert_eq!(o["error"], by["500"]);
    assert_eq!(o["timeout"], by["504"]);
    // The probes went straight to uvicorn: neither nginx nor the app says how they ended.
    assert_eq!(o["unknown"], s["totals"]["direct_probes"]);
    assert_eq!(
        v["requests"]["with_errors"].as_u64().unwrap(),
        by["500"].as_u64().unwrap() + by["504"].as_u64().unwrap()
    );
    // nginx gave up on the slow ones; the app logs no completions, so nothing says they hung.
    let timeout = v["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "upstream_timeout")
        .unwrap();
    let side = &timeout["app_side"][0];
    assert_eq!(side["requests"], by["504"]);
    assert_eq!(side["ends_unlogged"], true);
}

#[test]
fn year_less_stamps_take_the_year_before_the_files_mtime() {
    let m = manifest();
    let dir = tempfile::tempdir().unwrap();
    for name in ["syslog", "journal.short"] {
        let copy = dir.path().join(name);
        std::fs::copy(root().join(SHOP).join(name), &copy).unwrap();
        let want = m["files"][name]["first_utc"].as_str().unwrap();
        // Written on 1 December, last modified in January: last year's December.
        let year: i32 = want[..4].parse().unwrap();
        for (mtime, y) in [
            (format!("{}-01-15T00:00:00Z", year + 1), year),
            (format!("{year}-12-02T00:00:00Z"), year),
        ] {
            let t = chrono::DateTime::parse_from_rfc3339(&mtime).unwrap();
            let f = std::fs::File::options().write(true).open(&copy).unwrap();
            f.set_modified(std::time::SystemTime::from(t)).unwrap();
            drop(f);
            let v = report(&[copy.to_str().unwrap()]);
            let first = v["inputs"][0]["first"].as_str().unwrap();
            assert_eq!(&first[..4], y.to_string(), "{name} modified {mtime}");
            assert_eq!(&first[4..19], &want[4..19], "{name}");
        }
    }
}
