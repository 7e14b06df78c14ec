//! Unit tests of the envelope readers, through `Parser::parse` as the engine calls it.

use crate::parse::envelope::{Kind, Stream, joins, may_continue};
use crate::parse::time::{YearRef, format_utc};
use crate::parse::{FieldSpec, FileCtx, Format, Level, LogEvent, ParseCache, Parsed, Parser, Zone};

fn parser(zone: &str) -> Parser {
    Parser::new(FieldSpec::defaults(), Zone::parse(zone).unwrap()).with_files(vec![FileCtx {
        zone: None,
        year: Some(YearRef {
            year: 2026,
            month: 12,
            day: 1,
            nearest: false,
        }),
        ..FileCtx::default()
    }])
}

/// Parses `rec` and hands the event to `check` (the event borrows the decode buffer).
pub(super) fn with(zone: &str, rec: &str, check: impl FnOnce(&LogEvent<'_>)) {
    let p = parser(zone);
    let mut buf = Vec::new();
    match p.parse(0, rec.as_bytes(), &mut ParseCache::default(), &mut buf) {
        Parsed::Event(ev) => check(&ev),
        Parsed::Blank => panic!("blank: {rec}"),
        Parsed::Unparsed => panic!("unparsed: {rec}"),
    }
}

pub(super) fn kinds(ev: &LogEvent<'_>) -> Vec<Kind> {
    ev.env.kinds().collect()
}

const APP: &str =
    r#"{"level": "ERROR", "msg": "unhandled", "logger": "shop", "request_id": "a1b2"}"#;

fn escaped(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

#[test]
fn docker_json_file_unwraps_the_app_line() {
    let line = format!(
        r#"{{"log":{},"stream":"stderr","time":"2026-12-01T06:45:40.123456789Z"}}"#,
        escaped(&format!("{APP}\n"))
    );
    with("UTC", &line, |ev| {
        assert_eq!(kinds(ev), vec![Kind::Docker]);
        assert_eq!(ev.format, Some(Format::Json));
        assert_eq!(ev.level, Some(Level::Error));
        assert_eq!(ev.msg.as_deref(), Some("unhandled"));
        assert_eq!(ev.request_id.as_deref(), Some("a1b2"));
        assert_eq!(ev.env.stream, Some(Stream::Stderr));
        assert_eq!(format_utc(ev.ts.unwrap()), "2026-12-01T06:45:40.123Z");
        assert_eq!(ev.inner, Some(APP.as_bytes()));
    });
}

#[test]
fn docker_fragments_join_and_others_do_not() {
    let big = format!(
        r#"{{"level": "INFO", "msg": "{}", "request_id": "r9"}}"#,
        "x".repeat(40)
    );
    let (a, b) = big.split_at(20);
    let frag = |s: &str, stream: &str, nl: bool| {
        format!(
            r#"{{"log":{},"stream":"{stream}","time":"2026-12-01T06:45:40.5Z"}}"#,
            escaped(&format!("{s}{}", if nl { "\n" } else { "" }))
        )
    };
    let first = frag(a, "stdout", false);
    let last = frag(b, "stdout", true);
    assert!(may_continue(first.as_bytes()));
    assert!(!may_continue(last.as_bytes()));
    assert!(joins(first.as_bytes(), last.as_bytes()));
    // Only consecutive fragments of one stream join.
    assert!(!joins(first.as_bytes(), frag(b, "stderr", true).as_bytes()));
    assert!(!joins(last.as_bytes(), first.as_bytes()));
    // A message ending in a literal backslash-n is not a newline escape.
    assert!(may_continue(
        frag("ends with \\n", "stdout", false).as_bytes()
    ));
    with("UTC", &format!("{first}\n{last}"), |ev| {
        assert_eq!(ev.format, Some(Format::Json));
        assert_eq!(ev.request_id.as_deref(), Some("r9"));
        assert_eq!(ev.msg.as_deref(), Some("x".repeat(40).as_str()));
    });
}

#[test]
fn a_stream_key_inside_the_docker_prefix_does_not_join() {
    let bad = br#"{"log":","stream":"stderr","time":"2025-12-01T08:08:09.548870700Z"}"#;
    let next = br#"{"log":"x\n","stream":"stderr","time":"2025-12-01T08:08:09.5Z"}"#;
    assert!(!joins(bad, next));
}

#[test]
fn cri_lines_and_partials() {
    let full = format!("2026-12-01T06:45:40.123456789Z stderr F {APP}");
    with("UTC", &full, |ev| {
        assert_eq!(kinds(ev), vec![Kind::Cri]);
        assert_eq!(ev.env.stream, Some(Stream::Stderr));
        assert_eq!(ev.request_id.as_deref(), Some("a1b2"));
        assert_eq!(ev.ts, Some(1_796_107_540_123_456));
    });
    let (a, b) = APP.split_at(30);
    let p1 = format!("2026-12-01T06:45:40.1Z stdout P {a}");
    let p2 = format!("2026-12-01T06:45:40.2Z stdout F {b}");
    assert!(joins(p1.as_bytes(), p2.as_bytes()));
    assert!(!joins(p2.as_bytes(), p1.as_bytes()));
    with("UTC", &format!("{p1}\n{p2}"), |ev| {
        assert_eq!(ev.format, Some(Format::Json));
        assert_eq!(ev.msg.as_deref(), Some("unhandled"));
        assert_eq!(format_utc(ev.ts.unwrap()), "2026-12-01T06:45:40.100Z");
    });
    // uvicorn's text inside, which has no time: the envelope gives it.
    with(
        "UTC",
        "2026-12-01T06:45:40Z stdout F INFO:     Started server process [7]",
        |ev| {
            assert_eq!(ev.format, Some(Format::Uvicorn));
            assert_eq!(ev.msg.as_deref(), Some("Started server process [7]"));
            assert!(ev.ts.is_some());
        },
    );
}

#[test]
fn kubectl_prefix_and_timestamps_nest() {
    let line = format!("[pod/shop-api-7d9f8b6c4-x2x9z/api] 2026-12-01T06:45:40.123456789Z {APP}");
    with("UTC", &line, |ev| {
        assert_eq!(
            kinds(ev),
            vec![Kind::KubectlTimestamps, Kind::KubectlPrefix]
        );
        assert_eq!(ev.env.pod(), Some("shop-api-7d9f8b6c4-x2x9z"));
        assert_eq!(ev.env.container(), Some("api"));
        assert_eq!(ev.request_id.as_deref(), Some("a1b2"));
        assert!(ev.ts.is_some());
    });
    // A program's own ISO stamp (six digits) is its text, not kubectl's.
    let p = parser("UTC");
    let mut buf = Vec::new();
    let parsed = p.parse(
        0,
        b"2026-12-01T06:45:40.123456Z  INFO app: started",
        &mut ParseCache::default(),
        &mut buf,
    );
    assert!(matches!(parsed, Parsed::Unparsed));
}

#[test]
fn journald_json_export() {
    let line = format!(
        r#"{{"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1796107540123456","PRIORITY":"3","_SYSTEMD_UNIT":"shop-api.service","_HOSTNAME":"web-1","SYSLOG_IDENTIFIER":"uvicorn","_PID":"412","MESSAGE":{}}}"#,
        escaped(r#"{"msg": "no level here", "request_id": "j1"}"#)
    );
    with("UTC", &line, |ev| {
        assert_eq!(kinds(ev), vec![Kind::Journald]);
        assert_eq!(ev.ts, Some(1_796_107_540_123_456));
        // PRIORITY stands in for the missing level.
        assert_eq!(ev.level, Some(Level::Error));
        assert_eq!(ev.env.unit(), Some("shop-api.service"));
        assert_eq!(ev.env.host(), Some("web-1"));
        assert_eq!(ev.env.ident(), Some("uvicorn"));
        assert_eq!(ev.env.pid, Some(412));
        assert_eq!(ev.request_id.as_deref(), Some("j1"));
    });
    // One buffer for many entries, as a worker parses them: each message stands alone.
    let p = parser("UTC");
    let mut cache = ParseCache::default();
    let mut buf = Vec::new();
    for _ in 0..2 {
        match p.parse(0, line.as_bytes(), &mut cache, &mut buf) {
            Parsed::Event(ev) => assert_eq!(ev.request_id.as_deref(), Some("j1")),
            _ => panic!("not parsed"),
        }
    }
    // MESSAGE as bytes (journalctl's form for non-printable content).
    let bytes: Vec<String> = "\x1b[31mred\x1b[0m"
        .bytes()
        .map(|b| b.to_string())
        .collect();
    let line = format!(
        r#"{{"__CURSOR":"c","__REALTIME_TIMESTAMP":"1796107540000000","PRIORITY":"4","MESSAGE":[{}]}}"#,
        bytes.join(",")
    );
    with("UTC", &line, |ev| {
        assert_eq!(ev.format, Some(Format::Text));
        assert_eq!(ev.msg.as_deref(), Some("\x1b[31mred\x1b[0m"));
        assert_eq!(ev.level, Some(Level::Warn));
    });
}

#[test]
fn syslog_forms() {
    // RFC 3164 as rsyslog writes it: no year, no zone (read in the file's zone and year).
    with(
        "Europe/Berlin",
        &format!("Dec  1 07:45:40 web-1 shop-api[123]: {APP}"),
        |ev| {
            assert_eq!(kinds(ev), vec![Kind::Syslog]);
            assert_eq!(format_utc(ev.ts.unwrap()), "2026-12-01T06:45:40.000Z");
            assert_eq!(
                ev.ts_local.map(format_utc).as_deref(),
                Some("2026-12-01T07:45:40.000Z")
            );
            assert_eq!(ev.env.host(), Some("web-1"));
            assert_eq!(ev.env.ident(), Some("shop-api"));
            assert_eq!(ev.env.pid, Some(123));
            assert_eq!(ev.request_id.as_deref(), Some("a1b2"));
        },
    );
    // journalctl's default output: the day zero-padded.
    with("UTC", "Dec 01 06:45:40 web-1 uvicorn[9]: hello", |ev| {
        assert_eq!(ev.format, Some(Format::Text));
        assert_eq!(ev.msg.as_deref(), Some("hello"));
    });
    // Late in the year, read in January: last year.
    let p =
        Parser::new(FieldSpec::defaults(), Zone::parse("UTC").unwrap()).with_files(vec![FileCtx {
            zone: None,
            year: Some(YearRef {
                year: 2027,
                month: 1,
                day: 2,
                nearest: false,
            }),
            ..FileCtx::default()
        }]);
    let mut buf = Vec::new();
    let Parsed::Event(ev) = p.parse(
        0,
        b"Dec 31 23:59:59 h app: x",
        &mut ParseCache::default(),
        &mut buf,
    ) else {
        panic!()
    };
    assert_eq!(format_utc(ev.ts.unwrap()), "2026-12-31T23:59:59.000Z");
    // ISO stamps: journalctl -o short-iso, rsyslog's file format.
    with(
        "UTC",
        "2026-12-01T07:45:40+0100 web-1 uvicorn[9]: hello",
        |ev| {
            assert_eq!(kinds(ev), vec![Kind::SyslogIso]);
            assert_eq!(format_utc(ev.ts.unwrap()), "2026-12-01T06:45:40.000Z");
            assert_eq!(ev.ts_local, None);
        },
    );
    // RFC 5424, structured data skipped, severity as the level.
    with(
        "UTC",
        r#"<163>1 2026-12-01T06:45:40.5Z web-1 shop-api 123 ID47 [exampleSDID@32473 iut="3" eventSource="App\]x"] hello there"#,
        |ev| {
            assert_eq!(kinds(ev), vec![Kind::Syslog5424]);
            assert_eq!(ev.level, Some(Level::Error));
            assert_eq!(ev.msg.as_deref(), Some("hello there"));
            assert_eq!(ev.env.ident(), Some("shop-api"));
            assert_eq!(format_utc(ev.ts.unwrap()), "2026-12-01T06:45:40.500Z");
        },
    );
}

#[test]
fn bare_lines_are_untouched() {
    with("UTC", APP, |ev| {
        assert_eq!(ev.env.kinds, 0);
        assert_eq!(ev.inner, None);
        assert_eq!(ev.ts, None);
    });
    // A level word after a stamp is a program's text, not a syslog host.
    let p = parser("UTC");
    let mut buf = Vec::new();
    let parsed = p.parse(
        0,
        b"2026-12-01T06:45:40.123456Z ERROR app: boom",
        &mut ParseCache::default(),
        &mut buf,
    );
    assert!(matches!(parsed, Parsed::Unparsed));
}
