"""Drives the standard load (and this folder's extra requests) through nginx, then writes
testdata/stack/nginx/manifest.json from what it sent, after checking that against the logs.

  client.py run RUN_DIR          send everything (writes RUN_DIR/sent.json)
  client.py manifest RUN_DIR OUT after nginx stopped and the logs were copied to OUT: verify
                                 them against sent.json, write OUT/manifest.json; exit 1 on
                                 any disagreement

Order (sequential, deterministic): the standard load (a health check first and one after
every 4th request: 8 in all, 28 others), then kind `retry` (5), kind `fcgi` (2), then kind
`odd` (3 raw-socket connections). Every HTTP request carries a fresh uuid4 in X-Request-ID;
every other non-health HTTP request (the 1st, 3rd, ...) carries X-Forwarded-For.
"""
import http.client
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
NGINX = ("127.0.0.1", 18250)
APP_ADDR = "127.0.0.1:18251"
DEAD1, DEAD2 = "127.0.0.1:18252", "127.0.0.1:18253"
FPM_ADDR = "127.0.0.1:18254"
HOST = "shop.test"
USER_AGENT = "logtriage-testdata/1"
XFF = "10.0.0.2, 10.0.0.1"
FAIL_TIMEOUT_WAIT_S = 2.2  # > nginx's fail_timeout=1s on its whole-second clock

# log file -> log_format name in nginx.conf
ACCESS_LOGS = {
    "vhost.log": "vhost",
    "vhost-port.log": "vhost_port",
    "xff-first.log": "xff_first",
    "xff-last.log": "main",
    "ingress.log": "upstreaminfo",
    "custom.log": "custom_pipe",
    "custom-msec.log": "custom_msec",
}
ERROR_LOG = "error.log"


def now_rfc3339():
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


# --- the load --------------------------------------------------------------------------------
def planned():
    """The requests in send order: (kind, path, sleep_ms, status, extra)."""
    std = [("item", f"/api/items/{n}", 10 * n, 200) for n in range(1, 21)]
    std += [("slow", f"/api/slow/{n}", 300, 200) for n in range(1, 5)]
    std += [("fail", f"/api/fail/{n}", 0, 500) for n in range(1, 3)]
    std += [("missing", f"/api/missing/{n}", 0, 404) for n in range(1, 3)]
    health = ("health", "/healthz", 0, 200)
    out = [health]
    for i, r in enumerate(std, 1):
        out.append(r)
        if i % 4 == 0:
            out.append(health)
    assert len(out) == 36 and sum(r[0] == "health" for r in out) == 8
    plan = [r + ({},) for r in out]
    # retry: (path, expected $upstream_addr, $upstream_status, final status, wait before)
    retry = [
        ("/retry/ok/1", f"{DEAD1}, {APP_ADDR}", "502, 200", 200, 0, "refused by 18252, retried on the live backup"),
        ("/retry/ok/2", f"{DEAD1}, {APP_ADDR}", "502, 200", 200, FAIL_TIMEOUT_WAIT_S, "the same, after fail_timeout"),
        ("/retry/dead/1", f"{DEAD1}, {DEAD2}", "502, 502", 502, 0, "both refused"),
        ("/retry/dead/2", f"{DEAD1}, {DEAD2}", "502, 502", 502, FAIL_TIMEOUT_WAIT_S, "both refused, after fail_timeout"),
        ("/retry/dead/3", "retry_dead", "502", 502, 0,
         "sent right after: both servers still marked failed, nginx tries none (no live upstreams)"),
    ]
    for path, addr, ustatus, status, wait, what in retry:
        plan.append(("retry", path, 0, status, {"wait_before_s": wait, "upstream_addr": addr,
                                                "upstream_status": ustatus, "what": what}))
    for n in (1, 2):
        plan.append(("fcgi", f"/fcgi/{n}", 0, 200, {"upstream_addr": FPM_ADDR, "upstream_status": "200",
                                                    "what": "php-fpm, error_log() of 3 lines"}))
    return plan


