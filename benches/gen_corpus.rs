//! Seeded generator of large, realistic log corpora for throughput benchmarks. Same seed and
//! size, same bytes (std only: no dependencies, a splitmix64 PRNG, no hash-map iteration).
//!
//! ```text
//! cargo run --release --example gen_corpus -- [--out DIR] [--size 1GiB] [--seed 42]
//!     [--only app|error|access] [--load daily|steady]
//! ```
//!
//! One discrete-event simulation of a Python/FastAPI service (python-json-logger) behind one of
//! two nginx ingress replicas drives all three files, so they tell the same story:
//!
//! - `app.log` (`--size` bytes): per request `request started`, sometimes 1-2 intermediate lines,
//!   `request finished` with `status` and `duration_ms` equal to the time between the two lines
//!   (log-normal latency with a heavy tail). Concurrent requests interleave; ~1.3% of lines are
//!   ERROR (an `exc_info` Python traceback, then a 5xx completion); ~0.5% of requests hang and
//!   never finish. Timestamps are monotonic over ~6 hours (01:00-07:00 UTC on 2025-05-06).
//! - `nginx-access.log` (~20% of `--size`): `combined` plus `request_id=` ... `upstream_addr=`
//!   for the share of requests this replica proxied, with the same request ids.
//! - `nginx-error.log` (~20% of `--size`): the proxy's view of failing requests (timeouts at
//!   60 s, closed/reset upstreams, refused connections, no live upstreams, 413s) plus the usual
//!   noise (temp-file buffering warnings, favicon and scanner 404s, rate limiting), start-up and
//!   reload notices. Connection ids increase.
//!
//! Incident 04:00-04:10: the database fails over (sqlalchemy errors, pool timeouts, 5xx, 6-8x
//! latency, more hung requests), pod 10.0.0.8 is down for three minutes and all pods for 30 s
//! (`no live upstreams`; no new requests reach the app), nginx runs out of worker connections.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

// ---------------------------------------------------------------------------------------------
// Randomness

/// splitmix64: tiny, seeded, statistically fine for shaping test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (multiply-shift: no division, negligible bias for small n).
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn exp(&mut self, mean: f64) -> f64 {
        -(1.0 - self.unit()).ln() * mean
    }
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut r = self.below(total as u64) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if r < w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------------------------
// Time (all internal times are microseconds since the Unix epoch, UTC)

const SEC: u64 = 1_000_000;
const START: u64 = 1_746_493_200 * SEC; // 2025-05-06 01:00:00 UTC
const SPAN: u64 = 6 * 3600 * SEC;
const INCIDENT: u64 = START + 3 * 3600 * SEC; // 04:00:00
const INCIDENT_LEN: u64 = 600 * SEC;
/// Pod 10.0.0.8 refuses connections in this part of the incident (seconds into it).
const POD_DOWN: (u64, u64) = (150, 330);
/// Every pod is down: nginx has no live upstream, the app logs nothing.
const ALL_DOWN: (u64, u64) = (270, 300);
const RELOAD: u64 = INCIDENT + 12 * 60 * SEC + 31 * SEC + 417_000; // config change after it
/// nginx `proxy_read_timeout`.
const PROXY_TIMEOUT: u64 = 60 * SEC;

/// Calibration, measured on this generator's own output so that the files come out at the
/// documented sizes for any `--size`: app bytes per request, the share of requests that pass
/// through this nginx replica, and nginx noise lines per request.
const APP_BYTES_PER_REQUEST: f64 = 613.0;
const ACCESS_SHARE: f64 = 0.453;
const NOISE_PER_REQUEST: f64 = 0.388;

fn incident_secs(t: u64) -> Option<u64> {
    (INCIDENT..INCIDENT + INCIDENT_LEN)
        .contains(&t)
        .then(|| (t - INCIDENT) / SEC)
}

fn in_window(t: u64, w: (u64, u64)) -> bool {
    incident_secs(t).is_some_and(|s| s >= w.0 && s < w.1)
}

/// `--load steady`: one request rate throughout (for memory benchmarks of streams).
static STEADY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Relative request rate: a gentle daily-traffic swell over the span, and client retries
/// during the incident (or flat with `--load steady`).
fn load(t: u64) -> f64 {
    if STEADY.load(std::sync::atomic::Ordering::Relaxed) {
        return 1.0;
    }
    let frac = t.saturating_sub(START) as f64 / SPAN as f64;
    let s = (std::f64::consts::PI * frac).sin();
    let base = 0.8 + 0.4 * s * s;
    if incident_secs(t).is_some() {
        base * 1.3
    } else {
        base
    }
}

/// Latency multiplier: ramps up over the first minute of the incident, back down in the last.
fn slowdown(t: u64) -> f64 {
    match incident_secs(t) {
        None => 1.0,
        Some(s) => {
            let ramp = (s.min(600 - s) as f64 / 60.0).min(1.0);
            1.0 + 6.0 * ramp
        }
    }
}

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

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

#[derive(Clone, Copy)]
enum Stamp {
    /// python `asctime`: `2025-05-06 04:00:08` (the `,123` milliseconds are appended apart)
    App,
    /// nginx error log: `2025/05/06 04:00:08`
    Error,
    /// nginx `$time_local`: `06/May/2025:04:00:08 +0000`
    Access,
}

/// Formats the whole-second part of a timestamp once per second, not once per line.
struct StampCache {
    kind: Stamp,
    sec: u64,
    text: Vec<u8>,
}

impl StampCache {
    fn new(kind: Stamp) -> Self {
        Self {
            kind,
            sec: u64::MAX,
            text: Vec::with_capacity(32),
        }
    }
    fn get(&mut self, t: u64) -> &[u8] {
        let sec = t / SEC;
        if sec != self.sec {
            self.sec = sec;
            let (y, mo, d) = civil((sec / 86_400) as i64);
            let s = sec % 86_400;
            let (h, mi, se) = (s / 3600, s / 60 % 60, s % 60);
            self.text.clear();
            let w = &mut self.text;
            match self.kind {
                Stamp::App | Stamp::Error => {
                    let sep = if matches!(self.kind, Stamp::App) {
                        b'-'
                    } else {
                        b'/'
                    };
                    num(w, y as u64);
                    w.push(sep);
                    pad2(w, mo as u64);
                    w.push(sep);
                    pad2(w, d as u64);
                }
                Stamp::Access => {
                    pad2(w, d as u64);
                    w.push(b'/');
                    w.extend_from_slice(MONTHS[mo as usize - 1].as_bytes());
                    w.push(b'/');
                    num(w, y as u64);
                }
            }
            w.push(if matches!(self.kind, Stamp::Access) {
                b':'
            } else {
                b' '
            });
            pad2(w, h);
            w.push(b':');
            pad2(w, mi);
            w.push(b':');
            pad2(w, se);
            if matches!(self.kind, Stamp::Access) {
                w.extend_from_slice(b" +0000");
            }
        }
        &self.text
    }
}

// ---------------------------------------------------------------------------------------------
// Allocation-free number formatting

fn num(w: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    w.extend_from_slice(&tmp[i..]);
}

fn pad2(w: &mut Vec<u8>, n: u64) {
    w.extend_from_slice(&[b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8]);
}

fn pad3(w: &mut Vec<u8>, n: u64) {
    w.extend_from_slice(&[
        b'0' + (n / 100 % 10) as u8,
        b'0' + (n / 10 % 10) as u8,
        b'0' + (n % 10) as u8,
    ]);
}

fn pad_n(w: &mut Vec<u8>, n: u64, width: usize) {
    let start = w.len();
    num(w, n);
    let len = w.len() - start;
    if len < width {
        w.splice(start..start, std::iter::repeat_n(b'0', width - len));
    }
}

/// Microseconds as nginx prints `$request_time`: seconds with millisecond resolution.
fn secs3(w: &mut Vec<u8>, us: u64) {
    let ms = us / 1000;
    num(w, ms / 1000);
    w.push(b'.');
    pad3(w, ms % 1000);
}

