//! Elasticsearch and OpenSearch documents: one search hit (`{"_index":..,"_id":..,
//! "_source":{..}}`, as a `_search` response holds them, as `input::document` writes them one
//! a line, and as `elasticdump` writes its data files). The `_source` is what Filebeat or
//! another ECS shipper wrote: `@timestamp`, the raw line in `message`, `host.name`,
//! `kubernetes.pod.name`, `container.name`, `log.file.path`; a document an ECS logger wrote
//! itself (it carries `log.level`) is the record, read as JSON. Must not parse the line.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::types::{Envelope, Kind};
use crate::parse::jstr;

#[derive(Deserialize)]
struct Hit<'a> {
    #[serde(rename = "_index", borrow)]
    index: Option<&'a RawValue>,
    #[serde(rename = "_source", borrow)]
    source: &'a RawValue,
}

#[derive(Deserialize, Default)]
struct Source<'a> {
    #[serde(rename = "@timestamp", borrow)]
    timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    message: Option<&'a RawValue>,
    #[serde(borrow, default)]
    log: Option<Log<'a>>,
    #[serde(borrow, default)]
    host: Option<Named<'a>>,
    #[serde(borrow, default)]
    container: Option<Named<'a>>,
    #[serde(borrow, default)]
    service: Option<Named<'a>>,
    #[serde(borrow, default)]
    kubernetes: Option<Kube<'a>>,
    #[serde(borrow)]
    stream: Option<&'a RawValue>,
    /// ecs-logging writes its level as a dotted key.
    #[serde(rename = "log.level", borrow)]
    log_level: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct Log<'a> {
    #[serde(borrow)]
    level: Option<&'a RawValue>,
    #[serde(borrow, default)]
    file: Option<Path<'a>>,
}

#[derive(Deserialize, Default)]
struct Path<'a> {
    #[serde(borrow)]
    path: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct Named<'a> {
    #[serde(borrow)]
    name: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct Kube<'a> {
    #[serde(borrow, default)]
    pod: Option<Named<'a>>,
    #[serde(borrow, default)]
    container: Option<Named<'a>>,
    #[serde(borrow)]
    namespace: Option<&'a RawValue>,
}

fn name<'a>(n: &Option<Named<'a>>) -> Option<&'a RawValue> {
    n.as_ref().and_then(|n| n.name)
}

/// The shipped line (or the document itself) into `buf`, the shipper's fields into `env`.
pub fn unwrap<'a>(line: &'a [u8], env: &mut Envelope<'a>, buf: &mut Vec<u8>) -> Option<()> {
    buf.clear();
    let hit: Hit<'a> = serde_json::from_slice(line).ok()?;
    let raw = hit.source.get();
    if !raw.starts_with('{') {
        return None;
    }
    let src: Source<'a> = serde_json::from_str(raw).ok()?;
    let own_record = src.log_level.is_some() || src.log.as_ref().is_some_and(|l| l.level.is_some());
    match src.message {
        Some(m) if !own_record => {
            jstr::decode(m.get().as_bytes(), 0, buf)?;
        }
        _ => buf.extend_from_slice(raw.as_bytes()),
    }
    env.mark(Kind::Elasticsearch);
    if let Some(ts) = src.timestamp {
        let ts = ts.get();
        if let Some(t) = ts.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            env.stamp = Some(t.as_bytes());
        }
        env.ts = None;
    }
    let names = env.names_mut();
    let mut put = |k: &'static str, v: Option<&'a RawValue>| {
        if let Some(v) = v.and_then(|v| jstr::text(v.get())) {
            names.label(k.into(), v);
        }
    };
    let kube = src.kubernetes.unwrap_or_default();
    put("kubernetes.pod.name", name(&kube.pod));
    put("kubernetes.container.name", name(&kube.container));
    put("kubernetes.namespace", kube.namespace);
    put("container.name", name(&src.container));
    put("host.name", name(&src.host));
    put("service.name", name(&src.service));
    put(
        "log.file.path",
        src.log.and_then(|l| l.file).and_then(|f| f.path),
    );
    put("_index", hit.index);
    if let Some(s) = src.stream.and_then(|s| jstr::text(s.get())) {
        env.stream = super::types::Stream::parse(s.as_bytes());
    }
    if buf.ends_with(b"\n") {
        buf.pop();
    }
    Some(())
}
