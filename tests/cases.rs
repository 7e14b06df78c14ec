//! The data-driven binary cases: every `tests/cases/*.toml` run against the real binary by
//! this one harness (the format is in tests/cases/README.md). Owns the harness and its
//! matchers; each case file owns what its cases pin.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value as Json;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Generous for a debug build on a loaded 2-core machine; a hung case still ends the run.
const DEFAULT_TIMEOUT_S: u64 = 120;

/// Output shown under a failure is cut here: enough to see what went wrong.
const SHOW_MAX: usize = 3000;
const SHOW_LINE_MAX: usize = 240;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    /// Written for every case of the file, before the case's own `files`.
    #[serde(default)]
    files: toml::Table,
    #[serde(rename = "case", default)]
    cases: Vec<Case>,
}

// Unknown keys are errors throughout: a misspelt matcher would otherwise check nothing.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    args: Vec<String>,
    stdin: Option<String>,
    stdin_file: Option<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    files: toml::Table,
    timeout: Option<u64>,
    #[serde(default)]
    expect: Expect,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Expect {
    /// 0 unless said: a case that forgets the code still fails on an error exit.
    #[serde(default)]
    code: i32,
    #[serde(default)]
    stdout: Stream,
    #[serde(default)]
    stderr: Stream,
    #[serde(default)]
    json_lines: bool,
    #[serde(default)]
    json: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Stream {
    #[serde(default)]
    contains: Vec<String>,
    #[serde(default)]
    not_contains: Vec<String>,
    starts_with: Option<String>,
    #[serde(default)]
    order: Vec<String>,
    #[serde(default)]
    count: BTreeMap<String, usize>,
    #[serde(default)]
    empty: bool,
    lines: Option<usize>,
    #[serde(default)]
    by_line: Vec<Vec<String>>,
}

/// One case, ready to run: where it came from and what it is.
struct Job {
    file: String,
    shared: toml::Table,
    case: Case,
}

#[test]
fn every_case_passes() {
    let dir = Path::new(ROOT).join("tests/cases");
    let filter = std::env::var("LOGTRIAGE_CASES").unwrap_or_default();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut failures: Vec<String> = Vec::new();
    let mut jobs = Vec::new();
    for path in &paths {
        let file = format!(
            "tests/cases/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        match load(path) {
            Ok(cf) => {
                for case in cf.cases {
                    if filter.is_empty() || file.contains(&filter) || case.name.contains(&filter) {
                        jobs.push(Job {
                            file: file.clone(),
                            shared: cf.files.clone(),
                            case,
                        });
                    }
                }
            }
            Err(e) => failures.push(format!("--- {file}: {e}")),
        }
    }
    assert!(
        filter.is_empty() || !jobs.is_empty(),
        "LOGTRIAGE_CASES={filter} selects no case"
    );
    let done = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let result = run(job);
                    done.lock().unwrap().push((i, result));
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap();
    done.sort_by_key(|(i, _)| *i);
    failures.extend(done.into_iter().filter_map(|(_, r)| r.err()));
    println!("{} cases from {} files", jobs.len(), paths.len());
    assert!(
        failures.is_empty(),
        "{} failures ({} cases ran):\n\n{}",
        failures.len(),
        jobs.len(),
        failures.join("\n\n")
    );
}

fn load(path: &Path) -> Result<CaseFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let cf: CaseFile = toml::from_str(&text).map_err(|e| e.to_string())?;
    if cf.cases.is_empty() {
        return Err("no [[case]]".into());
    }
    let mut names = std::collections::BTreeSet::new();
    for c in &cf.cases {
        if !names.insert(c.name.as_str()) {
            return Err(format!("two cases named {:?}", c.name));
        }
    }
    Ok(cf)
}

