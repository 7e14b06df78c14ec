//! The bodies of the fuzz targets: arbitrary bytes in, a panic only when a property fails.
//! Owns the properties, not the drivers: `fuzz/fuzz_targets/*.rs` (libFuzzer, nightly) and
//! `tests/fuzz_replay.rs` (every corpus file, stable `cargo test`) both include this file with
//! `#[path = ...] mod bodies;`. Including the source, rather than putting it in a library
//! crate, keeps one copy of each property, lets the root crate's tests compile it with no
//! dependency on the fuzz crate (which stays out of the root workspace), and keeps it under
//! the root's clippy. Must stay deterministic: no clock, no randomness, no I/O.

use std::fmt::Debug;
use std::sync::OnceLock;

use logtriage::engine::RULES;
use logtriage::input::chunk;
use logtriage::parse::fields::{Canonical, FieldSpec, Unit};
use logtriage::parse::log_format::LogFormat;
use logtriage::parse::nginx_access::{self, Access, Producer};
use logtriage::parse::nginx_error::Classifier;
use logtriage::parse::{
    FileCtx, Level, ParseCache, Parsed, Parser, ScanCache, YearRef, Zone, ZoneCache, json,
    json_scan, picked, time,
};

/// A target's body: arbitrary bytes in, a panic when a property fails.
pub type Body = fn(&[u8]);

/// Every target by its name (the directory of its corpus), for the replay test.
pub const TARGETS: &[(&str, Body)] = &[
    ("line", line),
    ("json_scan", json_scan),
    ("nginx", nginx),
    ("time", time),
    ("rules", rules),
    ("records", records),
];

/// Zones the stamps are read in: UTC, a fixed offset, and named zones with daylight saving
/// (New York, Berlin), a half-hour shift (Lord Howe), and a historical switch that was not
/// on the hour (Goose Bay changed at 00:01 local), where a memo keyed by the hour could go
/// wrong.
fn zones() -> &'static [Zone] {
    static Z: OnceLock<Vec<Zone>> = OnceLock::new();
    Z.get_or_init(|| {
        [
            "UTC",
            "+05:30",
            "America/New_York",
            "Europe/Berlin",
            "Australia/Lord_Howe",
            "America/Goose_Bay",
        ]
        .iter()
        .map(|z| Zone::parse(z).expect("a known zone"))
        .collect()
    })
}

/// A fixed date for year-less stamps: `Parser::new` would take the clock's, and a fuzz
/// run must give the same answer tomorrow.
fn year(nearest: bool) -> YearRef {
    YearRef {
        year: 2026,
        month: 3,
        day: 8,
        nearest,
    }
}

/// Inputs the line parser knows differently: nginx's access log read in the parser's zone,
/// gunicorn's with µs timing and echoed statuses in Kolkata, morgan's in UTC.
const FILES: u32 = 3;

fn parser() -> &'static Parser {
    static P: OnceLock<Parser> = OnceLock::new();
    P.get_or_init(|| {
        let gunicorn = Access {
            producer: Producer::Gunicorn,
            unit: Unit::Us,
            echo: true,
        };
        let morgan = Access {
            producer: Producer::Morgan,
            unit: Unit::Ms,
            echo: false,
        };
        let files = vec![
            FileCtx {
                year: Some(year(false)),
                ..FileCtx::default()
            },
            FileCtx {
                zone: Zone::parse("Asia/Kolkata"),
                year: Some(year(true)),
                access: gunicorn,
                auto_latency: Unit::Ns,
            },
            FileCtx {
                zone: Zone::parse("UTC"),
                year: Some(year(false)),
                access: morgan,
                auto_latency: Unit::Auto,
            },
        ];
        let custom = LogFormat::compile(
            "fuzz",
            r#"$msec $status $request_time "$request" $http_x_request_id"#,
        )
        .expect("the format compiles");
        Parser::new(
            FieldSpec::defaults(),
            Zone::parse("America/New_York").unwrap(),
        )
        .with_log_formats(vec![custom])
        .with_files(files)
    })
}

fn shown(p: &Parsed<'_>) -> String {
    match p {
        Parsed::Blank => "blank".into(),
        Parsed::Unparsed => "unparsed".into(),
        Parsed::Event(e) => format!("{e:?}"),
    }
}

