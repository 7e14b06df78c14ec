//! The field-alias table: which JSON keys (top level and nested) feed which canonical field.
//! Built once in config; the JSON scanner walks it. Must not parse values itself.

use rustc_hash::FxHashMap;

/// Canonical fields the report understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Canonical {
    Ts,
    Level,
    Msg,
    RequestId,
    ErrorType,
    Traceback,
    Latency,
    Method,
    Path,
    Request,
    Status,
    Client,
    Upstream,
}

impl Canonical {
    pub const COUNT: usize = 13;

    /// Names accepted by `--field CANONICAL=NAME`.
    pub fn from_user(s: &str) -> Option<Canonical> {
        Some(match s {
            "timestamp" | "ts" | "time" => Canonical::Ts,
            "level" => Canonical::Level,
            "message" | "msg" => Canonical::Msg,
            "request_id" => Canonical::RequestId,
            "error_type" => Canonical::ErrorType,
            "traceback" | "stack" => Canonical::Traceback,
            "latency" => Canonical::Latency,
            "method" => Canonical::Method,
            "path" => Canonical::Path,
            "request" => Canonical::Request,
            "status" => Canonical::Status,
            "client" => Canonical::Client,
            "upstream" => Canonical::Upstream,
            _ => return None,
        })
    }

    pub const USER_NAMES: &'static str = "timestamp, level, message, request_id, error_type, traceback, latency, method, path, request, status, client, upstream";
}

/// Unit of a latency value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Unit {
    S,
    Ms,
    Us,
    Ns,
    /// From a string value's suffix (`"12ms"`), else seconds.
    #[default]
    Auto,
}

impl Unit {
    pub fn parse(s: &str) -> Option<Unit> {
        Some(match s {
            "s" => Unit::S,
            "ms" => Unit::Ms,
            "us" | "µs" => Unit::Us,
            "ns" => Unit::Ns,
            _ => return None,
        })
    }

    /// The unit a key's suffix states: `_ms`/`Ms`, `_us`, `_ns`, `_s`/`_sec`/`_seconds`.
    pub fn from_key(key: &str) -> Unit {
        let k = key.to_ascii_lowercase();
        if k.ends_with("_ms") || key.ends_with("Ms") || k.ends_with("_millis") {
            Unit::Ms
        } else if k.ends_with("_us") || key.ends_with("Us") || k.ends_with("_micros") {
            Unit::Us
        } else if k.ends_with("_ns") || key.ends_with("Ns") || k.ends_with("_nanos") {
            Unit::Ns
        } else if k.ends_with("_s")
            || k.ends_with("_sec")
            || k.ends_with("_secs")
            || k.ends_with("_seconds")
        {
            Unit::S
        } else {
            Unit::Auto
        }
    }

    pub fn to_ms(self, v: f64) -> f64 {
        match self {
            Unit::S | Unit::Auto => v * 1e3,
            Unit::Ms => v,
            Unit::Us => v / 1e3,
            Unit::Ns => v / 1e6,
        }
    }
}

/// What a key contributes when its value is a scalar.
#[derive(Clone, Copy, Debug)]
pub struct Leaf {
    pub field: Canonical,
    pub unit: Unit,
    /// Lower wins when several aliases are present on one line.
    pub rank: u32,
}

/// Node flags marking nginx JSON access records (`log_format ... escape=json`).
pub const PROXY_ADDR: u8 = 1;
pub const PROXY_HINT: u8 = 2;
/// Marks a journald entry (`journalctl -o json`), whose keys come in any order.
pub const JOURNAL: u8 = 4;
/// Mark the records of log stores (`envelope::store`): a key of each store's record shape.
pub const LOKI: u8 = 8;
pub const ELASTIC: u8 = 16;
pub const CLOUDWATCH: u8 = 32;
pub const GCP: u8 = 64;
pub const OTLP: u8 = 128;
/// Any of the log stores' marks.
pub const STORES: u8 = LOKI | ELASTIC | CLOUDWATCH | GCP | OTLP;

#[derive(Default, Debug, Clone)]
pub struct Node {
    /// Keys up to 15 bytes, packed into an integer: hashing and comparing them is two
    /// multiplications and two compares instead of a byte loop and a memcmp.
    short: FxHashMap<u128, u32>,
    /// Longer keys, by raw bytes.
    long: FxHashMap<Box<[u8]>, u32>,
    pub leaf: Option<Leaf>,
    pub flags: u8,
}