def send(kind, path, sleep_ms, status, extra, xff):
    rid = str(uuid.uuid4())
    entry = {"id": rid, "method": "GET", "path": path, "status": status, "sleep_ms": sleep_ms,
             "kind": kind, "x_forwarded_for": xff}
    entry.update(extra)
    conn = http.client.HTTPConnection(*NGINX, timeout=15)
    entry["sent_at"] = now_rfc3339()
    t0 = time.perf_counter()
    conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", HOST)
    conn.putheader("User-Agent", USER_AGENT)
    conn.putheader("X-Request-ID", rid)
    if xff:
        conn.putheader("X-Forwarded-For", xff)
    conn.endheaders()
    resp = conn.getresponse()
    resp.read()
    entry["took_ms"] = round((time.perf_counter() - t0) * 1000, 3)
    conn.close()
    if resp.status != status:
        sys.exit(f"{path}: got {resp.status}, expected {status}")
    return entry


def tls_client_hello_prefix(n=11):
    """The first n bytes of the ClientHello this Python's OpenSSL writes (record header,
    handshake header, client_version: no random bytes)."""
    ctx = ssl.create_default_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname=HOST)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = outgoing.read()
    assert hello[0] == 0x16 and hello[5] == 0x01, hello[:8]
    return hello[:n]


def send_raw(name, data):
    entry = {"id": None, "method": None, "path": None, "status": None, "sleep_ms": 0, "kind": "odd",
             "odd": name, "sent_hex": data.hex(), "sent_repr": repr(data), "x_forwarded_for": None}
    entry["sent_at"] = now_rfc3339()
    t0 = time.perf_counter()
    s = socket.create_connection(NGINX, timeout=10)
    reply = b""
    if data:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
    s.close()
    entry["took_ms"] = round((time.perf_counter() - t0) * 1000, 3)
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", reply)
    entry["status"] = int(m.group(1)) if m else None
    entry["reply_status_line"] = reply.split(b"\r\n", 1)[0].decode("latin-1") if reply else None
    return entry


def run(run_dir):
    load, k = [], 0
    for kind, path, sleep_ms, status, extra in planned():
        xff = None
        if kind != "health":
            xff = XFF if k % 2 == 0 else None
            k += 1
        if extra.get("wait_before_s"):
            time.sleep(extra["wait_before_s"])
        load.append(send(kind, path, sleep_ms, status, extra, xff))
    time.sleep(0.2)
    load.append(send_raw("empty", b""))
    time.sleep(0.2)
    load.append(send_raw("hello", b"hello\r\n\r\n"))
    time.sleep(0.2)
    load.append(send_raw("tls", tls_client_hello_prefix()))
    for e in load:
        if e["kind"] == "odd" and e["odd"] != "empty" and e["status"] != 400:
            sys.exit(f"odd request {e['odd']}: nginx answered {e['reply_status_line']!r}, expected 400")
    Path(run_dir, "sent.json").write_text(json.dumps(load, indent=1))


# --- checking the logs -----------------------------------------------------------------------
LIST = r"[^ ,|\"\[\]]+(?:, [^ ,|\"\[\]]+)*"
VAR_PATTERNS = {
    "time_local": r"[^\]]+",
    "proxy_add_x_forwarded_for": LIST,
    "upstream_addr": LIST,
    "upstream_response_length": LIST,
    "upstream_response_time": LIST,
    "upstream_status": LIST,
    "proxy_upstream_name": r"[^\]]*",
    "proxy_alternative_upstream_name": r"[^\]]*",
}


def log_formats(conf_text):
    """log_format name -> the format string, from nginx.conf (single-quoted, one line)."""
    return dict(re.findall(r"^\s*log_format\s+(\w+)\s+'([^']*)';", conf_text, re.M))


def format_regex(fmt):
    out, pos = [], 0
    for m in re.finditer(r"\$(\w+)", fmt):
        lit = fmt[pos:m.start()]
        out.append(re.escape(lit))
        name = m.group(1)
        quoted = lit.endswith('"')
        pat = VAR_PATTERNS.get(name, r"[^\"]*" if quoted else r"[^\s|\"\[\]]*?")
        out.append(f"(?P<{name}>{pat})")
        pos = m.end()
    out.append(re.escape(fmt[pos:]))
    return re.compile("".join(out) + r"\Z")