/// What the binary did.
struct Outcome {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs one case; on failure, the whole report for it.
fn run(job: &Job) -> Result<(), String> {
    let c = &job.case;
    let head = format!("--- {} :: {}", job.file, c.name);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_string_lossy().into_owned();
    let sub = |s: &str| s.replace("{dir}", &dir);
    let args: Vec<String> = c.args.iter().map(|a| sub(a)).collect();
    let command = command_line(&c.env, &args);
    let setup = || -> Result<Option<Vec<u8>>, String> {
        for (name, v) in job.shared.iter().chain(&c.files) {
            write_file(tmp.path(), name, v).map_err(|e| format!("files.{name:?}: {e}"))?;
        }
        match (&c.stdin, &c.stdin_file) {
            (Some(_), Some(_)) => Err("both stdin and stdin_file".into()),
            (Some(s), None) => Ok(Some(sub(s).into_bytes())),
            (None, Some(f)) => std::fs::read(Path::new(ROOT).join(sub(f)))
                .map(Some)
                .map_err(|e| format!("stdin_file {f}: {e}")),
            (None, None) => Ok(None),
        }
    };
    let stdin = setup().map_err(|e| format!("{head}\n  bad case: {e}"))?;
    let timeout = Duration::from_secs(c.timeout.unwrap_or(DEFAULT_TIMEOUT_S));
    let out = execute(&args, &c.env, &sub, stdin, timeout)
        .map_err(|e| format!("{head}\n{command}\n  {e}"))?;
    let problems = check(&c.expect, &out, &sub);
    if problems.is_empty() {
        return Ok(());
    }
    let mut msg = format!("{head}\n{command}\n  ({{dir}} = {dir})\n");
    for p in &problems {
        let _ = writeln!(msg, "  {}", p.text.replace('\n', "\n    "));
    }
    if problems.iter().any(|p| p.on_stdout) {
        let _ = writeln!(msg, "stdout:\n{}", show(&out.stdout));
    }
    let _ = write!(msg, "stderr:\n{}", show(&out.stderr));
    Err(msg)
}

/// The command as one could paste it into a shell (with `logtriage` on PATH).
fn command_line(env: &BTreeMap<String, String>, args: &[String]) -> String {
    let quote = |s: &str| {
        let plain = !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@,+%".contains(&b));
        if plain {
            s.to_string()
        } else {
            format!("'{}'", s.replace('\'', r"'\''"))
        }
    };
    let mut line = String::from("$ ");
    for (k, v) in env {
        let _ = write!(line, "{k}={} ", quote(v));
    }
    line.push_str("logtriage");
    for a in args {
        line.push(' ');
        line.push_str(&quote(a));
    }
    line
}

fn show(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "  (empty)".into();
    }
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for line in text.lines() {
        if out.len() > SHOW_MAX {
            let _ = write!(out, "\n  ... ({} bytes in all)", bytes.len());
            break;
        }
        let cut: String = line.chars().take(SHOW_LINE_MAX).collect();
        let more = if cut.len() < line.len() { " ..." } else { "" };
        let _ = write!(out, "\n  {cut}{more}");
    }
    out.split_off(1)
}

fn execute(
    args: &[String],
    env: &BTreeMap<String, String>,
    sub: &dyn Fn(&str) -> String,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
) -> Result<Outcome, String> {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("logtriage"));
    cmd.current_dir(ROOT)
        .args(args)
        .env("TZ", "UTC")
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, sub(v));
    }
    let mut child = cmd.spawn().map_err(|e| format!("spawn: {e}"))?;
    // Fed and drained on threads, so neither side can block the other on a full pipe.
    let feeder = child.stdin.take().map(|mut pipe| {
        let data = stdin.unwrap_or_default();
        // A binary that exits before reading (a usage error) closes the pipe: not a failure.
        std::thread::spawn(move || drop(pipe.write_all(&data)))
    });
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {timeout:?}: killed"));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    if let Some(f) = feeder {
        let _ = f.join();
    }
    Ok(Outcome {
        code: status.code(),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    })
}

/// Writes one entry of a `files` table into `dir` (see README: text, bytes, parts, repeat,
/// gzip).
fn write_file(dir: &Path, name: &str, v: &toml::Value) -> Result<(), String> {
    let rel = Path::new(name);
    if rel.is_absolute()
        || rel
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err("a file name must be a plain relative path".into());
    }
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    std::fs::write(&path, content(v)?).map_err(|e| e.to_string())
}

