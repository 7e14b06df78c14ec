//! JSON-lines parser: walks one object with serde_json, keeping only the values the alias
//! table asks for and skipping the rest unparsed-into-values. Must not build a `Value` tree.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::cache::ParseCache;
use super::event::LogEvent;
use super::fields::{FieldSpec, PROXY_ADDR, PROXY_HINT, ROOT};
use super::format::Format;
use super::json_scan::ScanCache;
use super::picked::{Picked, Raw};
use super::time::Zone;

/// Object keys, borrowed when they contain no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Visits one value at one node of the alias tree.
struct Scan<'s, 'p, 'a> {
    spec: &'s FieldSpec,
    node: u32,
    depth: u32,
    out: &'p mut Picked<'a>,
}

impl<'a> Scan<'_, '_, 'a> {
    fn scalar(self, v: Raw<'a>) {
        let node = self.spec.node(self.node);
        self.out.mark(node.flags);
        if let Some(l) = node.leaf {
            self.out.offer_leaf(l, self.depth, v);
        }
    }
}

impl<'de> DeserializeSeed<'de> for Scan<'_, '_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Scan<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.out.mark(self.spec.node(self.node).flags);
        while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
            match self.spec.child(self.node, k.as_bytes()) {
                Some(child) if self.depth < 32 => map.next_value_seed(Scan {
                    spec: self.spec,
                    node: child,
                    depth: self.depth + 1,
                    out: &mut *self.out,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // Arrays (tracing's `spans`) are read element by element at the same node.
        if self.depth == 0 || self.depth >= 32 {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        while seq
            .next_element_seed(Scan {
                spec: self.spec,
                node: self.node,
                depth: self.depth,
                out: &mut *self.out,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<(), E> {
        self.scalar(Raw::Str(Cow::Borrowed(v)));
        Ok(())
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.scalar(Raw::Str(Cow::Owned(v.to_owned())));
        Ok(())
    }
    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.scalar(Raw::U(v));
        Ok(())
    }
    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.scalar(Raw::I(v));
        Ok(())
    }
    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.scalar(Raw::F(v));
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// Picks the aliased values out of one JSON line: the fast scanner first, serde_json's full
/// walk when the scanner declines. `None` if it is not one JSON object.
pub fn pick<'a>(line: &'a [u8], spec: &FieldSpec, cache: &mut ScanCache) -> Option<Picked<'a>> {
    let mut out = Picked::default();
    pick_into(line, spec, cache, &mut out).then_some(out)
}

/// `pick` into a caller's value, so the per-line hot path moves nothing.
pub fn pick_into<'a>(
    line: &'a [u8],
    spec: &FieldSpec,
    cache: &mut ScanCache,
    out: &mut Picked<'a>,
) -> bool {
    if super::json_scan::pick_into(line, spec, cache, out) {
        return true;
    }
    *out = Picked::default();
    match pick_serde(line, spec) {
        Some(p) => {
            *out = p;
            true
        }
        None => false,
    }
}

/// The full serde_json walk: exact JSON validation of the whole line.
pub fn pick_serde<'a>(line: &'a [u8], spec: &FieldSpec) -> Option<Picked<'a>> {
    let mut out = Picked::default();
    let mut de = serde_json::Deserializer::from_slice(line);
    Scan {
        spec,
        node: ROOT,
        depth: 0,
        out: &mut out,
    }
    .deserialize(&mut de)
    .ok()?;
    de.end().ok()?;
    Some(out)
}

pub fn parse<'a>(
    line: &'a [u8],
    spec: &FieldSpec,
    zone: &Zone,
    cache: &mut ParseCache,
) -> Option<LogEvent<'a>> {
    let mut ev = LogEvent::default();
    parse_into(line, spec, zone, cache, &mut ev).then_some(ev)
}

