//! The second app-log shape, `app-compact.log`: compact JSON as structlog or a hand-rolled
//! Python/Go JSON formatter writes it, the shape issue 15's speed targets were measured on. It
//! owns its own small simulation (its own PRNG stream, so the main corpus's bytes do not change)
//! and must not share state with `sim`.
//!
//! Keys in order: `timestamp` (`2025-05-06T00:00:00.006+00:00`), `level`, `logger`, `msg`,
//! `request_id` (32 hex), `endpoint` (numeric ids in the path), `method`; a request's last line
//! adds `status` and `duration_ms`; ERROR lines add `error_type` and `exc_info` (a traceback of
//! 5-15 frames). Requests have 2-6 lines spread over their duration, so they interleave; 1% of
//! lines carry no request id. Over 24 hours starting 2025-05-06T00:00 UTC, with a burst
//! 12:00-12:10 of 30% errors and 8x latency. About 230 bytes per line and 1.16 M requests/GiB.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::clock::{SEC, civil, num, pad2, pad3};
use crate::rng::Rng;

/// 2025-05-06T00:00:00Z in microseconds.
const START: u64 = 1_746_489_600 * SEC;
const SPAN: u64 = 86_400 * SEC;
const BURST: (u64, u64) = (START + 12 * 3600 * SEC, START + (12 * 3600 + 600) * SEC);
/// Bytes the average request writes, to pick the arrival rate that spans the day.
const BYTES_PER_REQUEST: f64 = 925.0;

/// (method, path template with `{}` for a numeric id, logger).
const ROUTES: [(&str, &str, &str); 10] = [
    ("GET", "/api/v1/users/{}", "app.users"),
    ("GET", "/api/v1/users/{}/orders", "app.orders"),
    ("POST", "/api/v1/orders", "app.orders"),
    ("GET", "/api/v1/orders/{}", "app.orders"),
    ("GET", "/api/v1/products/{}", "app.catalog"),
    ("GET", "/api/v1/products/{}/reviews", "app.catalog"),
    ("PUT", "/api/v1/carts/{}/items", "app.carts"),
    ("POST", "/api/v1/payments/{}/capture", "app.payments"),
    ("GET", "/api/v1/search", "app.search"),
    ("GET", "/healthz", "app.health"),
];
const ROUTE_WEIGHTS: [u32; 10] = [22, 10, 6, 12, 18, 7, 6, 4, 10, 5];

const MIDDLE: [&str; 6] = [
    "querying database",
    "cache miss",
    "calling upstream service",
    "loaded rows",
    "validated payload",
    "rendering response",
];

/// (error_type, the exception line's message, status).
const ERRORS: [(&str, &str, u16); 6] = [
    (
        "OperationalError",
        "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) server closed the connection unexpectedly",
        500,
    ),
    (
        "TimeoutError",
        "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00",
        503,
    ),
    (
        "ReadTimeout",
        "httpx.ReadTimeout: The read operation timed out",
        504,
    ),
    ("KeyError", "KeyError: 'metrics'", 500),
    (
        "ValueError",
        "ValueError: invalid literal for int() with base 10: '2abc'",
        500,
    ),
    (
        "ConnectionError",
        "redis.exceptions.ConnectionError: Error 111 connecting to redis:6379. Connection refused.",
        502,
    ),
];

/// Frames a traceback draws from: (file, function, source line).
const FRAMES: [(&str, &str, &str); 12] = [
    (
        "/usr/local/lib/python3.11/site-packages/starlette/middleware/errors.py",
        "__call__",
        "await self.app(scope, receive, _send)",
    ),
    (
        "/usr/local/lib/python3.11/site-packages/starlette/routing.py",
        "handle",
        "await self.app(scope, receive, send)",
    ),
    (
        "/usr/local/lib/python3.11/site-packages/fastapi/routing.py",
        "app",
        "raw_response = await run_endpoint_function(",
    ),
    (
        "/usr/local/lib/python3.11/site-packages/fastapi/routing.py",
        "run_endpoint_function",
        "return await dependant.call(**values)",
    ),
    (
        "/app/api/routes/orders.py",
        "list_orders",
        "orders = await storage.orders_for_user(user_id)",
    ),
    (
        "/app/storage/orders.py",
        "orders_for_user",
        "rows = await db.fetch_all(query, {\"user_id\": user_id})",
    ),
    (
        "/app/storage/db.py",
        "fetch_all",
        "return await self._conn.fetch_all(query, values)",
    ),
    (
        "/usr/local/lib/python3.11/site-packages/sqlalchemy/engine/base.py",
        "_exec_single_context",
        "self.dialect.do_execute(",
    ),
    (
        "/usr/local/lib/python3.11/site-packages/sqlalchemy/engine/default.py",
        "do_execute",
        "cursor.execute(statement, parameters)",
    ),
    (
        "/usr/local/lib/python3.11/site-packages/httpx/_client.py",
        "send",
        "response = await self._send_handling_auth(",
    ),
    (
        "/app/clients/upstream.py",
        "call",
        "resp = await self._client.post(url, json=payload)",
    ),
    (
        "/app/cache.py",
        "get_or_load",
        "cached = await self.redis.get(key)",
    ),
];