/// Alias tree. Node 0 is the top-level object; containers such as tracing's `fields` or
/// loguru's `extra` link back to it, so every alias also works inside them.
#[derive(Debug, Clone)]
pub struct FieldSpec {
    pub nodes: Vec<Node>,
}

pub const ROOT: u32 = 0;

/// Per-worker memo of the keys met at each position of the previous line.
#[derive(Default, Debug)]
pub struct KeyCache {
    seen: Vec<(u32, u128, u32)>,
    pos: usize,
}

impl KeyCache {
    const MAX: usize = 64;

    pub fn start_line(&mut self) {
        self.pos = 0;
    }

    /// If `buf[at..]` holds, followed by a closing quote, the short key met at this position
    /// of the previous line under `node`, consumes the position and returns its child and
    /// the key's length. Cached keys never contain `"` or `\\` (they were read unescaped).
    #[inline]
    pub fn speculate(&mut self, node: u32, buf: &[u8], at: usize) -> Option<(Option<u32>, usize)> {
        self.speculate_until(node, buf, at, b'"')
    }

    /// `speculate` for keys that end where `end` follows them (`=` for logfmt). Cached keys
    /// never contain it.
    #[inline]
    pub fn speculate_until(
        &mut self,
        node: u32,
        buf: &[u8],
        at: usize,
        end: u8,
    ) -> Option<(Option<u32>, usize)> {
        let &(n, packed, child) = self.seen.get(self.pos)?;
        if n != node {
            return None;
        }
        let len = (packed >> 120) as usize;
        if buf.get(at + len) != Some(&end) || pack_at(buf, at, len) != Some(packed) {
            return None;
        }
        self.pos += 1;
        Some(((child != u32::MAX).then_some(child), len))
    }
}

/// `pack` of `buf[start..start + len]` with one 16-byte load when the buffer allows it.
#[inline]
pub fn pack_at(buf: &[u8], start: usize, len: usize) -> Option<u128> {
    if len > 15 {
        return None;
    }
    match buf.get(start..start + 16) {
        Some(w) => {
            let v = u128::from_le_bytes(w.try_into().expect("16 bytes"));
            let mask = (1u128 << (8 * len)) - 1;
            Some((v & mask) | ((len as u128) << 120))
        }
        None => pack(&buf[start..start + len]),
    }
}

/// A key of at most 15 bytes as one integer: the bytes, zero-padded, with the length on top.
#[inline]
fn pack(key: &[u8]) -> Option<u128> {
    if key.len() > 15 {
        return None;
    }
    let mut buf = [0u8; 16];
    buf[..key.len()].copy_from_slice(key);
    buf[15] = key.len() as u8;
    Some(u128::from_le_bytes(buf))
}
const USER_RANK: u32 = 0;
const DEFAULT_RANK: u32 = 1 << 16;

impl FieldSpec {
    #[inline]
    pub fn child(&self, node: u32, key: &[u8]) -> Option<u32> {
        let n = &self.nodes[node as usize];
        match pack(key) {
            Some(p) => n.short.get(&p).copied(),
            None => n.long.get(key).copied(),
        }
    }

    /// `child`, remembering the answer by the key's position in the line: lines from one
    /// logger repeat their keys in the same order, so most lookups become one compare.
    /// `packed` is the key packed by `pack_at` (`None` for keys over 15 bytes).
    #[inline]
    pub fn child_cached_packed(
        &self,
        node: u32,
        key: &[u8],
        packed: Option<u128>,
        kc: &mut KeyCache,
    ) -> Option<u32> {
        let Some(p) = packed else {
            return self.nodes[node as usize].long.get(key).copied();
        };
        let i = kc.pos;
        kc.pos += 1;
        if let Some(&(n, k, c)) = kc.seen.get(i)
            && n == node
            && k == p
        {
            return (c != u32::MAX).then_some(c);
        }
        let found = self.nodes[node as usize].short.get(&p).copied();
        let entry = (node, p, found.unwrap_or(u32::MAX));
        if i < kc.seen.len() {
            kc.seen[i] = entry;
        } else if i < KeyCache::MAX {
            kc.seen.push(entry);
        }
        found
    }

    fn insert_child(&mut self, node: u32, key: &[u8], child: u32) {
        let n = &mut self.nodes[node as usize];
        match pack(key) {
            Some(p) => n.short.insert(p, child),
            None => n.long.insert(key.into(), child),
        };
    }

    #[inline]
    pub fn node(&self, node: u32) -> &Node {
        &self.nodes[node as usize]
    }