/// The whole line parser, as the reader drives it: every record of the input (and every
/// physical line, and the input as one record) parsed for each kind of input. Never
/// panics, and a worker's memos (`ParseCache`, kept across records) never change an
/// answer: each result equals the one from a fresh cache.
pub fn line(data: &[u8]) {
    let p = parser();
    let mut warm = ParseCache::default();
    let (mut b1, mut b2) = (Vec::new(), Vec::new());
    let mut check = |rec: &[u8], head: usize| {
        for file in 0..FILES {
            let w = shown(&p.parse_record(file, rec, head, &mut warm, &mut b1));
            let c = shown(&p.parse_record(file, rec, head, &mut ParseCache::default(), &mut b2));
            assert_eq!(w, c, "file {file}: the parse cache changed the answer");
        }
    };
    chunk::for_each_record(data, &RULES, |_, rec| check(rec.bytes, rec.head));
    chunk::for_each_line(data, |_, l| check(l, l.len()));
    let head = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    check(data, head);
}

/// A spec where the top-level `msg`, `level` and `request_id` outrank every default alias
/// (a user mapping ranks 0, and depth 1 is the shallowest): their values are what a plain
/// JSON reader sees under those keys.
fn user_spec() -> &'static FieldSpec {
    static S: OnceLock<FieldSpec> = OnceLock::new();
    S.get_or_init(|| {
        let mut s = FieldSpec::defaults();
        s.add_user(Canonical::Msg, "msg", None);
        s.add_user(Canonical::Level, "level", None);
        s.add_user(Canonical::RequestId, "request_id", None);
        s
    })
}

fn default_spec() -> &'static FieldSpec {
    static S: OnceLock<FieldSpec> = OnceLock::new();
    S.get_or_init(FieldSpec::defaults)
}

/// The top-level entries of a JSON object in document order, duplicates kept (serde_json's
/// `Map` keeps only the last); `None` if `data` is not exactly one JSON object.
fn object_entries(data: &[u8]) -> Option<Vec<(String, serde_json::Value)>> {
    use serde::de::{Deserializer, MapAccess, Visitor};
    struct Entries;
    impl<'de> Visitor<'de> for Entries {
        type Value = Vec<(String, serde_json::Value)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
            let mut v = Vec::new();
            while let Some(e) = m.next_entry()? {
                v.push(e);
            }
            Ok(v)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(data);
    let v = (&mut de).deserialize_map(Entries).ok()?;
    de.end().ok()?;
    Some(v)
}

/// The string under `key` when the object holds that key exactly once at the top level and
/// its value is a string; otherwise no claim is made.
fn only_str<'e>(entries: &'e [(String, serde_json::Value)], key: &str) -> Option<&'e str> {
    let mut it = entries.iter().filter(|(k, _)| k == key);
    match (it.next(), it.next()) {
        (Some((_, serde_json::Value::String(s))), None) => Some(s),
        _ => None,
    }
}

/// `Picked`'s debug text with each float `F(x)` taken out. serde_json parses floats with
/// best-effort precision (its `float_roundtrip` feature is off) and Rust's parser rounds
/// correctly, so on a long number the walks may differ in the last bits (found by the
/// fuzzer: 42 digits, one ulp apart); that is the only difference allowed.
fn floats_apart(s: &str) -> (String, Vec<&str>) {
    let (mut text, mut floats) = (String::new(), Vec::new());
    let mut rest = s;
    while let Some(i) = rest.find("F(") {
        text.push_str(&rest[..i + 2]);
        let after = &rest[i + 2..];
        let end = after.find(')').unwrap_or(after.len());
        floats.push(&after[..end]);
        rest = &after[end..];
    }
    text.push_str(rest);
    (text, floats)
}

fn same_picks(a: &str, b: &str) -> bool {
    let ((ta, fa), (tb, fb)) = (floats_apart(a), floats_apart(b));
    let close = |x: &&str, y: &&str| match (x.parse::<f64>(), y.parse::<f64>()) {
        (Ok(x), Ok(y)) => x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
        _ => x == y,
    };
    ta == tb && fa.len() == fb.len() && fa.iter().zip(&fb).all(|(x, y)| close(x, y))
}

fn same<T: Debug + PartialEq>(what: &str, got: T, want: T) {
    assert_eq!(
        got, want,
        "{what}: the JSON parser disagrees with serde_json"
    );
}

