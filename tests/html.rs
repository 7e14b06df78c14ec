//! `report -f html` as a page: on testdata/ every section is there and every number drawn or
//! tabled equals the JSON report of the same input; the page refers to nothing outside
//! itself; the timelines are `trace`'s; and log text built to break out of HTML (tags,
//! event-handler attributes, quotes in messages, ids, paths and file names) stays text.
//! Expected values come from `-f json` and `trace -f json`, never from the HTML itself.

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

mod common;
use common::{FILES, root};

fn run(dir: &Path, args: &[&str]) -> Vec<u8> {
    let mut cmd = Command::cargo_bin("logtriage").unwrap();
    common::stdout_of(cmd.current_dir(dir).args(args))
}

fn testdata_page() -> (String, Value) {
    let html = String::from_utf8(common::report_all("html", &[])).unwrap();
    let json = serde_json::from_slice(&common::report_all("json", &[])).unwrap();
    (html, json)
}

/// `&amp;` and the other references the page writes, back to text.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The `data-v` values of the elements whose opening tag starts with `open`, in page order.
fn values(html: &str, open: &str) -> Vec<f64> {
    html.match_indices(open)
        .map(|(i, _)| {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            let v = tag
                .split("data-v=\"")
                .nth(1)
                .expect("a data-v")
                .split('"')
                .next();
            v.unwrap().parse::<f64>().unwrap()
        })
        .collect()
}

fn nums(v: &Value, key: &str) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w[key].as_f64())
        .collect()
}

/// The part of the page inside `<section id="ID">`.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no section {id}"));
    let len = html[start..]
        .find("</section><section")
        .unwrap_or(html.len() - start);
    &html[start..start + len]
}

#[test]
fn html_has_every_section_the_report_has() {
    let (html, json) = testdata_page();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for id in [
        "timeline",
        "incidents",
        "flags",
        "inputs",
        "levels",
        "error-types",
        "patterns",
        "latency",
        "windows",
        "requests",
        "timelines",
        "unparsed",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
        assert!(html.contains(&format!("<a href=\"#{id}\">")), "nav to {id}");
    }
    let headline = html.split("<p class=\"headline\">").nth(1).unwrap();
    let headline = unescape(headline.split("</p>").next().unwrap());
    assert_eq!(headline, json["headline"].as_str().unwrap());
    assert_eq!(html.matches("<svg class=\"chart ").count(), 5);
    assert!(html.contains("prefers-color-scheme:dark"));
    assert!(html.contains("@media print"));
}

#[test]
fn html_charts_and_tables_show_the_json_numbers() {
    let (html, json) = testdata_page();
    let w = &json["windows"];
    let n = w.as_array().unwrap().len();
    assert!(n > 20);
    assert_eq!(
        values(&html, "<rect class=\"bar req\""),
        nums(w, "requests")
    );
    assert_eq!(values(&html, "<rect class=\"bar err\""), nums(w, "errors"));
    assert_eq!(
        values(&html, "<rect class=\"bar s5\""),
        nums(w, "status_5xx")
    );
    assert_eq!(values(&html, "<circle class=\"pt p95\""), nums(w, "p95"));
    let flagged = w
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["flags"] != Value::Array(vec![]));
    assert_eq!(
        html.matches("<path class=\"flag\"").count(),
        flagged.count()
    );
    let incidents = json["incidents"].as_array().unwrap().len();
    assert_eq!(html.matches("<rect class=\"band ").count(), incidents);
    // Error types over time: every window's counts, stacked.
    let per_window: f64 = w
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|x| x["error_types"].as_object().unwrap().values())
        .map(|v| v.as_f64().unwrap())
        .sum();
    let drawn: f64 = values(&html, "<rect class=\"seg ").iter().sum();
    assert_eq!(drawn, per_window);
    assert!(per_window > 100.0);
    // Status mix: app's codes, then nginx's.
    let mut status = Vec::new();
    for side in ["app", "nginx"] {
        status.extend(
            json["status"][side]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_f64().unwrap()),
        );
    }
    assert_eq!(values(&html, "<rect class=\"st "), status);
    // p95 per endpoint: overall, then each endpoint, app then nginx.
    let mut p95 = Vec::new();
    for side in ["app", "nginx"] {
        let s = &json["latency"][side];
        p95.push(s["overall"]["p95"].as_f64().unwrap());
        p95.extend(nums(&s["endpoints"], "p95"));
    }
    assert_eq!(values(&html, "<rect class=\"q p95\""), p95);
    // Tables: a row per flag (counts in order) and per window.
    let flags = section(&html, "flags");
    let counts: Vec<f64> = values(flags, "<td class=\"n\"");
    assert_eq!(counts, nums(&json["flags"], "count"));
    let windows = section(&html, "windows");
    assert_eq!(windows.matches("<tr").count(), n + 1);
}

