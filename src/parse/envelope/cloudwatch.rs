//! AWS CloudWatch Logs: one event of `aws logs filter-log-events` (`FilteredLogEvent`:
//! `logStreamName`, `timestamp` and `ingestionTime` in epoch milliseconds, `message`,
//! `eventId`), as `input::document` writes the response's `events` one a line. The stream
//! name becomes the line's names; must not parse the message.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::types::{Envelope, Kind};
use crate::parse::jstr;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event<'a> {
    #[serde(borrow)]
    log_stream_name: Option<&'a RawValue>,
    timestamp: Option<i64>,
    ingestion_time: Option<i64>,
    #[serde(borrow)]
    message: &'a RawValue,
    #[serde(borrow)]
    event_id: Option<&'a RawValue>,
}

/// The message into `buf`, the stream and time into `env`.
pub fn unwrap<'a>(line: &'a [u8], env: &mut Envelope<'a>, buf: &mut Vec<u8>) -> Option<()> {
    buf.clear();
    let e: Event<'a> = serde_json::from_slice(line).ok()?;
    if e.log_stream_name.is_none() && e.event_id.is_none() {
        return None;
    }
    jstr::decode(e.message.get().as_bytes(), 0, buf)?;
    env.mark(Kind::Cloudwatch);
    env.ts = e
        .timestamp
        .or(e.ingestion_time)
        .and_then(|ms| ms.checked_mul(1000));
    env.ts_local = None;
    env.stamp = None;
    if let Some(s) = e.log_stream_name.and_then(|s| jstr::text(s.get())) {
        let names = env.names_mut();
        names.log_stream = Some(s.clone());
        names.label("logStreamName".into(), s);
    }
    if buf.ends_with(b"\n") {
        buf.pop();
    }
    Some(())
}