/// Microseconds as Python prints `round(ms, 3)`: `12.345`, `12.34`, `5.0`.
fn py_ms(w: &mut Vec<u8>, us: u64) {
    num(w, us / 1000);
    w.push(b'.');
    let frac = us % 1000;
    if frac == 0 {
        w.push(b'0');
    } else {
        pad3(w, frac);
        while w.last() == Some(&b'0') {
            w.pop();
        }
    }
}

fn hex(w: &mut Vec<u8>, bytes: &[u8]) {
    w.extend_from_slice(bytes);
}

// ---------------------------------------------------------------------------------------------
// Service model

#[derive(Clone, Copy, PartialEq)]
enum Ep {
    Item,
    ItemReviews,
    UserOrders,
    UserOrder,
    Retrieval,
    Payment,
    CartPut,
    CartDelete,
    Search,
    Auth,
    Feed,
    Health,
}

struct Endpoint {
    ep: Ep,
    method: &'static str,
    weight: u32,
    /// Median latency in ms on a good day.
    median_ms: f64,
    /// Response body size range in bytes.
    body: (u64, u64),
    /// Backed by the database: fails during the fail-over.
    db: bool,
}

const ENDPOINTS: [Endpoint; 12] = [
    Endpoint {
        ep: Ep::Item,
        method: "GET",
        weight: 22,
        median_ms: 14.0,
        body: (380, 2400),
        db: true,
    },
    Endpoint {
        ep: Ep::ItemReviews,
        method: "GET",
        weight: 6,
        median_ms: 31.0,
        body: (900, 16000),
        db: true,
    },
    Endpoint {
        ep: Ep::UserOrders,
        method: "GET",
        weight: 10,
        median_ms: 42.0,
        body: (1200, 42000),
        db: true,
    },
    Endpoint {
        ep: Ep::UserOrder,
        method: "GET",
        weight: 4,
        median_ms: 19.0,
        body: (450, 3100),
        db: true,
    },
    Endpoint {
        ep: Ep::Retrieval,
        method: "POST",
        weight: 13,
        median_ms: 118.0,
        body: (24, 96),
        db: true,
    },
    Endpoint {
        ep: Ep::Payment,
        method: "POST",
        weight: 4,
        median_ms: 340.0,
        body: (180, 420),
        db: true,
    },
    Endpoint {
        ep: Ep::CartPut,
        method: "PUT",
        weight: 8,
        median_ms: 27.0,
        body: (220, 1400),
        db: true,
    },
    Endpoint {
        ep: Ep::CartDelete,
        method: "DELETE",
        weight: 2,
        median_ms: 18.0,
        body: (0, 0),
        db: true,
    },
    Endpoint {
        ep: Ep::Search,
        method: "GET",
        weight: 9,
        median_ms: 74.0,
        body: (900, 24000),
        db: false,
    },
    Endpoint {
        ep: Ep::Auth,
        method: "POST",
        weight: 5,
        median_ms: 210.0,
        body: (610, 690),
        db: true,
    },
    Endpoint {
        ep: Ep::Feed,
        method: "GET",
        weight: 7,
        median_ms: 55.0,
        body: (4000, 61000),
        db: false,
    },
    Endpoint {
        ep: Ep::Health,
        method: "GET",
        weight: 9,
        median_ms: 1.6,
        body: (15, 15),
        db: false,
    },
];

const SEARCH_TERMS: [&str; 12] = [
    "running+shoes",
    "heart+rate",
    "sleep",
    "vitamin+d",
    "yoga+mat",
    "protein",
    "steps",
    "blood+pressure",
    "smart+scale",
    "headphones",
    "water+bottle",
    "gift+card",
];

const USER_AGENTS: [&str; 8] = [
    "okhttp/4.9.3",
    "okhttp/4.12.0",
    "HealthSync/3.14.2 (iPhone; iOS 17.4.1; Scale/3.00)",
    "HealthSync/3.13.0 (iPhone; iOS 16.7.7; Scale/2.00)",
    "Dalvik/2.1.0 (Linux; U; Android 14; SM-S911B Build/UP1A.231005.007)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "python-requests/2.31.0",
];
const UA_WEIGHTS: [u32; 8] = [30, 12, 22, 6, 14, 8, 5, 3];

const PODS: [&str; 3] = ["10.0.0.7:30016", "10.0.0.8:30016", "10.0.0.9:30016"];
const DOWN_POD: usize = 1;

/// Real-looking Python tracebacks as `logging.Formatter.formatException` renders them (raw
/// text; JSON-escaped once at start-up). The last line is always the exception.
const TRACEBACKS: [&str; 9] = [
    // 0: orders, storage layer
    r#"Traceback (most recent call last):
  File "/usr/local/lib/python3.11/site-packages/starlette/middleware/errors.py", line 164, in __call__
    await self.app(scope, receive, _send)
  File "/usr/local/lib/python3.11/site-packages/fastapi/routing.py", line 278, in app
    raw_response = await run_endpoint_function(
  File "/app/api/routes/orders.py", line 57, in list_orders
    orders = await storage.orders_for_user(user_id)
  File "/app/storage/orders.py", line 112, in orders_for_user
    rows = await db.fetch_all(query, {"user_id": user_id})
  File "/app/storage/db.py", line 41, in fetch_all
    raise DatabaseError("connection lost")
storage.DatabaseError: connection lost"#,
    // 1: sqlalchemy, chained from psycopg2
    r#"Traceback (most recent call last):
  File "/usr/local/lib/python3.11/site-packages/sqlalchemy/engine/base.py", line 1965, in _exec_single_context
    self.dialect.do_execute(
  File "/usr/local/lib/python3.11/site-packages/sqlalchemy/engine/default.py", line 921, in do_execute
    cursor.execute(statement, parameters)
psycopg2.OperationalError: server closed the connection unexpectedly
	This probably means the server terminated abnormally
	before or while processing the request.


The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/app/api/routes/items.py", line 38, in get_item
    item = session.execute(select(Item).where(Item.id == item_id)).scalar_one_or_none()
  File "/usr/local/lib/python3.11/site-packages/sqlalchemy/orm/session.py", line 2308, in execute
    return self._execute_internal(
  File "/usr/local/lib/python3.11/site-packages/sqlalchemy/engine/base.py", line 1984, in _exec_single_context
    self._handle_dbapi_exception(
  File "/usr/local/lib/python3.11/site-packages/sqlalchemy/engine/base.py", line 2339, in _handle_dbapi_exception
    raise sqlalchemy_exception.with_traceback(exc_info[2]) from e
sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) server closed the connection unexpectedly"#,
    // 2: connection pool exhausted
    r#"Traceback (most recent call last):
  File "/app/api/routes/retrieval.py", line 131, in store_apple_health_data
    with session_scope() as session:
  File "/usr/local/lib/python3.11/contextlib.py", line 137, in __enter__
    return next(self.gen)
  File "/app/storage/session.py", line 22, in session_scope
    conn = engine.connect()
  File "/usr/local/lib/python3.11/site-packages/sqlalchemy/pool/impl.py", line 168, in _do_get
    raise exc.TimeoutError(
sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)"#,
    // 3: payment provider timeout
    r#"Traceback (most recent call last):
  File "/usr/local/lib/python3.11/site-packages/httpx/_transports/default.py", line 69, in map_httpcore_exceptions
    yield
  File "/usr/local/lib/python3.11/site-packages/httpx/_transports/default.py", line 373, in handle_async_request
    resp = await self._pool.handle_async_request(req)
  File "/usr/local/lib/python3.11/site-packages/httpcore/_async/connection_pool.py", line 216, in handle_async_request
    raise exc from None
httpcore.ReadTimeout

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/app/api/routes/payments.py", line 91, in capture_payment
    result = await provider.capture(payment_id, amount=body.amount)
  File "/app/clients/payment_provider.py", line 48, in capture
    resp = await self._client.post(f"/v1/payments/{payment_id}/capture", json=payload)
  File "/usr/local/lib/python3.11/site-packages/httpx/_client.py", line 1892, in post
    return await self.request(
  File "/usr/local/lib/python3.11/site-packages/httpx/_transports/default.py", line 86, in map_httpcore_exceptions
    raise mapped_exc(message) from exc
httpx.ReadTimeout: The read operation timed out"#,
    // 4: bad payload
    r#"Traceback (most recent call last):
  File "/app/api/routes/retrieval.py", line 144, in store_apple_health_data
    samples = payload["data"]["metrics"]
KeyError: 'metrics'"#,
    // 5: search parameter
    r#"Traceback (most recent call last):
  File "/usr/local/lib/python3.11/site-packages/starlette/middleware/errors.py", line 164, in __call__
    await self.app(scope, receive, _send)
  File "/app/api/routes/search.py", line 29, in search
    page = int(request.query_params.get("page", 1))
ValueError: invalid literal for int() with base 10: '2abc'"#,
    // 6: cache
    r#"Traceback (most recent call last):
  File "/app/cache.py", line 54, in get_or_load
    cached = await self.redis.get(key)
  File "/usr/local/lib/python3.11/site-packages/redis/asyncio/client.py", line 606, in execute_command
    conn = self.connection or await pool.get_connection(command_name, **options)
  File "/usr/local/lib/python3.11/site-packages/redis/asyncio/connection.py", line 318, in connect
    raise ConnectionError(self._error_message(e))
redis.exceptions.ConnectionError: Error 111 connecting to redis:6379. Connection refused."#,
    // 7: cart totals
    r#"Traceback (most recent call last):
  File "/app/api/routes/carts.py", line 77, in put_item
    cart.recalculate()
  File "/app/domain/cart.py", line 103, in recalculate
    self.discount_rate = self.discount / self.subtotal
ZeroDivisionError: division by zero"#,
    // 8: auth
    r#"Traceback (most recent call last):
  File "/app/api/routes/auth.py", line 66, in issue_token
    user = await users.by_email(form.username)
  File "/app/storage/users.py", line 19, in by_email
    return await db.fetch_one(query, {"email": email})
  File "/app/storage/db.py", line 41, in fetch_one
    raise DatabaseError("connection lost")
storage.DatabaseError: connection lost"#,
];

/// Tracebacks an endpoint fails with on an ordinary day.
fn usual_tracebacks(ep: Ep) -> &'static [u8] {
    match ep {
        Ep::Item | Ep::ItemReviews => &[1, 6],
        Ep::UserOrders | Ep::UserOrder => &[0, 0, 1],
        Ep::Retrieval => &[4, 2],
        Ep::Payment => &[3],
        Ep::CartPut | Ep::CartDelete => &[7, 0],
        Ep::Search => &[5],
        Ep::Auth => &[8],
        Ep::Feed | Ep::Health => &[6],
    }
}

fn json_escape(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 64);
    for b in s.bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => out.push(b),
        }
    }
    out
}