/// `parse` into a default event of the caller's, so the hot path moves nothing; false when
/// the line is not one JSON object (the event is then left as it was).
pub fn parse_into<'a>(
    line: &'a [u8],
    spec: &FieldSpec,
    zone: &Zone,
    cache: &mut ParseCache,
    ev: &mut LogEvent<'a>,
) -> bool {
    let mut p = Picked::default();
    if !pick_into(line, spec, &mut cache.scan, &mut p) {
        return false;
    }
    cache.json_flags = p.flags();
    ev.format = Some(
        if p.flags() & (PROXY_ADDR | PROXY_HINT) == PROXY_ADDR | PROXY_HINT {
            Format::NginxJson
        } else {
            Format::Json
        },
    );
    p.fill(zone, &mut cache.zone, cache.auto_latency, ev);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Level;
    use crate::parse::fields::Unit;
    use crate::parse::picked::latency_ms;

    fn ev(line: &str) -> LogEvent<'_> {
        let spec = FieldSpec::defaults();
        parse(
            line.as_bytes(),
            &spec,
            &Zone::parse("UTC").unwrap(),
            &mut ParseCache::default(),
        )
        .unwrap()
    }

    #[test]
    fn python_json_logger_line() {
        let e = ev(
            r#"{"asctime": "2025-05-06 04:00:08,123", "levelname": "ERROR", "message": "boom", "request_id": "abc", "method": "POST", "path": "/x/1", "status": 500, "duration_ms": 12.5, "exc_info": "Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\nstorage.DatabaseError: connection lost"}"#,
        );
        assert_eq!(e.ts, Some(1_746_504_008_123_000));
        assert_eq!(e.level, Some(Level::Error));
        assert_eq!(e.msg.as_deref(), Some("boom"));
        assert_eq!(e.request_id.as_deref(), Some("abc"));
        assert_eq!(e.status, Some(500));
        assert_eq!(e.latency_ms, Some(12.5));
        assert_eq!(e.error_type.as_deref(), Some("storage.DatabaseError"));
        assert_eq!(e.format, Some(Format::Json));
    }

    #[test]
    fn pino_http_line() {
        let e = ev(
            r#"{"level":50,"time":1746504008123,"pid":1,"req":{"id":"r-1","method":"GET","url":"/api/node/users/7?x=1","remoteAddress":"::1"},"res":{"statusCode":500},"err":{"type":"TypeError","message":"x","stack":"TypeError: x\n    at f (a.js:1:1)"},"responseTime":4,"msg":"request errored"}"#,
        );
        assert_eq!(e.level, Some(Level::Error));
        assert_eq!(e.ts, Some(1_746_504_008_123_000));
        assert_eq!(e.request_id.as_deref(), Some("r-1"));
        assert_eq!(e.method.as_deref(), Some("GET"));
        assert_eq!(e.path.as_deref(), Some("/api/node/users/7?x=1"));
        assert_eq!(e.status, Some(500));
        assert_eq!(e.latency_ms, Some(4.0));
        assert_eq!(e.error_type.as_deref(), Some("TypeError"));
    }

    #[test]
    fn tracing_subscriber_and_loguru() {
        let e = ev(
            r#"{"timestamp":"2025-05-06T04:00:08.000001Z","level":"WARN","fields":{"message":"slow","latency_ms":3},"target":"app","span":{"request_id":"s1","name":"req"},"spans":[{"name":"outer"}]}"#,
        );
        assert_eq!(e.msg.as_deref(), Some("slow"));
        assert_eq!(e.request_id.as_deref(), Some("s1"));
        assert_eq!(e.latency_ms, Some(3.0));
        let e = ev(
            r#"{"text":"x","record":{"time":{"repr":"x","timestamp":1746504008.5},"level":{"name":"CRITICAL","no":50},"message":"db down","extra":{"request_id":"L1"},"exception":{"type":"OperationalError","value":"x","traceback":true}}}"#,
        );
        assert_eq!(e.ts, Some(1_746_504_008_500_000));
        assert_eq!(e.level, Some(Level::Fatal));
        assert_eq!(e.msg.as_deref(), Some("db down"));
        assert_eq!(e.request_id.as_deref(), Some("L1"));
        assert_eq!(e.error_type.as_deref(), Some("OperationalError"));
    }

    #[test]
    fn nginx_json_access_is_proxy() {
        let e = ev(
            r#"{"time_iso8601":"2025-05-06T04:00:08+00:00","remote_addr":"10.0.0.1","request":"GET /health HTTP/1.1","status":"504","request_time":"2.001","upstream_status":"504","request_id":"f00"}"#,
        );
        assert_eq!(e.format, Some(Format::NginxJson));
        assert_eq!(e.status, Some(504));
        assert_eq!(e.latency_ms, Some(2001.0));
        assert_eq!(e.method.as_deref(), Some("GET"));
        assert_eq!(e.path.as_deref(), Some("/health"));
    }

    #[test]
    fn escaped_keys_and_values() {
        let e = ev(r#"{"m\u0073g":"a\"b","level":"info"}"#);
        assert_eq!(e.msg.as_deref(), Some("a\"b"));
    }

    #[test]
    fn fast_scanner_agrees_with_serde() {
        let spec = FieldSpec::defaults();
        let lines = [
            r#"{"asctime": "2025-05-06 04:00:08,123", "levelname": "ERROR", "message": "boom", "request_id": "abc", "status": 500, "duration_ms": 12.5, "exc_info": "Traceback (most recent call last):\nstorage.DatabaseError: x"}"#,
            r#"{"level":50,"time":1746504008123,"req":{"id":"r-1","method":"GET","url":"/a","headers":{"x":"y"}},"res":{"statusCode":500},"err":{"type":"TypeError"},"responseTime":4}"#,
            r#"{"timestamp":"2025-05-06T04:00:08Z","fields":{"message":"slow \"q\"","latency_ms":-3e2},"spans":[{"request_id":"s1"},{"name":"x"}],"ok":true,"n":null}"#,
            r#"{"remote_addr":"10.0.0.1","request":"GET /health HTTP/1.1","status":"504","request_time":"2.001","upstream_status":"504","nested":[[1,2],{"a":[{}]}]}"#,
            r#"  { "msg" : "spaced" , "level" : "warn" }  "#,
            r#"{"record":{"time":{"timestamp":1746504008.5},"level":{"name":"INFO"},"message":"m","extra":{"request_id":"L1"}}}"#,
            r#"{}"#,
        ];
        for l in lines {
            let fast = super::super::json_scan::pick(l.as_bytes(), &spec, &mut Default::default())
                .expect(l);
            let slow = pick_serde(l.as_bytes(), &spec).expect(l);
            assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{l}");
        }
        for bad in [
            r#"{"a":1"#,
            r#"{"a" 1}"#,
            r#"{"a":1,}"#,
            r#"{"msg":tru}"#,
            r#"{"a":"x"} y"#,
            r#"{"a":[1,2}"#,
        ] {
            assert!(
                pick(bad.as_bytes(), &spec, &mut Default::default()).is_none(),
                "{bad}"
            );
        }
    }

    #[test]
    fn key_cache_speculation_never_changes_results() {
        // One cache across lines, as a worker uses it: same orders, changed orders, keys that
        // are prefixes of others, nesting, long keys; each must equal a fresh serde walk.
        let spec = FieldSpec::defaults();
        let lines = [
            r#"{"msg":"a","level":"info","req":{"id":"1","method":"GET"},"status":200}"#,
            r#"{"msg":"b","level":"warn","req":{"id":"2","method":"PUT"},"status":500}"#,
            r#"{"msgs":"x","level":"info","req":{"url":"/a","id":"3"},"status":201}"#,
            r#"{"ms":"y","levels":"z","req":{"id":"4"},"statusCode":204}"#,
            r#"{"level":"error","msg":"swapped","status":503,"req":{"method":"POST","id":"5"}}"#,
            r#"{"msg":"c","level":"info","a_rather_long_key_name_x":1,"request_id":"6"}"#,
            r#"{"msg":"d","level":"info","a_rather_long_key_name_y":2,"request_id":"7"}"#,
            r#"{"m\u0073g":"e","level":"info"}"#,
            r#"{"msg":"f","level":"info","req":{"id":"8","method":"GET"},"status":200}"#,
        ];
        let mut keys = ScanCache::default();
        for _ in 0..3 {
            for l in lines {
                let fast = pick(l.as_bytes(), &spec, &mut keys).expect(l);
                let slow = pick_serde(l.as_bytes(), &spec).expect(l);
                assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{l}");
            }
        }
    }

    #[test]
    fn latency_strings() {
        assert_eq!(latency_ms(&Raw::Str("12ms".into()), Unit::Auto), Some(12.0));
        assert_eq!(
            latency_ms(&Raw::Str("1.5s".into()), Unit::Auto),
            Some(1500.0)
        );
        assert_eq!(
            latency_ms(&Raw::Str("1m2.5s".into()), Unit::Auto),
            Some(62500.0)
        );
        assert_eq!(
            latency_ms(&Raw::Str("250µs".into()), Unit::Auto),
            Some(0.25)
        );
        assert_eq!(
            latency_ms(&Raw::Str("0.25".into()), Unit::Auto),
            Some(250.0)
        );
        assert_eq!(latency_ms(&Raw::U(7), Unit::Ns), Some(7e-6));
        assert_eq!(latency_ms(&Raw::Str("-".into()), Unit::Auto), None);
    }

    #[test]
    fn not_json_or_trailing_garbage() {
        let spec = FieldSpec::defaults();
        let z = Zone::parse("UTC").unwrap();
        let mut c = ParseCache::default();
        assert!(parse(b"{\"a\":1} x", &spec, &z, &mut c).is_none());
        assert!(parse(b"{\"a\":", &spec, &z, &mut c).is_none());
        assert!(parse(b"{\"msg\":\"\xff\"}", &spec, &z, &mut c).is_none());
    }
}
