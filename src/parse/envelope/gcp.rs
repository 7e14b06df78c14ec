//! Google Cloud Logging: one `LogEntry` (REST v2) of `gcloud logging read --format=json`,
//! whose array `input::document` writes one entry a line: `timestamp` (RFC 3339), `severity`,
//! `textPayload` (the line) or `jsonPayload` (the record the agent parsed from it),
//! `httpRequest` (`requestMethod`, `requestUrl`, `status`, `latency` as `"0.123s"`), `trace`
//! (`projects/P/traces/ID`: the request id), `resource.labels` and `labels`. Must not parse
//! the payload.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::types::{Envelope, Kind};
use crate::parse::jstr;
use crate::parse::level::Level;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry<'a> {
    #[serde(borrow)]
    log_name: Option<&'a RawValue>,
    #[serde(borrow)]
    insert_id: Option<&'a RawValue>,
    #[serde(borrow)]
    timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    receive_timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    severity: Option<&'a RawValue>,
    #[serde(borrow)]
    text_payload: Option<&'a RawValue>,
    #[serde(borrow)]
    json_payload: Option<&'a RawValue>,
    #[serde(borrow, default)]
    http_request: Option<Http<'a>>,
    #[serde(borrow)]
    trace: Option<&'a RawValue>,
    #[serde(borrow, default)]
    resource: Option<Resource<'a>>,
    #[serde(borrow, default)]
    labels: Option<BTreeMap<&'a str, &'a RawValue>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Http<'a> {
    #[serde(borrow)]
    request_method: Option<&'a RawValue>,
    #[serde(borrow)]
    request_url: Option<&'a RawValue>,
    status: Option<u16>,
    #[serde(borrow)]
    latency: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Resource<'a> {
    #[serde(borrow, default)]
    labels: Option<BTreeMap<&'a str, &'a RawValue>>,
}

/// The payload into `buf` (a text payload decoded, a JSON payload as it is), the entry's
/// fields into `env`.
pub fn unwrap<'a>(line: &'a [u8], env: &mut Envelope<'a>, buf: &mut Vec<u8>) -> Option<()> {
    buf.clear();
    let e: Entry<'a> = serde_json::from_slice(line).ok()?;
    if e.log_name.is_none() && e.insert_id.is_none() {
        return None;
    }
    match (e.text_payload, e.json_payload) {
        (Some(t), _) => {
            jstr::decode(t.get().as_bytes(), 0, buf)?;
        }
        (None, Some(j)) if j.get().starts_with('{') => buf.extend_from_slice(j.get().as_bytes()),
        _ if e.http_request.is_some() => {}
        _ => return None,
    }
    env.mark(Kind::GcpLogging);
    if let Some(t) = e
        .timestamp
        .or(e.receive_timestamp)
        .and_then(|t| t.get().strip_prefix('"')?.strip_suffix('"'))
    {
        env.stamp = Some(t.as_bytes());
        env.ts = None;
    }
    env.level = e
        .severity
        .and_then(|s| jstr::text(s.get()))
        .and_then(|s| severity(&s));
    let names = env.names_mut();
    let resource = e.resource.and_then(|r| r.labels).unwrap_or_default();
    for (k, v) in resource.into_iter().chain(e.labels.unwrap_or_default()) {
        if let Some(v) = jstr::text(v.get()) {
            names.label(k.into(), v);
        }
    }
    let text = |v: Option<&'a RawValue>| v.and_then(|v| jstr::text(v.get()));
    let trace = text(e.trace).map(|t| match t.rsplit_once("/traces/") {
        Some((_, id)) => id.to_owned().into(),
        None => t,
    });
    if trace.is_some() || e.http_request.is_some() {
        let c = env.carried_mut();
        c.request_id = trace;
        if let Some(h) = e.http_request {
            c.method = text(h.request_method);
            c.path = text(h.request_url).map(|u| path_of(&u).to_owned().into());
            c.status = h.status.filter(|&s| s > 0);
            c.latency_ms = text(h.latency).and_then(|l| duration_ms(&l));
        }
    }
    if buf.ends_with(b"\n") {
        buf.pop();
    }
    Some(())
}

/// A request URL's path and query (`requestUrl` is absolute for load balancers).
fn path_of(url: &str) -> &str {
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    }
}

/// A protobuf `Duration` as JSON writes it: seconds with up to nine decimals and `s`.
fn duration_ms(s: &str) -> Option<f64> {
    let secs: f64 = s.strip_suffix('s')?.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then_some(secs * 1e3)
}

/// `LogSeverity` names.
fn severity(s: &str) -> Option<Level> {
    Some(match s {
        "DEBUG" => Level::Debug,
        "INFO" | "NOTICE" => Level::Info,
        "WARNING" => Level::Warn,
        "ERROR" => Level::Error,
        "CRITICAL" | "ALERT" | "EMERGENCY" => Level::Fatal,
        _ => return None,
    })
}