/// What the proxy sees of a request.
#[derive(Clone, Copy, PartialEq)]
enum Proxy {
    /// Response passed through (maybe after retrying a refused pod).
    Normal,
    /// No response header within `proxy_read_timeout`: 504.
    Timeout,
    /// The worker died mid-request: 502.
    Closed,
    Reset,
    TooBigHeader,
    /// Every upstream marked failed: 502 without trying.
    NoLive,
    /// Body over `client_max_body_size`: 413, never proxied.
    TooLarge,
}

#[derive(Clone, Copy)]
enum Act {
    Started,
    /// Intermediate INFO line (index into `mid_line`).
    Mid(u8),
    /// WARNING line (index into `warn_line`).
    Warn(u8),
    /// ERROR line with the traceback.
    Failed,
    /// ERROR line without a traceback (failing health check).
    HealthFailed,
    Finished,
    /// nginx access line.
    Access,
    /// nginx error line about this request.
    ProxyError,
    /// nginx error line about the refused first pod of a retried request.
    Refused,
}

#[derive(Default)]
struct Req {
    id: [u8; 32],
    ep: usize,
    path: Vec<u8>,
    /// Query string nginx sees (the app logs the path only).
    query: Vec<u8>,
    t0: u64,
    /// App-side duration (start to finish line).
    dur: u64,
    status: u16,
    tb: u8,
    /// Free number for intermediate messages (ids, counts).
    n: u64,
    client: u32,
    ua: u8,
    pod: u8,
    /// Pod that refused the first attempt.
    refused: Option<u8>,
    proxy: Option<Proxy>,
    body_bytes: u64,
    upload_us: u64,
    script: Vec<(u64, Act)>,
    next: usize,
}

const IN_APP: u8 = 1;
const IN_ERROR: u8 = 2;
const IN_ACCESS: u8 = 4;

struct Sink {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    stamp: StampCache,
    line: Vec<u8>,
    bytes: u64,
    lines: u64,
}

impl Sink {
    fn new(path: PathBuf, enabled: bool, stamp: Stamp) -> io::Result<Self> {
        let out = if enabled {
            Some(BufWriter::with_capacity(8 << 20, File::create(&path)?))
        } else {
            None
        };
        Ok(Self {
            path,
            out,
            stamp: StampCache::new(stamp),
            line: Vec::with_capacity(8192),
            bytes: 0,
            lines: 0,
        })
    }
    /// Lines are always formatted and counted, written only when enabled: `--only` must not
    /// change the simulation (and so the bytes of the files it does write).
    fn commit(&mut self) -> io::Result<()> {
        self.line.push(b'\n');
        self.bytes += self.line.len() as u64;
        self.lines += 1;
        if let Some(out) = &mut self.out {
            out.write_all(&self.line)?;
        }
        self.line.clear();
        Ok(())
    }
    fn finish(&mut self) -> io::Result<()> {
        if let Some(out) = &mut self.out {
            out.flush()?;
        }
        Ok(())
    }
}

struct Gen {
    rng: Rng,
    app: Sink,
    error: Sink,
    access: Sink,
    tracebacks: Vec<Vec<u8>>,
    users: Vec<[u8; 36]>,
    clients: Vec<Vec<u8>>,
    reqs: Vec<Req>,
    free: Vec<usize>,
    /// (time, sequence number for a deterministic order of equal times, request slot)
    queue: BinaryHeap<Reverse<(u64, u64, usize)>>,
    seq: u64,
    /// Requests per second at load 1.0.
    rate: f64,
    conn: u64,
    workers: [u32; 2],
    proxy_temp: u64,
    client_temp: u64,
    /// nginx skips a pod for `fail_timeout` (10 s) after a refused connection.
    pod_failed_at: u64,
    reload_stage: u8,
    retiring: [u32; 2],
}

impl Gen {
    fn new(seed: u64, dir: &Path, size: u64, enabled: u8) -> io::Result<Self> {
        let mut rng = Rng(seed);
        let users = (0..20_000)
            .map(|_| {
                let (a, b) = (rng.next(), rng.next());
                let mut u = [0u8; 36];
                let s = format!(
                    "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
                    a >> 32,
                    (a >> 16) & 0xffff,
                    a & 0xfff,
                    8 + (b >> 62),
                    (b >> 48) & 0xfff,
                    b & 0xffff_ffff_ffff
                );
                u.copy_from_slice(s.as_bytes());
                u
            })
            .collect();
        let clients = (0..5_000)
            .map(|_| {
                format!(
                    "10.{}.{}.{}",
                    1 + rng.below(3),
                    rng.below(256),
                    1 + rng.below(254)
                )
                .into_bytes()
            })
            .collect();
        Ok(Self {
            rng,
            app: Sink::new(dir.join("app.log"), enabled & IN_APP != 0, Stamp::App)?,
            error: Sink::new(
                dir.join("nginx-error.log"),
                enabled & IN_ERROR != 0,
                Stamp::Error,
            )?,
            access: Sink::new(
                dir.join("nginx-access.log"),
                enabled & IN_ACCESS != 0,
                Stamp::Access,
            )?,
            tracebacks: TRACEBACKS.iter().map(|t| json_escape(t)).collect(),
            users,
            clients,
            reqs: Vec::new(),
            free: Vec::new(),
            queue: BinaryHeap::new(),
            seq: 0,
            rate: size as f64 / (APP_BYTES_PER_REQUEST * (SPAN / SEC) as f64),
            conn: 5_482_906,
            workers: [214_903, 214_904],
            proxy_temp: 0,
            client_temp: 0,
            pod_failed_at: 0,
            reload_stage: 0,
            retiring: [0; 2],
        })
    }