ERR_HEAD = re.compile(rb"^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) \[(\w+)\] (\d+)#(\d+): (?:\*(\d+) )?")
ERR_CLASSES = [  # (class, substring), checked in order; every record in exactly one
    ("upstream_connect_refused", b"connect() failed (111: Connection refused) while connecting to upstream"),
    ("upstream_temporarily_disabled", b"upstream server temporarily disabled while connecting to upstream"),
    ("no_live_upstreams", b"no live upstreams while connecting to upstream"),
    ("fastcgi_stderr", b'FastCGI sent in stderr: "'),
    ("uninitialized_variable", b"using uninitialized \""),
]


class Checker:
    def __init__(self):
        self.problems = []

    def __call__(self, ok, msg):
        if not ok:
            self.problems.append(msg)
        return ok


def count_lines(data):
    return data.count(b"\n")


def check_access(name, data, regex, http_sent, raw_sent, chk):
    """One record per request that reached HTTP parsing, in send order."""
    lines = data.split(b"\n")
    chk(lines[-1] == b"", f"{name}: no final newline")
    lines = lines[:-1]
    logged = [e for e in http_sent] + [e for e in raw_sent if e["odd"] != "empty"]
    chk(len(lines) == len(logged), f"{name}: {len(lines)} lines, expected {len(logged)}")
    recs = []
    for i, (raw, e) in enumerate(zip(lines, logged)):
        text = raw.decode("ascii")  # nginx escapes every byte outside printable ASCII as \xHH
        m = regex.match(text)
        if not chk(m is not None, f"{name}:{i + 1}: does not match its log_format: {text!r}"):
            recs.append(None)
            continue
        f = m.groupdict()
        recs.append(f)
        chk(int(f["status"]) == e["status"], f"{name}:{i + 1}: status {f['status']} != {e['status']}")
        if e["kind"] == "odd":
            want_req = {"hello": "hello", "tls": "".join(
                chr(b) if 0x20 <= b < 0x7f and b not in (0x22, 0x5c) else f"\\x{b:02X}"
                for b in bytes.fromhex(e["sent_hex"]))}[e["odd"]]
        else:
            want_req = f"GET {e['path']} HTTP/1.1"
        chk(f["request"] == want_req, f"{name}:{i + 1}: request {f['request']!r} != {want_req!r}")
        if "host" in f:
            chk(f["host"] == HOST, f"{name}:{i + 1}: host {f['host']!r}")
        if "server_port" in f:
            chk(f["server_port"] == "18250", f"{name}:{i + 1}: server_port {f['server_port']!r}")
        if "remote_addr" in f:
            chk(f["remote_addr"] == "127.0.0.1", f"{name}:{i + 1}: remote_addr {f['remote_addr']!r}")
        if "http_user_agent" in f:
            want_ua = "-" if e["kind"] == "odd" else USER_AGENT
            chk(f["http_user_agent"] == want_ua, f"{name}:{i + 1}: user agent {f['http_user_agent']!r}")
        if "proxy_add_x_forwarded_for" in f:
            want = f"{e['x_forwarded_for']}, 127.0.0.1" if e["x_forwarded_for"] else "127.0.0.1"
            chk(f["proxy_add_x_forwarded_for"] == want, f"{name}:{i + 1}: xff {f['proxy_add_x_forwarded_for']!r}")
        if "http_x_forwarded_for" in f:
            want = e["x_forwarded_for"] or "-"
            chk(f["http_x_forwarded_for"] == want, f"{name}:{i + 1}: xff {f['http_x_forwarded_for']!r}")
        if "http_x_request_id" in f:
            want = e["id"] or "-"
            chk(f["http_x_request_id"] == want, f"{name}:{i + 1}: x_request_id {f['http_x_request_id']!r}")
        if "req_id" in f:
            if e["id"]:
                chk(f["req_id"] == e["id"], f"{name}:{i + 1}: req_id {f['req_id']!r} != {e['id']}")
            else:
                chk(re.fullmatch(r"[0-9a-f]{32}", f["req_id"]) is not None,
                    f"{name}:{i + 1}: req_id {f['req_id']!r} is not nginx's $request_id")
        if "request_id" in f:
            chk(re.fullmatch(r"[0-9a-f]{32}", f["request_id"]) is not None, f"{name}:{i + 1}: $request_id")
        if "proxy_upstream_name" in f:
            want = "" if e["kind"] == "odd" else "default-shop-80"
            chk(f["proxy_upstream_name"] == want, f"{name}:{i + 1}: proxy_upstream_name")
            chk(f["proxy_alternative_upstream_name"] == "", f"{name}:{i + 1}: alternative upstream")
        if "upstream_addr" in f:
            want = e.get("upstream_addr") or ("-" if e["kind"] == "odd" else APP_ADDR)
            chk(f["upstream_addr"] == want, f"{name}:{i + 1}: upstream_addr {f['upstream_addr']!r} != {want!r}")
            want = e.get("upstream_status") or ("-" if e["kind"] == "odd" else str(e["status"]))
            chk(f["upstream_status"] == want, f"{name}:{i + 1}: upstream_status {f['upstream_status']!r} != {want!r}")
        if "request_time" in f and e["kind"] in ("item", "slow"):
            chk(float(f["request_time"]) >= e["sleep_ms"] / 1000 - 0.001,
                f"{name}:{i + 1}: request_time {f['request_time']} < sleep {e['sleep_ms']} ms")
    return recs, logged