fn content(v: &toml::Value) -> Result<Vec<u8>, String> {
    match v {
        toml::Value::String(s) => Ok(s.clone().into_bytes()),
        toml::Value::Array(parts) => {
            let mut out = Vec::new();
            for p in parts {
                out.extend(content(p)?);
            }
            Ok(out)
        }
        toml::Value::Table(t) => {
            if let Some(k) = t
                .keys()
                .find(|k| !["text", "bytes", "parts", "repeat", "gzip"].contains(&k.as_str()))
            {
                return Err(format!("unknown key {k:?}"));
            }
            let body = match (t.get("text"), t.get("bytes"), t.get("parts")) {
                (Some(toml::Value::String(s)), None, None) => s.clone().into_bytes(),
                (None, Some(toml::Value::String(s)), None) => unescape_bytes(s)?,
                (None, None, Some(p @ toml::Value::Array(_))) => content(p)?,
                _ => return Err("exactly one of text, bytes (strings), parts (array)".into()),
            };
            let repeat = match t.get("repeat") {
                None => 1,
                Some(toml::Value::Integer(n)) if *n >= 0 => *n as usize,
                Some(_) => return Err("repeat must be a count".into()),
            };
            let body = body.repeat(repeat);
            match t.get("gzip") {
                None | Some(toml::Value::Boolean(false)) => Ok(body),
                Some(toml::Value::Boolean(true)) => {
                    let mut e = flate2::write::GzEncoder::new(Vec::new(), Default::default());
                    e.write_all(&body).unwrap();
                    Ok(e.finish().unwrap())
                }
                Some(_) => Err("gzip must be true or false".into()),
            }
        }
        _ => Err("a file is a string, an array of parts or a table".into()),
    }
}

/// `bytes = '...'`: `\xNN` is the byte NN and `\\` a backslash; everything else is UTF-8.
fn unescape_bytes(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('\\') {
        out.extend_from_slice(&rest.as_bytes()[..i]);
        let esc = &rest[i + 1..];
        if let Some(after) = esc.strip_prefix('\\') {
            out.push(b'\\');
            rest = after;
        } else if let Some(hex) = esc.strip_prefix('x').and_then(|h| h.get(..2)) {
            out.push(u8::from_str_radix(hex, 16).map_err(|_| format!("bad \\x{hex}"))?);
            rest = &esc[3..];
        } else {
            return Err(format!(
                "bytes: only \\xNN and \\\\ escape, at {:?}",
                &rest[i..]
            ));
        }
    }
    out.extend_from_slice(rest.as_bytes());
    Ok(out)
}

struct Problem {
    text: String,
    /// The failure is about stdout, so stdout is shown too.
    on_stdout: bool,
}