#[test]
fn html_links_slowest_and_stuck_requests_to_their_timelines() {
    let (html, json) = testdata_page();
    let ids: Vec<&str> = ["slowest", "stuck"]
        .iter()
        .flat_map(|k| json["requests"][k].as_array().unwrap())
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.len() >= 15, "{ids:?}");
    for id in &ids {
        assert!(
            html.contains(&format!("href=\"#trace-{id}\"")),
            "link to {id}"
        );
        assert!(
            html.contains(&format!("<section class=\"trace\" id=\"trace-{id}\">")),
            "{id}"
        );
    }
    let stuck = section(&html, "requests");
    for r in json["requests"]["stuck"].as_array().unwrap() {
        let words = r["last_words"].as_str().unwrap();
        assert!(stuck.contains(&format!("<q>{words}</q>")), "{words}");
    }
}

#[test]
fn html_timelines_are_the_lines_trace_prints() {
    let (html, json) = testdata_page();
    let id = json["requests"]["slowest"][0]["id"].as_str().unwrap();
    let mut args = vec![
        "trace",
        "--no-progress",
        "--tz",
        "Asia/Kolkata",
        "-f",
        "json",
        "--id",
        id,
    ];
    let files: Vec<String> = FILES.iter().map(|f| format!("testdata/{f}")).collect();
    args.extend(files.iter().map(String::as_str));
    let out = String::from_utf8(run(root(), &args)).unwrap();
    let places: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["type"] != "request")
        .map(|v| format!("{}:{}", v["file"].as_str().unwrap(), v["line"]))
        .collect();
    assert!(places.len() >= 3, "{places:?}");
    let start = html.find(&format!("id=\"trace-{id}\"")).unwrap();
    let end = start + html[start..].find("</section>").unwrap();
    let shown: Vec<String> = html[start..end]
        .split("<tr")
        .skip(2)
        .map(|row| {
            row.split("<td>")
                .nth(2)
                .unwrap()
                .split("</td>")
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(shown, places);
}

#[test]
fn html_refers_to_nothing_outside_itself() {
    let (html, _) = testdata_page();
    let lower = html.to_ascii_lowercase();
    for bad in [
        "src=", "<link", "@import", "url(", "<img", "<iframe", "<object", "<embed",
    ] {
        assert!(!lower.contains(bad), "{bad}");
    }
    for (i, _) in lower.match_indices("href=") {
        assert!(lower[i..].starts_with("href=\"#"), "{}", &html[i..i + 60]);
    }
    assert!(lower.contains("content-security-policy\" content=\"default-src 'none'"));
    assert!(html.len() < 3 << 20, "{} bytes", html.len());
}

/// Tags of a page outside `<script>` and `<style>`: name and attributes (name, value).
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with('!') || rest.starts_with('/') {
            continue;
        }
        let end = rest.find('>').expect("a closed tag");
        let inner = rest[..end].trim_end_matches('/');
        let name_len = inner.find([' ', '/']).unwrap_or(inner.len());
        let name = inner[..name_len].to_ascii_lowercase();
        assert!(
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric()),
            "bare < in text: {}",
            &rest[..end.min(80)]
        );
        out.push((name.clone(), attributes(&inner[name_len..])));
        rest = &rest[end + 1..];
        for raw in ["script", "style"] {
            if name == raw {
                rest = &rest[rest.find(&format!("</{raw}>")).unwrap()..];
            }
        }
    }
    out
}

/// `a="1" b="2"`: every value must be double-quoted, and a quote inside ends it.
fn attributes(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        let eq = rest.find('=').expect("attribute with a value");
        let name = rest[..eq].trim().to_ascii_lowercase();
        let after = &rest[eq + 1..];
        assert!(after.starts_with('"'), "unquoted value of {name}: {after}");
        let close = after[1..].find('"').unwrap();
        out.push((name, after[1..1 + close].to_string()));
        rest = after[close + 2..].trim_start();
    }
    out
}

const HOSTILE_ID: &str = "\"><svg onload=alert(4)>'";
const HOSTILE_PATH: &str = "/p/\"><iframe src=javascript:alert(5)>";