/// The targeted JSON scanner against serde_json. (1) Where both the scanner and the full
/// serde walk (`json::pick_serde`) read a line, they pick the same values. (2) The key
/// memo (`ScanCache`, kept across lines) never changes an answer. (3) When serde_json reads
/// the input as one object, so does `json::parse`, and the top-level `msg`, `level` and
/// `request_id` strings (each present once) come out as serde_json reads them: the message
/// as is (none when empty or `-`), the level by `Level::from_name`, the id reduced to its
/// trace part. The scanner may decline (then serde decides) or be lenient about bytes it
/// skips; neither is a failure. Duplicate and nested keys follow the alias ranks, which
/// serde_json's map does not have, so no claim is made about them.
pub fn json_scan(data: &[u8]) {
    for spec in [default_spec(), user_spec()] {
        let fast = json_scan::pick(data, spec, &mut ScanCache::default());
        let slow = json::pick_serde(data, spec);
        if let (Some(f), Some(s)) = (&fast, &slow) {
            let (f, s) = (format!("{f:?}"), format!("{s:?}"));
            assert!(same_picks(&f, &s), "scanner != serde walk\n{f}\n{s}");
        }
        let mut warm = ScanCache::default();
        for _ in 0..2 {
            for l in data.split(|&b| b == b'\n') {
                let w = json_scan::pick(l, spec, &mut warm).map(|p| format!("{p:?}"));
                let c = json_scan::pick(l, spec, &mut ScanCache::default());
                assert_eq!(
                    w,
                    c.map(|p| format!("{p:?}")),
                    "the key memo changed the answer"
                );
            }
        }
    }
    let Some(entries) = object_entries(data) else {
        return;
    };
    let utc = Zone::parse("UTC").unwrap();
    let ev = json::parse(data, user_spec(), &utc, &mut ParseCache::default())
        .expect("serde_json reads one object, and so must the JSON parser");
    if let Some(m) = only_str(&entries, "msg") {
        let want = (!m.is_empty() && m != "-").then_some(m);
        same("msg", ev.msg.as_deref(), want);
    }
    if let Some(l) = only_str(&entries, "level") {
        same("level", ev.level, Level::from_name(l));
    }
    if let Some(r) = only_str(&entries, "request_id") {
        let want = (!r.is_empty() && r != "-").then(|| picked::trace_id_part(r.into()));
        same("request_id", ev.request_id.as_deref(), want.as_deref());
    }
}

/// The text of arbitrary bytes, one line at a time (invalid UTF-8 replaced, as the line
/// parser reads lines no format took).
fn text_lines(data: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(data)
        .split('\n')
        .map(str::to_owned)
        .collect()
}

/// nginx's access and error lines: never panic, and the zone memo never changes an answer.
/// An error line that parses is an nginx error with a time.
pub fn nginx(data: &[u8]) {
    static C: OnceLock<Classifier> = OnceLock::new();
    let classifier = C.get_or_init(Classifier::new);
    let accesses = [
        Access::default(),
        Access {
            producer: Producer::Gunicorn,
            unit: Unit::Us,
            echo: true,
        },
    ];
    let lines = text_lines(data);
    for zone in &zones()[..3] {
        let mut warm = ZoneCache::default();
        for l in &lines {
            let w = nginx_access::parse(l, zone, &mut warm).map(|e| format!("{e:?}"));
            let c =
                nginx_access::parse(l, zone, &mut ZoneCache::default()).map(|e| format!("{e:?}"));
            assert_eq!(w, c, "access: the zone memo changed the answer");
            for a in &accesses {
                let mut ev = Default::default();
                let _ = nginx_access::parse_into(l, zone, &mut warm, a, &mut ev);
            }
            let w = classifier.parse(l, zone, &mut warm);
            if let Some(e) = &w {
                assert!(e.ts.is_some(), "an error line without a time");
                assert_eq!(e.format, Some(logtriage::parse::Format::NginxError));
            }
            let w = w.map(|e| format!("{e:?}"));
            let c = classifier
                .parse(l, zone, &mut ZoneCache::default())
                .map(|e| format!("{e:?}"));
            assert_eq!(w, c, "error: the zone memo changed the answer");
            let _ = classifier.classify(l);
        }
    }
}