    fn run(&mut self, size: u64) -> io::Result<()> {
        self.nginx_startup(START)?;
        let mut arrival = START + self.gap(START);
        let mut noise = START + self.noise_gap(START);
        // Periodic app lines without a request, incident-only nginx alerts, the reload.
        let mut timers = [
            START + 17 * SEC,
            START + 4 * SEC,
            INCIDENT + 8 * SEC,
            INCIDENT + 205 * SEC,
            RELOAD,
        ];
        while self.app.bytes < size {
            let queued = self.queue.peek().map_or(u64::MAX, |r| r.0.0);
            let (ti, &timer) = timers.iter().enumerate().min_by_key(|(_, t)| **t).unwrap();
            let now = queued.min(arrival).min(noise).min(timer);
            if now == queued {
                let Reverse((t, _, slot)) = self.queue.pop().unwrap();
                self.step(t, slot)?;
            } else if now == arrival {
                self.arrive(arrival);
                arrival += self.gap(arrival);
            } else if now == noise {
                self.noise(noise)?;
                noise += self.noise_gap(noise);
            } else {
                timers[ti] = self.timer(ti, timer)?;
            }
        }
        self.app.finish()?;
        self.error.finish()?;
        self.access.finish()
    }

    fn gap(&mut self, t: u64) -> u64 {
        (self.rng.exp(SEC as f64 / (self.rate * load(t)))) as u64 + 1
    }

    fn noise_gap(&mut self, t: u64) -> u64 {
        (self
            .rng
            .exp(SEC as f64 / (self.rate * NOISE_PER_REQUEST * load(t)))) as u64
            + 1
    }

    fn schedule(&mut self, t: u64, slot: usize) {
        self.seq += 1;
        self.queue.push(Reverse((t, self.seq, slot)));
    }

    /// Decides everything about a new request and queues its lines.
    fn arrive(&mut self, t: u64) {
        let rng = &mut self.rng;
        let weights: [u32; 12] = std::array::from_fn(|i| ENDPOINTS[i].weight);
        let e = rng.weighted(&weights);
        let ep = &ENDPOINTS[e];
        let incident = incident_secs(t);
        let all_down = in_window(t, ALL_DOWN);
        // Health checks are kube-probes straight to the pods, never through nginx.
        let via_nginx = ep.ep != Ep::Health && rng.chance(ACCESS_SHARE);
        if all_down && !via_nginx {
            return; // nothing is up to log it
        }
        let slot = self.free.pop().unwrap_or_else(|| {
            self.reqs.push(Req::default());
            self.reqs.len() - 1
        });
        let r = &mut self.reqs[slot];
        r.script.clear();
        r.next = 0;
        r.t0 = t;
        r.ep = e;
        r.refused = None;
        r.proxy = None;
        r.upload_us = 0;
        for pair in r.id.chunks_mut(2) {
            let b = rng.next() as u8;
            pair[0] = b"0123456789abcdef"[(b >> 4) as usize];
            pair[1] = b"0123456789abcdef"[(b & 15) as usize];
        }
        r.client = rng.below(self.clients.len() as u64) as u32;
        r.ua = rng.weighted(&UA_WEIGHTS) as u8;
        r.pod = rng.below(3) as u8;
        // A few heavy users and items get most of the traffic.
        let hot = |rng: &mut Rng, n: u64| ((rng.unit().powi(3)) * n as f64) as u64;
        let user = &self.users[hot(rng, self.users.len() as u64) as usize];
        r.path.clear();
        r.query.clear();
        r.n = 0;
        match ep.ep {
            Ep::Item | Ep::ItemReviews => {
                r.n = 1 + hot(rng, 120_000);
                r.path.extend_from_slice(b"/api/items/");
                num(&mut r.path, r.n);
                if ep.ep == Ep::ItemReviews {
                    r.path.extend_from_slice(b"/reviews");
                    r.query.extend_from_slice(b"?page=");
                    num(&mut r.query, 1 + rng.below(4));
                }
            }
            Ep::UserOrders | Ep::UserOrder => {
                r.n = 1 + rng.below(500_000);
                r.path.extend_from_slice(b"/users/");
                r.path.extend_from_slice(user);
                r.path.extend_from_slice(b"/orders");
                if ep.ep == Ep::UserOrder {
                    r.path.push(b'/');
                    num(&mut r.path, 100_000 + r.n);
                }
            }
            Ep::Retrieval => {
                r.n = rng.range(40, 9000); // samples in the upload
                r.path.extend_from_slice(b"/retrieval/apple_health_data");
                r.upload_us = rng.range(2_000, 180_000); // nginx buffers it before proxying
            }
            Ep::Payment => {
                r.path.extend_from_slice(b"/api/payments/");
                r.path
                    .extend_from_slice(&self.users[rng.below(self.users.len() as u64) as usize]);
                r.path.extend_from_slice(b"/capture");
            }
            Ep::CartPut | Ep::CartDelete => {
                r.n = 1 + rng.below(90_000);
                r.path.extend_from_slice(b"/api/carts/");
                num(&mut r.path, r.n);
                r.path.extend_from_slice(b"/items");
                if ep.ep == Ep::CartDelete {
                    r.path.push(b'/');
                    num(&mut r.path, 1 + hot(rng, 120_000));
                }
            }
            Ep::Search => {
                r.n = rng.below(400); // hits
                r.path.extend_from_slice(b"/api/search");
                r.query.extend_from_slice(b"?q=");
                r.query
                    .extend_from_slice(rng.pick(&SEARCH_TERMS).as_bytes());
                if rng.chance(0.3) {
                    r.query.extend_from_slice(b"&page=");
                    num(&mut r.query, 2 + rng.below(5));
                }
            }
            Ep::Auth => r.path.extend_from_slice(b"/auth/token"),
            Ep::Feed => {
                r.n = 1 + rng.below(500_000);
                r.path.extend_from_slice(b"/api/v1/feed");
                r.query.extend_from_slice(b"?limit=20");
            }
            Ep::Health => r.path.extend_from_slice(b"/health"),
        }
        r.body_bytes = rng.range(ep.body.0, ep.body.1);

        // Proxy-side fates that keep the request away from the app entirely.
        if all_down {
            r.proxy = Some(Proxy::NoLive);
            r.script.push((t, Act::ProxyError));
            r.script.push((t + rng.below(400), Act::Access));
            return self.start_script(slot);
        }
        if ep.ep == Ep::Retrieval && rng.chance(0.004) {
            r.proxy = Some(Proxy::TooLarge);
            r.upload_us = 0; // refused on Content-Length, before reading the body
            r.status = 413;
            r.body_bytes = 183;
            if via_nginx {
                r.script.push((t, Act::ProxyError));
                r.script.push((t + rng.below(3000), Act::Access));
                return self.start_script(slot);
            }
            r.script.clear();
            self.free.push(slot);
            return;
        }

        // The app's side.
        let db_trouble = incident.is_some() && ep.db;
        let mut dur = if ep.ep == Ep::Health {
            (ep.median_ms * 1000.0 * (0.3 * rng.normal()).exp()) as u64
        } else {
            let median = ep.median_ms;
            let mut ms = median * (0.75 * rng.normal()).exp();
            if rng.chance(0.015) {
                ms *= (1.0 / (1.0 - rng.unit())).powf(0.9).min(400.0);
            }
            ms *= slowdown(t);
            (ms * 1000.0).max(250.0) as u64
        };
        let (p_hung, p_closed, p_reset, p_big) = if incident.is_some() {
            (0.03, 0.010, 0.005, 0.0002)
        } else {
            (0.005, 0.0008, 0.0004, 0.0002)
        };
        let p_err = match (ep.ep, db_trouble) {
            (Ep::Health, _) => 0.0,
            (_, true) => 0.22,
            (_, false) if incident.is_some() => 0.05,
            _ => 0.011,
        };
        let fate = rng.unit();
        r.status = 200;
        r.script.push((t, Act::Started));
        let mid = mid_for(ep.ep, rng);
        if ep.ep == Ep::Health {
            if health_failing(incident) && rng.chance(0.3) {
                r.status = 503;
                r.script.push((t + dur * 9 / 10, Act::HealthFailed));
            }
        } else if fate < p_hung {
            // Stuck on a downstream call forever: the app never logs the end.
            r.script
                .push((t + dur / 3, Act::Mid(mid.unwrap_or(MID_QUERY))));
            r.proxy = Some(Proxy::Timeout);
            if via_nginx {
                r.script.push((t + PROXY_TIMEOUT, Act::ProxyError));
                r.script
                    .push((t + PROXY_TIMEOUT + rng.below(1500), Act::Access));
            }
            return self.start_script(slot);
        } else if fate < p_hung + p_closed + p_reset {
            // The worker process died mid-request.
            r.script.push((t + dur / 2, Act::Mid(MID_BATCH)));
            r.proxy = Some(if fate < p_hung + p_closed {
                Proxy::Closed
            } else {
                Proxy::Reset
            });
            if via_nginx {
                r.script.push((t + dur, Act::ProxyError));
                r.script.push((t + dur + rng.below(900), Act::Access));
            }
            return self.start_script(slot);
        } else {
            if let Some(m) = mid {
                r.script.push((t + dur / 4, Act::Mid(m)));
                if rng.chance(0.25) {
                    r.script.push((t + dur / 2, Act::Mid(m.max(MID_QUERY))));
                }
            }
            if rng.chance(p_err) {
                r.status = if ep.ep == Ep::Payment && rng.chance(0.3) {
                    502
                } else {
                    500
                };
                let usual = usual_tracebacks(ep.ep);
                r.tb = if db_trouble {
                    if rng.chance(0.6) { 1 } else { 2 }
                } else {
                    usual[rng.below(usual.len() as u64) as usize]
                };
                if r.tb == 2 {
                    dur = dur.max(30 * SEC + rng.below(80_000)); // the pool timeout
                }
                r.script.push((t + dur - dur / 50, Act::Failed));
            } else {
                let (warn, status) = ordinary_status(ep.ep, rng);
                r.status = status;
                if let Some(w) = warn {
                    r.script.push((t + dur - dur / 20, Act::Warn(w)));
                } else if ep.ep == Ep::Payment && rng.chance(0.08) {
                    r.script.push((t + dur / 2, Act::Warn(WARN_RETRY)));
                } else if db_trouble && rng.chance(0.2) {
                    r.script.push((t + dur / 3, Act::Warn(WARN_DB_RETRY)));
                }
                if dur > 2 * SEC {
                    r.script.push((t + dur - dur / 100, Act::Warn(WARN_SLOW)));
                }
            }
            if via_nginx && rng.chance(p_big) {
                r.proxy = Some(Proxy::TooBigHeader);
            }
        }
        r.dur = dur;
        r.script.push((t + dur, Act::Finished));

        if via_nginx {
            // nginx skips a refusing pod for fail_timeout after a refusal, so only some requests
            // see the refusal (and are retried on the next pod).
            if r.pod as usize == DOWN_POD && in_window(t, POD_DOWN) {
                if t >= self.pod_failed_at + 10 * SEC {
                    self.pod_failed_at = t;
                    r.refused = Some(r.pod);
                    r.script.push((t, Act::Refused));
                }
                r.pod = if rng.chance(0.5) { 0 } else { 2 };
            }
            let proxy_end = t + dur;
            if dur >= PROXY_TIMEOUT {
                r.proxy = Some(Proxy::Timeout);
                r.script.push((t + PROXY_TIMEOUT, Act::ProxyError));
                r.script
                    .push((t + PROXY_TIMEOUT + rng.below(1500), Act::Access));
            } else {
                r.proxy.get_or_insert(Proxy::Normal);
                if r.proxy == Some(Proxy::TooBigHeader) {
                    r.script.push((proxy_end + 300, Act::ProxyError));
                }
                r.script
                    .push((proxy_end + 300 + rng.below(2000), Act::Access));
            }
        }
        self.start_script(slot)
    }

