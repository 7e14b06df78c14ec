//! Hostile log content through the real binary (issue 12): messages, paths, request ids,
//! error types and a file name holding markdown links and images, raw HTML, backticks,
//! spreadsheet formulas, ESC, BEL, C1 and bidi controls. Each output must show them as text
//! wherever it is opened: markdown rendered by a CommonMark parser, CSV in a spreadsheet,
//! JSON in a terminal or an editor.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use assert_cmd::cargo::CommandCargoExt;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde_json::{Value, json};

const LINK: &str = "[Click](http://evil.example/x)";
const IMAGE: &str = "![x](http://tracker.example/pixel.png)";
const HTML: &str = "<img src=x onerror=alert(1)>";
const AUTOLINK: &str = "<http://auto.example>";
const TICKS: &str = "a`b``c ![y](http://tick.example/p.png) `";
const MARKUP: &str = "x|y *em* _u_ ~~s~~";
/// ESC, BEL, a C1 CSI (U+009B), NEL (U+0085) and a right-to-left override (U+202E).
const CONTROLS: &str = "\u{1b}[31mred\u{7}\u{9b}2J\u{85}\u{202e}evil";
/// The same as `escape::term` shows it.
const CONTROLS_SHOWN: &str = "\\x1b[31mred\\x07\\x9b2J\\x85\\u{202e}evil";

const PAYLOADS: [&str; 7] = [LINK, IMAGE, HTML, AUTOLINK, TICKS, MARKUP, CONTROLS];

/// Request ids a spreadsheet would run, and ones it would read as numbers.
const FORMULA_IDS: [&str; 6] = [
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
];
const NUMBER_IDS: [&str; 2] = ["-3", "-1.5"];

const NGINX_PATH: &str = "/n/![n](http://tracker.example/n.png)<b>`a|b`";

/// Writes the hostile logs into `dir`: app JSON lines (one quiet minute, then errors whose
/// message, path, request id and error type carry the payloads, a line that is not JSON),
/// nginx access lines with a hostile path, and nginx error lines that make an incident.
/// Returns the paths, the app log's name itself hostile.
fn hostile_logs(dir: &Path) -> Vec<String> {
    let mut app = String::new();
    let mut line = |v: Value| {
        // serde_json writes C1 and bidi characters raw: the input holds them as bytes.
        app.push_str(&v.to_string());
        app.push('\n');
    };
    for s in 0..60 {
        line(
            json!({"time": format!("2025-05-06T04:00:{s:02}Z"), "level": "info",
            "msg": "request finished", "request_id": format!("ok{s}"), "method": "GET",
            "path": "/ok", "status": 200, "duration_ms": 5}),
        );
    }
    for (i, p) in PAYLOADS.iter().enumerate() {
        for k in 0..3 {
            line(
                json!({"time": format!("2025-05-06T04:01:0{i}.{k}00Z"), "level": "error",
                "msg": format!("failed {p}"), "request_id": format!("{p}{k}"), "method": "GET",
                "path": format!("/api/{p}"), "status": 500, "duration_ms": 7,
                "err": {"type": format!("Err{p}")}}),
            );
        }
    }
    for (i, id) in FORMULA_IDS.iter().chain(&NUMBER_IDS).enumerate() {
        line(
            json!({"time": format!("2025-05-06T04:01:08.{i}00Z"), "level": "error",
            "msg": format!("=cmd {CONTROLS}"), "request_id": id, "method": "GET",
            "path": "/f", "status": 500, "duration_ms": 7, "err": {"type": "=ERR()"}}),
        );
    }
    app.push_str(&format!("not json {LINK}{IMAGE}{TICKS}{CONTROLS}\n"));
    let name = "app[l](http:name.example)|`x`.log";

    let mut access = String::new();
    for i in 0..3 {
        access.push_str(&format!(
            "127.0.0.1 - - [06/May/2025:04:01:0{i} +0000] \"GET {NGINX_PATH} HTTP/1.1\" 502 3 \
             \"-\" \"ua\" request_id=n{i} request_time=0.024\n"
        ));
    }
    let mut error = String::new();
    for i in 0..3 {
        error.push_str(&format!(
            "2025/05/06 04:01:0{i} [error] 1#1: *{i} upstream timed out (110: Connection timed \
             out) while reading response header from upstream, client: 127.0.0.1, server: s, \
             request: \"GET /t/{} HTTP/1.1\", upstream: \"http://127.0.0.1:1/\", host: \"h\"\n",
            [LINK, IMAGE, "<b>x</b>"][i].replace(' ', "")
        ));
    }
    let mut paths = Vec::new();
    for (n, text) in [(name, app), ("access.log", access), ("error.log", error)] {
        let p = dir.join(n);
        std::fs::write(&p, text).unwrap();
        paths.push(p.to_string_lossy().into_owned());
    }
    paths
}

