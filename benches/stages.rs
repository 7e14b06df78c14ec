//! Criterion benches per stage, in bytes (or lines) per second. On the compact JSON shape of
//! `gen_corpus`'s `app-compact.log` (issue 15's benchmark shape, built here so the bench
//! needs no corpus): record scan, field pick, whole parse (pick and fill), time parse, endpoint intern, aggregate (parse
//! and absorb) and finalize (seal, request latency, `Report::build`). Plus the parse of the
//! older python-json-logger shape and of both nginx logs. Whole-binary throughput next to
//! `wc -l` is `benches/throughput.sh`.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use logtriage::aggregate::{AggOptions, Partial, Scratch};
use logtriage::engine::RULES;
use logtriage::input::chunk;
use logtriage::parse::{FieldSpec, ParseCache, Parsed, Parser, Zone, ZoneCache, json_scan, time};
use logtriage::report::{Context, Report};

/// `n` lines of the compact shape: requests of 2-6 interleaved lines (four in flight), 1% of
/// lines without a request id, numeric ids in the paths, a status and duration on each
/// request's last line, and every 25th request failing with a traceback of 8 frames.
fn compact_lines(n: usize) -> Vec<u8> {
    const ROUTES: [(&str, &str); 4] = [
        ("GET", "/api/v1/users/"),
        ("GET", "/api/v1/orders/"),
        ("POST", "/api/v1/payments/"),
        ("GET", "/api/v1/products/"),
    ];
    let frame = r#"\n  File \"/usr/local/lib/python3.11/site-packages/starlette/routing.py\", line 762, in handle\n    await self.app(scope, receive, send)"#;
    let tb = format!(
        "Traceback (most recent call last):{}\\nsqlalchemy.exc.OperationalError: server closed the connection unexpectedly",
        frame.repeat(8)
    );
    let mut out = String::new();
    let mut live: Vec<(u64, usize, usize)> = Vec::new(); // (request, lines left, line index)
    let mut next = 0u64;
    for i in 0..n {
        let (ms, s) = (i % 1000, i / 50);
        let stamp = format!(
            "2025-05-06T{:02}:{:02}:{:02}.{ms:03}+00:00",
            s / 3600 % 24,
            s / 60 % 60,
            s % 60
        );
        if i % 100 == 99 {
            out.push_str(&format!(
                r#"{{"timestamp":"{stamp}","level":"INFO","logger":"app.db","msg":"connection pool status","pid":7}}"#
            ));
            out.push('\n');
            continue;
        }
        while live.len() < 4 {
            live.push((next, 2 + (next % 5) as usize, 0));
            next += 1;
        }
        let k = i % live.len();
        let (req, left, idx) = live[k];
        let id = format!(
            "{:032x}",
            (req as u128 + 1) * 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835
        );
        let (method, path) = ROUTES[(req % 4) as usize];
        let fails = req % 25 == 24;
        let last = left == 1;
        let (level, msg) = match (idx, last) {
            (_, true) if fails => ("ERROR", "request failed"),
            (0, _) => ("INFO", "request started"),
            (_, true) => ("INFO", "request finished"),
            _ => ("INFO", "querying database"),
        };
        out.push_str(&format!(
            r#"{{"timestamp":"{stamp}","level":"{level}","logger":"app.api","msg":"{msg}","request_id":"{id}","endpoint":"{path}{}","method":"{method}""#,
            req * 7919 % 1_000_000
        ));
        if last {
            let status = if fails { 500 } else { 200 };
            out.push_str(&format!(
                r#","status":{status},"duration_ms":{}.{:03}"#,
                10 + req % 300,
                req % 1000
            ));
            live.swap_remove(k);
        } else {
            live[k] = (req, left - 1, idx + 1);
        }
        if fails && last {
            out.push_str(&format!(
                r#","error_type":"OperationalError","exc_info":"{tb}""#
            ));
        }
        out.push_str("}\n");
    }
    out.into_bytes()
}

/// One partial with every record of `data` parsed and absorbed.
fn absorb(parser: &Parser, data: &[u8]) -> Partial {
    let mut p = Partial::new(1, &AggOptions::default());
    let mut s = Scratch::default();
    let mut text = Vec::new();
    chunk::for_each_record(data, &RULES, |off, r| {
        let parsed = parser.parse_record(0, r.bytes, r.head, &mut s.parse, &mut text);
        p.absorb(0, off as u64, r.bytes, r.lines, &parsed, &mut s);
    });
    p
}