    fn start_script(&mut self, slot: usize) {
        let r = &mut self.reqs[slot];
        r.script.sort_by_key(|&(t, _)| t); // stable: equal times keep their order
        let t = r.script[0].0;
        self.schedule(t, slot);
    }

    fn step(&mut self, t: u64, slot: usize) -> io::Result<()> {
        let r = &self.reqs[slot];
        let act = r.script[r.next].1;
        match act {
            Act::Access => self.access_line(t, slot)?,
            Act::ProxyError | Act::Refused => self.proxy_error(t, slot, act)?,
            _ => self.app_line(t, slot, act)?,
        }
        let r = &mut self.reqs[slot];
        r.next += 1;
        if r.next < r.script.len() {
            let t = r.script[r.next].0;
            self.schedule(t, slot);
        } else {
            self.free.push(slot);
        }
        Ok(())
    }

    fn app_line(&mut self, t: u64, slot: usize, act: Act) -> io::Result<()> {
        let r = &self.reqs[slot];
        let ep = &ENDPOINTS[r.ep];
        let w = &mut self.app.line;
        let (level, name): (&str, &str) = match act {
            Act::Mid(m) => ("INFO", MID_LOGGER[m as usize]),
            Act::Warn(k) => ("WARNING", WARN_LOGGER[k as usize]),
            Act::Failed | Act::HealthFailed => ("ERROR", "app.api"),
            Act::Finished if r.status >= 500 => ("ERROR", "app.api"),
            _ => ("INFO", "app.api"),
        };
        app_head(w, &mut self.app.stamp, t, level, name);
        match act {
            Act::Started => w.extend_from_slice(b"request started"),
            Act::Finished => w.extend_from_slice(b"request finished"),
            Act::Failed => w.extend_from_slice(b"request failed"),
            Act::HealthFailed => w.extend_from_slice(b"health check failed: database unreachable"),
            Act::Mid(m) => mid_line(w, m, r),
            Act::Warn(k) => warn_line(w, k),
            _ => unreachable!(),
        }
        w.push(b'"');
        if let Act::Failed = act {
            // python-json-logger puts exc_info right after the format's fields.
            w.extend_from_slice(b", \"exc_info\": \"");
            w.extend_from_slice(&self.tracebacks[r.tb as usize]);
            w.push(b'"');
        }
        w.extend_from_slice(b", \"request_id\": \"");
        hex(w, &r.id);
        w.extend_from_slice(b"\", \"method\": \"");
        w.extend_from_slice(ep.method.as_bytes());
        w.extend_from_slice(b"\", \"path\": \"");
        w.extend_from_slice(&r.path);
        w.push(b'"');
        match act {
            Act::Finished => {
                w.extend_from_slice(b", \"status\": ");
                num(w, r.status as u64);
                w.extend_from_slice(b", \"duration_ms\": ");
                py_ms(w, r.dur);
            }
            Act::Mid(MID_STORED) => {
                w.extend_from_slice(b", \"samples\": ");
                num(w, r.n);
            }
            Act::Mid(MID_SEARCH) => {
                w.extend_from_slice(b", \"hits\": ");
                num(w, r.n);
            }
            Act::Warn(WARN_RETRY) => w.extend_from_slice(b", \"attempt\": 2"),
            _ => {}
        }
        w.push(b'}');
        self.app.commit()
    }

