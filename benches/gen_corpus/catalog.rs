//! The service's catalogue: its endpoints and their traffic weights, latencies and body sizes,
//! the search terms, user agents and pods requests name, the Python tracebacks its failures
//! print, and the ids of its intermediate and warning messages. Fixed data and lookups only; it
//! must not draw from the PRNG or decide what a request does.

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Ep {
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

pub(crate) struct Endpoint {
    pub(crate) ep: Ep,
    pub(crate) method: &'static str,
    pub(crate) weight: u32,
    /// Median latency in ms on a good day.
    pub(crate) median_ms: f64,
    /// Response body size range in bytes.
    pub(crate) body: (u64, u64),
    /// Backed by the database: fails during the fail-over.
    pub(crate) db: bool,
}

pub(crate) const ENDPOINTS: [Endpoint; 12] = [
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

pub(crate) const SEARCH_TERMS: [&str; 12] = [
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

pub(crate) const USER_AGENTS: [&str; 8] = [
    "okhttp/4.9.3",
    "okhttp/4.12.0",
    "HealthSync/3.14.2 (iPhone; iOS 17.4.1; Scale/3.00)",
    "HealthSync/3.13.0 (iPhone; iOS 16.7.7; Scale/2.00)",
    "Dalvik/2.1.0 (Linux; U; Android 14; SM-S911B Build/UP1A.231005.007)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "python-requests/2.31.0",
];
pub(crate) const UA_WEIGHTS: [u32; 8] = [30, 12, 22, 6, 14, 8, 5, 3];

pub(crate) const PODS: [&str; 3] = ["10.0.0.7:30016", "10.0.0.8:30016", "10.0.0.9:30016"];

/// Real-looking Python tracebacks as `logging.Formatter.formatException` renders them (raw
/// text; JSON-escaped once at start-up). The last line is always the exception.
pub(crate) const TRACEBACKS: [&str; 9] = [
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
pub(crate) fn usual_tracebacks(ep: Ep) -> &'static [u8] {
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

/// Escapes only what the tracebacks above contain: quotes, backslashes, newlines and tabs.
pub(crate) fn json_escape(s: &str) -> Vec<u8> {
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

// Intermediate INFO messages of a request: ids shared by the simulation, which picks one, and
// the app writer (`app::mid_line`), which words it under the logger named here.
pub(crate) const MID_CACHE_ITEM: u8 = 0;
pub(crate) const MID_CACHE_USER: u8 = 1;
pub(crate) const MID_PAYMENT: u8 = 2;
pub(crate) const MID_BATCH: u8 = 3;
pub(crate) const MID_STORED: u8 = 4;
pub(crate) const MID_SEARCH: u8 = 5;
pub(crate) const MID_LOCK: u8 = 6;
pub(crate) const MID_CACHE_FEED: u8 = 7;
pub(crate) const MID_QUERY: u8 = 8;
pub(crate) const MID_LOGGER: [&str; 9] = [
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

// WARNING messages of a request, shared the same way (`app::warn_line` words them).
pub(crate) const WARN_RETRY: u8 = 0;
pub(crate) const WARN_RATE: u8 = 1;
pub(crate) const WARN_AUTH: u8 = 2;
pub(crate) const WARN_SLOW: u8 = 3;
pub(crate) const WARN_VALIDATION: u8 = 4;
pub(crate) const WARN_DB_RETRY: u8 = 5;
pub(crate) const WARN_CONFLICT: u8 = 6;
pub(crate) const WARN_LOGGER: [&str; 7] = [
    "app.payments",
    "app.api",
    "app.auth",
    "app.api",
    "app.api",
    "app.db",
    "app.api",
];
