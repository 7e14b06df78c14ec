//! Criterion benches per stage, in bytes per second: JSON parse, nginx error parse, nginx
//! access parse, and parse + aggregation of one chunk. Whole-binary throughput next to
//! `wc -l` is `benches/throughput.sh`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logtriage::aggregate::{AggOptions, Partial, Scratch};
use logtriage::engine::RULES;
use logtriage::input::chunk;
use logtriage::parse::{FieldSpec, ParseCache, Parsed, Parser, Zone};

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
        b.iter(|| {
            let mut p = Partial::new(1, &AggOptions::default());
            let mut s = Scratch::default();
            let mut text = Vec::new();
            chunk::for_each_record(&data, &RULES, |off, r| {
                let parsed = parser.parse_record(0, r.bytes, r.head, &mut s.parse, &mut text);
                p.absorb(0, off as u64, r.bytes, r.lines, &parsed, &mut s);
            });
            p
        })
    });
    g.finish();
}

criterion_group!(benches, parse_only, aggregate);
criterion_main!(benches);
