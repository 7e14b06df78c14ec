//! Per source of enveloped lines (a pod's container, a systemd unit, a host's program, a
//! container): lines, errors, 5xx and latency, mergeable. A source is named from the
//! envelope's fields, else from the input's path where runtimes encode it (CRI and Docker
//! log paths). Must not format the report's table.

use rustc_hash::FxHashMap;

use super::intern::{NONE, remap};
use super::latency::{EXACT_CAP, LatStore};
use crate::parse::{Envelope, Level, LogEvent};

/// What one source's lines add up to.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct SourceAgg {
    pub lines: u64,
    pub errors: u64,
    pub status_5xx: u64,
    /// Completion lines' latency (and that of lines without a request id): once per request.
    pub latency: LatStore,
}

impl SourceAgg {
    fn merge(&mut self, o: &SourceAgg) {
        self.lines += o.lines;
        self.errors += o.errors;
        self.status_5xx += o.status_5xx;
        self.latency.merge(&o.latency, EXACT_CAP);
    }
}

/// The source an input's path names (`parse::origin`): `pod NAMESPACE/POD/CONTAINER` for the
/// kubelet's layouts, `container ID12` for Docker's.
pub fn from_path(path: &str) -> Option<String> {
    let n = crate::parse::origin::of_path(path);
    match (n.namespace, n.pod, n.container) {
        (Some(ns), Some(pod), Some(c)) => Some(format!("pod {ns}/{pod}/{c}")),
        (_, _, Some(c)) => Some(format!("container {c}")),
        _ => None,
    }
}

/// A source's name from a line's envelope: the pod (kubectl's prefix), else the unit (and
/// host), else the host and program; `None` when the envelope names none of them.
fn from_envelope(env: &Envelope<'_>, buf: &mut String) -> bool {
    buf.clear();
    if env.names.is_none() {
        return false;
    }
    if let Some(pod) = env.pod() {
        buf.push_str("pod ");
        buf.push_str(pod);
        if let Some(c) = env.container() {
            buf.push('/');
            buf.push_str(c);
        }
    } else if let Some(unit) = env.unit() {
        buf.push_str("unit ");
        if let Some(h) = env.host() {
            buf.push_str(h);
            buf.push('/');
        }
        buf.push_str(unit);
    } else if let Some(h) = env.host() {
        buf.push_str("host ");
        buf.push_str(h);
        if let Some(p) = env.ident() {
            buf.push('/');
            buf.push_str(p);
        }
    } else if let Some(c) = env.container() {
        buf.push_str("container ");
        buf.push_str(c);
    } else if let Some(s) = env.log_stream() {
        buf.push_str("stream ");
        buf.push_str(s);
    }
    !buf.is_empty()
}

/// Sources by interned name.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Sources {
    #[serde(with = "super::wire::map")]
    pub by_name: FxHashMap<u32, SourceAgg>,
    /// The name last built and its id: lines of one input mostly come from one source.
    #[serde(skip)]
    memo: String,
    #[serde(skip, default = "none")]
    memo_id: u32,
    #[serde(skip)]
    name: String,
}

impl Sources {
    /// Counts one parsed line; `origin` is its input's source by path (interned), if any.
    pub fn add(
        &mut self,
        ev: &LogEvent<'_>,
        origin: Option<u32>,
        names: &mut super::intern::Interner,
    ) {
        let id = if from_envelope(&ev.env, &mut self.name) {
            if self.memo_id == NONE || self.memo != self.name {
                self.memo_id = names.intern(&self.name);
                std::mem::swap(&mut self.memo, &mut self.name);
            }
            self.memo_id
        } else {
            match origin {
                Some(o) => o,
                None => return,
            }
        };
        let s = self.by_name.entry(id).or_default();
        s.lines += 1;
        s.errors += ev.level.is_some_and(|l| l >= Level::Error) as u64;
        s.status_5xx += ev.status.is_some_and(|st| st >= 500) as u64;
        if let Some(ms) = ev.latency_ms
            && (ev.request_id.is_none() || ev.status.is_some())
        {
            s.latency.push(ms as f32, EXACT_CAP);
        }
    }

    /// Merges a later part whose interned ids `map` carries into ours.
    pub fn merge_remapped(&mut self, o: Sources, map: &[u32]) {
        for (id, agg) in o.by_name {
            self.by_name.entry(remap(id, map)).or_default().merge(&agg);
        }
    }
}

impl Sources {
    pub fn new() -> Sources {
        Sources {
            memo_id: NONE,
            ..Sources::default()
        }
    }
}

/// The memo's id before any name is built.
fn none() -> u32 {
    NONE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_paths_name_their_source() {
        assert_eq!(
            from_path("/var/log/pods/shop_shop-api-7d9f8b6c4-x2x9z_2de2a279-df30-4567-ad95-39be37b6e27c/api/0.log")
                .as_deref(),
            Some("pod shop/shop-api-7d9f8b6c4-x2x9z/api")
        );
        let id = "8ddb05b8cc8bc2d7405ce95f93659cdbb0d51b0da4b8ed3e8817d19db3cb1544";
        assert_eq!(
            from_path(&format!(
                "testdata/var/log/containers/shop-api-7d9f8b6c4-x2x9z_shop_api-{id}.log"
            ))
            .as_deref(),
            Some("pod shop/shop-api-7d9f8b6c4-x2x9z/api")
        );
        assert_eq!(
            from_path(&format!("/var/lib/docker/containers/{id}/{id}-json.log")).as_deref(),
            Some("container 8ddb05b8cc8b")
        );
        assert_eq!(from_path("/var/log/nginx/error.log"), None);
        assert_eq!(from_path("app.log"), None);
    }
}
