//! Seeded generator of large, realistic log corpora for throughput benchmarks: a JSON app log
//! (python-json-logger shape, interleaved concurrent requests, tracebacks, an incident), an
//! nginx error log and an nginx access log. Same seed and size, same bytes.
//!
//! `cargo run --release --example gen_corpus -- [--out DIR] [--size 1GiB] [--seed 42]
//! [--only app|error|access]`

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

/// splitmix64: tiny, seeded, good enough for shaping test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
    /// Roughly log-normal latency in ms: a body around 20 ms and a heavy tail.
    fn latency(&mut self, slow: bool) -> f64 {
        let u = (self.below(1_000_000) as f64 + 0.5) / 1_000_000.0;
        let base = 8.0 * (-(1.0 - u).ln() * 1.7).exp();
        if slow { base * 25.0 } else { base }
    }
}

const START: i64 = 1_746_489_600; // 2025-05-06T00:00:00Z
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// (year, month, day) from days since the epoch (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + (m <= 2) as i64, m, d)
}

struct Clock {
    ms: i64,
}

impl Clock {
    fn parts(&self) -> (i64, u32, u32, i64, i64, i64, i64) {
        let secs = self.ms.div_euclid(1000);
        let (y, mo, d) = civil(secs.div_euclid(86_400));
        let s = secs.rem_euclid(86_400);
        (
            y,
            mo,
            d,
            s / 3600,
            (s / 60) % 60,
            s % 60,
            self.ms.rem_euclid(1000),
        )
    }
    fn asctime(&self) -> String {
        let (y, mo, d, h, mi, s, ms) = self.parts();
        format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02},{ms:03}")
    }
    fn nginx_error(&self) -> String {
        let (y, mo, d, h, mi, s, _) = self.parts();
        format!("{y}/{mo:02}/{d:02} {h:02}:{mi:02}:{s:02}")
    }
    fn nginx_local(&self) -> String {
        let (y, mo, d, h, mi, s, _) = self.parts();
        format!(
            "{d:02}/{}/{y}:{h:02}:{mi:02}:{s:02} +0000",
            MONTHS[mo as usize - 1]
        )
    }
}

fn endpoint(rng: &mut Rng) -> (&'static str, String) {
    match rng.below(100) {
        0..=29 => ("GET", format!("/api/items/{}", rng.below(50_000))),
        30..=44 => ("POST", "/retrieval/apple_health_data".to_string()),
        45..=59 => {
            let u = rng.next();
            let v = rng.next();
            (
                "GET",
                format!(
                    "/users/{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}/orders",
                    u >> 32,
                    u & 0xffff,
                    v & 0xfff,
                    (v >> 12) & 0xfff,
                    v >> 16 & 0xffff_ffff_ffff
                ),
            )
        }
        60..=74 => ("GET", format!("/api/search?q=term{}", rng.below(1000))),
        75..=84 => ("PUT", format!("/api/carts/{}/items", rng.below(90_000))),
        _ => ("GET", "/health".to_string()),
    }
}

const TRACEBACKS: [&str; 3] = [
    "Traceback (most recent call last):\\n  File \\\"/app/api/orders.py\\\", line 88, in get_order\\n    row = db.fetch_one(query, order_id)\\n  File \\\"/app/storage/db.py\\\", line 41, in fetch_one\\n    raise DatabaseError(\\\"connection lost\\\")\\nstorage.DatabaseError: connection lost",
    "Traceback (most recent call last):\\n  File \\\"/app/api/health.py\\\", line 12, in sync\\n    session.execute(stmt)\\n  File \\\"/usr/lib/python3/site-packages/sqlalchemy/engine/base.py\\\", line 1412, in execute\\n    raise exc\\nsqlalchemy.exc.OperationalError: (psycopg2.OperationalError) server closed the connection unexpectedly",
    "Traceback (most recent call last):\\n  File \\\"/app/api/payments.py\\\", line 230, in charge\\n    resp = client.post(url, json=body, timeout=5)\\n  File \\\"/usr/lib/python3/site-packages/httpx/_client.py\\\", line 1145, in post\\n    raise ReadTimeout(message)\\nhttpx.ReadTimeout: timed out",
];

struct Live {
    id: u128,
    method: &'static str,
    path: String,
    started: i64,
    step: u8,
    hung: bool,
}