    fn access_line(&mut self, t: u64, slot: usize) -> io::Result<()> {
        let r = &self.reqs[slot];
        let ep = &ENDPOINTS[r.ep];
        let proxy = r.proxy.unwrap_or(Proxy::Normal);
        let rng = &mut self.rng;
        let w = &mut self.access.line;
        w.extend_from_slice(&self.clients[r.client as usize]);
        w.extend_from_slice(b" - - [");
        w.extend_from_slice(self.access.stamp.get(t));
        w.extend_from_slice(b"] \"");
        request_line(w, ep.method, r);
        let (status, bytes) = match proxy {
            Proxy::Normal => (r.status, status_body(r)),
            Proxy::Timeout => (504, 167),
            Proxy::Closed | Proxy::Reset | Proxy::TooBigHeader | Proxy::NoLive => (502, 157),
            Proxy::TooLarge => (413, 183),
        };
        w.extend_from_slice(b"\" ");
        num(w, status as u64);
        w.push(b' ');
        num(w, bytes);
        w.extend_from_slice(if r.ua >= 5 && r.ua <= 6 {
            b" \"https://app.example.com/\" \""
        } else {
            b" \"-\" \""
        });
        w.extend_from_slice(USER_AGENTS[r.ua as usize].as_bytes());
        w.extend_from_slice(b"\" request_id=");
        hex(w, &r.id);
        w.extend_from_slice(b" request_time=");
        // nginx had the request (and its body) before the app saw it at t0.
        let upstream_us = match proxy {
            Proxy::Timeout => PROXY_TIMEOUT,
            Proxy::NoLive | Proxy::TooLarge => 0,
            _ => (r.dur + 300 + rng.below(900)).min(t - r.t0),
        };
        secs3(w, t + r.upload_us - r.t0);
        w.extend_from_slice(b" upstream_response_time=");
        match proxy {
            Proxy::TooLarge => w.push(b'-'),
            _ => {
                if r.refused.is_some() {
                    w.extend_from_slice(b"0.000, ");
                }
                secs3(w, upstream_us)
            }
        }
        w.extend_from_slice(b" upstream_status=");
        match proxy {
            Proxy::TooLarge => w.push(b'-'),
            _ => {
                if r.refused.is_some() {
                    w.extend_from_slice(b"502, ");
                }
                num(
                    w,
                    if proxy == Proxy::TooBigHeader {
                        502
                    } else {
                        status as u64
                    },
                )
            }
        }
        w.extend_from_slice(b" upstream_addr=");
        match proxy {
            Proxy::TooLarge => w.push(b'-'),
            Proxy::NoLive => w.extend_from_slice(b"api_backend"),
            _ => {
                if let Some(p) = r.refused {
                    w.extend_from_slice(PODS[p as usize].as_bytes());
                    w.extend_from_slice(b", ");
                }
                w.extend_from_slice(PODS[r.pod as usize].as_bytes())
            }
        }
        self.access.commit()
    }

    fn nginx_head(&mut self, t: u64, level: &str, with_conn: bool) {
        let worker = self.workers[self.rng.below(2) as usize] as u64;
        let w = &mut self.error.line;
        w.extend_from_slice(self.error.stamp.get(t));
        w.extend_from_slice(b" [");
        w.extend_from_slice(level.as_bytes());
        w.extend_from_slice(b"] ");
        num(w, worker);
        w.push(b'#');
        num(w, worker);
        w.extend_from_slice(b": ");
        if with_conn {
            self.conn += 1 + self.rng.below(6);
            w.push(b'*');
            num(w, self.conn);
            w.push(b' ');
        }
    }

    fn nginx_tail(
        &mut self,
        client: usize,
        method: &str,
        uri: (&[u8], &[u8]),
        upstream: Option<&[u8]>,
    ) {
        let w = &mut self.error.line;
        w.extend_from_slice(b", client: ");
        w.extend_from_slice(&self.clients[client]);
        w.extend_from_slice(b", server: api.example.com, request: \"");
        w.extend_from_slice(method.as_bytes());
        w.push(b' ');
        w.extend_from_slice(uri.0);
        w.extend_from_slice(uri.1);
        w.extend_from_slice(b" HTTP/1.1\"");
        if let Some(up) = upstream {
            w.extend_from_slice(b", upstream: \"http://");
            w.extend_from_slice(up);
            w.extend_from_slice(uri.0);
            w.extend_from_slice(uri.1);
            w.push(b'"');
        }
        w.extend_from_slice(b", host: \"api.example.com\"");
    }

    fn proxy_error(&mut self, t: u64, slot: usize, act: Act) -> io::Result<()> {
        let proxy = self.reqs[slot].proxy.unwrap_or(Proxy::Normal);
        let level = "error";
        self.nginx_head(t, level, true);
        let r = &self.reqs[slot];
        let w = &mut self.error.line;
        let mut upstream: Option<&[u8]> = Some(PODS[r.pod as usize].as_bytes());
        match (act, proxy) {
            (Act::Refused, _) => {
                w.extend_from_slice(b"connect() failed (111: Connection refused) while connecting to upstream");
                upstream = Some(PODS[r.refused.unwrap_or(DOWN_POD as u8) as usize].as_bytes());
            }
            (_, Proxy::Timeout) => w.extend_from_slice(
                b"upstream timed out (110: Connection timed out) while reading response header from upstream",
            ),
            (_, Proxy::Closed) => w.extend_from_slice(
                b"upstream prematurely closed connection while reading response header from upstream",
            ),
            (_, Proxy::Reset) => w.extend_from_slice(
                b"recv() failed (104: Connection reset by peer) while reading response header from upstream",
            ),
            (_, Proxy::TooBigHeader) => {
                w.extend_from_slice(b"upstream sent too big header while reading response header from upstream")
            }
            (_, Proxy::NoLive) => {
                w.extend_from_slice(b"no live upstreams while connecting to upstream");
                upstream = Some(b"api_backend");
            }
            (_, Proxy::TooLarge) => {
                w.extend_from_slice(b"client intended to send too large body: ");
                num(w, 1_048_577 + r.n * 1733);
                w.extend_from_slice(b" bytes");
                upstream = None;
            }
            (_, Proxy::Normal) => unreachable!("no error line for a normal request"),
        }
        let (client, method) = (r.client as usize, ENDPOINTS[r.ep].method);
        // The line borrows the request's path; copy the two slices out of the request table.
        let (path, query) = (
            std::mem::take(&mut self.reqs[slot].path),
            std::mem::take(&mut self.reqs[slot].query),
        );
        self.nginx_tail(client, method, (&path, &query), upstream);
        self.reqs[slot].path = path;
        self.reqs[slot].query = query;
        self.error.commit()
    }

    /// Independent nginx error-log noise: most of an nginx error log on a quiet day.
    fn noise(&mut self, t: u64) -> io::Result<()> {
        let client = self.rng.below(self.clients.len() as u64) as usize;
        match self.rng.weighted(&[138, 54, 66, 27, 1, 9]) {
            0 => {
                self.nginx_head(t, "warn", true);
                self.proxy_temp += 1 + self.rng.below(3);
                let n = self.proxy_temp;
                let w = &mut self.error.line;
                // proxy_temp_path levels=1:2: the last digit, then the two before it.
                w.extend_from_slice(b"an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/");
                num(w, n % 10);
                w.push(b'/');
                pad2(w, n / 10 % 100);
                w.push(b'/');
                pad_n(w, n, 10);
                w.extend_from_slice(b" while reading upstream");
                let user = self.users[self.rng.below(self.users.len() as u64) as usize];
                let (path, pod): (Vec<u8>, &[u8]) = if self.rng.chance(0.6) {
                    (
                        [b"/users/".as_slice(), &user, b"/orders"].concat(),
                        PODS[self.rng.below(3) as usize].as_bytes(),
                    )
                } else {
                    (
                        b"/api/v1/feed".to_vec(),
                        PODS[self.rng.below(3) as usize].as_bytes(),
                    )
                };
                let query: &[u8] = if path.starts_with(b"/api/v1") {
                    b"?limit=20"
                } else {
                    b""
                };
                self.nginx_tail(client, "GET", (&path, query), Some(pod));
            }
            1 => {
                self.nginx_head(t, "warn", true);
                self.client_temp += 1 + self.rng.below(2);
                let w = &mut self.error.line;
                w.extend_from_slice(b"a client request body is buffered to a temporary file /var/cache/nginx/client_temp/");
                pad_n(w, self.client_temp, 10);
                self.nginx_tail(client, "POST", (b"/retrieval/apple_health_data", b""), None);
            }
            2 => {
                self.nginx_head(t, "error", true);
                let file = [
                    "favicon.ico",
                    "robots.txt",
                    "apple-touch-icon.png",
                    "apple-touch-icon-precomposed.png",
                    ".env",
                    "wp-login.php",
                    ".git/config",
                ][self.rng.weighted(&[70, 8, 8, 5, 3, 3, 3])];
                let w = &mut self.error.line;
                w.extend_from_slice(b"open() \"/usr/share/nginx/html/");
                w.extend_from_slice(file.as_bytes());
                w.extend_from_slice(b"\" failed (2: No such file or directory)");
                let uri = [b"/".as_slice(), file.as_bytes()].concat();
                self.nginx_tail(client, "GET", (&uri, b""), None);
                if file.starts_with("fav") && self.rng.chance(0.5) {
                    self.error
                        .line
                        .extend_from_slice(b", referrer: \"https://app.example.com/\"");
                }
            }
            3 => {
                self.nginx_head(t, "error", true);
                let excess = self.rng.below(20_000);
                let w = &mut self.error.line;
                w.extend_from_slice(b"limiting requests, excess: ");
                num(w, excess / 1000);
                w.push(b'.');
                pad3(w, excess % 1000);
                w.extend_from_slice(b" by zone \"api_limit\"");
                self.nginx_tail(client, "POST", (b"/auth/token", b""), None);
            }
            4 => {
                // Keepalive races: the pod closed an idle connection nginx just reused.
                self.nginx_head(t, "error", true);
                self.error.line.extend_from_slice(
                    b"upstream prematurely closed connection while reading response header from upstream",
                );
                let pod = PODS[self.rng.below(3) as usize].as_bytes();
                let n = 1 + self.rng.below(120_000);
                let mut uri = b"/api/items/".to_vec();
                num(&mut uri, n);
                self.nginx_tail(client, "GET", (&uri, b""), Some(pod));
            }
            _ => {
                self.nginx_head(t, "info", true);
                self.error
                    .line
                    .extend_from_slice(b"client closed connection while waiting for request");
                let w = &mut self.error.line;
                w.extend_from_slice(b", client: ");
                w.extend_from_slice(&self.clients[client]);
                w.extend_from_slice(b", server: 0.0.0.0:443");
            }
        }
        self.error.commit()
    }

