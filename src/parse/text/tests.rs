use super::*;
use crate::parse::level::Level;
use crate::parse::time::Zone;

fn ev(line: &str) -> Option<LogEvent<'_>> {
    let spec = FieldSpec::defaults();
    let mut e = LogEvent::default();
    let mut cache = ZoneCache::default();
    parse_into(
        line,
        &spec,
        &Zone::parse("UTC").unwrap(),
        &mut cache,
        &mut KeyCache::default(),
        Unit::Auto,
        &mut e,
    )
    .then_some(e)
}

const RID: &str = "fc59b7c2-a3cd-4c83-925e-b139c10f047a";

fn request_fields(e: &LogEvent<'_>, status: u16, ms: f64) {
    assert_eq!(e.request_id.as_deref(), Some(RID));
    assert_eq!(e.method.as_deref(), Some("GET"));
    assert_eq!(e.path.as_deref(), Some("/api/fail/1"));
    assert_eq!(e.status, Some(status));
    assert_eq!(e.latency_ms, Some(ms));
}

#[test]
fn python_layouts_with_pairs_in_the_message() {
    let kv = format!(
        "request failed request_id={RID} method=GET path=/api/fail/1 status=500 duration_ms=0.5"
    );
    for (line, ts) in [
        (
            format!("2026-12-01 10:18:37,373 ERROR shop.api: {kv}"),
            true,
        ),
        (
            format!("2026-12-01 10:18:37,373 - shop.api - ERROR - {kv}"),
            true,
        ),
        (
            format!("[2026-12-01 10:18:37,373] ERROR in flask_app: {kv}"),
            true,
        ),
        (format!("ERROR:shop.api:{kv}"), false),
        (format!("2026-12-01 10:18:37,373 ERROR {kv}"), true),
    ] {
        let e = ev(&line).unwrap_or_else(|| panic!("{line}"));
        assert_eq!(e.format, Some(Format::Python), "{line}");
        assert_eq!(e.level, Some(Level::Error), "{line}");
        assert_eq!(e.msg.as_deref(), Some(kv.as_str()), "{line}");
        assert_eq!(e.ts.is_some(), ts, "{line}");
        request_fields(&e, 500, 0.5);
    }
    let e = ev("2026-12-01 10:18:37,373 INFO shop.api: started").unwrap();
    assert_eq!(e.ts, Some(1_796_120_317_373_000));
}

#[test]
fn uvicorn_lines() {
    let e =
        ev("INFO:     127.0.0.1:53428 - \"GET /api/fail/1 HTTP/1.1\" 500 Internal Server Error")
            .unwrap();
    assert_eq!(e.format, Some(Format::Uvicorn));
    assert_eq!(e.status, Some(500));
    assert_eq!(e.client.as_deref(), Some("127.0.0.1"));
    assert_eq!(e.path.as_deref(), Some("/api/fail/1"));
    let e = ev("ERROR:    Exception in ASGI application").unwrap();
    assert_eq!(e.format, Some(Format::Uvicorn));
    assert_eq!(e.level, Some(Level::Error));
    assert_eq!(e.msg.as_deref(), Some("Exception in ASGI application"));
    assert!(ev("INFO:     Started server process [7570]").is_some());
}

#[test]
fn gunicorn_error_log() {
    let e =
        ev("[2026-12-01 10:18:54 +0000] [11306] [ERROR] Error handling request GET /api/fail/1")
            .unwrap();
    assert_eq!(e.format, Some(Format::Gunicorn));
    assert_eq!(e.level, Some(Level::Error));
    assert_eq!(e.ts, Some(1_796_120_334_000_000));
    let kv = format!(
        "[2026-12-01 10:18:54 +0000] [11306] [ERROR] request failed request_id={RID} method=GET path=/api/fail/1 status=500 duration_ms=0.5"
    );
    request_fields(&ev(&kv).unwrap(), 500, 0.5);
}

#[test]
fn logfmt_records() {
    let line = format!(
        r#"time=2026-12-01T10:05:33.077Z level=ERROR msg="request failed" request_id={RID} method=GET path=/api/fail/1 status=500 duration=500µs err="card declined""#
    );
    let e = ev(&line).unwrap();
    assert_eq!(e.format, Some(Format::Logfmt));
    assert_eq!(e.level, Some(Level::Error));
    assert_eq!(e.msg.as_deref(), Some("request failed"));
    assert_eq!(e.ts, Some(1_796_119_533_077_000));
    request_fields(&e, 500, 0.5);
    let e = ev("time=2026-12-01T10:05:29.741Z level=INFO msg=\"x\" duration=10.21303ms").unwrap();
    assert!((e.latency_ms.unwrap() - 10.21303).abs() < 1e-9);
    let e = ev("time=x level=INFO msg=y duration=1m2.5s").unwrap();
    assert_eq!(e.latency_ms, Some(62_500.0));
    // Prose with one `=` in it is not a record.
    assert!(ev("note that a=b holds").is_none());
    assert!(ev("unknown=1 keys=2").is_none());
}

#[test]
fn go_standard_log() {
    let line = format!(
        "2026/12/01 10:05:33 request finished request_id={RID} method=GET path=/api/fail/1 status=500 duration=500µs"
    );
    let e = ev(&line).unwrap();
    assert_eq!(e.format, Some(Format::GoLog));
    assert_eq!(e.level, None);
    request_fields(&e, 500, 0.5);
    let line = format!("2026/12/01 10:05:36 request failed request_id={RID} err=card declined");
    let e = ev(&line).unwrap();
    assert_eq!(e.level, Some(Level::Error));
    let e = ev("2026/12/01 10:05:36.123456 http: panic serving 127.0.0.1:54194: assignment to entry in nil map").unwrap();
    assert_eq!(e.level, Some(Level::Error));
    assert_eq!(e.error_type.as_deref(), Some("panic"));
    assert_eq!(e.ts, Some(1_796_119_536_123_456));
}

#[test]
fn morgan_short_presets() {
    let e = ev("GET /api/fail/1 500 152 - 1.305 ms").unwrap();
    assert_eq!(
        (e.format, e.status, e.latency_ms),
        (Some(Format::Morgan), Some(500), Some(1.305))
    );
    let e = ev("127.0.0.1 - GET /api/fail/1 HTTP/1.1 500 152 - 1.305 ms").unwrap();
    assert_eq!(
        (e.format, e.status, e.latency_ms),
        (Some(Format::Morgan), Some(500), Some(1.305))
    );
    assert_eq!(e.client.as_deref(), Some("127.0.0.1"));
    let e = ev("\u{1b}[0mGET /api/fail/1 \u{1b}[31m500\u{1b}[0m 1.305 ms - 152\u{1b}[0m").unwrap();
    assert_eq!(
        (e.format, e.status, e.latency_ms),
        (Some(Format::Morgan), Some(500), Some(1.305))
    );
    assert_eq!(e.path.as_deref(), Some("/api/fail/1"));
}