/// Stamps and durations, each line of the input read in every zone. Never panics; the
/// zone memo never changes an answer; a stamp that carries its own offset reads the same
/// in every zone, and one that carries none (`naive_local` set) is its wall-clock digits
/// minus the zone's offset (exactly so in a fixed zone); every instant read formats.
/// Durations are never negative nor NaN.
pub fn time(data: &[u8]) {
    let lines = text_lines(data);
    let mut warm: Vec<ZoneCache> = zones().iter().map(|_| ZoneCache::default()).collect();
    for l in &lines {
        let mut zoned: Option<i64> = None;
        for (z, cache) in zones().iter().zip(&mut warm) {
            let w = (time::parse_ts(l, z, cache), cache.naive_local);
            let mut fresh = ZoneCache::default();
            let c = (time::parse_ts(l, z, &mut fresh), fresh.naive_local);
            assert_eq!(w, c, "parse_ts: the zone memo changed the answer ({z:?})");
            if let (Some(t), naive) = w {
                let _ = time::format_utc(t);
                match naive {
                    None => {
                        assert_eq!(*zoned.get_or_insert(t), t, "a zoned stamp moved with --tz")
                    }
                    Some(local) => {
                        if let Zone::Fixed(f) = z {
                            let off = i64::from(f.local_minus_utc()) * 1_000_000;
                            assert_eq!(t, local - off, "naive stamp in a fixed zone");
                        }
                    }
                }
            }
            let b = l.as_bytes();
            let w = time::parse_nginx_error_ts(b, z, cache);
            assert_eq!(
                w,
                time::parse_nginx_error_ts(b, z, &mut ZoneCache::default())
            );
            for y in [year(false), year(true)] {
                let w = time::syslog_ts(b, &y, z, cache);
                assert_eq!(w, time::syslog_ts(b, &y, z, &mut ZoneCache::default()));
            }
        }
        if let Some(ms) = picked::go_duration_ms(l) {
            assert!(ms >= 0.0, "duration {l:?} read as {ms}");
        }
        if let Ok(n) = l.trim().parse::<f64>() {
            let _ = time::epoch_f64(n);
        }
        if let Ok(n) = l.trim().parse::<i64>() {
            let _ = time::epoch_i64(n);
        }
        let _ = Zone::parse(l);
    }
}

/// The `--rules` file parser: a rule set, or an error of one line that names the file.
pub fn rules(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = logtriage::rules::file::from_toml(&text, "fuzz.toml") {
        assert!(!e.contains('\n'), "a --rules error of several lines: {e:?}");
        assert!(
            e.starts_with("fuzz.toml: "),
            "the error names no file: {e:?}"
        );
    }
}

fn all_records(data: &[u8]) -> Vec<(usize, chunk::Record<'_>)> {
    let mut v = Vec::new();
    chunk::for_each_record(data, &RULES, |off, rec| v.push((off, rec)));
    v
}

/// How the reader cuts input into records (envelope fragments, continuation lines), and the
/// parallel reader's invariant. Records tile the input but for the newline after each: the
/// first starts at 0, each starts one byte past the end of the one before, which is a
/// newline, and the last ends the input (or its final newline). A record's `lines` are its
/// newlines plus one, and its head ends the record or at a newline. Whatever the chunk
/// size, `chunk::split` covers the input with adjacent ranges, and the records read chunk by
/// chunk are the records of the whole input.
pub fn records(data: &[u8]) {
    let whole = all_records(data);
    let mut next = 0usize;
    for (off, rec) in &whole {
        assert_eq!(*off, next, "records do not tile the input");
        let end = off + rec.bytes.len();
        assert!(end <= data.len());
        assert_eq!(&data[*off..end], rec.bytes);
        let newlines = rec.bytes.iter().filter(|&&b| b == b'\n').count();
        assert_eq!(rec.lines as usize, newlines + 1);
        assert!(rec.head <= rec.bytes.len());
        assert!(rec.head == rec.bytes.len() || rec.bytes[rec.head] == b'\n');
        if end < data.len() {
            assert_eq!(data[end], b'\n', "a record ends inside a line");
        }
        next = end + 1;
    }
    assert!(next >= data.len(), "the records stop before the input ends");
    let lines: u64 = whole.iter().map(|(_, r)| u64::from(r.lines)).sum();
    assert_eq!(lines, chunk::count_lines(data));
    for size in [1, 3, 17, 256] {
        let ranges = chunk::split(data, size, &RULES);
        let mut at = 0;
        let mut pieced = Vec::new();
        for r in ranges {
            assert_eq!(r.start, at, "chunks are not adjacent");
            assert!(r.end > r.start && r.end <= data.len());
            for (off, rec) in all_records(&data[r.clone()]) {
                pieced.push((r.start + off, rec));
            }
            at = r.end;
        }
        assert_eq!(at, data.len(), "the chunks do not cover the input");
        assert_eq!(pieced, whole, "chunk size {size} changed the records");
    }
}