    fn notice(&mut self, t: u64, pid: u32, msg: &[u8]) -> io::Result<()> {
        let w = &mut self.error.line;
        w.extend_from_slice(self.error.stamp.get(t));
        w.extend_from_slice(b" [notice] ");
        num(w, pid as u64);
        w.push(b'#');
        num(w, pid as u64);
        w.extend_from_slice(b": ");
        w.extend_from_slice(msg);
        self.error.commit()
    }

    fn nginx_startup(&mut self, t: u64) -> io::Result<()> {
        const MASTER: u32 = 214_901;
        for m in [
            "using the \"epoll\" event method",
            "nginx/1.24.0",
            "built by gcc 12.2.0 (Debian 12.2.0-14)",
            "OS: Linux 6.1.0-18-amd64",
            "getrlimit(RLIMIT_NOFILE): 1048576:1048576",
            "start worker processes",
        ] {
            self.notice(t, MASTER, m.as_bytes())?;
        }
        for wk in self.workers {
            self.notice(t, MASTER, format!("start worker process {wk}").as_bytes())?;
        }
        Ok(())
    }

    /// Handles timer `i` due at `t`; returns when it is due next.
    fn timer(&mut self, i: usize, t: u64) -> io::Result<u64> {
        const MASTER: u32 = 214_901;
        if i <= 2 && in_window(t, ALL_DOWN) {
            return Ok(t + 5 * SEC); // every pod is down: nobody logs
        }
        Ok(match i {
            0 => {
                let w = &mut self.app.line;
                app_head(w, &mut self.app.stamp, t, "INFO", "app.scheduler");
                w.extend_from_slice(b"refreshed feature flags\", \"flags\": 42}");
                self.app.commit()?;
                t + 60 * SEC
            }
            1 => {
                let incident = incident_secs(t).is_some();
                let out = if incident { 20 } else { self.rng.range(1, 9) };
                let w = &mut self.app.line;
                app_head(
                    w,
                    &mut self.app.stamp,
                    t,
                    if incident { "WARNING" } else { "INFO" },
                    "app.db",
                );
                w.extend_from_slice(if incident {
                    b"connection pool exhausted".as_slice()
                } else {
                    b"connection pool status"
                });
                w.extend_from_slice(b"\", \"pool_size\": 20, \"checked_out\": ");
                num(w, out);
                w.extend_from_slice(b", \"overflow\": ");
                num(w, if incident { 10 } else { 0 });
                w.push(b'}');
                self.app.commit()?;
                t + if incident { 2 * SEC } else { 30 * SEC }
            }
            2 => {
                if incident_secs(t).is_none_or(|s| s > 420) {
                    return Ok(u64::MAX);
                }
                let w = &mut self.app.line;
                app_head(w, &mut self.app.stamp, t, "ERROR", "app.db");
                w.extend_from_slice(b"lost connection to database, reconnecting\", \"attempt\": ");
                num(w, 1 + self.rng.below(5));
                w.push(b'}');
                self.app.commit()?;
                t + self.rng.range(3 * SEC, 15 * SEC)
            }
            3 => {
                if incident_secs(t).is_none_or(|s| s > 330) {
                    return Ok(u64::MAX);
                }
                if self.rng.chance(0.7) {
                    self.nginx_head(t, "alert", false);
                    self.error
                        .line
                        .extend_from_slice(b"1024 worker_connections are not enough");
                } else {
                    self.nginx_head(t, "crit", true);
                    self.error
                        .line
                        .extend_from_slice(b"accept4() failed (24: Too many open files)");
                }
                self.error.commit()?;
                t + self.rng.range(SEC / 2, 6 * SEC)
            }
            _ => {
                // `nginx -s reload` after the incident: a new pair of workers replaces the old
                // ones, which finish their requests and exit (one stage per call, so the
                // stages interleave with other lines in time order).
                const SIGNALLER: u32 = 231_877;
                self.reload_stage += 1;
                match self.reload_stage {
                    1 => {
                        self.notice(t, SIGNALLER, b"signal process started")?;
                        let m =
                            format!("signal 1 (SIGHUP) received from {SIGNALLER}, reconfiguring");
                        self.notice(t, MASTER, m.as_bytes())?;
                        self.notice(t, MASTER, b"reconfiguring")?;
                        self.notice(t, MASTER, b"using the \"epoll\" event method")?;
                        self.notice(t, MASTER, b"start worker processes")?;
                        self.retiring = self.workers;
                        self.workers = [SIGNALLER + 1, SIGNALLER + 2];
                        for wk in self.workers {
                            self.notice(
                                t,
                                MASTER,
                                format!("start worker process {wk}").as_bytes(),
                            )?;
                        }
                        t + 2_000
                    }
                    2 => {
                        for wk in self.retiring {
                            self.notice(t, wk, b"gracefully shutting down")?;
                        }
                        t + 1_400_000
                    }
                    stage @ (3 | 4) => {
                        let wk = self.retiring[stage as usize - 3];
                        self.notice(t, wk, b"exiting")?;
                        self.notice(t, wk, b"exit")?;
                        self.notice(
                            t,
                            MASTER,
                            format!("signal 17 (SIGCHLD) received from {wk}").as_bytes(),
                        )?;
                        self.notice(
                            t,
                            MASTER,
                            format!("worker process {wk} exited with code 0").as_bytes(),
                        )?;
                        self.notice(t, MASTER, b"signal 29 (SIGIO) received")?;
                        if stage == 3 { t + 310_000 } else { u64::MAX }
                    }
                    _ => u64::MAX,
                }
            }
        })
    }
}

/// Health checks fail while the database is unreachable.
fn health_failing(incident: Option<u64>) -> bool {
    incident.is_some_and(|s| s < 420)
}

/// `{"asctime": "...", "levelname": "...", "name": "...", "message": "` (message left open).
fn app_head(w: &mut Vec<u8>, stamp: &mut StampCache, t: u64, level: &str, name: &str) {
    w.extend_from_slice(b"{\"asctime\": \"");
    w.extend_from_slice(stamp.get(t));
    w.push(b',');
    pad3(w, t / 1000 % 1000);
    w.extend_from_slice(b"\", \"levelname\": \"");
    w.extend_from_slice(level.as_bytes());
    w.extend_from_slice(b"\", \"name\": \"");
    w.extend_from_slice(name.as_bytes());
    w.extend_from_slice(b"\", \"message\": \"");
}