def error_records(data):
    """[(level, class, [lines])] from the error log bytes."""
    recs = []
    for line in data.split(b"\n")[:-1]:
        m = ERR_HEAD.match(line)
        if m:
            cls = next((c for c, s in ERR_CLASSES if s in line), None)
            recs.append([m.group(2).decode(), cls, [line]])
        elif recs:
            recs[-1][2].append(line)
        else:
            recs.append([None, None, [line]])
    return recs


def versions():
    r = subprocess.run(["nginx", "-v"], capture_output=True, text=True)
    nginx = re.search(r"nginx/(\S+)", r.stderr + r.stdout).group(1)
    r = subprocess.run([os.environ.get("PHP_FPM", "php-fpm8.2"), "-v"], capture_output=True, text=True)
    php = re.search(r"PHP (\S+) \(fpm-fcgi\)", r.stdout).group(1)
    deb = {}
    for pkg in ("nginx", "php8.2-fpm"):
        r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True)
        if r.returncode == 0:
            deb[pkg] = r.stdout
    return {"nginx": nginx, "nginx (Debian package)": deb.get("nginx"), "php-fpm": php,
            "php8.2-fpm (Debian package)": deb.get("php8.2-fpm"),
            "python (client, app.py)": sys.version.split()[0], "openssl (ClientHello)": ssl.OPENSSL_VERSION}


