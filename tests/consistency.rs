//! Summaries never contradict their own counts: over every testdata log alone, all of them
//! together, and an input with two incidents, through the real binary's JSON, a part never
//! exceeds its whole (a flag's evidence and app side against its count, an incident's flags
//! against the run's, the numbers an incident's sentence quotes against its flags, error
//! types' endpoints against their count, outcomes against the request total). The expected
//! figures of the named checks come from testdata/manifest.json (what the load generator
//! sent), never from logtriage's output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{FILES, logtriage, manifest, root, scenarios};

fn report(args: &[&str], files: &[PathBuf]) -> Value {
    let out = logtriage("report")
        .args(["-f", "json", "--no-progress"])
        .args(args)
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success() || out.status.code() == Some(3),
        "{files:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

fn sum(list: &Value, key: &str) -> u64 {
    list.as_array().unwrap().iter().map(|x| n(&x[key])).sum()
}

/// Every `.log` under testdata/ but the generators' own files, sorted.
fn every_log() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "generate") {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|x| x == "log") {
                out.push(p);
            }
        }
    }
    let mut v = Vec::new();
    walk(&root().join("testdata"), &mut v);
    v.sort();
    v
}

fn top_logs() -> Vec<PathBuf> {
    FILES
        .iter()
        .map(|f| root().join("testdata").join(f))
        .collect()
}

/// The incident sentence's phrases and the rule each counts: the number in it is the rule's
/// count inside the incident.
const PHRASES: [(&str, &str); 9] = [
    (r"^(\d+) upstream timeouts \(504\)", "upstream_timeout"),
    (r"^(\d+) upstream-closed 502s", "upstream_closed"),
    (
        r"^(\d+) refused upstream connections \(502\)",
        "upstream_refused",
    ),
    (r"^(\d+) upstream resets \(502\)", "upstream_reset"),
    (
        r"^(\d+) no-live-upstream errors \(502\)",
        "no_live_upstreams",
    ),
    (r"^(\d+) 5xx responses", "5xx_burst"),
    (
        r"^health checks failing \((\d+) lines\)",
        "health_check_failing",
    ),
    (
        r"^error rate spike \((\d+) error lines\)",
        "error_rate_spike",
    ),
    (
        r"^(\d+) requests never answered by the app",
        "hung_requests",
    ),
];

/// Every part/whole relation a report states, `what` naming the input in failures.
fn check(r: &Value, what: &str) {
    let mut top: BTreeMap<(String, String), u64> = BTreeMap::new();
    for f in r["flags"].as_array().unwrap() {
        let count = n(&f["count"]);
        let rule = f["rule"].as_str().unwrap();
        let subject = f["subject"].to_string();
        top.insert((rule.to_string(), subject), count);
        // App side: requests. Its count is requests for `hung_requests` and error lines for
        // the nginx classes, each line tied to at most one request: requests <= lines.
        let side = sum(&f["app_side"], "requests");
        assert!(
            side <= count,
            "{what}: {rule} app side {side} > count {count}"
        );
        // Evidence names count what the flag counts (matching lines in its windows; requests
        // for hung_requests; the type's lines for new_error_type): like with like.
        for key in ["endpoints", "upstreams", "clients"] {
            let s = sum(&f[key], "count");
            assert!(
                s <= count,
                "{what}: {rule} {key} add up to {s} > count {count}"
            );
        }
    }
    let since = regex::Regex::new(r" since (\d\d:\d\d:\d\d)").unwrap();
    for inc in r["incidents"].as_array().unwrap() {
        let mut mine: BTreeMap<String, u64> = BTreeMap::new();
        for f in inc["flags"].as_array().unwrap() {
            let rule = f["rule"].as_str().unwrap();
            let c = n(&f["count"]);
            let whole = top[&(rule.to_string(), f["subject"].to_string())];
            assert!(c <= whole, "{what}: incident {rule} {c} > flag's {whole}");
            if f["subject"].is_null() {
                mine.insert(rule.to_string(), c);
            }
        }
        let summary = inc["summary"].as_str().unwrap();
        check_summary(summary, &mine, what);
        // A time it quotes ("since 03:16:09") is inside the incident, not before it.
        let (start, end) = (
            &inc["start"].as_str().unwrap()[11..19],
            &inc["end"].as_str().unwrap()[11..19],
        );
        for c in since.captures_iter(summary) {
            assert!(start <= &c[1] && &c[1] <= end, "{what}: {summary}");
        }
    }
    for t in r["error_types"].as_array().unwrap() {
        let (c, s) = (n(&t["count"]), sum(&t["endpoints"], "count"));
        assert!(
            s <= c,
            "{what}: error type {} endpoints {s} > {c}",
            t["type"]
        );
    }
    let q = &r["requests"];
    let outcomes: u64 = q["outcomes"].as_object().unwrap().values().map(n).sum();
    assert_eq!(outcomes, n(&q["total"]), "{what}: outcomes against total");
}