struct Req {
    id: [u8; 32],
    route: usize,
    path_id: u64,
    lines: u8,
    done: u8,
    start: u64,
    dur: u64,
    error: Option<u8>,
}

/// Writes `size` bytes (whole lines) of the compact shape to `path`; returns (bytes, lines).
pub(crate) fn write(path: &Path, size: u64, seed: u64) -> io::Result<(u64, u64)> {
    let mut out = BufWriter::with_capacity(8 << 20, File::create(path)?);
    let mut rng = Rng::new(seed ^ 0xC0A1_7AC7);
    let tracebacks: Vec<Vec<u8>> = (0..ERRORS.len() * 4)
        .map(|i| traceback(&mut rng, i % ERRORS.len()))
        .collect();
    let per_sec = size as f64 / BYTES_PER_REQUEST / (SPAN / SEC) as f64;
    let gap = SEC as f64 / per_sec;
    let mut reqs: Vec<Req> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    // (time, sequence, slot): the sequence breaks ties so the order is the same every run.
    let mut due: BinaryHeap<Reverse<(u64, u64, usize)>> = BinaryHeap::new();
    let (mut seq, mut next_arrival, mut next_background) = (0u64, START, START);
    let (mut bytes, mut lines) = (0u64, 0u64);
    let mut line = Vec::with_capacity(4096);
    while bytes < size {
        let next_due = due.peek().map_or(u64::MAX, |Reverse((t, _, _))| *t);
        let t = next_arrival.min(next_background).min(next_due);
        line.clear();
        if t == next_arrival {
            let r = new_request(&mut rng, t);
            let slot = free.pop().unwrap_or(reqs.len());
            if slot == reqs.len() {
                reqs.push(r);
            } else {
                reqs[slot] = r;
            }
            seq += 1;
            due.push(Reverse((t, seq, slot)));
            next_arrival = t + 1 + rng.exp(gap) as u64;
            continue;
        } else if t == next_background {
            background(&mut line, &mut rng, t);
            // 1% of lines: about 4 lines per request.
            next_background = t + 1 + rng.exp(gap / 4.0 * 99.0) as u64;
        } else {
            let Reverse((_, _, slot)) = due.pop().expect("peeked");
            let r = &mut reqs[slot];
            request_line(&mut line, r, t, &tracebacks);
            r.done += 1;
            if r.done < r.lines {
                let at = r.start + r.dur * r.done as u64 / (r.lines as u64 - 1);
                seq += 1;
                due.push(Reverse((at.max(t), seq, slot)));
            } else {
                free.push(slot);
            }
        }
        line.push(b'\n');
        out.write_all(&line)?;
        bytes += line.len() as u64;
        lines += 1;
    }
    out.flush()?;
    Ok((bytes, lines))
}

fn in_burst(t: u64) -> bool {
    (BURST.0..BURST.1).contains(&t)
}

fn new_request(rng: &mut Rng, t: u64) -> Req {
    let mut id = [0u8; 32];
    for half in id.chunks_mut(16) {
        let v = rng.next();
        for (i, b) in half.iter_mut().enumerate() {
            *b = b"0123456789abcdef"[(v >> (i * 4) & 15) as usize];
        }
    }
    let route = rng.weighted(&ROUTE_WEIGHTS);
    let burst = in_burst(t);
    // Log-normal latency, median 35 ms; the burst multiplies it by 8.
    let mut dur = (35_000.0 * (0.9 * rng.normal()).exp()) as u64 + 500;
    if burst {
        dur *= 8;
    }
    // Health checks fail only in the burst (the database is down); the rest fail at 4%.
    let p = match (burst, ROUTES[route].1 == "/healthz") {
        (true, _) => 0.30,
        (false, true) => 0.0,
        (false, false) => 0.04,
    };
    let error = rng.chance(p).then(|| rng.below(ERRORS.len() as u64) as u8);
    Req {
        id,
        route,
        path_id: rng.range(1, 999_999),
        lines: rng.range(2, 6) as u8,
        done: 0,
        start: t,
        dur,
        error,
    }
}

