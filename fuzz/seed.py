#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets: fuzz/corpus/<target>/<name>.

Owns the hand-written seeds only: small, real-looking lines of each format the target reads
(made up here, not copied from any project's tests) plus edge cases (empty, a lone `{`,
invalid UTF-8, long keys, deep nesting), and every input that once failed a target, as a
`regression-*` seed. Inputs merged from fuzz runs sit beside them under hashed names and are
left alone, so running this again only rewrites the named seeds. Run from anywhere:
`python3 fuzz/seed.py`.
"""

import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

RID = "bf179e9f1557406a62e1fb222e545310"
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

PY_TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/srv/app/api.py", line 41, in get_item\n'
    "    row = db.fetch(item_id)\n"
    '  File "/srv/app/storage.py", line 12, in fetch\n'
    '    raise DatabaseError("connection lost")\n'
    "storage.DatabaseError: connection lost"
)
NODE_STACK = (
    "TypeError: Cannot read properties of undefined (reading 'id')\n"
    "    at getUser (/srv/node/users.js:17:23)\n"
    "    at Layer.handle [as handle_request] (/srv/node/node_modules/express/lib/router/layer.js:95:5)"
)
GO_PANIC = (
    "panic: runtime error: index out of range [3] with length 3\n\n"
    "goroutine 17 [running]:\n"
    "main.handler(0xc000012345)\n"
    "\t/srv/go/main.go:42 +0x1d\n"
    "created by net/http.(*Server).Serve\n"
    "\t/usr/local/go/src/net/http/server.go:3086 +0x5cb"
)
JAVA_STACK = (
    "java.lang.IllegalStateException: pool exhausted\n"
    "\tat com.shop.db.Pool.take(Pool.java:88)\n"
    "\tat com.shop.api.Orders.get(Orders.java:31)\n"
    "Caused by: java.net.SocketTimeoutException: connect timed out\n"
    "\t... 12 more"
)


def j(**kv):
    return json.dumps(kv, separators=(",", ":"))


def jpy(**kv):
    # python-json-logger writes ", " and ": ".
    return json.dumps(kv)


JSON_LINES = {
    "python-json-logger": jpy(
        asctime="2026-11-25 08:45:42,361",
        levelname="INFO",
        name="app.api",
        message="request finished",
        request_id=RID,
        method="GET",
        path="/api/items/1",
        status=200,
        duration_ms=5.924,
    ),
    "python-exc-info": jpy(
        asctime="2026-11-25 08:45:43,002",
        levelname="ERROR",
        message="unhandled error",
        request_id=RID,
        exc_info=PY_TRACEBACK,
    ),
    "structlog": jpy(
        event="processing batch",
        level="info",
        timestamp="2026-11-25T03:16:10.418881Z",
        batch=1,
        duration_ms=13.5,
    ),
    "pino-http": j(
        level=50,
        time=1795576542786,
        pid=21678,
        hostname="vm",
        req={
            "id": RID,
            "method": "GET",
            "url": "/api/node/users/4",
            "headers": {"x-request-id": RID, "host": "127.0.0.1:18002"},
            "remoteAddress": "127.0.0.1",
        },
        res={"statusCode": 500},
        err={"type": "TypeError", "message": "boom", "stack": NODE_STACK},
        responseTime=34,
        msg="request errored",
    ),
    "bunyan": j(
        name="svc",
        hostname="h",
        pid=1,
        level=40,
        msg="slow query",
        time="2026-11-25T08:45:42.123Z",
        v=0,
        req_id="r-9",
    ),
    "winston": j(level="warn", message="retrying", timestamp="2026-11-25T08:45:42.001+05:30", correlationId="c-1"),
    "zap": j(level="error", ts=1795576542.786, caller="main.go:42", msg="upstream failed", trace_id="t-1", latency="1.5s", stacktrace="main.handler\n\t/srv/main.go:42"),
    "slog-json": j(time="2026-11-25T08:45:42.1234567+05:30", level="WARN", msg="slow", duration=1500000000, request_id="s-1"),
    "tracing-subscriber": j(
        timestamp="2026-11-25T08:45:42.000001Z",
        level="WARN",
        fields={"message": "slow", "latency_ms": 3},
        target="app",
        span={"request_id": "s1", "name": "req"},
        spans=[{"name": "outer"}, {"request_id": "s1"}],
    ),
    "loguru": j(
        text="x",
        record={
            "time": {"repr": "2026-11-25 08:45:42", "timestamp": 1795576542.5},
            "level": {"name": "CRITICAL", "no": 50},
            "message": "db down",
            "extra": {"request_id": "L1"},
            "exception": {"type": "OperationalError", "value": "x", "traceback": True},
        },
    ),
    "ecs": j(**{"@timestamp": "2026-11-25T08:45:42.000Z", "log.level": "error", "message": "payment failed", "trace.id": "abc123", "error.type": "PaymentError", "http.response.status_code": 502, "url.path": "/pay", "event.duration": 2500000000}),
    "nginx-json-access": j(
        time_iso8601="2026-11-25T08:45:42+05:30",
        remote_addr="127.0.0.1",
        request="GET /api/node/users/4 HTTP/1.1",
        status="504",
        request_time="2.001",
        upstream_status="504",
        upstream_response_time="2.000",
        upstream_addr="127.0.0.1:18002",
        request_id=RID,
    ),
    "traceparent-id": j(level="info", msg="call", traceparent=TRACEPARENT),
    "amzn-trace-id": j(level="info", msg="call", request_id="Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"),
    "escaped-key-and-value": r'{"m\u0073g":"a\"b\\c\n\u00e9","level":"info","request_id":"\u0072-1"}',
    "unicode-values": j(msg="caf\u00e9 \u2603 \U0001f600", level="info", request_id="\u00fcid"),
    "duplicate-keys": '{"msg":"first","msg":"second","level":"info","level":"error"}',
    "msg-dash-and-empty": '{"msg":"-","request_id":"","level":""}',
    "numbers-as-fields": '{"msg":12,"level":30.5,"request_id":-7,"status":"200","duration":"1m2.5s"}',
    "huge-numbers": '{"time":1e400,"status":99999999999999999999999,"latency_ms":-1e308,"ts":-5}',
    "nested-msg": '{"msg":{"msg":"inner"},"fields":{"msg":"in fields"},"level":["warn","error"]}',
    "arrays-of-arrays": '{"msg":[["a"],["b",["c"]]],"spans":[[{"request_id":"x"}]]}',
    "journald": j(
        __REALTIME_TIMESTAMP="1795576542786123",
        PRIORITY="3",
        _HOSTNAME="web-1",
        SYSLOG_IDENTIFIER="shop-api",
        _PID="30630",
        MESSAGE='{"level":"error","msg":"inner json","request_id":"j-1"}',
    ),
    "journald-null-message": '{"__REALTIME_TIMESTAMP":"1795576542786123","PRIORITY":"6","MESSAGE":null}',
    "spaced": '  { "msg" : "spaced" , "level" : "warn" }  ',
    "empty-object": "{}",
    "lone-brace": "{",
    "unterminated-string": '{"msg":"abc',
    "trailing-garbage": '{"msg":"a"} x',
    "trailing-comma": '{"msg":"a",}',
    "bad-literal": '{"msg":tru,"a":nul}',
    "control-char-in-string": '{"msg":"a\tb","x":"\x01"}',
    "top-level-array": '[{"msg":"a"}]',
    "long-key": json.dumps({"k" * 300: 1, "msg": "after a long key", "a_rather_long_key_name": 2}),
    "deep-object": '{"fields":' * 40 + '{"msg":"deep"}' + "}" * 40,
    "deep-array": '{"msg":' + "[" * 200 + "]" * 200 + "}",
    "deep-mixed": '{"a":' + '[{"b":' * 60 + "1" + "}]" * 60 + "}",
    # Regression: 20,000 `[` under a picked key overflowed the scanner's stack (a 40 KB line
    # aborted `report`); now the scanner declines and serde_json's nesting limit refuses it.
    # Regression (found by the fuzzer): serde_json reads `-0` as the float -0.0, the
    # scanner read the integer 0.
    "regression-negative-zero": '{"time" :-0}',
    # Found by the fuzzer: serde_json's best-effort float parsing and Rust's exact one differ
    # by one ulp on this number; the target allows that and nothing else.
    "float-last-ulp": '{"msg":777777111111777777777777777777777777777712,"lg":1}',
    "regression-deep-array-overflow": '{"msg":' + "[" * 20000 + "]" * 20000 + "}",
}

# Two lines each: the scanner's key memo is per worker, across lines.
JSON_PAIRS = {
    "pair-same-keys": [j(msg="a", level="info", req={"id": "1"}, status=200), j(msg="b", level="warn", req={"id": "2"}, status=500)],
    "pair-prefix-keys": [j(msg="a", level="info"), '{"msgs":"x","ms":"y","levels":"z","level":"error"}'],
    "pair-escape-after": [j(msg="a", level="info"), r'{"msg\"":"x","m\u0073g":"y"}'],
    "pair-swapped": [j(level="error", msg="one", request_id="1"), j(msg="two", level="info", request_id="2")],
}

NGINX_ACCESS = {
    "combined-extra": '127.0.0.1 - - [25/Nov/2026:08:45:42 +0530] "GET /api/items/1 HTTP/1.1" 200 3 "-" "curl/8.5.0" request_id=' + RID + " request_time=0.024 upstream_response_time=0.025 upstream_status=200 upstream_addr=127.0.0.1:18001",
    "combined": '10.1.2.3 - alice [06/May/2025:04:00:08 -0700] "POST /login HTTP/2.0" 302 0 "https://example.test/" "Mozilla/5.0 (X11; Linux x86_64)"',
    "common": '::1 - - [06/May/2025:04:00:08 +0000] "HEAD / HTTP/1.0" 404 153',
    "host-first": 'api.example.test:443 10.0.0.7 - - [06/May/2025:04:00:08 +0000] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.29"',
    "xff-chain": '203.0.113.9, 10.0.0.2 - - [06/May/2025:04:00:08 +0000] "GET /a HTTP/1.1" 504 160 "-" "ua" 60.001',
    "trailing-number": '10.0.0.1 - - [06/May/2025:04:00:08 +0000] "GET /slow HTTP/1.1" 200 512 "-" "ua" 1.250',
    "ingress-upstreaminfo": '192.168.1.5 - - [06/May/2025:04:00:08 +0000] "GET /api HTTP/1.1" 503 190 "-" "ua" 431 0.003 [default-api-80] [] 10.244.0.12:8080 190 0.004 503 ' + RID,
    "bad-request-bytes": '10.0.0.1 - - [06/May/2025:04:00:08 +0000] "\\x16\\x03\\x01\\x00" 400 157 "-" "-"',
    "gunicorn-access": '127.0.0.1 - - [25/Nov/2026:08:45:42 +0530] "GET /api/items/1 HTTP/1.1" 200 3 "-" "python-requests/2.31" 5924',
    "morgan-combined": '::ffff:127.0.0.1 - - [25/Nov/2026:03:15:42 +0000] "GET /api/node/users/4 HTTP/1.1" 200 17 "-" "ua" 34.512 ms',
    "custom-msec": '1795576542.786 200 0.035 "GET /api/node/users/4 HTTP/1.1" ' + RID,
    "status-out-of-range": '10.0.0.1 - - [06/May/2025:04:00:08 +0000] "GET / HTTP/1.1" 999 0 "-" "-"',
    "bad-date": '10.0.0.1 - - [31/Feb/2025:25:61:61 +9999] "GET / HTTP/1.1" 200 0 "-" "-"',
    "unclosed-bracket": '10.0.0.1 - - [06/May/2025:04:00:08 +0000 "GET / HTTP/1.1" 200 0',
}

NGINX_ERROR = {
    "upstream-timeout": '2026/11/25 08:46:10 [error] 21691#21691: *301 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 127.0.0.1, server: api.test, request: "GET /api/slow HTTP/1.1", upstream: "http://127.0.0.1:18001/api/slow", host: "127.0.0.1:18080"',
    "connect-refused": '2026/11/25 08:46:08 [error] 21691#21691: *278 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: api.test, request: "GET /legacy/orders/139 HTTP/1.1", upstream: "http://127.0.0.1:18009/legacy/orders/139", host: "127.0.0.1:18080"',
    "prematurely-closed": '2026/11/25 08:46:09 [error] 21691#21691: *294 upstream prematurely closed connection while reading response header from upstream, client: 127.0.0.1, server: api.test, request: "POST /upload HTTP/1.1", upstream: "http://127.0.0.1:18001/upload", host: "h"',
    "too-large": '2026/11/25 08:46:11 [error] 21691#21691: *310 client intended to send too large body: 10485760 bytes, client: 10.0.0.3, server: api.test, request: "POST /upload HTTP/1.1", host: "h"',
    "notice-no-conn": "2026/11/25 08:45:40 [notice] 21690#21690: signal process started",
    "emerg": '2026/11/25 08:45:39 [emerg] 21690#21690: bind() to 0.0.0.0:80 failed (98: Address already in use)',
    "fastcgi-stderr": '2026/11/25 08:46:12 [error] 21691#21691: *320 FastCGI sent in stderr: "PHP message: PHP Fatal error:  Uncaught Error", client: 10.0.0.4, server: php.test, request: "GET /index.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "php.test"',
    "raw-request-bytes": '2026/11/25 08:46:13 [info] 21691#21691: *330 client sent invalid method while reading client request line, client: 10.0.0.5, server: _, request: "\x16\x03\x01\x02\x00\x01"',
    "unquoted-request": '2026/11/25 08:46:13 [error] 1#1: *1 x, client: 1.2.3.4, request: "GET / HTTP/1.1',
    "short-shape": "2026/11/25 08:46:13 [error]",
    "bad-level": "2026/11/25 08:46:13 [loud] 1#1: hello",
    "bad-date": "2026/13/45 99:99:99 [error] 1#1: *1 nonsense",
}

LOGFMT_AND_TEXT = {
    "logfmt-slog": 'time=2026-11-25T08:45:42.123+05:30 level=ERROR msg="upstream failed" request_id=' + RID + " status=502 duration=1.5s",
    "logfmt-logrus": 'time="2026-11-25T08:45:42Z" level=warning msg="cache miss \\"k\\"" req_id=r-2 latency_ms=12',
    "logfmt-heroku": "at=info method=GET path=/ host=app.test request_id=h-1 fwd=1.2.3.4 dyno=web.1 connect=0ms service=12ms status=200 bytes=1234",
    "logfmt-broken": 'level= msg="unterminated request_id==x ==',
    "uvicorn": "INFO:     Started server process [30630]",
    "uvicorn-access": 'INFO:     127.0.0.1:52332 - "GET /api/items/1 HTTP/1.1" 200 OK',
    "gunicorn": "[2026-12-01 06:49:31 +0000] [7] [INFO] Booting worker with pid: 7",
    "python-logging": "2026-11-25 08:45:42,355 ERROR app.api: unhandled error request_id=" + RID,
    "python-logging-level-first": "ERROR:app.api:unhandled error",
    "flask": "[2026-11-25 08:45:42,355] ERROR in app: Exception on /api/items/1 [GET]",
    "golog": "2026/12/01 06:30:59 http: panic serving 127.0.0.1:40000: runtime error",
    "golog-micro": "2026/12/01 06:30:59.123456 main.go:42: listening on :8080",
    "morgan-dev": "GET /api/node/users/4 500 34.512 ms - 17",
}

STACKS = {
    "python-traceback": "2026-11-25 08:45:43,002 ERROR app.api: unhandled error\n" + PY_TRACEBACK,
    "python-chained": PY_TRACEBACK + "\n\nDuring handling of the above exception, another exception occurred:\n\n" + PY_TRACEBACK.replace("DatabaseError", "RetryError"),
    "bare-traceback": PY_TRACEBACK,
    "node-stack": NODE_STACK,
    "go-panic": GO_PANIC,
    "java-stack": "2026-11-25 08:45:42.001 ERROR [main] c.s.Api - failed\n" + JAVA_STACK,
    "json-then-traceback": jpy(levelname="ERROR", message="boom") + "\n" + PY_TRACEBACK,
}


def docker(log, stream="stderr", time="2026-12-01T08:08:09.548870700Z"):
    return j(log=log, stream=stream, time=time)


ENVELOPES = {
    "docker-json": docker(j(level="error", msg="inside docker", request_id="d-1") + "\n", "stdout"),
    "docker-text": docker("INFO:     Started server process [1]\n"),
    "docker-split": docker("x" * 40) + "\n" + docker("y" * 40 + "\n"),
    "docker-traceback": "\n".join(docker(l + "\n") for l in ("ERROR:app:boom\n" + PY_TRACEBACK).split("\n")),
    "cri-full": "2026-12-01T03:08:09.549172057-05:00 stderr F INFO:     Waiting for application startup.",
    "cri-partial": "2026-12-01T03:08:09.549172057-05:00 stdout P " + '{"msg":"first half' + "\n2026-12-01T03:08:09.549172058-05:00 stdout F " + ' second half","level":"info"}',
    "cri-traceback": "\n".join("2026-12-01T03:08:10.2-05:00 stderr F " + l for l in PY_TRACEBACK.split("\n")),
    "kubectl-prefix-timestamps": "[pod/shop-api-7d9f8b6c4-x2x9z/api] 2026-12-01T03:08:09.548870700-05:00 INFO:     Started server process [30630]",
    "kubectl-timestamps": "2026-12-01T08:08:09.548870700Z " + j(level="info", msg="kubectl", request_id="k-1"),
    "syslog-3164": "Dec  1 03:08:09 web-1 shop-api[30630]: INFO:     Started server process [30630]",
    "syslog-escaped": "Dec  1 03:08:09 web-1 shop-api[30630]: #033[1;32mready#033[0m",
    "syslog-5424": "<13>1 2026-12-01T03:08:09.549252-05:00 web-1 shop-api 30630 - -  INFO:     Started server process [30630]",
    "syslog-rfc3339": "2026-12-01T03:08:09.549252-05:00 web-1 shop-api[30630]: " + j(level="warn", msg="in syslog"),
    "journal-short": "Dec 01 03:08:09 web-1 uvicorn[30630]: INFO:     Application startup complete.",
    "journald-json-line": JSON_LINES["journald"],
    # Regression (found by the fuzzer): `","stream":"` overlapping the `{"log":"` prefix made
    # the fragment test slice backwards; a line like this before any other aborted `report`.
    "regression-docker-key-in-prefix": '{"log":","stream":"stderr","time":"2025-12-01T08:08:09.548870700Z"}\n' + docker("x\n"),
}

EDGES = {
    "empty": "",
    "newline": "\n",
    "blank-lines": "\n\n  \n\t\r\n",
    "crlf": "INFO:     a\r\nINFO:     b\r\n",
    "bom": "\ufeff" + j(msg="after bom", level="info"),
    "lone-brace": "{",
    "lone-bracket": "[",
    "digits": "2026",
    "almost-nginx-error": "2026/11/25 08:46:13 [",
    "ansi": "\x1b[31mERROR\x1b[0m \x1b]0;title\x07 boom",
    "nul-bytes": "a\x00b\x00\n\x00",
}

BINARY = {
    "invalid-utf8": b"\xff\xfe\xfd not utf-8 \xc3\x28\n",
    "invalid-utf8-json": b'{"msg":"\xff","level":"info"}',
    "invalid-utf8-nginx-error": b'2026/11/25 08:46:13 [info] 1#1: *330 client sent invalid method, client: 10.0.0.5, server: _, request: "\xff\xfe\x16\x03"',
    "invalid-utf8-access": b'10.0.0.1 - - [06/May/2025:04:00:08 +0000] "GET /\xff HTTP/1.1" 400 0 "-" "-"',
    "truncated-utf8": "caf\u00e9".encode()[:-1],
}

TIMES = {
    "rfc3339-z": "2025-05-06T04:00:08Z",
    "rfc3339-fraction-offset": "2025-05-06T04:00:08.123456789+05:30",
    "rfc3339-lower-t": "2025-05-06t04:00:08.5z",
    "space-comma": "2025-05-06 04:00:08,123",
    "space-utc": "2025-05-06 04:00:08 UTC",
    "gmt": "2025-05-06 04:00:08 GMT",
    "offset-no-colon": "2025-05-06T04:00:08-0700",
    "offset-hours": "2025-05-06T04:00:08+09",
    "slashes": "2025/05/06 04:00:08",
    "nginx-local": "06/May/2025:04:00:08 +0000",
    "nginx-local-naive": "06/May/2025:04:00:08",
    "leap-second": "2016-12-31T23:59:60Z",
    "epoch-s": "1746504008",
    "epoch-ms": "1746504008123",
    "epoch-us": "1746504008123456",
    "epoch-ns": "1746504008123456789",
    "epoch-float": "1746504008.5",
    "epoch-too-small": "12",
    "epoch-huge": "99999999999999999999999999",
    # Same minute on consecutive lines: the minute memo serves the second.
    "same-minute": "2025-05-06T04:00:08Z\n2025-05-06T04:00:59.999Z\n2025-05-06T04:00:60Z\n2025-05-06T04:00:61Z",
    "same-minute-naive-then-zoned": "2025-05-06 04:00:08\n2025-05-06 04:00:09+02:00\n2025-05-06 04:00:10",
    # Daylight saving: New York's spring gap and autumn fold, Berlin's, Lord Howe's half hour.
    "ny-spring-gap": "2026-03-08 01:59:59\n2026-03-08 02:30:00\n2026-03-08 03:00:00",
    "ny-autumn-fold": "2026-11-01 01:30:00\n2026-11-01 01:59:59\n2026-11-01 02:00:00",
    "berlin-switch": "2026-03-29 02:30:00\n2026-10-25 02:30:00",
    "lord-howe": "2026-04-05 01:45:00\n2026-04-05 02:15:00\n2026-10-04 02:15:00",
    # Regression: Lord Howe's spring shift at 02:00 splits the local hour (02:00-02:29 do not
    # exist): the hour memo read 02:45 with the offset of 02:15.
    "regression-lord-howe-split-hour": "2026-10-04 02:15:00\n2026-10-04 02:45:00\n2026-10-04 02:15:30",
    # Regression: Goose Bay switched at 00:01 local until 2011: one local hour, two offsets.
    "regression-goose-bay-0001": "2010-03-14 00:00:30\n2010-03-14 00:30:00\n2010-11-07 00:00:30\n2010-11-07 00:30:00",
    "syslog": "Dec  1 03:08:09 web-1 x[1]: y\nDec 01 03:08:09\nFeb 29 00:00:00 h p: leap",
    "syslog-bad-day": "Jan 32 03:08:09 h p: x",
    "nginx-error-stamp": "2026/11/25 08:46:13 [error] 1#1: x",
    "year-0000": "0000-01-01T00:00:00Z\n9999-12-31T23:59:59.999999+23:59",
    "durations": "1h30m\n1.5s\n250ms\n10us\n5\u00b5s\n3ns\n1d2h\n1m2.5s\n...\n1e5s\n-1s\n" + "9" * 400 + "h",
    "zones": "Europe/Berlin\n+05:30\n-0530\nUTC\nZ\nNot/AZone",
    "truncated": "2025-05-06T04:0\n2025-05-06T04:00:08.\n2025-05-06T04:00:08+\n06/May/2025:04:00:08 +",
}

RULES_FILES = {
    "example": """gap_windows = 2