/// The sentence's parts, "; "-separated: each leading number is its rule's count in the
/// incident, and every "M of them" / "M with no app line" after it is a part of that count.
fn check_summary(summary: &str, flags: &BTreeMap<String, u64>, what: &str) {
    let body = summary.split_once("): ").map_or(summary, |x| x.1);
    let phrases: Vec<(regex::Regex, &str)> = PHRASES
        .iter()
        .map(|(p, r)| (regex::Regex::new(p).unwrap(), *r))
        .collect();
    let part_of = regex::Regex::new(r", (\d+) (of them|with no app line)").unwrap();
    for part in body.split("; ") {
        let Some((whole, rule)) = phrases.iter().find_map(|(re, rule)| {
            re.captures(part)
                .map(|c| (c[1].parse::<u64>().unwrap(), *rule))
        }) else {
            continue;
        };
        let counted = flags.get(rule).copied();
        assert_eq!(
            counted,
            Some(whole),
            "{what}: \"{part}\" against the incident's {rule}"
        );
        for c in part_of.captures_iter(part) {
            let m: u64 = c[1].parse().unwrap();
            assert!(m <= whole, "{what}: \"{part}\": {m} of {whole}");
        }
    }
}

#[test]
fn every_testdata_log_alone_keeps_parts_within_wholes() {
    for f in every_log() {
        let r = report(&[], std::slice::from_ref(&f));
        check(&r, &f.display().to_string());
    }
}

#[test]
fn all_testdata_logs_together_keep_parts_within_wholes() {
    let tz = manifest()["timezone"].as_str().unwrap().to_string();
    check(&report(&["--tz", &tz], &top_logs()), "testdata/*.log");
    check(&report(&[], &top_logs()), "testdata/*.log, zones inferred");
    let deploy: Vec<PathBuf> = every_log()
        .into_iter()
        .filter(|p| p.starts_with(root().join("testdata/deploy/shop")))
        .collect();
    check(&report(&[], &deploy), "testdata/deploy/shop");
}

/// The app side of each nginx flag is its own requests: the requests of the scenario whose
/// error class the flag counts, grouped by the last message the app logged for them.
#[test]
fn nginx_flags_app_side_is_their_own_requests() {
    let m = manifest();
    let sc: BTreeMap<&str, &Value> = scenarios(&m).into_iter().collect();
    let tz = m["timezone"].as_str().unwrap();
    let r = report(&["--tz", tz], &top_logs());
    let flag = |rule: &str| {
        r["flags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule)
            .unwrap_or_else(|| panic!("{rule} did not fire"))
            .clone()
    };
    // Per nginx error class, the app's last message per request and how many.
    let mut by_class: BTreeMap<&str, BTreeMap<Option<String>, u64>> = BTreeMap::new();
    for s in sc.values() {
        let Some(class) = s["nginx_error_class"].as_str() else {
            continue;
        };
        let last = s["app_messages"]
            .as_array()
            .unwrap()
            .last()
            .map(|x| x.as_str().unwrap().to_string());
        *by_class.entry(class).or_default().entry(last).or_default() += n(&s["count"]);
    }
    for (rule, class) in [
        ("upstream_closed", "upstream_prematurely_closed"),
        ("upstream_reset", "upstream_reset"),
        ("upstream_timeout", "upstream_timed_out"),
        ("upstream_refused", "upstream_connect_refused"),
    ] {
        let f = flag(rule);
        let lines = n(&m["nginx_error_log"]["lines_by_class"][class]);
        assert_eq!(
            n(&f["count"]),
            lines,
            "{rule}: every line of its class is in the incident"
        );
        let got: BTreeMap<Option<String>, u64> = f["app_side"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["last_message"].as_str().map(str::to_string),
                    n(&a["requests"]),
                )
            })
            .collect();
        assert_eq!(got, by_class[class], "{rule}: app side");
    }
}

