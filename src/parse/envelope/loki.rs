//! Grafana Loki: `logcli query --output=jsonl` lines (`{"labels":{..},"line":"..",
//! "timestamp":"<RFC 3339>"}`, Go's sorted keys) and one stream value of a `query_range`
//! response as `input::document` writes it (`{"stream":{..},"values":[["<ns>","<line>"]]}`).
//! The labels become the line's names; must not parse the line itself.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::types::{Envelope, Kind};
use crate::parse::jstr;

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(borrow)]
    labels: Option<BTreeMap<&'a str, &'a RawValue>>,
    #[serde(borrow)]
    line: Option<&'a RawValue>,
    #[serde(borrow)]
    timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    stream: Option<BTreeMap<&'a str, &'a RawValue>>,
    #[serde(borrow)]
    values: Option<Vec<Vec<&'a RawValue>>>,
}

/// Decodes the line into `buf` and the labels and time into `env`.
pub fn unwrap<'a>(line: &'a [u8], env: &mut Envelope<'a>, buf: &mut Vec<u8>) -> Option<()> {
    buf.clear();
    let e: Entry<'a> = serde_json::from_slice(line).ok()?;
    let (labels, text) = match (e.line, e.values) {
        (Some(text), None) => {
            // logcli: the time is RFC 3339 (nanoseconds), read only if the line has none.
            let ts = e.timestamp?.get();
            let ts = ts.strip_prefix('"')?.strip_suffix('"')?;
            env.stamp = Some(ts.as_bytes());
            env.ts = None;
            (e.labels, text)
        }
        (None, Some(values)) => {
            // query_range: `[["<unix ns>", "<line>"(, {structured metadata})]]`.
            let [ns, text, ..] = values.first()?.as_slice() else {
                return None;
            };
            let ns: i64 = jstr::text(ns.get())?.parse().ok()?;
            env.ts = Some(ns.div_euclid(1000));
            env.ts_local = None;
            env.stamp = None;
            (e.stream, *text)
        }
        _ => return None,
    };
    jstr::decode(text.get().as_bytes(), 0, buf)?;
    env.mark(Kind::Loki);
    if let Some(labels) = labels {
        let names = env.names_mut();
        for (k, v) in labels {
            if let Some(v) = jstr::text(v.get()) {
                names.label(k.into(), v);
            }
        }
    }
    if buf.ends_with(b"\n") {
        buf.pop();
    }
    Some(())
}