fn run(args: &[&str], files: &[String]) -> Output {
    let out = Command::cargo_bin("logtriage")
        .unwrap()
        .args(args)
        .args(["--tz", "UTC"])
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn markdown(dir: &Path) -> String {
    let files = hostile_logs(dir);
    String::from_utf8(run(&["report", "-f", "markdown"], &files).stdout).unwrap()
}

fn parse(md: &str) -> Vec<Event<'_>> {
    Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).collect()
}

#[test]
fn markdown_report_renders_no_link_image_or_html_from_log_text() {
    let d = tempfile::tempdir().unwrap();
    let md = markdown(d.path());
    let mut shown = String::new();
    for e in parse(&md) {
        match &e {
            Event::Start(Tag::Link { .. } | Tag::Image { .. })
            | Event::Start(Tag::Emphasis | Tag::Strikethrough | Tag::HtmlBlock) => {
                panic!("{e:?} in\n{md}")
            }
            // The report's own line breaks in table cells are its only HTML.
            Event::Html(h) | Event::InlineHtml(h) => assert_eq!(&**h, "<br>", "in\n{md}"),
            Event::Text(t) | Event::Code(t) => shown.push_str(t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::TableCell) => shown.push('\n'),
            _ => {}
        }
    }
    // What the log said is still there to read, as text.
    for p in [
        LINK,
        IMAGE,
        HTML,
        AUTOLINK,
        CONTROLS_SHOWN,
        "app[l](http:name.example)|`x`",
    ] {
        assert!(shown.contains(p), "{p:?} not shown in\n{shown}");
    }
    assert!(shown.contains(NGINX_PATH), "nginx path");
    for needle in ["evil.example", "tracker.example", "onerror"] {
        assert!(
            md.contains(needle),
            "the payload reached the report: {needle}"
        );
    }
    // No control character reaches the document raw.
    assert!(!md.chars().any(|c| c.is_control() && c != '\n'), "{md}");
    assert!(!md.contains('\u{202e}'));
}

#[test]
fn markdown_backticks_in_cells_do_not_close_code_spans() {
    let d = tempfile::tempdir().unwrap();
    let md = markdown(d.path());
    let code: Vec<String> = parse(&md)
        .into_iter()
        .filter_map(|e| match e {
            Event::Code(c) => Some(c.into_string()),
            _ => None,
        })
        .collect();
    // Error type, endpoint, request id, pattern (masked) and the unparsed sample, each one
    // whole code span however many backticks it holds.
    for want in [
        format!("Err{TICKS}"),
        format!("GET /api/{TICKS}"),
        format!("{TICKS}0"),
        format!("Err{MARKUP}"),
        "GET /n/![n](http://tracker.example/n.png)<b>`a|b`".to_string(),
        "failed a`b``c ![y](<url> `".to_string(),
        format!("not json {LINK}{IMAGE}{TICKS}{CONTROLS_SHOWN}"),
    ] {
        assert!(
            code.contains(&want),
            "no code span {want:?} in {code:#?}\n{md}"
        );
    }
    // Every row of every table has its header's number of cells.
    let mut widths: Vec<usize> = Vec::new();
    let mut n = 0;
    for e in parse(&md) {
        match e {
            Event::Start(Tag::TableHead | Tag::TableRow) => n = 0,
            Event::End(TagEnd::TableCell) => n += 1,
            Event::End(TagEnd::TableHead) => widths.push(n),
            Event::End(TagEnd::TableRow) => assert_eq!(Some(&n), widths.last(), "\n{md}"),
            _ => {}
        }
    }
    assert!(widths.len() >= 5, "tables: {widths:?}");
    // Each table's rows have as many unescaped pipes as its delimiter row: no log text split
    // a cell, whatever a reader does with the extra cells.
    let lines: Vec<&str> = md.lines().collect();
    for block in lines.split(|l| !l.starts_with('|')).filter(|b| b.len() > 1) {
        let want = pipes(block[1]);
        for row in block {
            assert_eq!(pipes(row), want, "row {row}");
        }
    }
}

/// `|` not preceded by a backslash (the report writes no `\\|`).
fn pipes(row: &str) -> usize {
    let b = row.as_bytes();
    (0..b.len())
        .filter(|&i| b[i] == b'|' && (i == 0 || b[i - 1] != b'\\'))
        .count()
}

fn csv_rows(out: &[u8]) -> Vec<csv::StringRecord> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out);
    r.records().map(|x| x.unwrap()).collect()
}

