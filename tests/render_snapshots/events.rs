//! Selected events (`filter`, `trace`): text, JSON, raw, over hand-made `Event`s.

use logtriage::parse::{Format, Level};
use logtriage::render::events::{Json, Layout, Raw, Text};
use logtriage::render::style::Style;
use logtriage::select::event::{Correlation, EnvInfo, Event};

use crate::rendered;
use crate::values::{MARKUP, TERMINAL};

/// 2025-05-06T04:01:02.123Z in microseconds.
const AT: i64 = 1_746_504_062_123_000;

fn paths() -> Vec<String> {
    vec!["logs/app.log".into(), format!("logs/{TERMINAL}.log")]
}

fn bare(file: u32, line: u64, raw: &str) -> Event {
    Event {
        file,
        line,
        offset: 0,
        raw: raw.as_bytes().to_vec(),
        inner: None,
        env: None,
        format: None,
        ts: None,
        level: None,
        msg: None,
        request_id: None,
        error_type: None,
        latency_ms: None,
        status: None,
        method: None,
        path: None,
        client: None,
        upstream: None,
        implied_status: None,
        correlated: None,
        at: None,
    }
}

/// A JSON app line with a traceback, from a pod; a line no format matched, hostile; an nginx
/// error line tied to the request by correlation.
fn events() -> Vec<Event> {
    let json = r#"{"time":"2025-05-06T04:01:02.123Z","level":"error","msg":"payment failed \u001b[31m","request_id":"req-1","status":502,"latency_ms":2500.25,"exc":"Traceback (most recent call last):\n\tFile \"pay.py\", line 3\nBankTimeout: no answer \u001b]0;x\u0007"}"#;
    let app = Event {
        format: Some(Format::Json),
        ts: Some(AT),
        at: Some(AT),
        level: Some(Level::Error),
        msg: Some("payment failed \u{1b}[31m".into()),
        request_id: Some("req-1".into()),
        error_type: Some("BankTimeout".into()),
        latency_ms: Some(2500.25),
        status: Some(502),
        method: Some("POST".into()),
        path: Some("/pay".into()),
        env: Some(Box::new(EnvInfo {
            kinds: vec!["cri"],
            stream: Some("stderr"),
            pod: Some("prod/pay-1".into()),
            ..EnvInfo::default()
        })),
        ..bare(0, 7, json)
    };
    let unparsed = bare(1, 8, &format!("{TERMINAL} {MARKUP}"));
    let nginx = Event {
        format: Some(Format::NginxError),
        ts: Some(AT + 877_000),
        at: Some(AT + 877_000),
        level: Some(Level::Error),
        msg: Some("upstream timed out (110: Connection timed out)".into()),
        error_type: Some("upstream_timeout".into()),
        client: Some("10.0.0.9".into()),
        method: Some("POST".into()),
        path: Some("/pay".into()),
        correlated: Some(Correlation {
            by: "client, request line, time",
            candidates: 2,
        }),
        ..bare(
            1,
            9,
            "2025/05/06 04:01:03 [error] 7#7: *1 upstream timed out (110: Connection timed out)",
        )
    };
    vec![app, unparsed, nginx]
}

fn all(r: &dyn logtriage::render::Render<Event>) -> String {
    events().iter().map(|e| rendered(r, e)).collect()
}

#[test]
fn events_text_as_filter_prints_them() {
    let paths = paths();
    let text = Text {
        paths: &paths,
        layout: Layout::for_files(&paths),
        style: Style { color: false },
    };
    insta::assert_snapshot!(all(&text));
}

#[test]
fn events_text_as_a_trace_timeline() {
    let paths = paths();
    let events = events();
    let text = Text {
        paths: &paths,
        layout: Layout::for_timeline(&events, &paths),
        style: Style { color: false },
    };
    insta::assert_snapshot!(all(&text));
}

#[test]
fn events_json() {
    let paths = paths();
    let json = Json {
        paths: &paths,
        trace: Some("req-1"),
    };
    insta::assert_snapshot!(all(&json));
}

/// Raw is the one format that does not escape: the bytes as logged. The snapshot shows them
/// through `{:?}` so the escapes are readable here; the test checks they are the bytes.
#[test]
fn events_raw() {
    let out = all(&Raw);
    let logged: String = events().iter().map(|e| format!("{}\n", e.text())).collect();
    assert_eq!(out, logged);
    insta::assert_debug_snapshot!(out.lines().collect::<Vec<_>>());
}
