//! Any split into chunks and any thread count give byte-identical reports, for mapped and
//! streamed input alike: partials merge associatively and finalize sorts everything. The
//! corpus holds envelopes whose fragments join across any cut, multi-line records
//! (tracebacks, stacks, FastCGI messages) that any cut must leave whole, and naive stamps
//! whose zone evidence must not depend on the split either.

use logtriage::aggregate::AggOptions;
use logtriage::engine::{self, Tuning};
use logtriage::input::{Data, Opened};
use logtriage::parse::{FieldSpec, Parser, Zone};
use logtriage::report::{Context, Report};
use proptest::prelude::*;

/// A mixed corpus: JSON app lines of several loggers, nginx error and access lines, blank,
/// CRLF, unparsed and untimed lines, requests whose lines are far apart.
fn corpus(seed: u64, lines: usize) -> Vec<u8> {
    let mut s = seed;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut out = String::new();
    for i in 0..lines {
        let r = next();
        let t = 1_746_504_000 + (i as u64) * 3 + r % 3;
        let id = format!("{:032x}", (r % 97) as u128 * 0x1234_5678_9abc_def1);
        let ep = [
            "/api/items/12",
            "/api/items/99",
            "/health",
            "/retrieval/apple_health_data",
            "/users/5f1c0b8e-9d2a-4c3b-8a7e-5f4d3c2b1a09/orders",
        ][(r % 5) as usize];
        let ms = (r % 10_000) as f64 / 7.0;
        // The arm, and a second draw for the variants within one (independent of the first).
        let v = r / 13;
        let line = match r % 13 {
            0 => format!(
                r#"{{"asctime":"2025-05-06 04:{:02}:{:02},{:03}","levelname":"ERROR","message":"boom","request_id":"{id}","method":"GET","path":"{ep}","status":500,"duration_ms":{ms},"exc_info":"Traceback (most recent call last):\n  File \"x\"\nstorage.DatabaseError: lost"}}"#,
                (t / 60) % 60,
                t % 60,
                r % 1000
            ),
            1 => format!(
                r#"{{"level":{},"time":{}123,"req":{{"id":"{id}","method":"POST","url":"{ep}?q=1"}},"res":{{"statusCode":{}}},"responseTime":{ms}}}"#,
                30 + (r % 3) * 10,
                t,
                200 + (r % 4) * 100
            ),
            2 => format!(
                r#"2025/05/06 04:{:02}:{:02} [error] 1#1: *{i} upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.{}, server: x, request: "GET {ep} HTTP/1.1", upstream: "http://10.0.0.7:30016{ep}", host: "x""#,
                (t / 60) % 60,
                t % 60,
                r % 4
            ),
            3 => format!(
                r#"10.0.0.{} - - [06/May/2025:04:{:02}:{:02} +0000] "GET {ep} HTTP/1.1" {} 12 "-" "ua" request_id={id} request_time={:.3}"#,
                r % 4,
                (t / 60) % 60,
                t % 60,
                [200, 502, 504, 404][(r % 4) as usize],
                ms / 1000.0
            ),
            4 => String::new(),
            5 => format!("garbage line {r}"),
            6 => format!(r#"{{"msg":"no time","level":"warn","request_id":"{id}"}}"#),
            7 => format!(
                "{{\"timestamp\":\"2025-05-06T04:{:02}:{:02}.5Z\",\"level\":\"INFO\",\"fields\":{{\"message\":\"x\",\"latency_ms\":{ms}}},\"span\":{{\"request_id\":\"{id}\"}}}}\r",
                (t / 60) % 60,
                t % 60
            ),
            8 => format!(
                r#"{{"time_iso8601":"2025-05-06T04:{:02}:{:02}+00:00","remote_addr":"10.0.0.1","request":"GET {ep} HTTP/1.1","status":"{}","request_time":"{:.3}","upstream_status":"200","request_id":"{id}"}}"#,
                (t / 60) % 60,
                t % 60,
                200 + (r % 2) * 304,
                ms / 1000.0
            ),
            9 => format!(
                r#"2025/05/06 04:{:02}:{:02} [warn] 1#1: *{i} an upstream response is buffered to a temporary file /var/cache/{i} while reading upstream, client: 10.0.0.1"#,
                (t / 60) % 60,
                t % 60
            ),
            // Multi-line records: a Python text line with a chained traceback (blank lines
            // inside), a Go panic's stack, a Node stack with its own properties, an nginx
            // FastCGI message over lines.
            11 => format!(
                "2025-05-06 04:{:02}:{:02},{:03} ERROR shop.api: request failed request_id={id} status=500 duration_ms={ms}\nTraceback (most recent call last):\n  File \"a.py\", line 3, in f\n    g()\nConnectionError: down\n\nThe above exception was the direct cause of the following exception:\n\nTraceback (most recent call last):\n  File \"a.py\", line 9, in h\n    raise PaymentError(\"x\") from e\nshop.PaymentError: x",
                (t / 60) % 60,
                t % 60,
                r % 1000
            ),
            12 if v % 3 == 0 => format!(
                "2025/05/06 04:{:02}:{:02} http: panic serving 10.0.0.1:5555: boom\ngoroutine {i} [running]:\nnet/http.(*conn).serve.func1()\n\tnet/http/server.go:1959 +0xbb\npanic({{0x9e3a60?, 0xa62ea0?}})\n\truntime/panic.go:859 +0x125\ncreated by net/http.(*Server).Serve in goroutine 1\n\tnet/http/server.go:3454 +0x485",
                (t / 60) % 60,
                t % 60
            ),
            12 if v % 3 == 1 => "PaymentError: card declined\n    at pay (/app/app.js:10:11)\n    at next (/app/r.js:1:1) {\n  code: 'E_CARD'\n}".to_owned(),
            12 => format!(
                "2025/05/06 04:{:02}:{:02} [error] 7#7: *{i} FastCGI sent in stderr: \"PHP message: slow {id}\n  query: select 1\n  took {ms} ms\" while reading response header from upstream, client: 10.0.0.1, server: x, request: \"GET {ep} HTTP/1.1\", upstream: \"fastcgi://127.0.0.1:9000\", host: \"x\"",
                (t / 60) % 60,
                t % 60
            ),
            // Envelopes: a Docker entry split into fragments (joined into one record), CRI
            // `P`/`F` parts, kubectl's prefix, a journald entry and a syslog line, each around
            // an untimed app line; and a chained traceback stored one envelope line per line
            // (Docker, CRI, syslog), blank lines inside.
            10 => {
                let app = format!(
                    r#"{{"level":"error","msg":"wrapped {}","request_id":"{id}","status":{}}}"#,
                    "x".repeat((r % 300) as usize),
                    [200, 500][(r % 2) as usize]
                );
                let stamp = format!("2025-05-06T04:{:02}:{:02}.25Z", (t / 60) % 60, t % 60);
                let parts: Vec<&str> = {
                    let cut = (app.len() / 3).max(1);
                    vec![&app[..cut], &app[cut..2 * cut], &app[2 * cut..]]
                };
                match v % 7 {
                    0 => parts
                        .iter()
                        .enumerate()
                        .map(|(k, p)| {
                            let log = if k == 2 {
                                format!("{p}\n")
                            } else {
                                p.to_string()
                            };
                            format!(
                                r#"{{"log":{},"stream":"stderr","time":"{stamp}"}}"#,
                                serde_json::to_string(&log).unwrap()
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                    1 => format!(
                        "{stamp} stdout P {}\n{stamp} stdout P {}\n{stamp} stdout F {}",
                        parts[0], parts[1], parts[2]
                    ),
                    2 => format!("[pod/api-{}/app] {stamp} {app}", r % 3),
                    5 | 6 => {
                        let tb = [
                            "ERROR:    Exception in ASGI application",
                            "Traceback (most recent call last):",
                            "  File \"a.py\", line 3, in f",
                            "    g()",
                            "ValueError: x",
                            "",
                            "During handling of the above exception, another exception occurred:",
                            "",
                            "Traceback (most recent call last):",
                            "  File \"b.py\", line 9, in h",
                            "storage.DatabaseError: lost",
                        ];
                        tb.iter()
                            .map(|l| match (v % 7, r % 3) {
                                (5, _) => format!(
                                    r#"{{"log":{},"stream":"stderr","time":"{stamp}"}}"#,
                                    serde_json::to_string(&format!("{l}\n")).unwrap()
                                ),
                                (_, 0) => format!("{stamp} stderr F {l}"),
                                _ => format!(
                                    "May  6 04:{:02}:{:02} web-0 api[7]: {l}",
                                    (t / 60) % 60,
                                    t % 60
                                ),
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                    }
                    3 => format!(
                        r#"{{"__CURSOR":"c{i}","__REALTIME_TIMESTAMP":"{t}250000","PRIORITY":"3","_SYSTEMD_UNIT":"api.service","MESSAGE":{}}}"#,
                        serde_json::to_string(&app).unwrap()
                    ),
                    _ => format!(
                        "May  6 04:{:02}:{:02} web-{} api[{}]: {app}",
                        (t / 60) % 60,
                        t % 60,
                        r % 2,
                        r % 9
                    ),
                }
            }
            _ => format!(
                r#"{{"asctime":"2025-05-06 04:{:02}:{:02},000","levelname":"INFO","message":"request started","request_id":"{id}","method":"GET","path":"{ep}"}}"#,
                (t / 60) % 60,
                t % 60
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("last line without newline");
    out.into_bytes()
}

fn report(files: &[Vec<u8>], threads: usize, chunk: usize, stream: bool) -> String {
    let mut opened: Vec<Opened> = files
        .iter()
        .enumerate()
        .map(|(i, d)| Opened {
            name: format!("f{i}.log"),
            data: if stream {
                Data::Stream(Box::new(std::io::Cursor::new(d.clone())))
            } else {
                Data::Buffer(d.clone())
            },
            modified: None,
            file: None,
        })
        .collect();
    let parser = Parser::new(FieldSpec::defaults(), Zone::parse("UTC").unwrap());
    // Year-less syslog stamps are placed by each input's dated lines, read off its head.
    let contexts = logtriage::cmd::file_contexts(&mut opened, &parser);
    let parser = parser.with_files(contexts);
    // Triage on, as `report` runs it: flags, incidents and patterns must not depend on the split.
    let rules = std::sync::Arc::new(logtriage::rules::RuleSet::default());
    let opts = AggOptions {
        last_words: true,
        rules: Some(rules.clone()),
        zone_evidence: true,
        ..AggOptions::default()
    };
    let (p, errors) = engine::aggregate(
        &mut opened,
        &parser,
        &opts,
        Tuning {
            threads,
            chunk_size: chunk,
            max_line: usize::MAX,
        },
        &|_| {},
    );
    let paths: Vec<String> = opened.iter().map(|o| o.name.clone()).collect();
    let local = logtriage::cmd::Local {
        zone: &parser.zone,
        name: "UTC",
        explicit: false,
    };
    let zones = logtriage::cmd::readings(&local, &p.files, p.zones.as_deref(), &paths);
    let r = Report::build(
        p,
        &Context {
            rules: Some(&rules),
            retired: None,
            paths: &paths,
            errors: &errors,
            timezone: "UTC",
            zones: &zones,
            top: 10,
        },
    );
    serde_json::to_string_pretty(&r).unwrap()
}

#[test]
fn whole_report_is_balanced_and_sane() {
    let files = vec![corpus(7, 3000), corpus(11, 500)];
    let v: serde_json::Value = serde_json::from_str(&report(&files, 1, usize::MAX, false)).unwrap();
    for input in v["inputs"].as_array().unwrap() {
        let g = |k: &str| input[k].as_u64().unwrap();
        assert_eq!(
            g("lines"),
            g("parsed") + g("continuation") + g("unparsed") + g("blank")
        );
        assert!(g("continuation") > 0);
        assert!(
            input["envelopes"].as_object().unwrap().len() >= 5,
            "{input}"
        );
    }
    assert!(v["requests"]["total"].as_u64().unwrap() > 50);
    assert!(v["windows"].as_array().unwrap().len() > 10);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn any_chunking_and_thread_count_gives_identical_output(
        seed in 1u64..1000,
        chunk in 1usize..20_000,
        threads in 1usize..5,
        stream in any::<bool>(),
    ) {
        let files = vec![corpus(seed, 1500), corpus(seed + 1, 300)];
        let base = report(&files, 1, usize::MAX, false);
        prop_assert_eq!(report(&files, threads, chunk, stream), base);
    }
}