fn app(path: &PathBuf, size: u64, rng: &mut Rng) -> std::io::Result<(u64, u64)> {
    let mut out = BufWriter::with_capacity(1 << 22, File::create(path)?);
    let (mut bytes, mut lines) = (0u64, 0u64);
    // ~230 bytes a line over six hours for 1 GiB.
    let per_line_ms = ((6 * 3_600_000) as f64 * 230.0 / size as f64).max(0.001);
    let mut clock = Clock { ms: START * 1000 };
    let mut carry = 0.0f64;
    let mut live: Vec<Live> = Vec::new();
    while bytes < size {
        carry += per_line_ms * (0.5 + rng.below(1000) as f64 / 1000.0);
        clock.ms += carry as i64;
        carry -= (carry as i64) as f64;
        let frac = (clock.ms - START * 1000) as f64 / (6.0 * 3_600_000.0);
        let incident = (0.45..0.47).contains(&frac);
        if live.len() < 8 || rng.chance(300) {
            let (method, path) = endpoint(rng);
            let hung = rng.chance(if incident { 50 } else { 5 });
            live.push(Live {
                id: ((rng.next() as u128) << 64) | rng.next() as u128,
                method,
                path,
                started: clock.ms,
                step: 0,
                hung,
            });
        }
        let i = rng.below(live.len() as u64) as usize;
        let r = &mut live[i];
        let ts = clock.asctime();
        let line = match r.step {
            0 => format!(
                "{{\"asctime\": \"{ts}\", \"levelname\": \"INFO\", \"name\": \"app.api\", \"message\": \"request started\", \"request_id\": \"{:032x}\", \"method\": \"{}\", \"path\": \"{}\"}}\n",
                r.id, r.method, r.path
            ),
            1 if r.hung || rng.chance(300) => {
                let msg = if r.path.starts_with("/retrieval") {
                    "calling payment provider"
                } else {
                    "cache miss for key user:1234"
                };
                format!(
                    "{{\"asctime\": \"{ts}\", \"levelname\": \"INFO\", \"name\": \"app.api\", \"message\": \"{msg}\", \"request_id\": \"{:032x}\", \"method\": \"{}\", \"path\": \"{}\"}}\n",
                    r.id, r.method, r.path
                )
            }
            _ => {
                let err = rng.chance(if incident { 200 } else { 12 });
                let warn = !err && rng.chance(20);
                let ms = rng.latency(incident) + (clock.ms - r.started) as f64 * 0.0;
                let (level, status) = if err {
                    (
                        "ERROR",
                        if incident && rng.chance(500) {
                            504
                        } else {
                            500
                        },
                    )
                } else if warn {
                    ("WARNING", 429)
                } else {
                    ("INFO", 200)
                };
                let exc = if err {
                    format!(", \"exc_info\": \"{}\"", TRACEBACKS[rng.below(3) as usize])
                } else {
                    String::new()
                };
                format!(
                    "{{\"asctime\": \"{ts}\", \"levelname\": \"{level}\", \"name\": \"app.api\", \"message\": \"request finished\", \"request_id\": \"{:032x}\", \"method\": \"{}\", \"path\": \"{}\", \"status\": {status}, \"duration_ms\": {ms:.3}{exc}}}\n",
                    r.id, r.method, r.path
                )
            }
        };
        let finished =
            r.step >= 1 && !line.contains("\"calling payment") && !line.contains("\"cache miss");
        if r.step == 1 && r.hung {
            // Hung: logs where it stopped, never its end.
            live.swap_remove(i);
        } else if finished {
            live.swap_remove(i);
        } else {
            live[i].step += 1;
        }
        out.write_all(line.as_bytes())?;
        bytes += line.len() as u64;
        lines += 1;
    }
    out.flush()?;
    Ok((bytes, lines))
}

fn nginx_error(path: &PathBuf, size: u64, rng: &mut Rng) -> std::io::Result<(u64, u64)> {
    let mut out = BufWriter::with_capacity(1 << 22, File::create(path)?);
    let (mut bytes, mut lines) = (0u64, 0u64);
    let per_line_ms = ((6 * 3_600_000) as f64 * 260.0 / size as f64).max(0.001) as i64 + 1;
    let mut clock = Clock { ms: START * 1000 };
    let mut conn = 5_482_906u64;
    for m in [
        "using the \"epoll\" event method",
        "nginx/1.22.1",
        "start worker processes",
        "signal process started",
    ] {
        let line = format!("{} [notice] 214901#214901: {m}\n", clock.nginx_error());
        out.write_all(line.as_bytes())?;
        bytes += line.len() as u64;
        lines += 1;
    }
    while bytes < size {
        clock.ms += rng.below(per_line_ms as u64 * 2) as i64;
        conn += 1 + rng.below(40);
        let (method, p) = endpoint(rng);
        let client = format!("10.{}.{}.{}", rng.below(4), rng.below(256), rng.below(256));
        let up = format!("10.0.0.{}:30016", 7 + rng.below(3));
        let (level, msg, upstream) = match rng.below(100) {
            0..=29 => (
                "error",
                "upstream timed out (110: Connection timed out) while reading response header from upstream",
                true,
            ),
            30..=49 => (
                "error",
                "upstream prematurely closed connection while reading response header from upstream",
                true,
            ),
            50..=59 => (
                "error",
                "connect() failed (111: Connection refused) while connecting to upstream",
                true,
            ),
            60..=64 => (
                "error",
                "no live upstreams while connecting to upstream",
                true,
            ),
            65..=71 => (
                "error",
                "recv() failed (104: Connection reset by peer) while reading response header from upstream",
                true,
            ),
            72..=74 => (
                "error",
                "upstream sent too big header while reading response header from upstream",
                true,
            ),
            75..=78 => (
                "error",
                "client intended to send too large body: 1048577 bytes",
                false,
            ),
            79..=86 => (
                "error",
                "open() \"/usr/share/nginx/html/favicon.ico\" failed (2: No such file or directory)",
                false,
            ),
            _ => (
                "warn",
                "an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/1/00/0000000001 while reading upstream",
                true,
            ),
        };
        let up_part = if upstream {
            format!(", upstream: \"http://{up}{p}\"")
        } else {
            String::new()
        };
        let line = format!(
            "{} [{level}] 214903#214903: *{conn} {msg}, client: {client}, server: api.example.com, request: \"{method} {p} HTTP/1.1\"{up_part}, host: \"api.example.com\"\n",
            clock.nginx_error()
        );
        out.write_all(line.as_bytes())?;
        bytes += line.len() as u64;
        lines += 1;
    }
    out.flush()?;
    Ok((bytes, lines))
}