fn hostile_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let line = |t: &str, level: &str, msg: &str, extra: &str| {
        format!(
            "{{\"timestamp\": \"2025-05-06T04:00:{t}Z\", \"level\": \"{level}\", \"message\": {}, \"request_id\": {}, \"method\": \"GET\", \"path\": {}{extra}}}\n",
            serde_json::to_string(msg).unwrap(),
            serde_json::to_string(HOSTILE_ID).unwrap(),
            serde_json::to_string(HOSTILE_PATH).unwrap()
        )
    };
    let mut log = String::new();
    log += &line("01.000", "INFO", "<script>alert(1)</script>", "");
    log += &line(
        "02.000",
        "ERROR",
        "\"><img src=x onerror=alert(2)>",
        ", \"error_type\": \"<b onclick=alert(6)>Err</b>\"",
    );
    log += &line(
        "03.000",
        "INFO",
        "' onmouseover='alert(3)",
        ", \"status\": 500, \"duration_ms\": 12.5",
    );
    // Another request that never finishes: it is stuck, with hostile last words.
    log += &line(
        "04.000",
        "INFO",
        "ok",
        ", \"status\": 200, \"duration_ms\": 1",
    );
    let stuck = log.replace(HOSTILE_ID, "req-<2>");
    log += &stuck.lines().next().unwrap().replace("01.000", "05.000");
    log.push('\n');
    std::fs::write(dir.path().join("a\"b<i>.log"), log).unwrap();
    dir
}

#[test]
fn html_escapes_hostile_log_text() {
    let dir = hostile_dir();
    let html =
        String::from_utf8(run(dir.path(), &["report", "-f", "html", "a\"b<i>.log"])).unwrap();
    let json: Value =
        serde_json::from_slice(&run(dir.path(), &["report", "-f", "json", "a\"b<i>.log"])).unwrap();
    assert_eq!(json["requests"]["slowest"][0]["id"], HOSTILE_ID);
    let tags = tags(&html);
    let allowed = [
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "header",
        "h1",
        "h2",
        "h3",
        "p",
        "nav",
        "ul",
        "ol",
        "li",
        "a",
        "main",
        "section",
        "figure",
        "figcaption",
        "svg",
        "rect",
        "circle",
        "path",
        "line",
        "polyline",
        "text",
        "g",
        "div",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "code",
        "q",
        "span",
        "br",
        "footer",
        "script",
    ];
    for (name, attrs) in &tags {
        assert!(allowed.contains(&name.as_str()), "tag <{name}>");
        for (a, v) in attrs {
            assert!(!a.starts_with("on"), "<{name} {a}=\"{v}\">");
            assert!(a != "src" && a != "style", "<{name} {a}>");
            if a == "href" {
                assert!(
                    v.starts_with('#') && !v.contains(['<', '>', '"', '\'', ' ']),
                    "{v}"
                );
            }
        }
    }
    assert_eq!(tags.iter().filter(|(n, _)| n == "script").count(), 1);
    // The hostile text is on the page, as text.
    for shown in [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&lt;b onclick=alert(6)&gt;Err&lt;/b&gt;",
        "a&quot;b&lt;i&gt;.log",
        "&quot;&gt;&lt;svg onload=alert(4)&gt;&#39;",
        "&#39; onmouseover=&#39;alert(3)",
    ] {
        assert!(html.contains(shown), "{shown}");
    }
    // The hostile id links to its timeline through a safe anchor.
    let anchors: Vec<&String> = tags
        .iter()
        .filter(|(n, _)| n == "section")
        .flat_map(|(_, a)| a)
        .filter(|(n, v)| n == "id" && v.starts_with("trace-"))
        .map(|(_, v)| v)
        .collect();
    assert!(!anchors.is_empty());
    for a in anchors {
        assert!(html.contains(&format!("href=\"#{a}\"")), "{a}");
    }
}

#[test]
fn output_file_gets_what_stdout_would() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.json");
    let stdout = common::report_all("json", &[]);
    let path = file.display().to_string();
    assert!(common::report_all("json", &["-o", &path]).is_empty());
    assert_eq!(std::fs::read(&file).unwrap(), stdout);
}

#[test]
fn output_file_that_cannot_be_created_is_a_usage_error() {
    let out = Command::cargo_bin("logtriage")
        .unwrap()
        .current_dir(root())
        .args([
            "report",
            "-f",
            "html",
            "-o",
            "/nonexistent-dir/r.html",
            "testdata/app.log",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--output /nonexistent-dir/r.html: cannot create it"),
        "{err}"
    );
}