    fn walk(&mut self, path: &[&str]) -> u32 {
        let mut at = ROOT;
        for key in path {
            at = match self.child(at, key.as_bytes()) {
                Some(c) => c,
                None => {
                    self.nodes.push(Node::default());
                    let id = (self.nodes.len() - 1) as u32;
                    self.insert_child(at, key.as_bytes(), id);
                    id
                }
            };
        }
        at
    }

    fn leaf(&mut self, path: &[&str], field: Canonical, unit: Unit, rank: u32) {
        let id = self.walk(path);
        let node = &mut self.nodes[id as usize];
        let better = node.leaf.is_none_or(|l| rank < l.rank);
        if better {
            node.leaf = Some(Leaf { field, unit, rank });
        }
    }

    fn link(&mut self, path: &[&str], target: u32) {
        let (last, parent) = path.split_last().expect("non-empty path");
        let p = self.walk(parent);
        self.insert_child(p, last.as_bytes(), target);
    }

    fn flag(&mut self, path: &[&str], flag: u8) {
        let id = self.walk(path);
        self.nodes[id as usize].flags |= flag;
    }

    /// A user mapping from `--field CANONICAL=NAME` or `--latency-field NAME:unit`: NAME is a
    /// key, or a dotted path into nested objects; a literal dotted key also matches.
    pub fn add_user(&mut self, field: Canonical, name: &str, unit: Option<Unit>) {
        let unit = unit.unwrap_or_else(|| Unit::from_key(name));
        self.leaf(&[name], field, unit, USER_RANK);
        let parts: Vec<&str> = name.split('.').collect();
        if parts.len() > 1 && parts.iter().all(|p| !p.is_empty()) {
            self.leaf(&parts, field, unit, USER_RANK);
        }
    }