[rules.upstream_timeout]
min_count = 3
severity = "warning"

[rules.restart]
enabled = false

[[custom]]
id = "payment_errors"
severity = "critical"
description = "payment provider errors"
match = { format = "json", level = "error", fields = ["error_type~Payment"], message = "payment" }
condition = { count_at_least = 2 }
""",
    "p95": """[rules.error_rate_spike]
factor = 3.5
min_share = 0.05
baseline_windows = 10

[[custom]]
id = "slow_checkout"
severity = "warning"
description = "checkout p95 over 2s"
match = { fields = ["path=/checkout"] }
condition = { p95_above = "2s" }
""",
    "share": """[[custom]]
id = "nginx_5xx"
severity = "info"
description = "share of 5xx"
match = { format = "nginx_access", fields = ["status~^5"] }
condition = { share_above = 0.1 }
""",
    "empty": "",
    "comment-only": "# nothing here\n",
    "unknown-rule": "[rules.nope]\nmin_count = 3\n",
    "unknown-key": "[rules.upstream_timeout]\nmin_cout = 3\n",
    "bad-severity": '[[custom]]\nid = "x"\nseverity = "high"\ndescription = "d"\nmatch = {}\ncondition = { count_at_least = 1 }\n',
    "bad-regex": '[[custom]]\nid = "x"\nseverity = "info"\ndescription = "d"\nmatch = { message = "(" }\ncondition = { count_at_least = 1 }\n',
    "two-conditions": '[[custom]]\nid = "x"\nseverity = "info"\ndescription = "d"\nmatch = {}\ncondition = { count_at_least = 1, share_above = 0.1 }\n',
    "nan-factor": "[rules.error_rate_spike]\nfactor = nan\n",
    "inf-factor": "[rules.error_rate_spike]\nfactor = inf\n",
    "bad-duration": '[rules.slow_endpoint]\np95_above = "fast"\n',
    "multiline-string": '[[custom]]\nid = """a\nb"""\nseverity = "info"\ndescription = "d"\nmatch = {}\ncondition = { count_at_least = 1 }\n',
    "regression-newline-in-rule-key": '[rules."upstream\\ntimeout"]\nmin_count = 1\n',
    "regression-newline-in-format": '[[custom]]\nid = "x"\nseverity = "info"\ndescription = "d"\nmatch = { format = "js\\non" }\ncondition = { count_at_least = 1 }\n',
    "regression-newline-in-regex": '[[custom]]\nid = "x"\nseverity = "info"\ndescription = "d"\nmatch = { message = "(\\n" }\ncondition = { count_at_least = 1 }\n',
    "regression-newline-in-field": '[[custom]]\nid = "x"\nseverity = "info"\ndescription = "d"\nmatch = { fields = ["a\\nb"] }\ncondition = { count_at_least = 1 }\n',
    "duplicate-id": '[[custom]]\nid = "restart"\nseverity = "info"\ndescription = "d"\nmatch = {}\ncondition = { count_at_least = 1 }\n',
    "broken-toml": "[rules.upstream_timeout\nmin_count = = 3\n",
    "wrong-types": 'gap_windows = "two"\n[rules.restart]\nenabled = 1\n',
    "negative-gap": "gap_windows = -1\n",
    "huge-numbers": "gap_windows = 99999999999999999999\n[rules.upstream_timeout]\nmin_count = 18446744073709551615\n",
    "deep-inline": "a = " + "[" * 100 + "]" * 100 + "\n",
}


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def lines_of(*tables):
    for t in tables:
        for name, v in t.items():
            yield name, v


def main():
    text_tables = (NGINX_ACCESS, NGINX_ERROR, LOGFMT_AND_TEXT, STACKS, ENVELOPES, EDGES, BINARY)
    # line: one seed per sample, plus a mixed file as one input mixes formats.
    for name, v in lines_of(JSON_LINES, *text_tables):
        write("line", name, v)
    for name, ls in JSON_PAIRS.items():
        write("line", name, "\n".join(ls) + "\n")
    mixed = [JSON_LINES["python-json-logger"], NGINX_ACCESS["combined-extra"], NGINX_ERROR["upstream-timeout"], LOGFMT_AND_TEXT["logfmt-slog"], STACKS["python-traceback"], ENVELOPES["docker-json"], ENVELOPES["cri-full"], ""]
    write("line", "mixed", "\n".join(mixed))

    for name, v in JSON_LINES.items():
        write("json_scan", name, v)
    for name, ls in JSON_PAIRS.items():
        write("json_scan", name, "\n".join(ls))
    write("json_scan", "invalid-utf8-json", BINARY["invalid-utf8-json"])
    write("json_scan", "empty", "")

    for name, v in lines_of(NGINX_ACCESS, NGINX_ERROR):
        write("nginx", name, v)
    for name in ("invalid-utf8-nginx-error", "invalid-utf8-access"):
        write("nginx", name, BINARY[name])
    write("nginx", "both-logs", "\n".join(list(NGINX_ACCESS.values())[:3] + list(NGINX_ERROR.values())[:3]))
    write("nginx", "empty", "")

    for name, v in TIMES.items():
        write("time", name, v)
    write("time", "empty", "")

    for name, v in RULES_FILES.items():
        write("rules", name, v)
    write("rules", "invalid-utf8", b'[[custom]]\nid = "\xff"\n')

    # records: whole inputs whose lines join (or must not) into records.
    recs = dict(STACKS)
    recs.update({k: v for k, v in ENVELOPES.items() if "\n" in v})
    recs.update(
        {
            "mixed": "\n".join(mixed),
            "blank-between-frames": "ERROR:app:boom\n" + PY_TRACEBACK.replace("\n  File", "\n\n  File") + "\n\n\nINFO:     next\n",
            "indented-runaway": "start\n" + "    more\n" * 50,
            "docker-fragments-then-json": docker("part one ") + "\n" + docker("part two\n") + "\n" + docker(j(msg="json starts a record") + "\n"),
            "cri-partial-chain": "\n".join("2026-12-01T03:08:09.5-05:00 stdout P chunk%d" % i for i in range(5)) + "\n2026-12-01T03:08:09.5-05:00 stdout F end\n",
            "two-writers-interleaved": "2026-12-01T03:08:10.2-05:00 stderr F Traceback (most recent call last):\n2026-12-01T03:08:10.2-05:00 stdout F INFO: other stream\n2026-12-01T03:08:10.2-05:00 stderr F   File \"a.py\", line 1, in <module>\n",
            "kubectl-prefix-traceback": "\n".join("[pod/p/c] " + l for l in ("ERROR:app:boom\n" + PY_TRACEBACK).split("\n")),
            "empty": "",
            "newlines": "\n\n\n",
            "no-trailing-newline": "a\n  b\nc",
            "crlf-traceback": ("ERROR:app:boom\n" + PY_TRACEBACK).replace("\n", "\r\n"),
            "invalid-utf8": BINARY["invalid-utf8"],
        }
    )
    for name, v in recs.items():
        write("records", name, v)


if __name__ == "__main__":
    main()
