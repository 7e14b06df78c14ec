//! Unit tests of access-line parsing in `nginx_access.rs`.

use super::*;

#[test]
fn trim_quotes_is_trim_matches() {
    for v in [
        "",
        "\"",
        "\"\"",
        "\"a\"",
        "a",
        "\"\"a\"b\"\"",
        "a\"",
        "\"a",
        "é\"",
    ] {
        assert_eq!(trim_quotes(v), v.trim_matches('"'), "{v:?}");
    }
}

fn p(line: &str) -> Option<LogEvent<'_>> {
    parse(
        line,
        &Zone::parse("UTC").unwrap(),
        &mut ZoneCache::default(),
    )
}

fn with(line: &str, access: Access) -> LogEvent<'_> {
    let mut ev = LogEvent::default();
    parse_into(
        line,
        &Zone::parse("UTC").unwrap(),
        &mut ZoneCache::default(),
        &access,
        &mut ev,
    )
    .unwrap();
    ev
}

#[test]
fn host_first_and_forwarded_chains() {
    let e = p(r#"shop.test:18250 127.0.0.1 - - [01/Dec/2026:10:09:53 +0000] "GET /healthz HTTP/1.1" 200 17 "-" "x""#).unwrap();
    assert_eq!(
        (e.status, e.client.as_deref()),
        (Some(200), Some("127.0.0.1"))
    );
    let e = p(r#"shop.test 127.0.0.1 - - [01/Dec/2026:10:10:01 +0000] "hello" 400 157 "-" "-""#)
        .unwrap();
    assert_eq!((e.status, e.method.as_deref()), (Some(400), None));
    let e = p(r#"10.0.0.2, 10.0.0.1, 127.0.0.1 - - [01/Dec/2026:10:09:53 +0000] "GET /api/items/1 HTTP/1.1" 200 28 "-" "x""#).unwrap();
    assert_eq!(e.client.as_deref(), Some("127.0.0.1"));
    let e = p(r#"- - - [01/Dec/2026:10:09:53 +0000] "GET / HTTP/1.1" 200 28 "-" "x""#).unwrap();
    assert_eq!(e.client, None);
    assert!(
        p(r#"some words here - - [01/Dec/2026:10:09:53 +0000] "GET / HTTP/1.1" 200 2 "-" "x""#)
            .is_none()
    );
}

#[test]
fn ingress_upstreaminfo_with_retries() {
    let e = p(r#"127.0.0.1 - - [01/Dec/2026:10:09:57 +0000] "GET /retry/ok/1 HTTP/1.1" 200 18 "-" "t/1" 168 0.004 [default-shop-80] [] 127.0.0.1:18252, 127.0.0.1:18251 0, 18 0.001, 0.003 502, 200 2a449596-c2b7-4d9e-880e-728220886eec"#).unwrap();
    assert_eq!(e.status, Some(200));
    assert_eq!(e.latency_ms, Some(4.0));
    assert_eq!(e.upstream.as_deref(), Some("127.0.0.1:18251"));
    assert_eq!(
        e.request_id.as_deref(),
        Some("2a449596-c2b7-4d9e-880e-728220886eec")
    );
    let e = p(r#"127.0.0.1 - - [01/Dec/2026:10:10:01 +0000] "GET /retry/dead/3 HTTP/1.1" 502 157 "-" "t/1" 170 0.000 [default-shop-80] [] retry_dead 0 0.000 502 21bd56a3a738487ca4bf4df264453190"#).unwrap();
    assert_eq!(
        e.request_id.as_deref(),
        Some("21bd56a3a738487ca4bf4df264453190")
    );
    assert_eq!(e.upstream.as_deref(), Some("retry_dead"));
}

#[test]
fn app_servers_timing_and_ids() {
    let line = r#"127.0.0.1 - - [01/Dec/2026:10:18:55 +0000] "GET /api/items/1 HTTP/1.1" 200 25 "-" "ua" 13448 a46db33a-9bdf-4258-8bcf-1c6b64cde20a"#;
    // nginx never writes a bare integer as timing.
    assert_eq!(p(line).unwrap().latency_ms, None);
    let g = Access {
        producer: Producer::Gunicorn,
        unit: Unit::Us,
        echo: false,
    };
    let e = with(line, g);
    assert_eq!(e.format, Some(Format::GunicornAccess));
    assert_eq!(e.latency_ms, Some(13.448));
    assert_eq!(
        e.request_id.as_deref(),
        Some("a46db33a-9bdf-4258-8bcf-1c6b64cde20a")
    );
    let m = Access {
        producer: Producer::Morgan,
        unit: Unit::Ms,
        echo: false,
    };
    let e = with(
        r#"127.0.0.1 - - [01/Dec/2026:10:00:37 +0000] "GET /x HTTP/1.1" 200 24 "-" "ua" 10.797 8e44b65b-177a-4adf-84a5-1c949b3fd830"#,
        m,
    );
    assert_eq!(
        (e.format, e.latency_ms),
        (Some(Format::Morgan), Some(10.797))
    );
}

#[test]
fn who_writes_an_input() {
    let mut ev = Evidence {
        lines: 10,
        int_lines: 10,
        integers: vec![1.0, 10.0, 20.0, 30.0, 300.0, 5.0, 7.0, 9.0, 40.0, 50.0],
        ..Evidence::default()
    };
    assert_eq!(
        ev.decide("access.log"),
        Access {
            producer: Producer::Gunicorn,
            unit: Unit::Ms,
            echo: false,
        }
    );
    let mut ev = Evidence {
        lines: 4,
        int_lines: 4,
        integers: vec![4269.0, 13448.0, 21572.0, 32147.0],
        ..Evidence::default()
    };
    assert_eq!(ev.decide("access.log").unit, Unit::Us);
    let mut ev = Evidence {
        lines: 4,
        micros_decimals: 4,
        ..Evidence::default()
    };
    assert_eq!(
        ev.decide("access.log"),
        Access {
            producer: Producer::Gunicorn,
            unit: Unit::S,
            echo: false,
        }
    );
    let mut ev = Evidence {
        lines: 4,
        ..Evidence::default()
    };
    assert_eq!(ev.decide("/var/log/nginx/access.log"), Access::default());
    assert_eq!(
        ev.decide("logs/morgan-custom.log").producer,
        Producer::Morgan
    );
}

#[test]
fn combined_with_key_values() {
    let e = p(r#"10.1.2.3 - - [06/May/2025:04:00:08 +0000] "POST /retrieval/apple_health_data?x=1 HTTP/1.1" 504 160 "-" "okhttp/4.9.3" request_id=0123456789abcdef0123456789abcdef request_time=60.001 upstream_response_time=60.000 upstream_status=504 upstream_addr=10.0.0.7:30016"#).unwrap();
    assert_eq!(e.ts, Some(1_746_504_008_000_000));
    assert_eq!(e.status, Some(504));
    assert_eq!(e.method.as_deref(), Some("POST"));
    assert_eq!(e.path.as_deref(), Some("/retrieval/apple_health_data?x=1"));
    assert_eq!(
        e.request_id.as_deref(),
        Some("0123456789abcdef0123456789abcdef")
    );
    assert_eq!(e.latency_ms, Some(60001.0));
    assert_eq!(e.upstream.as_deref(), Some("10.0.0.7:30016"));
    assert_eq!(e.client.as_deref(), Some("10.1.2.3"));
}

#[test]
fn plain_combined_and_bare_numbers() {
    let e = p(r#"::1 - alice [06/May/2025:04:00:08 +0200] "GET / HTTP/1.1" 200 5 "http://x/" "curl/8.0 \"quoted\"""#).unwrap();
    assert_eq!(e.status, Some(200));
    assert_eq!(e.ts, Some(1_746_504_008_000_000 - 7_200_000_000));
    assert!(e.latency_ms.is_none());
    let e = p(
        r#"1.2.3.4 - - [06/May/2025:04:00:08 +0000] "GET /a HTTP/1.1" 200 5 "-" "ua" 0.250 0.249"#,
    )
    .unwrap();
    assert_eq!(e.latency_ms, Some(250.0));
}

#[test]
fn garbage_request_line() {
    let e =
        p(r#"1.2.3.4 - - [06/May/2025:04:00:08 +0000] "\x16\x03\x01" 400 157 "-" "-""#).unwrap();
    assert_eq!(e.status, Some(400));
    assert!(e.method.is_none());
}

#[test]
fn rejects_other_text() {
    assert!(p("Serving HTTP on 0.0.0.0 port 8000").is_none());
    assert!(p("hello world").is_none());
    assert!(p("").is_none());
}

#[test]
fn a_line_opening_with_a_key_value_pair_is_no_access_line() {
    // The parser skips access parsing for lines that look like logfmt: that must never
    // lose an access line, whatever follows the pair.
    let line = r#"10.1.2.3 - - [06/May/2025:01:00:00 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua""#;
    assert!(p(line).is_some());
    for prefix in [
        "host=api",
        "a=b",
        "client=10.1.2.3",
        "x=1,",
        "k=[06/May/2025",
    ] {
        let joined = format!("{prefix} {line}");
        assert!(crate::parse::text::logfmt::looks_like(joined.as_bytes()));
        assert!(p(&joined).is_none(), "{joined}");
    }
}