fn head(w: &mut Vec<u8>, t: u64, level: &str, logger: &str, msg: &str) {
    w.extend_from_slice(b"{\"timestamp\":\"");
    let secs = t / SEC;
    let (y, mo, d) = civil((secs / 86_400) as i64);
    let s = secs % 86_400;
    num(w, y as u64);
    w.push(b'-');
    pad2(w, mo as u64);
    w.push(b'-');
    pad2(w, d as u64);
    w.push(b'T');
    pad2(w, s / 3600);
    w.push(b':');
    pad2(w, s / 60 % 60);
    w.push(b':');
    pad2(w, s % 60);
    w.push(b'.');
    pad3(w, t / 1000 % 1000);
    w.extend_from_slice(b"+00:00\",\"level\":\"");
    w.extend_from_slice(level.as_bytes());
    w.extend_from_slice(b"\",\"logger\":\"");
    w.extend_from_slice(logger.as_bytes());
    w.extend_from_slice(b"\",\"msg\":\"");
    w.extend_from_slice(msg.as_bytes());
    w.push(b'"');
}

fn request_line(w: &mut Vec<u8>, r: &Req, t: u64, tracebacks: &[Vec<u8>]) {
    let (method, template, logger) = ROUTES[r.route];
    let last = r.done + 1 == r.lines;
    let failed = last && r.error.is_some();
    let (level, msg) = match (r.done, last) {
        _ if failed => ("ERROR", "request failed"),
        (0, _) => ("INFO", "request started"),
        (_, true) if r.dur > 1_000_000 => ("WARNING", "request finished slowly"),
        (_, true) => ("INFO", "request finished"),
        (k, _) => (
            "INFO",
            MIDDLE[(r.path_id as usize + k as usize) % MIDDLE.len()],
        ),
    };
    head(w, t, level, logger, msg);
    w.extend_from_slice(b",\"request_id\":\"");
    w.extend_from_slice(&r.id);
    w.extend_from_slice(b"\",\"endpoint\":\"");
    let (before, after) = template.split_once("{}").unwrap_or((template, ""));
    w.extend_from_slice(before.as_bytes());
    if template.contains("{}") {
        num(w, r.path_id);
    }
    w.extend_from_slice(after.as_bytes());
    w.extend_from_slice(b"\",\"method\":\"");
    w.extend_from_slice(method.as_bytes());
    w.push(b'"');
    if last {
        let status = r
            .error
            .map_or(if method == "POST" { 201 } else { 200 }, |e| {
                ERRORS[e as usize].2 as u64
            });
        w.extend_from_slice(b",\"status\":");
        num(w, status);
        w.extend_from_slice(b",\"duration_ms\":");
        let us = t - r.start;
        num(w, us / 1000);
        w.push(b'.');
        pad3(w, us % 1000);
    }
    if let (true, Some(e)) = (failed, r.error) {
        let e = e as usize;
        w.extend_from_slice(b",\"error_type\":\"");
        w.extend_from_slice(ERRORS[e].0.as_bytes());
        w.extend_from_slice(b"\",\"exc_info\":\"");
        // Four tracebacks per error type, picked by the path id.
        w.extend_from_slice(&tracebacks[e + ERRORS.len() * (r.path_id as usize % 4)]);
        w.push(b'"');
    }
    w.push(b'}');
}

fn background(w: &mut Vec<u8>, rng: &mut Rng, t: u64) {
    let (logger, msg) = rng.pick(&[
        ("app.scheduler", "refreshed feature flags"),
        ("app.db", "connection pool status"),
        ("uvicorn.error", "worker heartbeat"),
    ]);
    head(w, t, "INFO", logger, msg);
    w.extend_from_slice(b",\"pid\":");
    num(w, 7 + rng.below(4));
    w.push(b'}');
}

/// A JSON-escaped traceback of 5-15 frames ending in the error's exception line.
fn traceback(rng: &mut Rng, error: usize) -> Vec<u8> {
    let mut w = b"Traceback (most recent call last):".to_vec();
    for _ in 0..rng.range(5, 15) {
        let (file, func, code) = FRAMES[rng.below(FRAMES.len() as u64) as usize];
        w.extend_from_slice(b"\\n  File \\\"");
        w.extend_from_slice(file.as_bytes());
        w.extend_from_slice(b"\\\", line ");
        num(&mut w, rng.range(12, 2400));
        w.extend_from_slice(b", in ");
        w.extend_from_slice(func.as_bytes());
        w.extend_from_slice(b"\\n    ");
        w.extend_from_slice(code.replace('"', "\\\"").as_bytes());
    }
    w.extend_from_slice(b"\\n");
    w.extend_from_slice(ERRORS[error].1.as_bytes());
    w
}