fn nginx_access(path: &PathBuf, size: u64, rng: &mut Rng) -> std::io::Result<(u64, u64)> {
    let mut out = BufWriter::with_capacity(1 << 22, File::create(path)?);
    let (mut bytes, mut lines) = (0u64, 0u64);
    let per_line_ms = ((6 * 3_600_000) as f64 * 250.0 / size as f64).max(0.001) as i64 + 1;
    let mut clock = Clock { ms: START * 1000 };
    while bytes < size {
        clock.ms += rng.below(per_line_ms as u64 * 2) as i64;
        let (method, p) = endpoint(rng);
        let status = match rng.below(1000) {
            0..=9 => 502,
            10..=19 => 504,
            20..=29 => 500,
            30..=59 => 404,
            _ => 200,
        };
        let rt = if status == 504 {
            60.0
        } else {
            rng.latency(false) / 1000.0
        };
        let line = format!(
            "10.{}.{}.{} - - [{}] \"{method} {p} HTTP/1.1\" {status} {} \"-\" \"okhttp/4.9.3\" request_id={:016x}{:016x} request_time={rt:.3} upstream_response_time={:.3} upstream_status={status} upstream_addr=10.0.0.{}:30016\n",
            rng.below(4),
            rng.below(256),
            rng.below(256),
            clock.nginx_local(),
            rng.below(20_000),
            rng.next(),
            rng.next(),
            rt * 0.98,
            7 + rng.below(3)
        );
        out.write_all(line.as_bytes())?;
        bytes += line.len() as u64;
        lines += 1;
    }
    out.flush()?;
    Ok((bytes, lines))
}

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let n: f64 = s[..split].parse().ok()?;
    let mult = match s[split..].to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mib" => 1048576.0,
        "g" | "gb" => 1e9,
        "gib" => 1073741824.0,
        _ => return None,
    };
    Some((n * mult) as u64)
}

fn usage(msg: &str) -> ! {
    eprintln!(
        "gen_corpus: {msg}\nusage: gen_corpus [--out DIR] [--size 1GiB] [--seed 42] [--only app|error|access]"
    );
    std::process::exit(2)
}

fn main() -> std::io::Result<()> {
    let mut out = PathBuf::from("target/bench-corpus");
    let mut size = 1u64 << 30;
    let mut seed = 42u64;
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--out" => out = PathBuf::from(val()),
            "--size" => size = parse_size(&val()).unwrap_or_else(|| usage("bad --size")),
            "--seed" => seed = val().parse().unwrap_or_else(|_| usage("bad --seed")),
            "--only" => only = Some(val()),
            _ => usage(&format!("unknown argument {a}")),
        }
    }
    std::fs::create_dir_all(&out)?;
    let want = |k: &str| only.as_deref().is_none_or(|o| o == k);
    let side = size / 5;
    if want("app") {
        let p = out.join("app.log");
        let (b, l) = app(&p, size, &mut Rng(seed))?;
        println!("{} {b} bytes {l} lines", p.display());
    }
    if want("error") {
        let p = out.join("nginx-error.log");
        let (b, l) = nginx_error(&p, side, &mut Rng(seed ^ 0xE))?;
        println!("{} {b} bytes {l} lines", p.display());
    }
    if want("access") {
        let p = out.join("nginx-access.log");
        let (b, l) = nginx_access(&p, side, &mut Rng(seed ^ 0xA))?;
        println!("{} {b} bytes {l} lines", p.display());
    }
    Ok(())
}
