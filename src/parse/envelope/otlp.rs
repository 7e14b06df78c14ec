//! OpenTelemetry logs in OTLP JSON (`LogsData`, as the collector's file exporter writes it:
//! `resourceLogs[].resource.attributes`, `scopeLogs[].logRecords[]`), one record per line
//! as `input::document` writes them: `timeUnixNano` (a string of nanoseconds), `severityText`
//! or `severityNumber`, `body` (an `AnyValue`), `attributes`, `traceId` (hex: the request id).
//! A body that is a log line goes to the normal detection as it is; a text body with
//! attributes, or a `kvlistValue` body, becomes one JSON object (`message` and the attributes)
//! so the usual aliases read it. Must not parse the body's text.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::types::{Envelope, Kind};
use crate::parse::jstr;
use crate::parse::level::Level;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data<'a> {
    #[serde(borrow)]
    resource_logs: Vec<ResourceLogs<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceLogs<'a> {
    #[serde(borrow, default)]
    resource: Option<Attrs<'a>>,
    #[serde(borrow, default)]
    scope_logs: Vec<ScopeLogs<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScopeLogs<'a> {
    #[serde(borrow, default)]
    log_records: Vec<Record<'a>>,
}

#[derive(Deserialize, Default)]
struct Attrs<'a> {
    #[serde(borrow, default)]
    attributes: Vec<KeyValue<'a>>,
}

#[derive(Deserialize)]
struct KeyValue<'a> {
    #[serde(borrow)]
    key: &'a RawValue,
    #[serde(borrow)]
    value: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    #[serde(borrow)]
    time_unix_nano: Option<&'a RawValue>,
    #[serde(borrow)]
    observed_time_unix_nano: Option<&'a RawValue>,
    #[serde(borrow)]
    severity_text: Option<&'a RawValue>,
    severity_number: Option<i64>,
    #[serde(borrow)]
    body: Option<&'a RawValue>,
    #[serde(borrow, default)]
    attributes: Vec<KeyValue<'a>>,
    #[serde(borrow)]
    trace_id: Option<&'a RawValue>,
}

/// The first record's body into `buf` (see the module doc), its fields and its resource's
/// attributes into `env`.
pub fn unwrap<'a>(line: &'a [u8], env: &mut Envelope<'a>, buf: &mut Vec<u8>) -> Option<()> {
    buf.clear();
    let data: Data<'a> = serde_json::from_slice(line).ok()?;
    let res = data.resource_logs.into_iter().next()?;
    let rec = res
        .scope_logs
        .into_iter()
        .find_map(|s| s.log_records.into_iter().next())?;
    body(&rec, buf)?;
    env.mark(Kind::Otlp);
    let ns = |v: Option<&RawValue>| -> Option<i64> {
        let v = v?.get();
        let n: i64 = jstr::text(v).map_or_else(|| v.parse().ok(), |s| s.parse().ok())?;
        (n > 0).then_some(n)
    };
    env.ts = ns(rec.time_unix_nano)
        .or_else(|| ns(rec.observed_time_unix_nano))
        .map(|n| n.div_euclid(1000));
    env.ts_local = None;
    env.stamp = None;
    env.level = rec
        .severity_text
        .and_then(|s| jstr::text(s.get()))
        .and_then(|s| Level::from_name(&s))
        .or_else(|| rec.severity_number.and_then(severity));
    let names = env.names_mut();
    for kv in res.resource.unwrap_or_default().attributes {
        if let (Some(k), Some(v)) = (jstr::text(kv.key.get()), kv.value.and_then(label)) {
            names.label(k, v);
        }
    }
    if let Some(t) = rec.trace_id.and_then(|t| jstr::text(t.get()))
        && !t.is_empty()
        && !t.bytes().all(|b| b == b'0')
    {
        env.carried_mut().request_id = Some(t);
    }
    Some(())
}

/// The body as the text the normal detection reads.
fn body(rec: &Record<'_>, buf: &mut Vec<u8>) -> Option<()> {
    let body: Value = match rec.body {
        Some(b) => serde_json::from_str(b.get()).ok()?,
        None => Value::Null,
    };
    let text = body.get("stringValue").and_then(Value::as_str);
    if let Some(t) = text
        && (rec.attributes.is_empty() || t.starts_with('{'))
    {
        buf.extend_from_slice(t.trim_end_matches('\n').as_bytes());
        return Some(());
    }
    let mut obj = Map::new();
    match (text, body.get("kvlistValue")) {
        (Some(t), _) => {
            obj.insert("message".into(), Value::String(t.to_owned()));
        }
        (None, Some(kv)) => {
            if let Value::Object(m) = plain(&serde_json::json!({ "kvlistValue": kv })) {
                obj = m;
            }
        }
        (None, None) if !body.is_null() => {
            obj.insert("message".into(), plain(&body));
        }
        _ => {}
    }
    for kv in &rec.attributes {
        let (Some(k), Some(v)) = (jstr::text(kv.key.get()), kv.value) else {
            continue;
        };
        let v: Value = serde_json::from_str(v.get()).ok()?;
        obj.entry(k.into_owned()).or_insert_with(|| plain(&v));
    }
    serde_json::to_writer(&mut *buf, &Value::Object(obj)).ok()
}

/// An `AnyValue` as plain JSON: strings, numbers (`intValue` is a string of digits), bools,
/// arrays and objects.
fn plain(v: &Value) -> Value {
    let Value::Object(m) = v else {
        return v.clone();
    };
    let Some((k, inner)) = m.iter().next() else {
        return Value::Null;
    };
    match (k.as_str(), inner) {
        ("intValue", Value::String(s)) => s
            .parse::<i64>()
            .map_or_else(|_| inner.clone(), |n| Value::Number(n.into())),
        ("arrayValue", a) => Value::Array(
            a.get("values")
                .and_then(Value::as_array)
                .map(|vs| vs.iter().map(plain).collect())
                .unwrap_or_default(),
        ),
        ("kvlistValue", kv) => {
            let mut out = Map::new();
            for e in kv
                .get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(k) = e.get("key").and_then(Value::as_str) {
                    out.insert(k.to_owned(), e.get("value").map_or(Value::Null, plain));
                }
            }
            Value::Object(out)
        }
        (_, other) => other.clone(),
    }
}

/// An attribute's value as label text.
fn label(v: &RawValue) -> Option<std::borrow::Cow<'_, str>> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Any<'a> {
        #[serde(borrow)]
        string_value: Option<&'a RawValue>,
        #[serde(borrow)]
        int_value: Option<&'a RawValue>,
    }
    let a: Any<'_> = serde_json::from_str(v.get()).ok()?;
    a.string_value
        .or(a.int_value)
        .and_then(|s| jstr::text(s.get()))
}

/// `SeverityNumber`: 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN, 17-20 ERROR, 21-24 FATAL.
fn severity(n: i64) -> Option<Level> {
    Some(match n {
        1..=4 => Level::Trace,
        5..=8 => Level::Debug,
        9..=12 => Level::Info,
        13..=16 => Level::Warn,
        17..=20 => Level::Error,
        21..=24 => Level::Fatal,
        _ => return None,
    })
}