fn request_line(w: &mut Vec<u8>, method: &str, r: &Req) {
    w.extend_from_slice(method.as_bytes());
    w.push(b' ');
    w.extend_from_slice(&r.path);
    w.extend_from_slice(&r.query);
    w.extend_from_slice(b" HTTP/1.1");
}

/// Response body size as nginx counts it for the app's status.
fn status_body(r: &Req) -> u64 {
    match r.status {
        200 | 201 | 204 => r.body_bytes,
        401 => 43,
        404 => 22,
        409 => 57,
        422 => 96 + r.n % 160,
        429 => 33,
        402 => 61,
        503 => 41,
        _ => 21, // "Internal Server Error"
    }
}

const MID_CACHE_ITEM: u8 = 0;
const MID_CACHE_USER: u8 = 1;
const MID_PAYMENT: u8 = 2;
const MID_BATCH: u8 = 3;
const MID_STORED: u8 = 4;
const MID_SEARCH: u8 = 5;
const MID_LOCK: u8 = 6;
const MID_CACHE_FEED: u8 = 7;
const MID_QUERY: u8 = 8;
const MID_LOGGER: [&str; 9] = [
    "app.cache",
    "app.cache",
    "app.payments",
    "app.retrieval",
    "app.retrieval",
    "app.search",
    "app.api",
    "app.cache",
    "app.db",
];

fn mid_for(ep: Ep, rng: &mut Rng) -> Option<u8> {
    let (m, p) = match ep {
        Ep::Item | Ep::ItemReviews => (MID_CACHE_ITEM, 0.45),
        Ep::UserOrders | Ep::UserOrder => (MID_CACHE_USER, 0.3),
        Ep::Payment => (MID_PAYMENT, 1.0),
        Ep::Retrieval => (
            if rng.chance(0.5) {
                MID_BATCH
            } else {
                MID_STORED
            },
            0.8,
        ),
        Ep::Search => (MID_SEARCH, 0.5),
        Ep::CartPut | Ep::CartDelete => (MID_LOCK, 0.25),
        Ep::Feed => (MID_CACHE_FEED, 0.4),
        Ep::Auth => (MID_QUERY, 0.2),
        Ep::Health => return None,
    };
    rng.chance(p).then_some(m)
}

fn mid_line(w: &mut Vec<u8>, m: u8, r: &Req) {
    match m {
        MID_CACHE_ITEM => {
            w.extend_from_slice(b"cache miss for key item:");
            num(w, r.n);
        }
        MID_CACHE_USER => {
            w.extend_from_slice(b"cache miss for key user:");
            num(w, r.n % 50_000);
        }
        MID_PAYMENT => w.extend_from_slice(b"calling payment provider"),
        MID_BATCH => w.extend_from_slice(b"loading batch"),
        MID_STORED => w.extend_from_slice(b"stored samples"),
        MID_SEARCH => w.extend_from_slice(b"search backend responded"),
        MID_LOCK => {
            w.extend_from_slice(b"acquired lock cart:");
            num(w, r.n);
        }
        MID_CACHE_FEED => {
            w.extend_from_slice(b"cache miss for key feed:");
            num(w, r.n);
        }
        _ => w.extend_from_slice(b"querying database"),
    }
}

const WARN_RETRY: u8 = 0;
const WARN_RATE: u8 = 1;
const WARN_AUTH: u8 = 2;
const WARN_SLOW: u8 = 3;
const WARN_VALIDATION: u8 = 4;
const WARN_DB_RETRY: u8 = 5;
const WARN_CONFLICT: u8 = 6;
const WARN_LOGGER: [&str; 7] = [
    "app.payments",
    "app.api",
    "app.auth",
    "app.api",
    "app.api",
    "app.db",
    "app.api",
];

fn warn_line(w: &mut Vec<u8>, k: u8) {
    w.extend_from_slice(match k {
        WARN_RETRY => b"payment provider slow, retrying".as_slice(),
        WARN_RATE => b"rate limit exceeded for client",
        WARN_AUTH => b"invalid credentials",
        WARN_SLOW => b"request exceeded latency budget of 2000 ms",
        WARN_VALIDATION => b"validation failed: field required (body.data.metrics)",
        WARN_DB_RETRY => b"database query retried after disconnect",
        _ => b"cart was modified concurrently",
    });
}

/// Status of a request that did not fail, and the WARNING that explains a 4xx.
fn ordinary_status(ep: Ep, rng: &mut Rng) -> (Option<u8>, u16) {
    let r = rng.unit();
    match ep {
        Ep::Item | Ep::UserOrder if r < 0.04 => (None, 404),
        Ep::Auth if r < 0.09 => (Some(WARN_AUTH), 401),
        Ep::Retrieval if r < 0.015 => (Some(WARN_VALIDATION), 422),
        Ep::CartPut if r < 0.01 => (Some(WARN_CONFLICT), 409),
        Ep::Payment if r < 0.02 => (None, 402),
        Ep::Health => (None, 200),
        _ if r > 0.997 => (Some(WARN_RATE), 429),
        Ep::Retrieval | Ep::CartPut => (None, 201),
        Ep::CartDelete => (None, 204),
        _ => (None, 200),
    }
}

// ---------------------------------------------------------------------------------------------
// Command line

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let n: f64 = s[..split].parse().ok()?;
    let mult = match s[split..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mib" => 1_048_576.0,
        "g" | "gb" => 1e9,
        "gib" => 1_073_741_824.0,
        _ => return None,
    };
    Some((n * mult) as u64).filter(|&b| b > 0)
}

const USAGE: &str =
    "usage: gen_corpus [--out DIR] [--size SIZE] [--seed N] [--only app|error|access] [--load daily|steady]
  --out DIR     output directory (default target/bench-corpus)
  --size SIZE   app.log size, e.g. 1GiB, 200MB, 64MiB (default 1GiB); nginx-error.log and
                nginx-access.log are each ~20% of it
  --seed N      PRNG seed (default 42); same seed and size, same bytes
  --only KIND   write only app, error or access (comma-separated list allowed)
  --load KIND   daily (default): traffic swells over the span and rises in the incident;
                steady: one request rate throughout";

fn usage(msg: &str) -> ! {
    eprintln!("gen_corpus: {msg}\n{USAGE}");
    std::process::exit(2)
}

fn main() -> io::Result<()> {
    let mut dir = PathBuf::from("target/bench-corpus");
    let mut size = 1u64 << 30;
    let mut seed = 42u64;
    let mut enabled = IN_APP | IN_ERROR | IN_ACCESS;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            return Ok(());
        }
        let value = inline
            .or_else(|| args.next())
            .unwrap_or_else(|| usage(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--out" => dir = PathBuf::from(value),
            "--size" => {
                size = parse_size(&value).unwrap_or_else(|| usage(&format!("bad --size {value:?}")))
            }
            "--seed" => {
                seed = value
                    .parse()
                    .unwrap_or_else(|_| usage(&format!("bad --seed {value:?}")))
            }
            "--only" => {
                enabled = 0;
                for kind in value.split(',') {
                    enabled |= match kind {
                        "app" => IN_APP,
                        "error" => IN_ERROR,
                        "access" => IN_ACCESS,
                        _ => usage(&format!("bad --only {kind:?}")),
                    };
                }
            }
            "--load" => match value.as_str() {
                "daily" => STEADY.store(false, std::sync::atomic::Ordering::Relaxed),
                "steady" => STEADY.store(true, std::sync::atomic::Ordering::Relaxed),
                _ => usage(&format!("bad --load {value:?}")),
            },
            _ => usage(&format!("unknown argument {flag:?}")),
        }
    }
    std::fs::create_dir_all(&dir)?;
    let started = Instant::now();
    let mut g = Gen::new(seed, &dir, size, enabled)?;
    g.run(size)?;
    for (sink, bit) in [
        (&g.app, IN_APP),
        (&g.error, IN_ERROR),
        (&g.access, IN_ACCESS),
    ] {
        if enabled & bit != 0 {
            println!(
                "{:<40} {:>13} bytes {:>10} lines {:>7.1} bytes/line",
                sink.path.display(),
                sink.bytes,
                sink.lines,
                sink.bytes as f64 / sink.lines.max(1) as f64
            );
        }
    }
    eprintln!(
        "gen_corpus: {:.1} s (seed {seed})",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
