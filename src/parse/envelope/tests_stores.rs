//! Unit tests of the log stores' readers, through `Parser::parse` as the engine calls it,
//! on records shaped as each store's documentation shows them.

use crate::parse::envelope::Kind;
use crate::parse::time::format_utc;
use crate::parse::{Format, Level, LogEvent};

/// `tests::with` in UTC.
fn with(rec: &str, check: impl FnOnce(&LogEvent<'_>)) {
    super::tests::with("UTC", rec, check)
}

use super::tests::kinds;

const APP: &str =
    r#"{\"level\": \"ERROR\", \"msg\": \"unhandled\", \"request_id\": \"a1b2\", \"status\": 500}"#;

#[test]
fn logcli_jsonl_line() {
    let line = format!(
        r#"{{"labels":{{"container":"api","namespace":"shop","pod":"api-7d9"}},"line":"{APP}","timestamp":"2026-12-01T06:45:40.123456789Z"}}"#
    );
    with(&line, |ev| {
        assert_eq!(kinds(ev), [Kind::Loki]);
        assert_eq!(ev.format, Some(Format::Json));
        assert_eq!(ev.level, Some(Level::Error));
        assert_eq!(ev.request_id.as_deref(), Some("a1b2"));
        assert_eq!(ev.env.pod(), Some("api-7d9"));
        assert_eq!(ev.env.container(), Some("api"));
        let names = ev.env.names.as_deref().unwrap();
        assert_eq!(names.label_value("namespace"), Some("shop"));
        // The app's line has no time: the store's is the line's.
        assert_eq!(format_utc(ev.ts.unwrap()), "2026-12-01T06:45:40.123Z");
    });
}

#[test]
fn loki_query_range_value() {
    let line = r#"{"stream":{"job":"nginx","host":"web-1"},"values":[["1764571540123456789","127.0.0.1 - - [01/Dec/2026:06:45:40 +0000] \"GET /x HTTP/1.1\" 502 0 \"-\" \"c\""]]}"#;
    with(line, |ev| {
        assert_eq!(kinds(ev), [Kind::Loki]);
        assert_eq!(ev.format, Some(Format::NginxAccess));
        assert_eq!(ev.status, Some(502));
        assert_eq!(ev.env.host(), Some("web-1"));
        assert_eq!(ev.env.ident(), Some("nginx"));
    });
    // Text inside: the time is the value's.
    with(
        r#"{"stream":{},"values":[["1764571540123456789","booting"]]}"#,
        |ev| {
            assert_eq!(ev.format, Some(Format::Text));
            assert_eq!(format_utc(ev.ts.unwrap()), "2025-12-01T06:45:40.123Z");
        },
    );
}

#[test]
fn elasticsearch_hit_of_filebeat_and_of_an_ecs_logger() {
    let line = format!(
        r#"{{"_index":".ds-filebeat-8.11.0","_id":"x","_score":1.0,"_source":{{"@timestamp":"2026-12-01T06:45:40.123Z","message":"{APP}","host":{{"name":"web-1"}},"kubernetes":{{"pod":{{"name":"api-7d9"}},"container":{{"name":"api"}}}},"log":{{"file":{{"path":"/var/log/app.log"}}}}}}}}"#
    );
    with(&line, |ev| {
        assert_eq!(kinds(ev), [Kind::Elasticsearch]);
        assert_eq!(ev.msg.as_deref(), Some("unhandled"));
        assert_eq!(ev.status, Some(500));
        assert_eq!(ev.env.pod(), Some("api-7d9"));
        assert_eq!(ev.env.host(), Some("web-1"));
    });
    // ecs-logging wrote the document itself: `_source` is the record.
    let ecs = r#"{"_index":"logs","_id":"y","_source":{"@timestamp":"2026-12-01T06:45:40.5Z","log.level":"warn","message":"slow","trace.id":"t-1","http":{"response":{"status_code":503}},"service":{"name":"shop"}}}"#;
    with(ecs, |ev| {
        assert_eq!(ev.level, Some(Level::Warn));
        assert_eq!(ev.msg.as_deref(), Some("slow"));
        assert_eq!(ev.request_id.as_deref(), Some("t-1"));
        assert_eq!(ev.status, Some(503));
        assert_eq!(ev.env.ident(), Some("shop"));
    });
}

#[test]
fn cloudwatch_event() {
    let line = format!(
        r#"{{"logStreamName":"shop/api/4f1c","timestamp":1764571540123,"message":"{APP}","ingestionTime":1764571541000,"eventId":"3799"}}"#
    );
    with(&line, |ev| {
        assert_eq!(kinds(ev), [Kind::Cloudwatch]);
        assert_eq!(ev.request_id.as_deref(), Some("a1b2"));
        assert_eq!(ev.env.log_stream(), Some("shop/api/4f1c"));
        assert_eq!(format_utc(ev.ts.unwrap()), "2025-12-01T06:45:40.123Z");
    });
}

#[test]
fn gcp_log_entries() {
    let json = r#"{"insertId":"1","jsonPayload":{"msg":"done","status":200},"logName":"projects/p/logs/stdout","resource":{"labels":{"pod_name":"api-7d9","container_name":"api"},"type":"k8s_container"},"severity":"INFO","timestamp":"2026-12-01T06:45:40.123Z","trace":"projects/p/traces/0af7651916cd43dd8448eb211c80319c"}"#;
    with(json, |ev| {
        assert_eq!(kinds(ev), [Kind::GcpLogging]);
        assert_eq!(ev.status, Some(200));
        assert_eq!(ev.level, Some(Level::Info));
        assert_eq!(ev.env.pod(), Some("api-7d9"));
        assert_eq!(
            ev.request_id.as_deref(),
            Some("0af7651916cd43dd8448eb211c80319c")
        );
    });
    // A load balancer's request log: everything is in `httpRequest`.
    let lb = r#"{"httpRequest":{"latency":"0.123456s","requestMethod":"POST","requestUrl":"https://shop.example/api/pay?x=1","status":504},"insertId":"2","logName":"projects/p/logs/requests","severity":"ERROR","timestamp":"2026-12-01T06:45:41Z"}"#;
    with(lb, |ev| {
        assert_eq!(ev.status, Some(504));
        assert_eq!(ev.method.as_deref(), Some("POST"));
        assert_eq!(ev.path.as_deref(), Some("/api/pay?x=1"));
        assert!((ev.latency_ms.unwrap() - 123.456).abs() < 1e-9);
        assert_eq!(ev.level, Some(Level::Error));
    });
    with(
        r#"{"insertId":"3","logName":"l","textPayload":"Started\n","timestamp":"2026-12-01T06:45:41Z"}"#,
        |ev| {
            assert_eq!(ev.msg.as_deref(), Some("Started"));
        },
    );
}

#[test]
fn otlp_records() {
    let rec = |body: &str, attrs: &str| {
        format!(
            r#"{{"resourceLogs":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"shop"}}}},{{"key":"k8s.pod.name","value":{{"stringValue":"api-7d9"}}}}]}},"scopeLogs":[{{"scope":{{"name":"app"}},"logRecords":[{{"timeUnixNano":"1764571540123456789","severityNumber":17,"severityText":"ERROR","body":{body},"attributes":[{attrs}],"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}}]}}]}}]}}"#
        )
    };
    // A text body with attributes: one JSON object of both.
    let line = rec(
        r#"{"stringValue":"request failed"}"#,
        r#"{"key":"status","value":{"intValue":"500"}},{"key":"exception.type","value":{"stringValue":"storage.DatabaseError"}}"#,
    );
    with(&line, |ev| {
        assert_eq!(kinds(ev), [Kind::Otlp]);
        assert_eq!(ev.msg.as_deref(), Some("request failed"));
        assert_eq!(ev.status, Some(500));
        assert_eq!(ev.error_type.as_deref(), Some("storage.DatabaseError"));
        assert_eq!(ev.level, Some(Level::Error));
        assert_eq!(
            ev.request_id.as_deref(),
            Some("5b8efff798038103d269b633813fc60c")
        );
        assert_eq!(ev.env.pod(), Some("api-7d9"));
        assert_eq!(ev.env.ident(), Some("shop"));
        assert_eq!(format_utc(ev.ts.unwrap()), "2025-12-01T06:45:40.123Z");
    });
    // A kvlist body is the record.
    let kv = rec(
        r#"{"kvlistValue":{"values":[{"key":"msg","value":{"stringValue":"done"}},{"key":"duration_ms","value":{"doubleValue":12.5}}]}}"#,
        "",
    );
    with(&kv, |ev| {
        assert_eq!(ev.msg.as_deref(), Some("done"));
        assert_eq!(ev.latency_ms, Some(12.5));
    });
    // A body that is an app's JSON line is read as that line (its own id wins).
    let raw = rec(&format!(r#"{{"stringValue":"{APP}"}}"#), "");
    with(&raw, |ev| {
        assert_eq!(ev.request_id.as_deref(), Some("a1b2"))
    });
}

#[test]
fn an_apps_own_keys_are_no_store() {
    let plain =
        r#"{"level":"info","msg":"x","line":42,"values":[1,2],"_source":"db","logName":"a"}"#;
    with(plain, |ev| {
        assert!(ev.env.kinds().next().is_none());
        assert_eq!(ev.msg.as_deref(), Some("x"));
        assert_eq!(ev.format, Some(Format::Json));
    });
}