    /// The built-in aliases of common loggers.
    pub fn defaults() -> FieldSpec {
        use Canonical::*;
        let mut s = FieldSpec {
            nodes: vec![Node::default()],
        };
        let mut rank = DEFAULT_RANK;
        fn add_at(s: &mut FieldSpec, rank: &mut u32, path: &str, f: Canonical) {
            let parts: Vec<&str> = path.split('.').collect();
            let unit = Unit::from_key(parts.last().unwrap());
            s.leaf(&parts, f, unit, *rank);
            if parts.len() > 1 {
                // ECS and others also write nested names as literal dotted keys.
                s.leaf(&[path], f, unit, *rank);
            }
            *rank += 1;
        }
        for p in [
            "timestamp",
            "time",
            "ts",
            "@timestamp",
            "asctime",
            "datetime",
            "time_iso8601",
            "time_local",
            "record.time.timestamp",
        ] {
            add_at(&mut s, &mut rank, p, Ts);
        }
        for p in [
            "level",
            "levelname",
            "severity",
            "lvl",
            "log.level",
            "record.level.name",
            "loglevel",
        ] {
            add_at(&mut s, &mut rank, p, Level);
        }
        for p in ["msg", "message", "event", "record.message"] {
            add_at(&mut s, &mut rank, p, Msg);
        }
        for p in [
            "request_id",
            "requestId",
            "req_id",
            "reqId",
            "x_request_id",
            "x-request-id",
            "trace_id",
            "correlation_id",
            "correlationId",
            "req.id",
            "req.headers.x-request-id",
            "http.request.id",
            "rid",
            // Trace ids: the request's id when nothing names one (W3C `traceparent` and
            // AWS's `Root=` header are reduced to their trace-id part).
            "traceId",
            "trace.id",
            "traceparent",
            "x-amzn-trace-id",
            "x_amzn_trace_id",
        ] {
            add_at(&mut s, &mut rank, p, RequestId);
        }
        for p in [
            "error_type",
            "exc_type",
            "err.type",
            "error.kind",
            "error.type",
            "exception.type",
            "record.exception.type",
            "err.name",
        ] {
            add_at(&mut s, &mut rank, p, ErrorType);
        }
        for p in [
            "exc_info",
            "exception",
            "stack",
            "stack_trace",
            "traceback",
            "err.stack",
            "error.stack",
            "error.stack_trace",
            "exception.stacktrace",
            "exc_text",
        ] {
            add_at(&mut s, &mut rank, p, Traceback);
        }
        for p in [
            "duration_ms",
            "durationMs",
            "elapsed_ms",
            "elapsedMs",
            "latencyMs",
            "responseTimeMs",
            "latency_ms",
            "response_time_ms",
            "request_time_ms",
            "took_ms",
            "duration_us",
            "durationUs",
            "elapsedUs",
            "latencyUs",
            "duration_ns",
            "durationNs",
            "elapsedNs",
            "latencyNs",
            "duration",
            "elapsed",
            "latency",
            "response_time",
            "request_time",
            "took",
        ] {
            add_at(&mut s, &mut rank, p, Latency);
        }
        // Conventions whose unit the key does not say: pino-http and ECS.
        s.leaf(&["responseTime"], Latency, Unit::Ms, rank);
        s.leaf(&["event", "duration"], Latency, Unit::Ns, rank + 1);
        s.leaf(&["event.duration"], Latency, Unit::Ns, rank + 1);
        rank += 2;
        let _ = rank;
        for p in [
            "method",
            "http_method",
            "request_method",
            "req.method",
            "http.request.method",
        ] {
            add_at(&mut s, &mut rank, p, Method);
        }
        for p in [
            "route",
            "endpoint",
            "path",
            "uri",
            "url",
            "request_uri",
            "req.url",
            "url.path",
        ] {
            add_at(&mut s, &mut rank, p, Path);
        }
        add_at(&mut s, &mut rank, "request", Request);
        for p in [
            "status",
            "status_code",
            "statusCode",
            "http_status",
            "res.statusCode",
            "http.response.status_code",
        ] {
            add_at(&mut s, &mut rank, p, Status);
        }
        for p in [
            "remote_addr",
            "client_ip",
            "clientIp",
            "remote_ip",
            "req.remoteAddress",
        ] {
            add_at(&mut s, &mut rank, p, Client);
        }
        for p in ["upstream_addr", "upstream"] {
            add_at(&mut s, &mut rank, p, Upstream);
        }
        s.flag(&["remote_addr"], PROXY_ADDR);
        s.flag(&["__REALTIME_TIMESTAMP"], JOURNAL);
        for (key, flag) in [
            ("line", LOKI),
            ("values", LOKI),
            ("_source", ELASTIC),
            ("logStreamName", CLOUDWATCH),
            ("ingestionTime", CLOUDWATCH),
            ("logName", GCP),
            ("insertId", GCP),
            ("resourceLogs", OTLP),
        ] {
            s.flag(&[key], flag);
        }
        for p in [
            "request_time",
            "upstream_status",
            "upstream_response_time",
            "body_bytes_sent",
        ] {
            s.flag(&[p], PROXY_HINT);
        }
        // Containers whose keys are read like the top level.
        for p in [
            &["fields"][..],
            &["extra"],
            &["record", "extra"],
            &["span"],
            &["spans"],
            &["context"],
            &["ctx"],
        ] {
            s.link(p, ROOT);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_at_matches_pack() {
        let buf = b"{\"level\":\"x\",\"a_very_long_key_name\":1}";
        for (start, len) in [(2usize, 5usize), (15, 20), (1, 0), (30, 3)] {
            assert_eq!(
                pack_at(buf, start, len),
                pack(&buf[start..start + len]),
                "{start} {len}"
            );
        }
    }

    #[test]
    fn units_from_key() {
        assert_eq!(Unit::from_key("duration_ms"), Unit::Ms);
        assert_eq!(Unit::from_key("latencyMs"), Unit::Ms);
        assert_eq!(Unit::from_key("elapsed_us"), Unit::Us);
        assert_eq!(Unit::from_key("took_ns"), Unit::Ns);
        assert_eq!(Unit::from_key("request_time"), Unit::Auto);
        assert_eq!(Unit::from_key("duration_seconds"), Unit::S);
    }

    #[test]
    fn nested_and_linked_paths_resolve() {
        let s = FieldSpec::defaults();
        let rec = s.child(ROOT, b"record").unwrap();
        let time = s.child(rec, b"time").unwrap();
        let ts = s.child(time, b"timestamp").unwrap();
        assert_eq!(s.node(ts).leaf.unwrap().field, Canonical::Ts);
        assert_eq!(s.child(ROOT, b"fields"), Some(ROOT));
        let dotted = s.child(ROOT, b"log.level").unwrap();
        assert_eq!(s.node(dotted).leaf.unwrap().field, Canonical::Level);
    }

    #[test]
    fn user_mapping_outranks_defaults() {
        let mut s = FieldSpec::defaults();
        s.add_user(Canonical::RequestId, "traceId", None);
        let n = s.child(ROOT, b"traceId").unwrap();
        let rid = s.child(ROOT, b"request_id").unwrap();
        assert!(s.node(n).leaf.unwrap().rank < s.node(rid).leaf.unwrap().rank);
    }
}