fn check(e: &Expect, out: &Outcome, sub: &dyn Fn(&str) -> String) -> Vec<Problem> {
    let mut p = Vec::new();
    if out.code != Some(e.code) {
        let got = out
            .code
            .map_or("no code (killed by a signal)".into(), |c| c.to_string());
        p.push(Problem {
            text: format!("exit code: expected {}, got {got}", e.code),
            on_stdout: false,
        });
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    for text in check_stream("stdout", &e.stdout, &stdout, sub) {
        p.push(Problem {
            text,
            on_stdout: true,
        });
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    for text in check_stream("stderr", &e.stderr, &stderr, sub) {
        p.push(Problem {
            text,
            on_stdout: false,
        });
    }
    if !e.json.is_empty() || e.json_lines {
        let doc = if e.json_lines {
            stdout
                .lines()
                .filter(|l| !l.trim().is_empty())
                .enumerate()
                .map(|(i, l)| {
                    serde_json::from_str(l).map_err(|err| format!("stdout line {}: {err}", i + 1))
                })
                .collect::<Result<Vec<Json>, _>>()
                .map(Json::Array)
        } else {
            serde_json::from_str(&stdout).map_err(|err| format!("stdout is not JSON: {err}"))
        };
        match doc {
            Err(text) => p.push(Problem {
                text,
                on_stdout: true,
            }),
            Ok(doc) => {
                for (pointer, want) in &e.json {
                    for text in check_json(&doc, pointer, want, sub) {
                        p.push(Problem {
                            text,
                            on_stdout: true,
                        });
                    }
                }
            }
        }
    }
    p
}

fn check_stream(name: &str, s: &Stream, text: &str, sub: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut p = Vec::new();
    if s.empty && !text.is_empty() {
        p.push(format!("{name}: expected empty, got {} bytes", text.len()));
    }
    for want in &s.contains {
        let want = sub(want);
        if !text.contains(&want) {
            p.push(format!("{name} lacks {want:?}"));
        }
    }
    for unwanted in &s.not_contains {
        let unwanted = sub(unwanted);
        if let Some(i) = text.find(&unwanted) {
            p.push(format!("{name} holds {unwanted:?} (at byte {i})"));
        }
    }
    if let Some(want) = &s.starts_with {
        let want = sub(want);
        if !text.starts_with(&want) {
            let head: String = text.chars().take(want.chars().count() + 20).collect();
            p.push(format!(
                "{name} does not start with {want:?}; starts {head:?}"
            ));
        }
    }
    // Each string's first occurrence after the previous one's.
    let mut last: Option<(String, usize)> = None;
    for want in &s.order {
        let want = sub(want);
        match text.find(&want) {
            None => p.push(format!("{name} lacks {want:?} (order)")),
            Some(at) => {
                if let Some((prev, prev_at)) = &last
                    && at <= *prev_at
                {
                    p.push(format!(
                        "{name}: {want:?} (byte {at}) is not after {prev:?} (byte {prev_at})"
                    ));
                }
                last = Some((want, at));
            }
        }
    }
    for (needle, n) in &s.count {
        let needle = sub(needle);
        let got = text.matches(&needle).count();
        if got != *n {
            p.push(format!("{name}: {needle:?} expected {n} times, got {got}"));
        }
    }
    let lines: Vec<&str> = text.trim().lines().collect();
    if let Some(n) = s.lines
        && lines.len() != n
    {
        p.push(format!("{name}: expected {n} lines, got {}", lines.len()));
    }
    for (i, wants) in s.by_line.iter().enumerate() {
        let line = lines.get(i).copied();
        for want in wants {
            let want = sub(want);
            if !line.is_some_and(|l| l.contains(&want)) {
                p.push(format!(
                    "{name} line {} lacks {want:?}; the line: {line:?}",
                    i + 1
                ));
            }
        }
    }
    p
}

/// The values a pointer names: each with its concrete pointer, `None` where missing. A `*`
/// segment stands for every element of an array or value of an object, and must find at
/// least one.
fn select<'a>(doc: &'a Json, pointer: &str) -> Result<Vec<(String, Option<&'a Json>)>, String> {
    if !(pointer.is_empty() || pointer.starts_with('/')) {
        return Err(format!("{pointer:?}: a JSON pointer starts with '/'"));
    }
    let mut found = vec![(String::new(), Some(doc))];
    for raw in pointer.split('/').skip(1) {
        let mut next = Vec::new();
        for (at, v) in found {
            if raw == "*" {
                let items: Vec<(String, &Json)> = match v {
                    Some(Json::Array(a)) => a
                        .iter()
                        .enumerate()
                        .map(|(i, x)| (i.to_string(), x))
                        .collect(),
                    Some(Json::Object(m)) => m.iter().map(|(k, x)| (escape(k), x)).collect(),
                    _ => return Err(format!("{at}/*: no array or object at {at:?}")),
                };
                if items.is_empty() {
                    return Err(format!("{at}/*: empty, matched nothing"));
                }
                next.extend(
                    items
                        .into_iter()
                        .map(|(k, x)| (format!("{at}/{k}"), Some(x))),
                );
            } else {
                let key = raw.replace("~1", "/").replace("~0", "~");
                let child = match v {
                    Some(Json::Object(m)) => m.get(&key),
                    Some(Json::Array(a)) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
                    _ => None,
                };
                next.push((format!("{at}/{raw}"), child));
            }
        }
        found = next;
    }
    Ok(found)
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Checks one `[expect.json]` entry; each failure names the concrete pointer.
fn check_json(
    doc: &Json,
    pointer: &str,
    want: &toml::Value,
    sub: &dyn Fn(&str) -> String,
) -> Vec<String> {
    let found = match select(doc, pointer) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    let ops: Vec<(&str, &toml::Value)> = match want {
        toml::Value::Table(t) => t.iter().map(|(k, v)| (k.as_str(), v)).collect(),
        v => vec![("eq", v)],
    };
    let mut p = Vec::new();
    let name = |at: &str| {
        if at.is_empty() {
            "(root)".to_string()
        } else {
            at.to_string()
        }
    };
    for (op, arg) in ops {
        let arg = match to_json(arg, sub) {
            Ok(a) => a,
            Err(e) => {
                p.push(format!("{pointer}: {op}: {e}"));
                continue;
            }
        };
        if op == "sum" {
            let mut sum = 0.0;
            for (at, v) in &found {
                match v.and_then(Json::as_f64) {
                    Some(x) => sum += x,
                    None => p.push(format!("{}: sum: not a number: {}", name(at), brief(*v))),
                }
            }
            if arg.as_f64() != Some(sum) {
                p.push(format!("{pointer}: sum expected {arg}, got {sum}"));
            }
            continue;
        }
        for (at, v) in &found {
            if let Err(e) = apply(op, &arg, *v) {
                p.push(format!("{}: {e}", name(at)));
            }
        }
    }
    p
}

/// One operator on one value (`None`: nothing there).
fn apply(op: &str, arg: &Json, v: Option<&Json>) -> Result<(), String> {
    let str_arg = || {
        arg.as_str()
            .ok_or_else(|| format!("{op} takes a string, not {arg}"))
    };
    match op {
        "eq" => {
            if v.is_some_and(|v| same(v, arg)) {
                Ok(())
            } else {
                Err(expected_got(&pretty(arg), &brief(v)))
            }
        }
        "null" => match (arg, v) {
            (Json::Bool(true), None | Some(Json::Null)) => Ok(()),
            (Json::Bool(true), Some(v)) => {
                Err(format!("expected null or absent, got {}", pretty(v)))
            }
            (Json::Bool(false), Some(v)) if !v.is_null() => Ok(()),
            (Json::Bool(false), v) => Err(format!("expected a value, got {}", brief(v))),
            _ => Err("null takes true or false".into()),
        },
        "len" => {
            let n = match v {
                Some(Json::Array(a)) => a.len(),
                Some(Json::Object(m)) => m.len(),
                Some(Json::String(s)) => s.chars().count(),
                _ => return Err(format!("len: no array, object or string: {}", brief(v))),
            };
            if arg.as_u64() == Some(n as u64) {
                Ok(())
            } else {
                Err(format!("len expected {arg}, got {n}"))
            }
        }
        "starts_with" | "contains" => {
            let want = str_arg()?;
            let Some(s) = v.and_then(Json::as_str) else {
                return Err(format!("{op}: not a string: {}", brief(v)));
            };
            let ok = if op == "contains" {
                s.contains(want)
            } else {
                s.starts_with(want)
            };
            if ok {
                Ok(())
            } else {
                Err(format!("expected a string that {op} {want:?}\n got {s:?}"))
            }
        }
        _ => Err(format!(
            "unknown operator {op:?} (eq, len, sum, starts_with, contains, null)"
        )),
    }
}

/// JSON equality with numbers compared by value: `100` is `100.0`, as in the Rust tests
/// these cases replaced (`assert_eq!(v["max"], 100.0)`).
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// A TOML expectation as JSON; `{dir}` in strings is the case's directory.
fn to_json(v: &toml::Value, sub: &dyn Fn(&str) -> String) -> Result<Json, String> {
    Ok(match v {
        toml::Value::String(s) => Json::String(sub(s)),
        toml::Value::Integer(i) => Json::from(*i),
        toml::Value::Float(f) => {
            Json::from(serde_json::Number::from_f64(*f).ok_or("JSON has no NaN or infinity")?)
        }
        toml::Value::Boolean(b) => Json::Bool(*b),
        toml::Value::Array(a) => Json::Array(
            a.iter()
                .map(|x| to_json(x, sub))
                .collect::<Result<_, _>>()?,
        ),
        toml::Value::Table(t) => Json::Object(
            t.iter()
                .map(|(k, x)| Ok((k.clone(), to_json(x, sub)?)))
                .collect::<Result<_, String>>()?,
        ),
        toml::Value::Datetime(d) => {
            return Err(format!("a TOML datetime ({d}): quote it, JSON has strings"));
        }
    })
}

fn pretty(v: &Json) -> String {
    let s = serde_json::to_string_pretty(v).unwrap();
    if s.len() > 1500 {
        let cut: String = s.chars().take(1500).collect();
        format!("{cut} ...")
    } else {
        s
    }
}

/// One line when both sides are short, else each on its own lines.
fn expected_got(want: &str, got: &str) -> String {
    if want.len() + got.len() < 100 && !want.contains('\n') && !got.contains('\n') {
        format!("expected {want}, got {got}")
    } else {
        format!("expected:\n{want}\ngot:\n{got}")
    }
}

fn brief(v: Option<&Json>) -> String {
    v.map_or("nothing (missing)".into(), pretty)
}

#[cfg(test)]
mod harness {
    use super::*;

    fn ident(s: &str) -> String {
        s.to_string()
    }

    fn t(s: &str) -> toml::Value {
        let table: toml::Table = toml::from_str(&format!("v = {s}")).unwrap();
        table["v"].clone()
    }

    fn doc() -> Json {
        serde_json::json!({
            "max": 100.0, "n": 3, "big": 9_007_199_254_740_993u64, "s": "no lines in range",
            "w": [{"lines": 60, "x": null}, {"lines": 60}],
            "a/b": {"~k": 1}, "empty": []
        })
    }

    fn errs(pointer: &str, want: &str) -> Vec<String> {
        check_json(&doc(), pointer, &t(want), &ident)
    }

    #[test]
    fn numbers_compare_by_value_not_by_representation() {
        assert!(errs("/max", "100").is_empty());
        assert!(errs("/n", "3.0").is_empty());
        assert!(!errs("/n", "4").is_empty());
        // Past 2^53 an f64 comparison would call these equal.
        assert!(!errs("/big", "9007199254740992").is_empty());
        assert!(errs("/big", "9007199254740993").is_empty());
        assert!(!errs("/s", "3").is_empty());
        assert!(errs("/w/0", "{ eq = { lines = 60.0, x = 0 } }").len() == 1);
    }

    #[test]
    fn pointers_escape_and_wildcards_cover_every_element() {
        assert!(errs("/a~1b/~0k", "1").is_empty());
        assert!(errs("/w/*/lines", "60").is_empty());
        assert!(errs("/w/*/lines", "{ sum = 120 }").is_empty());
        let e = errs("/w/*/x", "{ null = true }");
        assert!(e.is_empty(), "{e:?}");
        let e = errs("/w/*/lines", "61");
        assert_eq!(e.len(), 2, "each element named: {e:?}");
        assert!(e[0].starts_with("/w/0/lines: expected 61"), "{e:?}");
        assert!(errs("/empty/*", "1")[0].contains("matched nothing"));
        assert!(errs("/nope/*", "1")[0].contains("no array or object"));
        assert!(errs("n", "1")[0].contains("starts with '/'"));
    }

    #[test]
    fn operators_report_what_they_found() {
        assert!(errs("/w", "{ len = 2 }").is_empty());
        assert!(errs("", "{ len = 7 }").is_empty());
        assert_eq!(errs("/w", "{ len = 3 }"), ["/w: len expected 3, got 2"]);
        assert!(errs("/s", "{ starts_with = 'no lines' }").is_empty());
        assert!(!errs("/s", "{ starts_with = 'lines' }").is_empty());
        assert!(errs("/s", "{ contains = 'in range' }").is_empty());
        assert!(errs("/missing", "{ null = true }").is_empty());
        assert!(!errs("/missing", "{ null = false }").is_empty());
        let e = errs("/missing", "1");
        assert!(e[0].contains("got nothing (missing)"), "{e:?}");
        assert!(errs("/n", "{ within = 1 }")[0].contains("unknown operator"));
        assert!(errs("/n", "1979-05-27T07:32:00Z")[0].contains("quote it"));
    }

    #[test]
    fn bytes_decode_hex_and_backslash_only() {
        assert_eq!(unescape_bytes(r"a\xff\x00\\b").unwrap(), b"a\xff\x00\\b");
        assert!(unescape_bytes(r"\n").is_err());
        assert!(unescape_bytes(r"\xg0").is_err());
        let v = t("{ parts = ['ab', { text = 'c', repeat = 3 }], gzip = false }");
        assert_eq!(content(&v).unwrap(), b"abccc");
        assert!(content(&t("{ text = 'a', bytes = 'b' }")).is_err());
    }

    /// A failing case reports its command, the expected and actual values, and stderr.
    #[test]
    fn a_failing_case_says_what_and_where() {
        let cf: CaseFile = toml::from_str(
            r#"
[[case]]
name = "wrong on purpose"
args = ["report", "-f", "json", "--no-progress", "{dir}/a.log"]
files."a.log" = '{"time":"2025-05-06T04:00:08Z","level":"info","msg":"ok"}'
expect.code = 3
expect.stdout.contains = ["no such text"]
expect.json."/totals/lines" = 2
"#,
        )
        .unwrap();
        let job = Job {
            file: "inline".into(),
            shared: cf.files,
            case: cf.cases.into_iter().next().unwrap(),
        };
        let msg = run(&job).unwrap_err();
        for want in [
            "--- inline :: wrong on purpose",
            "$ logtriage report -f json --no-progress /",
            "exit code: expected 3, got 0",
            "stdout lacks \"no such text\"",
            "/totals/lines: expected 2, got 1",
            "stderr:\n",
        ] {
            assert!(msg.contains(want), "{want:?} not in:\n{msg}");
        }
    }
}
