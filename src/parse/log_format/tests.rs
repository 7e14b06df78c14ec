use super::*;

fn conf() -> Vec<LogFormat> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/generate/stack/nginx/nginx.conf"
    ))
    .unwrap();
    from_conf(&text).unwrap()
}

fn read<'a>(f: &LogFormat, line: &'a str) -> Option<LogEvent<'a>> {
    let mut ev = LogEvent::default();
    f.parse_into(
        line,
        &Zone::parse("UTC").unwrap(),
        &mut ZoneCache::default(),
        &mut ev,
    )
    .then_some(ev)
}

fn named<'f>(all: &'f [LogFormat], name: &str) -> &'f LogFormat {
    all.iter().find(|f| f.name == name).unwrap()
}

#[test]
fn the_directives_of_an_nginx_conf() {
    let all = conf();
    let names: Vec<&str> = all.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "vhost",
            "vhost_port",
            "xff_first",
            "main",
            "upstreaminfo",
            "custom_pipe",
            "custom_msec"
        ]
    );
    let text = "http {\n  # log_format commented 'x';\n  log_format  both escape=default\n    '$remote_addr [$time_local] '\n    \"$status \\\"$request\\\"\";\n  log_format j escape=json '{\"s\":\"$status\"}';\n}";
    let f = from_conf(text).unwrap();
    assert_eq!(f.len(), 1);
    let e = read(
        &f[0],
        r#"10.0.0.1 [01/Dec/2026:10:09:53 +0000] 200 "GET /a HTTP/1.1""#,
    )
    .unwrap();
    assert_eq!((e.status, e.path.as_deref()), (Some(200), Some("/a")));
    assert!(
        from_conf("log_format x '$status';")
            .unwrap_err()
            .contains("no time")
    );
    assert!(
        from_conf("log_format x '$status")
            .unwrap_err()
            .contains("closing")
    );
}

#[test]
fn custom_formats_read_exactly() {
    let all = conf();
    let pipe = named(&all, "custom_pipe");
    let e = read(pipe, r#"2026-12-01T10:09:53+00:00|66d92d9806b4a0510093b8a18e701ad8|200|0.011|"GET /api/items/1 HTTP/1.1"|0.011|127.0.0.1|9ca9f56a-d424-4392-9ca6-c03c6be277de"#).unwrap();
    assert_eq!(e.status, Some(200));
    assert_eq!(e.latency_ms, Some(11.0));
    assert_eq!(e.path.as_deref(), Some("/api/items/1"));
    assert_eq!(e.client.as_deref(), Some("127.0.0.1"));
    // The client's id outranks nginx's own.
    assert_eq!(
        e.request_id.as_deref(),
        Some("9ca9f56a-d424-4392-9ca6-c03c6be277de")
    );
    assert_eq!(e.ts, Some(1_796_119_793_000_000));
    let e = read(pipe, r#"2026-12-01T10:09:53+00:00|66d92d9806b4a0510093b8a18e701ad8|200|0.011|"GET / HTTP/1.1"|0.011|127.0.0.1|-"#).unwrap();
    assert_eq!(
        e.request_id.as_deref(),
        Some("66d92d9806b4a0510093b8a18e701ad8")
    );
    let msec = named(&all, "custom_msec");
    let e = read(msec, r#"1796119793.739 200 0.011 "GET /api/items/1 HTTP/1.1" 9ca9f56a-d424-4392-9ca6-c03c6be277de"#).unwrap();
    assert_eq!(e.ts, Some(1_796_119_793_739_000));
    // Half a line, a bad status, or text left over: not this format.
    assert!(read(msec, r#"1796119793.739 200 0.011 "GET / HTTP/1.1""#).is_none());
    assert!(read(msec, r#"1796119793.739 2x0 0.011 "GET / HTTP/1.1" id"#).is_none());
    assert!(read(msec, r#"1796119793.739 200 0.011 "GET / HTTP/1.1" id more"#).is_none());
}

#[test]
fn retried_lists_and_chains() {
    let all = conf();
    let ingress = named(&all, "upstreaminfo");
    let e = read(ingress, r#"127.0.0.1 - - [01/Dec/2026:10:09:57 +0000] "GET /retry/ok/1 HTTP/1.1" 200 18 "-" "t/1" 168 0.004 [default-shop-80] [] 127.0.0.1:18252, 127.0.0.1:18251 0, 18 0.001, 0.003 502, 200 2a449596-c2b7-4d9e-880e-728220886eec"#).unwrap();
    assert_eq!(e.upstream.as_deref(), Some("127.0.0.1:18251"));
    assert_eq!(e.latency_ms, Some(4.0));
    assert_eq!(
        e.request_id.as_deref(),
        Some("2a449596-c2b7-4d9e-880e-728220886eec")
    );
    let xff = named(&all, "xff_first");
    let e = read(xff, r#"10.0.0.2, 10.0.0.1, 127.0.0.1 - - [01/Dec/2026:10:09:53 +0000] "GET /a HTTP/1.1" 200 28 "-" "t/1""#).unwrap();
    assert_eq!(e.client.as_deref(), Some("127.0.0.1"));
    // A vhost line is not `main`'s: its first field would hold a space.
    let main = named(&all, "main");
    assert!(read(main, r#"shop.test 127.0.0.1 - - [01/Dec/2026:10:09:53 +0000] "GET / HTTP/1.1" 200 17 "-" "t/1" "-""#).is_none());
}

#[test]
fn formats_that_cannot_be_read() {
    assert!(
        LogFormat::compile("x", "$status$request_time [$time_local]")
            .unwrap_err()
            .contains("no text between")
    );
    assert!(
        LogFormat::compile("x", "[$time_local] ${status")
            .unwrap_err()
            .contains("unclosed")
    );
    assert!(
        LogFormat::compile("x", "[$time_local] $ $status")
            .unwrap_err()
            .contains("without a variable")
    );
    assert!(LogFormat::compile("x", "${time_local} ${status}").is_ok());
}