/// The stages of a report over the compact shape, each alone.
fn stages(c: &mut Criterion) {
    let data = compact_lines(50_000);
    let spec = FieldSpec::defaults();
    let zone = Zone::parse("UTC").unwrap();
    let parser = Parser::new(FieldSpec::defaults(), zone.clone());
    let records: Vec<&[u8]> = {
        let mut v = Vec::new();
        chunk::for_each_record(&data, &RULES, |_, r| v.push(r.bytes));
        v
    };
    let mut g = c.benchmark_group("stages");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("scan", |b| {
        b.iter(|| {
            let mut n = 0usize;
            chunk::for_each_record(&data, &RULES, |_, r| n += r.lines as usize);
            assert_eq!(n, 50_000);
        })
    });
    g.bench_function("field_pick", |b| {
        let mut cache = Default::default();
        b.iter(|| {
            let picked = records
                .iter()
                .filter(|r| json_scan::pick(r, &spec, &mut cache).is_some())
                .count();
            assert_eq!(picked, records.len());
        })
    });
    g.bench_function("parse", |b| {
        let mut cache = ParseCache::default();
        let mut text = Vec::new();
        b.iter(|| {
            let parsed = records
                .iter()
                .filter(|r| matches!(parser.parse(0, r, &mut cache, &mut text), Parsed::Event(_)))
                .count();
            assert_eq!(parsed, records.len());
        })
    });
    // The stamps and endpoints as the events carry them, for the stages that take them.
    let events: Vec<(String, Option<String>, Option<String>)> = {
        let mut cache = ParseCache::default();
        let mut text = Vec::new();
        records
            .iter()
            .filter_map(|r| match parser.parse(0, r, &mut cache, &mut text) {
                Parsed::Event(ev) => Some((
                    r[14..43].iter().map(|&b| b as char).collect(),
                    ev.method.map(|m| m.into_owned()),
                    ev.path.map(|p| p.into_owned()),
                )),
                _ => None,
            })
            .collect()
    };
    assert_eq!(events.len(), records.len());
    g.throughput(Throughput::Elements(events.len() as u64));
    g.bench_function("time_parse", |b| {
        let mut cache = ZoneCache::default();
        b.iter(|| {
            let ok = events
                .iter()
                .filter(|(t, _, _)| time::parse_ts(t, &zone, &mut cache).is_some())
                .count();
            assert_eq!(ok, events.len());
        })
    });
    g.bench_function("endpoint_intern", |b| {
        let mut p = Partial::new(1, &AggOptions::default());
        let mut s = Scratch::default();
        b.iter(|| {
            events
                .iter()
                .filter_map(|(_, m, t)| Some(p.endpoint_id(m.as_deref(), t.as_deref()?, &mut s)))
                .fold(0u64, |a, id| a + id as u64)
        })
    });
    g.throughput(Throughput::Bytes(data.len() as u64));
    let absorb_all = || absorb(&parser, &data);
    g.bench_function("aggregate", |b| b.iter(absorb_all));
    let paths = vec!["app-compact.log".to_string()];
    let errors = vec![None];
    let ctx = Context {
        rules: None,
        retired: None,
        paths: &paths,
        errors: &errors,
        timezone: "UTC",
        zones: &[],
        top: 10,
    };
    g.bench_function("finalize", |b| {
        b.iter_batched(
            absorb_all,
            |mut p| {
                p.seal();
                logtriage::engine::count_latency(&mut p, 1);
                Report::build(p, &ctx)
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn lines(kind: &str, n: usize) -> Vec<u8> {
    let mut out = String::new();
    for i in 0..n {
        let id = format!("{:032x}", (i as u128 / 3) * 0x9e37_79b9_7f4a_7c15);
        let t = 1_746_504_000 + i / 20;
        let line = match kind {
            "json" => format!(
                r#"{{"asctime": "2025-05-06 04:{:02}:{:02},{:03}", "levelname": "INFO", "name": "app.api", "message": "request finished", "request_id": "{id}", "method": "POST", "path": "/api/items/{}", "status": 200, "duration_ms": {}.5}}"#,
                (t / 60) % 60,
                t % 60,
                i % 1000,
                i % 977,
                i % 300
            ),
            "nginx_error" => format!(
                r#"2025/05/06 04:{:02}:{:02} [error] 214903#214903: *{i} upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.1.2.{}, server: api.example.com, request: "POST /retrieval/apple_health_data HTTP/1.1", upstream: "http://10.0.0.7:30016/retrieval/apple_health_data", host: "api.example.com""#,
                (t / 60) % 60,
                t % 60,
                i % 250
            ),
            _ => format!(
                r#"10.1.2.{} - - [06/May/2025:04:{:02}:{:02} +0000] "POST /retrieval/apple_health_data HTTP/1.1" 200 512 "-" "okhttp/4.9.3" request_id={id} request_time=0.013 upstream_response_time=0.012 upstream_status=200 upstream_addr=10.0.0.7:30016"#,
                i % 250,
                (t / 60) % 60,
                t % 60
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.into_bytes()
}

fn parse_only(c: &mut Criterion) {
    let parser = Parser::new(FieldSpec::defaults(), Zone::parse("UTC").unwrap());
    let mut g = c.benchmark_group("parse");
    for kind in ["json", "nginx_error", "nginx_access"] {
        let data = lines(kind, 20_000);
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_function(kind, |b| {
            let mut cache = ParseCache::default();
            let mut text = Vec::new();
            b.iter(|| {
                let mut parsed = 0usize;
                chunk::for_each_record(&data, &RULES, |_, r| {
                    if let Parsed::Event(_) =
                        parser.parse_record(0, r.bytes, r.head, &mut cache, &mut text)
                    {
                        parsed += 1;
                    }
                });
                assert_eq!(parsed, 20_000);
            })
        });
    }
    g.finish();
}

fn aggregate(c: &mut Criterion) {
    let parser = Parser::new(FieldSpec::defaults(), Zone::parse("UTC").unwrap());
    let data = lines("json", 20_000);
    let mut g = c.benchmark_group("aggregate");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("json_parse_and_absorb", |b| {
        b.iter(|| absorb(&parser, &data))
    });
    g.finish();
}

criterion_group!(benches, stages, parse_only, aggregate);
criterion_main!(benches);