#[test]
fn csv_cells_that_look_like_formulas_are_neutralised() {
    let d = tempfile::tempdir().unwrap();
    let files = hostile_logs(d.path());
    let out = run(&["requests", "-f", "csv", "--top", "1000"], &files).stdout;
    let rows = csv_rows(&out);
    assert!(rows.len() > 30, "{} rows", rows.len());
    let mut ids = Vec::new();
    for row in &rows {
        for cell in row {
            let dangerous = cell.starts_with(['=', '+', '@', '\t', '\r']);
            let number = cell.parse::<f64>().is_ok();
            assert!(!dangerous, "formula cell {cell:?} in {row:?}");
            assert!(!cell.starts_with('-') || number, "formula cell {cell:?}");
        }
        ids.push(row[0].to_string());
    }
    for id in FORMULA_IDS {
        // Tab and CR are shown as `\t`, `\r` after the quote.
        let want = format!("'{}", id.replace('\t', "\\t").replace('\r', "\\r"));
        assert!(ids.contains(&want), "{want:?} not among {ids:?}");
    }
    for id in NUMBER_IDS {
        assert!(ids.iter().any(|i| i == id), "number {id} changed: {ids:?}");
    }
    assert!(rows.iter().any(|r| r.iter().any(|c| c == "'=ERR()")));
}

#[test]
fn csv_control_characters_are_escaped() {
    let d = tempfile::tempdir().unwrap();
    let files = hostile_logs(d.path());
    let out = run(&["requests", "-f", "csv", "--top", "1000"], &files).stdout;
    let text = String::from_utf8(out).unwrap();
    for c in text.chars() {
        assert!(
            !c.is_control() || c == '\n' || c == '\r',
            "raw {:x}",
            c as u32
        );
    }
    assert!(!text.contains('\u{202e}'));
    // Rows end in CRLF or LF only: no CR inside a cell.
    assert!(!text.replace("\r\n", "\n").contains('\r'));
    let rows = csv_rows(text.as_bytes());
    let cells: Vec<&str> = rows.iter().flat_map(|r| r.iter()).collect();
    assert!(
        cells.contains(&format!("{CONTROLS_SHOWN}0").as_str()),
        "{cells:?}"
    );
    assert!(
        cells
            .iter()
            .any(|c| c.contains(CONTROLS_SHOWN) && c.starts_with("Err")),
        "error type"
    );
}

/// The raw bytes of every encoding that must not appear, with a name for the message.
const RAW: [(&[u8], &str); 5] = [
    (b"\xc2\x9b", "U+009B"),
    (b"\xc2\x85", "U+0085"),
    (b"\xe2\x80\xae", "U+202E"),
    (b"\x1b", "ESC"),
    (b"\x07", "BEL"),
];

fn assert_escaped(what: &str, bytes: &[u8]) {
    for (raw, name) in RAW {
        assert!(
            !bytes.windows(raw.len()).any(|w| w == raw),
            "{what}: raw {name}"
        );
    }
    let text = std::str::from_utf8(bytes).unwrap();
    assert!(
        text.contains("\\u009b") && text.contains("\\u202e"),
        "{what}"
    );
}

/// Every string anywhere in `v`.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings(x, out)
        }),
        _ => {}
    }
}

fn assert_round_trip(what: &str, docs: &[Value], want: &[String]) {
    let mut all = Vec::new();
    docs.iter().for_each(|d| strings(d, &mut all));
    for w in want {
        assert!(
            all.iter().any(|s| s == w),
            "{what}: {w:?} did not come back"
        );
    }
}

fn json_lines(bytes: &[u8]) -> Vec<Value> {
    std::str::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn json_output_escapes_c1_and_bidi_controls() {
    let d = tempfile::tempdir().unwrap();
    let files = hostile_logs(d.path());
    let id = format!("{CONTROLS}0");
    let kind = format!("Err{CONTROLS}");
    let msg = format!("failed {CONTROLS}");

    let report = run(&["report", "-f", "json"], &files).stdout;
    assert_escaped("report", &report);
    let v: Value = serde_json::from_slice(&report).unwrap();
    assert_round_trip("report", &[v], std::slice::from_ref(&kind));

    let requests = run(&["requests", "-f", "json", "--top", "1000"], &files).stdout;
    assert_escaped("requests", &requests);
    let v: Value = serde_json::from_slice(&requests).unwrap();
    assert_round_trip("requests", &[v], &[id.clone(), kind.clone()]);

    // filter and trace: the normalised fields and the original object under `fields`.
    let filter = run(&["filter", "-f", "json", "--level", "error"], &files).stdout;
    assert_escaped("filter", &filter);
    let lines = json_lines(&filter);
    assert_round_trip("filter", &lines, &[id.clone(), kind.clone(), msg.clone()]);
    assert!(lines.iter().any(|l| l["fields"]["msg"] == msg.as_str()));

    let trace = run(&["trace", "-f", "json", "--id", &id], &files).stdout;
    assert_escaped("trace", &trace);
    assert_round_trip("trace", &json_lines(&trace), &[id.clone(), msg.clone()]);

    // watch, piped: window, alert and summary lines.
    let input = std::fs::read(&files[0]).unwrap();
    let mut child = Command::cargo_bin("logtriage")
        .unwrap()
        .args(["watch", "-f", "json", "--tz", "UTC"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_escaped("watch", &out.stdout);
    assert_round_trip("watch", &json_lines(&out.stdout), &[kind]);
}