def manifest(run_dir, out):
    run_dir, out = Path(run_dir), Path(out)
    chk = Checker()
    load = json.loads((run_dir / "sent.json").read_text())
    http_sent = [e for e in load if e["kind"] != "odd"]
    raw_sent = [e for e in load if e["kind"] == "odd"]
    std = [e for e in load if e["kind"] in ("item", "slow", "fail", "missing", "health")]
    chk(len(std) == 36 and Counter(e["status"] for e in std) == Counter({200: 32, 500: 2, 404: 2}),
        "the standard load is not 36 requests with 32 x 200, 2 x 500, 2 x 404")
    chk(len({e["id"] for e in http_sent}) == len(http_sent), "request ids are not unique")
    formats = log_formats((HERE / "nginx.conf").read_text())
    files = {}

    for name, fmt_name in ACCESS_LOGS.items():
        data = (out / name).read_bytes()
        regex = format_regex(formats[fmt_name])
        recs, logged = check_access(name, data, regex, http_sent, raw_sent, chk)
        good = [f for f in recs if f]
        by_status = Counter(f["status"] for f in good)
        id_fields = [k for k in ("req_id", "http_x_request_id") if k in regex.groupindex]
        sent_ids = {e["id"] for e in http_sent}
        with_id = sum(1 for f in good if any(f[k] in sent_ids for k in id_fields))
        if id_fields:
            chk(with_id == len(http_sent), f"{name}: {with_id} records carry a sent id, expected {len(http_sent)}")
        lat = None
        if "request_time" in regex.groupindex:
            lat = {"field": "$request_time", "unit": "s",
                   "count": sum(1 for f in good if re.fullmatch(r"\d+\.\d{3}", f["request_time"]))}
        odd_notes = []
        for f, e in zip(recs, logged):
            if f and e["kind"] == "odd":
                odd_notes.append(f"{e['odd']}: status {f['status']}, request field {f['request']!r}")
        files[name] = {
            "producer": f"nginx {fmt_name!r} log_format, one of seven access_log directives in one server",
            "format": "nginx_access",
            "log_format": fmt_name,
            "log_format_string": formats[fmt_name],
            "lines": count_lines(data),
            "records": len(good),
            "continuation_lines": 0,
            "blank_lines": sum(1 for l in data.split(b"\n")[:-1] if not l.strip()),
            "other_lines": len(recs) - len(good),
            "other_samples": [],
            "requests": {"by_status": dict(sorted(by_status.items())), "with_id": with_id,
                         "health": sum(1 for f in good if f["request"] == "GET /healthz HTTP/1.1")},
            "errors": {"count": sum(1 for f in good if f["status"].startswith("5")), "types": {}},
            "latency": lat,
            "notes": "",
        }
        files[name]["_odd"] = odd_notes

    # error.log
    data = (out / ERROR_LOG).read_bytes()
    recs = error_records(data)
    levels = Counter(r[0] for r in recs)
    classes = Counter(r[1] for r in recs)
    chk(None not in levels, "error.log: a line before the first record")
    chk(None not in classes, "error.log: a record in no class: "
        + repr([r[2][0][:200] for r in recs if r[1] is None]))
    exp = Counter()
    for e in http_sent:
        if e["kind"] == "retry":
            for addr in e["upstream_addr"].split(", "):
                if addr in (DEAD1, DEAD2):
                    exp["upstream_connect_refused"] += 1
                    exp["upstream_temporarily_disabled"] += 1
            if e["upstream_addr"] == "retry_dead":
                exp["no_live_upstreams"] += 1
        if e["kind"] == "fcgi":
            exp["fastcgi_stderr"] += 1
    exp["uninitialized_variable"] = 2 * sum(1 for e in raw_sent if e["odd"] != "empty")
    chk(classes == exp, f"error.log: classes {dict(classes)} != expected {dict(exp)}")
    for e in http_sent:
        mine = [r for r in recs if f'request: "GET {e["path"]} HTTP/1.1"'.encode() in r[2][-1]]
        if e["kind"] == "retry":
            ups = [re.search(rb'upstream: "http://([^/"]+)/', r[2][0]).group(1).decode()
                   for r in mine if r[1] == "upstream_connect_refused"]
            want = [a for a in e["upstream_addr"].split(", ") if a in (DEAD1, DEAD2)]
            chk(ups == want, f"error.log: {e['path']} refused by {ups}, expected {want}")
        elif e["kind"] == "fcgi":
            f = [r for r in mine if r[1] == "fastcgi_stderr"]
            chk(len(f) == 1 and len(f[0][2]) == 3 and f"request_id={e['id']} ".encode() in f[0][2][0],
                f"error.log: {e['path']}: no 3-line FastCGI record carrying {e['id']}")
        else:
            chk(not mine, f"error.log: unexpected record for {e['path']}")
    for e in raw_sent:
        if e["odd"] == "hello":
            chk(sum(1 for r in recs if r[2][0].endswith(b'request: "hello"')) == 2, "error.log: hello warnings")
        if e["odd"] == "tls":
            tail = b'request: "' + bytes.fromhex(e["sent_hex"]) + b'"'
            chk(sum(1 for r in recs if r[2][0].endswith(tail)) == 2, "error.log: tls warnings")
    n_lines = count_lines(data)
    cont = sum(len(r[2]) - 1 for r in recs)
    files[ERROR_LOG] = {
        "producer": "nginx error_log ... warn",
        "format": "nginx_error",
        "lines": n_lines,
        "records": len(recs),
        "continuation_lines": cont,
        "blank_lines": sum(1 for l in data.split(b"\n")[:-1] if not l.strip()),
        "other_lines": 0,
        "other_samples": [],
        "requests": {"by_status": {}, "with_id": sum(
            1 for r in recs if any(e["id"] and e["id"].encode() in b"\n".join(r[2]) for e in http_sent)),
            "health": 0},
        "errors": {"count": levels["error"],
                   "types": dict(sorted(Counter(r[1] for r in recs if r[0] == "error").items()))},
        "levels": dict(sorted(levels.items())),
        "classes": dict(sorted(classes.items())),
        "class_substrings": {c: s.decode() for c, s in ERR_CLASSES},
        "latency": None,
        "notes": "",
    }

    # The upstream's own log (not an output): the retried requests reached it once each, the
    # dead ones never, every proxied request finished there with the status nginx logged.
    app_log = (run_dir / "app.log").read_text()
    for e in http_sent:
        seen = re.findall(rf"request finished request_id={e['id']} method=GET path=(\S+) status=(\d+)", app_log)
        if e["kind"] == "fcgi" or e["path"].startswith("/retry/dead/"):
            chk(not seen, f"app.log: {e['path']} reached the app")
        else:
            chk(seen == [(e["path"], str(e["status"]))], f"app.log: {e['path']} {e['id']}: {seen}")
    chk(len(re.findall(r"^Traceback \(most recent call last\):", app_log, re.M)) == 2, "app.log: tracebacks")

    for name, f in files.items():
        chk(f["lines"] == f["records"] + f["continuation_lines"] + f["blank_lines"] + f["other_lines"],
            f"{name}: lines != records + continuation + blank + other")
        chk((out / name).stat().st_size < 100_000, f"{name}: over 100 KB")
    if chk.problems:
        for p in chk.problems:
            print("MISMATCH:", p, file=sys.stderr)
        sys.exit(1)

    odd_text = "; ".join(files["vhost.log"].pop("_odd"))
    for name in ACCESS_LOGS:
        files[name].pop("_odd", None)
        notes = [f"One record per HTTP request in send order ({len(http_sent)} sent with X-Request-ID), "
                 f"then the odd connections as nginx logged them: {odd_text}. The connection that sent "
                 "nothing is in no log (nginx logs `client closed connection while waiting for request` "
                 "only at info; the `hello` and `tls` ones also get `client sent invalid method while "
                 "reading client request line` at info, absent here). Bytes outside printable ASCII "
                 "(and \" and \\) are written as \\xHH."]
        if name == "ingress.log":
            notes.append("$req_id is the client's X-Request-ID, or nginx's $request_id (32 hex) for the "
                         "odd requests, which sent none. Retried requests: $upstream_addr, "
                         "$upstream_response_length, $upstream_response_time, $upstream_status are "
                         "', '-separated lists (one per server tried); `no live upstreams` writes the "
                         "upstream block's name `retry_dead` as $upstream_addr. Odd requests: "
                         "[$proxy_upstream_name] is [] (the server-level `set` never ran) and the "
                         "upstream fields are `-`.")
        if name in ("custom.log", "custom-msec.log"):
            notes.append("$http_x_request_id is the sent id, `-` for the odd requests.")
        if name == "custom.log":
            notes.append("$request_id is nginx's own 32-hex id, not the sent one; time is $time_iso8601 "
                         "(+00:00); $upstream_response_time is a list for retried requests, `-` for odd ones.")
        if name == "custom-msec.log":
            notes.append("The time is $msec: epoch seconds with milliseconds (1796119044.400).")
        if name in ("vhost.log", "vhost-port.log", "xff-first.log", "xff-last.log"):
            notes.append("No request id and no latency in this format: match records to the load by order.")
        if name == "xff-first.log":
            notes.append(f"$proxy_add_x_forwarded_for: `{XFF}, 127.0.0.1` when the request carried "
                         "X-Forwarded-For (load entries with x_forwarded_for), else `127.0.0.1`.")
        if name == "xff-last.log":
            notes.append(f"Last field \"$http_x_forwarded_for\": \"{XFF}\" or \"-\".")
        notes.append("errors.count = records with status 5xx (access lines have no level). "
                     "body_bytes_sent of the /fcgi/ responses counts php-fpm's chunked framing (20 for 10 bytes).")
        files[name]["notes"] = " ".join(notes)
    files[ERROR_LOG]["notes"] = (
        "Only [error] and [warn] records (warn level: no start-up or notice lines). errors.types "
        "counts the [error] records by class; classes counts all records by class_substrings. Each retry "
        "writes `connect() failed (111: Connection refused) while connecting to upstream` [error] "
        "then `upstream server temporarily disabled while connecting to upstream` [warn] per dead "
        "server tried; /retry/dead/3 `no live upstreams while connecting to upstream` "
        "(upstream: \"http://retry_dead/retry/dead/3\"). Each /fcgi/ request: ONE [error] record "
        "`FastCGI sent in stderr: \"PHP message: report worker: slow query request_id=<id> path=/fcgi/N` "
        "whose message's two further lines follow raw (nginx writes the newlines as they came): "
        "`  query: ...` and `  took 1234 ms (threshold 500 ms)\" while reading response header from "
        "upstream, client: ..., upstream: \"fastcgi://127.0.0.1:18254\", host: \"shop.test\"`; the "
        "closing quote and the context are on the record's 3rd line. The odd requests `hello` and "
        "`tls` give two [warn] `using uninitialized \"proxy_upstream_name\"` / "
        "`\"proxy_alternative_upstream_name\" variable while logging request` each (the ingress "
        "log_format reads variables whose server-level `set` never ran for a 400); the tls ones "
        "end `request: \"<the raw ClientHello bytes>\"`: the file is NOT valid UTF-8 (raw NUL, "
        "0x16, 0xFC bytes; nginx escapes nothing in the error log). No error record carries a "
        "request id except the FastCGI ones (the PHP message holds it); link the rest by request "
        "line and second. Times are naive (UTC here).")

    # What each request looked like in ingress.log, for tests that need the latency.
    ingress = format_regex(formats["upstreaminfo"])
    lines = (out / "ingress.log").read_bytes().decode("ascii").splitlines()
    logged = http_sent + [e for e in raw_sent if e["odd"] != "empty"]
    for line, e in zip(lines, logged):
        e["request_time_s"] = float(ingress.match(line)["request_time"])
    for e in load:
        e.pop("wait_before_s", None)

    m = {
        "schema_version": 1,
        "generated_by": "bash testdata/generate/stack/nginx/run.sh",
        "timezone": "UTC",
        "software": versions(),
        "nginx_conf": "testdata/generate/stack/nginx/nginx.conf (pass it to --nginx-conf; __RUN__ and "
                      "__LOGS__ are placeholders for the private prefix)",
        "load_notes": (
            "Send order: GET /healthz first and after every 4th of the 28 standard requests "
            "(items 1-20, slow 1-4, fail 1-2, missing 1-2), then kind retry (5), fcgi (2), then kind "
            "odd (3 raw connections: empty, hello, tls; id, method and path null; status is what "
            "nginx answered, null for `empty`, which nginx never logged). x_forwarded_for: the "
            "header sent (every other non-health request, counting retry and fcgi too). "
            "request_time_s: $request_time from ingress.log. retry entries: upstream_addr and "
            "upstream_status as nginx logged them (checked). The upstream app.py (stdlib "
            "http.server, its log not kept) raises InventoryError for /api/fail/<n> and answers 500."),
        "load": load,
        "files": files,
    }
    (out / "manifest.json").write_text(json.dumps(m, indent=2, ensure_ascii=False) + "\n")
    print(f"manifest: {len(load)} requests, {len(files)} files checked")


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2])
    elif sys.argv[1] == "manifest":
        manifest(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