/// The hung requests of testdata (the scenarios whose handler never logs an end) and where
/// the app left them, as the incident's sentence must say it.
#[test]
fn the_incident_sentence_counts_its_own_hung_requests() {
    let m = manifest();
    let sc: BTreeMap<&str, &Value> = scenarios(&m).into_iter().collect();
    let hung = [
        "timeout",
        "timeout_same_second",
        "health_timeout",
        "upstream_closed",
        "upstream_reset",
    ];
    let total: u64 = hung.iter().map(|s| n(&sc[*s]["count"])).sum();
    let batch: u64 = ["upstream_closed", "upstream_reset"]
        .iter()
        .map(|s| n(&sc[*s]["count"]))
        .sum();
    let last = sc["upstream_closed"]["app_messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap();
    let r = report(&["--tz", m["timezone"].as_str().unwrap()], &top_logs());
    let incidents = r["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1);
    let want =
        format!("{total} requests never answered by the app, {batch} of them stopped after {last}");
    let summary = incidents[0]["summary"].as_str().unwrap();
    assert!(summary.contains(&want), "{summary}\nwants: {want}");
}

/// Moves every time `re` finds (its first group, in chrono format `fmt`) `secs` later.
fn shift(text: &str, re: &str, fmt: &str, secs: i64) -> String {
    let re = regex::Regex::new(re).unwrap();
    let out = re.replace_all(text, |c: &regex::Captures| {
        let t = chrono::NaiveDateTime::parse_from_str(&c[1], fmt).unwrap();
        let moved = (t + chrono::Duration::seconds(secs))
            .format(fmt)
            .to_string();
        c[0].replacen(&c[1], &moved, 1)
    });
    assert_ne!(out, text, "nothing moved");
    out.into_owned()
}

/// testdata's app log, access log and error log, and a copy of them two minutes later with
/// other request ids: the copy's normal phase (and the first's recovery) separate two
/// incidents alike, each of which must quote its own half.
fn two_incidents(dir: &Path) -> Vec<PathBuf> {
    let id = regex::Regex::new(r"\b[0-9a-f]{32}\b").unwrap();
    let mut files = Vec::new();
    for (name, re, fmt) in [
        (
            "app.log",
            r#""asctime": "(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)"#,
            "%Y-%m-%d %H:%M:%S",
        ),
        (
            "nginx-access.log",
            r"\[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d) ",
            "%d/%b/%Y:%H:%M:%S",
        ),
        (
            "nginx-error.log",
            r"(?m)^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)",
            "%Y/%m/%d %H:%M:%S",
        ),
    ] {
        let text = std::fs::read_to_string(root().join("testdata").join(name)).unwrap();
        let later = shift(&text, re, fmt, 120);
        // Reversed ids stay ids (32 hex digits) and do not meet the first copy's.
        let later = id.replace_all(&later, |c: &regex::Captures| {
            c[0].chars().rev().collect::<String>()
        });
        let path = dir.join(format!("later-{name}"));
        std::fs::write(&path, later.as_bytes()).unwrap();
        files.push(root().join("testdata").join(name));
        files.push(path);
    }
    files
}

#[test]
fn two_incidents_each_quote_their_own_part() {
    let m = manifest();
    let sc: BTreeMap<&str, &Value> = scenarios(&m).into_iter().collect();
    let dir = tempfile::tempdir().unwrap();
    let files = two_incidents(dir.path());
    let r = report(&["--tz", m["timezone"].as_str().unwrap()], &files);
    check(&r, "two incidents");
    let incidents = r["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 2, "{:#}", r["incidents"]);
    let closed = n(&sc["upstream_closed"]["count"]);
    for inc in incidents {
        let summary = inc["summary"].as_str().unwrap();
        assert!(
            summary.contains(&format!("{closed} upstream-closed 502s")),
            "{summary}"
        );
    }
    let flag = r["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "upstream_closed")
        .unwrap();
    assert_eq!(n(&flag["count"]), 2 * closed);
    assert_eq!(sum(&flag["app_side"], "requests"), 2 * closed);
}

/// The ties of error lines to requests merge: any split into threads or chunks gives the
/// same report.
#[test]
fn tied_app_sides_do_not_depend_on_the_split() {
    let dir = tempfile::tempdir().unwrap();
    let files = two_incidents(dir.path());
    let tz = manifest()["timezone"].as_str().unwrap().to_string();
    let one = report(&["--tz", &tz, "-j", "1"], &files);
    for args in [
        ["-j", "2", "--chunk-size", "4096"],
        ["-j", "3", "--chunk-size", "65536"],
    ] {
        let mut a = vec!["--tz", tz.as_str()];
        a.extend(args);
        assert_eq!(report(&a, &files), one, "{args:?}");
    }
}
