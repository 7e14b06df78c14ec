"""Drives the two deploy runs, then writes testdata/deploy/manifest.json from what it actually
sent and what the shim captured, cross-checked against the files by plain counting.

  client.py shop RUN_DIR            run 1: through nginx (127.0.0.1:18180) and, for the health
                                    probes, straight to uvicorn (127.0.0.1:18101), as kubelet
                                    probes do; writes RUN_DIR/shop-requests.json
  client.py berlin RUN_DIR          run 2: through nginx (127.0.0.1:18280); also starts, restarts
                                    (TZ=Europe/Berlin, then TZ=UTC) and stops the second app
                                    instance (127.0.0.1:18202); writes RUN_DIR/berlin-requests.json
  client.py manifest RUN_DIR OUT    after everything stopped and the files are in OUT
                                    (testdata/deploy): verify, write OUT/manifest.json

Counts are fixed by the script below, never by timing: every scenario sends a known number of
requests at known offsets (about 40 s of wall time per run; run.sh runs both at once).
"""
import http.client
import importlib.metadata
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
SHOP_NGINX = ("127.0.0.1", 18180)
SHOP_APP = ("127.0.0.1", 18101)
BERLIN_NGINX = ("127.0.0.1", 18280)
TZCHANGE_PORT = 18202
SHOP_TZ = "America/New_York"
BERLIN_TZ = "Europe/Berlin"
PROXY_READ_TIMEOUT_S = 1
SLOW_SLEEP_MS = 2500
BERLIN_SLOW_MS = 250
USER_AGENT = "logtriage-testdata/deploy"
PROBE_AGENT = "kube-probe/1.29"

STARTED = ("INFO", "request started")
FINISHED = ("INFO", "request finished")
FINISHED_ERROR = ("ERROR", "request finished")
SLOW = ("WARNING", "slow request")
ANSI_WARNING = "\x1b[31mstock low\x1b[0m for item 7 (Café crème, 2 left)"
BANNER = "\x1b[1;32mshop-api ready\x1b[0m (catalogue warmed: 400 items)"
EXPORT_PREFIX = "export payload "
DB_ERROR = "storage.DatabaseError: connection to orders-db lost (server closed the connection)"


def sc(method, path, endpoint, status, app_lines, *, via="nginx", behaviour="ok", sleep_ms=None,
       uvicorn_access=None, description="", **extra):
    d = {"description": description, "method": method, "path": path, "endpoint": endpoint,
         "via": via, "nginx_status": status if via == "nginx" else None,
         "status": status, "behaviour": behaviour, "sleep_ms_planned": sleep_ms,
         "app_lines": list(app_lines), "uvicorn_access_status": uvicorn_access}
    d.update(extra)
    return d


SHOP = {
    "items": sc("GET", "/api/items/<n>", "GET /api/items/:id", 200, [STARTED, FINISHED],
                sleep_ms=5, uvicorn_access="200 OK", description="normal read"),
    "items_low_stock": sc("GET", "/api/items/7", "GET /api/items/:id", 200,
                          [STARTED, ("WARNING", ANSI_WARNING), FINISHED], sleep_ms=5,
                          uvicorn_access="200 OK",
                          description="item 7: a WARNING whose message holds an ANSI colour escape "
                                      "(the JSON line holds it as \\u001b)"),
    "fail": sc("GET", "/api/fail/<n>", "GET /api/fail/:id", 500,
               [STARTED, FINISHED, ("ERROR", "unhandled")], behaviour="exception",
               uvicorn_access="500 Internal Server Error", uvicorn_exception=True,
               description="storage.DatabaseError three frames down; the exception handler logs "
                           "'unhandled' with exc_info and answers 500; Starlette re-raises, so "
                           "uvicorn logs 'Exception in ASGI application' and the traceback"),
    "slow": sc("GET", "/api/slow/<n>", "GET /api/slow/:id", 504, [STARTED, FINISHED],
               behaviour="slow", sleep_ms=SLOW_SLEEP_MS, nginx_error="upstream timed out",
               description="sleeps 2.5 s past proxy_read_timeout 1s: nginx 504; the app still "
                           "logs 'request finished' 2.5 s after the start; uvicorn writes no "
                           "access line (the client, nginx, had gone)"),
    "export": sc("POST", "/api/export", "POST /api/export", 200,
                 [STARTED, ("INFO", EXPORT_PREFIX + "…"), FINISHED], uvicorn_access="200 OK",
                 description="logs one message of ~38 KB: over Docker's and CRI's 16 KiB"),
    "probe_healthz": sc("GET", "/healthz", "GET /healthz", 200, [STARTED, FINISHED],
                        via="direct", uvicorn_access="200 OK",
                        description="liveness probe straight to uvicorn, kube-probe/1.29, "
                                    "no X-Request-ID: the app makes a uuid4"),
    "probe_readyz_ready": sc("GET", "/readyz", "GET /readyz", 200, [STARTED, FINISHED],
                             via="direct", uvicorn_access="200 OK",
                             description="readiness probe, answered 200"),
    "probe_readyz_not_ready": sc("GET", "/readyz", "GET /readyz", 503, [STARTED, FINISHED],
                                 via="direct", uvicorn_access="503 Service Unavailable",
                                 description="every 4th readiness probe: 503"),
}

REPORT_SLEEPS_MS = [320, 410, 550, 305, 480, 600, 370, 520]
BERLIN = {
    "items": sc("GET", "/api/items/<n>", "GET /api/items/:id", 200, [STARTED, FINISHED],
                sleep_ms=5, app_log="app.log", description="normal read"),
    "report": sc("GET", "/api/report/<n>", "GET /api/report/:id", 200, [STARTED, SLOW, FINISHED],
                 sleep_ms="per request (X-Sleep-Ms)", app_log="app.log",
                 description="sleeps 300-600 ms, fixed per request by the script: 'slow request' "
                             "then 'request finished', the same duration_ms"),
    "slow": sc("GET", "/api/slow/<n>", "GET /api/slow/:id", 504, [STARTED, SLOW, FINISHED],
               behaviour="slow", sleep_ms=SLOW_SLEEP_MS, app_log="app.log", app_status=200,
               nginx_error="upstream timed out",
               description="sleeps 2.5 s past proxy_read_timeout 1s: nginx 504; the app finishes "
                           "with 200 after 2.5 s"),
    "fail": sc("GET", "/api/fail/<n>", "GET /api/fail/:id", 500,
               [STARTED, ("ERROR", "request failed"), FINISHED_ERROR], behaviour="exception",
               app_log="app.log", description="storage.DatabaseError logged with its traceback "
                                              "in exc_info, then 500"),
    "health": sc("GET", "/healthz", "GET /healthz", 200, [STARTED, FINISHED], app_log="app.log",
                 description="health check through nginx"),
    "tz_berlin": sc("GET", "/api/v2/items/<n>", "GET /api/v2/items/:id", 200, [STARTED, FINISHED],
                    sleep_ms=5, app_log="tzchange-app.log", app_tz=BERLIN_TZ,
                    description="second instance, first half: TZ=Europe/Berlin"),
    "tz_utc": sc("GET", "/api/v2/items/<n>", "GET /api/v2/items/:id", 200, [STARTED, FINISHED],
                 sleep_ms=5, app_log="tzchange-app.log", app_tz="UTC",
                 description="second instance after a redeploy that dropped TZ: TZ=UTC"),
}


def utc_iso(t):
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def every(start, step, count, name):
    return [(round(start + i * step, 3), name) for i in range(count)]


def shop_script():
    ev = [(round(0.4 + i, 3), "items_low_stock" if i + 1 == 7 else "items") for i in range(40)]
    ev += every(0.7, 2.6, 15, "probe_healthz")
    ev += every(1.1, 3.1, 12, "probe_readyz")
    ev += every(4.5, 8.5, 4, "fail")
    ev += [(8.2, "slow"), (20.2, "slow"), (30.2, "slow")]
    ev += [(15.3, "export")]
    return sorted(ev)


def berlin_script():
    ev = every(0.3, 1.0, 40, "items")
    ev += every(2.6, 4.6, 8, "report")
    ev += [(6.4, "slow"), (18.4, "slow"), (30.4, "slow")]
    ev += every(4.1, 9.0, 4, "fail")
    ev += every(1.5, 4.0, 10, "health")
    ev += every(0.5, 1.9, 10, "tz_berlin")
    ev += [(19.0, "restart")]
    ev += every(21.0, 1.9, 10, "tz_utc")
    return sorted(ev)


# ---------------------------------------------------------------------------------------------
# Sending

lock = threading.Lock()
results = []


def send(rec, addr, method, path, headers, body=None):
    rec.update({"method": method, "path": path})
    try:
        conn = http.client.HTTPConnection(*addr, timeout=30)
        t0 = time.time()
        rec["sent_at"] = utc_iso(t0)
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        conn.close()
        rec["client_ms"] = round((time.time() - t0) * 1000, 1)
        rec["status"] = resp.status
        rec["request_id"] = resp.getheader("X-Request-ID")
    except Exception as e:  # reported below; the run fails
        rec["status"] = None
        rec["error"] = repr(e)
    with lock:
        results.append(rec)


def wait_port(port, tries=100):
    for _ in range(tries):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")


def drive(events, fire):
    pool = ThreadPoolExecutor(max_workers=32)
    futures = []
    t0 = time.monotonic()
    for off, name in events:
        delay = t0 + off - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        f = fire(pool, name)
        if f is not None:
            futures.append(f)
    for f in futures:
        f.result()
    pool.shutdown()


def finish(run_dir, name, specs, extra=None):
    bad = [r for r in results if r["status"] != specs[r["scenario"]]["status"]]
    bad += [r for r in results if not r.get("request_id")]
    if bad:
        raise SystemExit(f"{name}: unexpected responses ({len(bad)}): {bad[:5]}")
    results.sort(key=lambda r: r["sent_at"])
    out = {"requests": results}
    out.update(extra or {})
    (Path(run_dir) / f"{name}-requests.json").write_text(json.dumps(out))
    print(f"client {name}: {len(results)} requests, statuses "
          f"{dict(sorted(Counter(r['status'] for r in results).items()))}")


def run_shop(run_dir):
    n = {"items": 0, "fail": 100, "slow": 200}
    readyz_calls = [0]

    def fire(pool, name):
        path = None
        if name in ("items", "items_low_stock"):
            n["items"] += 1
            path = f"/api/items/{n['items']}"
        elif name in ("fail", "slow"):
            n[name] += 1
            path = f"/api/{name}/{n[name]}"
        if name == "probe_readyz":
            # The app answers 503 on every 4th call of its counter; only these probes call it.
            readyz_calls[0] += 1
            name = "probe_readyz_not_ready" if readyz_calls[0] % 4 == 0 else "probe_readyz_ready"
        s = SHOP[name]
        rec = {"scenario": name, "sleep_ms_planned": s["sleep_ms_planned"]}
        if s["via"] == "direct":
            return pool.submit(send, rec, SHOP_APP, "GET", s["path"], {"User-Agent": PROBE_AGENT})
        headers = {"User-Agent": USER_AGENT}
        body = None
        if s["method"] == "POST":
            body = json.dumps({"format": "jsonl", "since": "2026-11-01"}).encode()
            headers["Content-Type"] = "application/json"
        return pool.submit(send, rec, SHOP_NGINX, s["method"], path or s["path"], headers, body)

    drive(shop_script(), fire)
    finish(run_dir, "shop", SHOP)


def run_berlin(run_dir):
    run_dir = Path(run_dir)
    n = {"items": 0, "report": 100, "slow": 200, "fail": 300, "tz": 400, "health": 0}
    halves = []

    def start_instance(tz):
        env = dict(os.environ, TZ=tz, LOGGER_NAME="orders.api")
        log = open(run_dir / "logs-berlin" / "tzchange-app.log", "ab")
        err = open(run_dir / f"tzchange-{tz.replace('/', '_')}.stderr", "wb")
        p = subprocess.Popen([sys.executable, "-m", "uvicorn", "berlin:app", "--host", "127.0.0.1",
                              "--port", str(TZCHANGE_PORT), "--no-access-log"],
                             cwd=HERE, env=env, stdout=log, stderr=err)
        wait_port(TZCHANGE_PORT)
        halves.append({"tz": tz, "pid": p.pid, "started_at": utc_iso(time.time())})
        return p

    def stop_instance(p):
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=20)
        halves[-1]["stopped_at"] = utc_iso(time.time())

    inst = [start_instance(BERLIN_TZ)]

    def fire(pool, name):
        if name == "restart":
            stop_instance(inst[0])
            inst[0] = start_instance("UTC")
            return None
        s = BERLIN[name]
        key = "tz" if name.startswith("tz_") else name
        n[key] += 1
        path = s["path"].replace("<n>", str(n[key]))
        headers = {"User-Agent": USER_AGENT}
        rec = {"scenario": name, "sleep_ms_planned": s["sleep_ms_planned"]}
        if name == "report":
            ms = REPORT_SLEEPS_MS[n[key] - 101]
            headers["X-Sleep-Ms"] = str(ms)
            rec["sleep_ms_planned"] = ms
        return pool.submit(send, rec, BERLIN_NGINX, "GET", path, headers)

    try:
        drive(berlin_script(), fire)
    finally:
        stop_instance(inst[0])
    finish(run_dir, "berlin", BERLIN, {"tzchange_instances": halves})


# ---------------------------------------------------------------------------------------------
# Checking and the manifest

MONTHS = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
ACCESS_RE = re.compile(
    r'^(\S+) - \S+ \[(\d\d)/(\w{3})/(\d{4}):(\d\d:\d\d:\d\d) ([+-]\d\d)(\d\d)\] "(\S+) (\S+) [^"]*" (\d{3}) '
    r'.* request_id=([0-9a-f]{32}) request_time=(\S+) upstream_response_time=(\S+) upstream_status=(\S+) ')
UVICORN_PREFIXES = ("INFO:     ", "WARNING:  ", "ERROR:    ", "CRITICAL: ", "DEBUG:    ")
UUID4_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def check(cond, msg):
    if not cond:
        raise SystemExit(f"manifest check failed: {msg}")


def as_json(text):
    try:
        v = json.loads(text)
    except ValueError:
        return None
    return v if isinstance(v, dict) else None


def wc_l(path):
    return Path(path).read_bytes().count(b"\n")


def file_lines(path):
    data = Path(path).read_bytes()
    check(data.endswith(b"\n"), f"{path} ends with a newline")
    return data.split(b"\n")[:-1]


def parse_access(path):
    """-> {request_id: {...}}, every line parsed, each id once."""
    seen = {}
    for line in file_lines(path):
        m = ACCESS_RE.match(line.decode())
        check(m, f"access line parses: {line[:200]}")
        client, day, mon, year, hms, oh, om, method, target, status, rid, rt, urt, ust = m.groups()
        check(rid not in seen, f"{rid} logged once in {path}")
        seen[rid] = {"method": method, "path": target, "status": int(status),
                     "logged_at": f"{year}-{MONTHS[mon]:02d}-{day}T{hms}{oh}:{om}",
                     "request_time": float(rt), "upstream_response_time": urt, "upstream_status": ust}
    return seen


def utc_of_ns(ns):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ns // 10**9)) + f".{ns % 10**9:09d}Z"


def rfc3339_utc(s):
    """An RFC 3339 time with up to 9 fraction digits -> the same instant in UTC, 9 digits."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)", s)
    check(m, f"RFC 3339 time: {s}")
    base = datetime.strptime(m[1], "%Y-%m-%dT%H:%M:%S")
    off = 0 if m[3] == "Z" else (1 if m[3][0] == "+" else -1) * (int(m[3][1:3]) * 60 + int(m[3][-2:]))
    return (base - timedelta(minutes=off)).strftime("%Y-%m-%dT%H:%M:%S") + "." + (m[2] or "").ljust(9, "0") + "Z"


def iso_to_dt(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def versions():
    def cmd(*args):
        p = subprocess.run(args, capture_output=True, text=True)
        return (p.stdout + p.stderr).strip().splitlines()[0]

    def dpkg(pkg):
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True,
                              text=True).stdout.strip() or None

    py = {p: importlib.metadata.version(p)
          for p in ("fastapi", "starlette", "uvicorn", "h11", "python-json-logger")}
    return {
        "nginx": cmd("nginx", "-v").replace("nginx version: ", ""),
        "python": sys.version.split()[0],
        **py,
        "rsyslog": cmd("rsyslogd", "-v").split(" compiled")[0],
        "util-linux logger": cmd("logger", "--version"),
        "systemd (systemd-journal-remote, journalctl)": cmd("journalctl", "--version"),
        "tzdata": dpkg("tzdata"),
    }


def classify_capture(recs):
    """Each captured line is exactly one of: app JSON, uvicorn text line, traceback continuation
    line (a later line of a multi-line uvicorn record), the start-up banner."""
    kinds = []
    for r in recs:
        t = r.get("text")
        v = as_json(t) if t is not None else None
        if v is not None and {"level", "msg", "logger", "request_id"} <= set(v):
            kinds.append("app_json")
        elif t == BANNER:
            kinds.append("banner")
        elif t is not None and t.startswith(UVICORN_PREFIXES):
            kinds.append("uvicorn_text")
        else:
            kinds.append("traceback_continuation")
    return kinds


def shop_manifest(run_dir, out):
    done = json.loads((run_dir / "shop-requests.json").read_text())
    reqs = done["requests"]
    by_id = {r["request_id"]: r for r in reqs}
    check(len(by_id) == len(reqs), "shop request ids are unique")
    shop = out / "shop"
    recs = [json.loads(l) for l in open(shop / "capture.jsonl", encoding="utf-8")]
    env = json.loads((run_dir / "capture" / "envelopes.json").read_text())
    proc = json.loads((run_dir / "capture" / "process.json").read_text())
    check(all("text" in r for r in recs), "every captured line is valid UTF-8")
    check([r["seq"] for r in recs] == list(range(len(recs))), "capture seq in order")
    check(all(a["t_ns"] <= b["t_ns"] for a, b in zip(recs, recs[1:])), "capture times never go back")
    check(all(r["eol"] for r in recs), "every captured line ended with a newline")
    raw = (shop / "raw.log").read_bytes()
    check(raw == b"".join(r["text"].encode() + b"\n" for r in recs), "raw.log is the capture, in order")
    kinds = classify_capture(recs)
    stream_of = Counter(r["stream"] for r in recs)

    # nginx: every proxied request once, with its status; probes never reach nginx.
    access = parse_access(shop / "nginx-access.log")
    nginx_reqs = [r for r in reqs if SHOP[r["scenario"]]["via"] == "nginx"]
    direct = [r for r in reqs if SHOP[r["scenario"]]["via"] == "direct"]
    check(set(access) == {r["request_id"] for r in nginx_reqs}, "nginx access log = requests sent through nginx")
    for r in nginx_reqs:
        a = access[r["request_id"]]
        check((a["method"], a["path"], a["status"]) == (r["method"], r["path"], SHOP[r["scenario"]]["nginx_status"]),
              f"{r} vs {a}")
        check(a["logged_at"].endswith("-05:00"), f"America/New_York in December: {a}")
        r["access_logged_at"] = a["logged_at"]
        r["nginx_request_time"] = a["request_time"]
        r["upstream_response_time"] = a["upstream_response_time"]
    for r in direct:
        check(UUID4_RE.fullmatch(r["request_id"]), f"probe id is a uuid4: {r}")
    err_lines = [l.decode() for l in file_lines(shop / "nginx-error.log")]
    slow = [r for r in reqs if r["scenario"] == "slow"]
    check(len(err_lines) == len(slow) and all("upstream timed out" in l and " [error] " in l for l in err_lines),
          f"nginx error log: one 'upstream timed out' per slow request: {err_lines}")
    for r in slow:
        check(sum(f'request: "GET {r["path"]} HTTP/1.1"' in l for l in err_lines) == 1, f"error line for {r}")

    # The app's JSON lines, per request id, in order.
    app_seen = defaultdict(list)
    app_times = defaultdict(list)
    export_line = None
    for r, k in zip(recs, kinds):
        if k != "app_json":
            continue
        check(r["stream"] == "stderr", f"app JSON goes to stderr: {r}")
        v = json.loads(r["text"])
        check(set(v) <= {"level", "msg", "logger", "request_id", "exc_info"}, f"app JSON keys: {v.keys()}")
        msg = v["msg"]
        if msg.startswith(EXPORT_PREFIX):
            export_line = (r, v)
            msg = EXPORT_PREFIX + "…"
        if msg == "unhandled":
            check(v["exc_info"].startswith("Traceback (most recent call last):")
                  and v["exc_info"].endswith("\n" + DB_ERROR), v["exc_info"][-200:])
        app_seen[v["request_id"]].append((v["level"], msg))
        app_times[v["request_id"]].append(r["t_ns"])
    check(set(app_seen) == set(by_id), f"app JSON ids = ids sent: {set(app_seen) ^ set(by_id)}")
    for r in reqs:
        want = [tuple(x) for x in SHOP[r["scenario"]]["app_lines"]]
        check(app_seen[r["request_id"]] == want, f"{r}: {app_seen[r['request_id']]} vs {want}")
    check(export_line is not None, "the export line")
    for r in reqs:
        # What the envelopes' times say about the request: first and last app line as captured.
        t = app_times[r["request_id"]]
        r["app_first_utc"], r["app_last_utc"] = utc_of_ns(t[0]), utc_of_ns(t[-1])
        r["app_span_ms"] = round((t[-1] - t[0]) / 1e6, 3)
        if r["scenario"] == "slow":
            check(r["app_span_ms"] >= SLOW_SLEEP_MS, f"the slow request finished 2.5 s later: {r}")

    # uvicorn's own lines: access lines (stdout), start-up/shutdown and exceptions (stderr).
    uv = [(r, r["text"]) for r, k in zip(recs, kinds) if k == "uvicorn_text"]
    access_lines = [(r, t) for r, t in uv if re.fullmatch(r'INFO:     127\.0\.0\.1:\d+ - "[A-Z]+ \S+ HTTP/1\.1" \d{3} .*', t)]
    check(all(r["stream"] == "stdout" for r, _ in access_lines), "uvicorn access lines on stdout")
    other_uv = [t for r, t in uv if (r, t) not in access_lines]
    for name, s in SHOP.items():
        got = [r for r in reqs if r["scenario"] == name]
        if s["uvicorn_access_status"] is None:
            continue
        for r in got:
            pat = f'"{r["method"]} {r["path"]} HTTP/1.1" {s["uvicorn_access_status"]}'
            hits = sum(t.endswith(pat) for _, t in access_lines)
            if s["via"] == "nginx":
                check(hits == 1, f"one uvicorn access line for {r}: {hits}")
    want_access = Counter()
    for r in reqs:
        st = SHOP[r["scenario"]]["uvicorn_access_status"]
        if st:
            want_access[f'"{r["method"]} {r["path"]} HTTP/1.1" {st}'] += 1
    got_access = Counter(t.split(" - ", 1)[1] for _, t in access_lines)
    check(got_access == want_access, f"uvicorn access lines: {got_access - want_access} / {want_access - got_access}")
    fails = [r for r in reqs if r["scenario"] == "fail"]
    n_exc = sum(t == "ERROR:    Exception in ASGI application" for t in other_uv)
    check(n_exc == len(fails), f"'Exception in ASGI application' once per failure: {n_exc}")
    tb_ends = sum(r["text"] == DB_ERROR for r, k in zip(recs, kinds) if k == "traceback_continuation")
    check(tb_ends == len(fails), f"each uvicorn traceback ends with the DatabaseError: {tb_ends}")
    startup = [t for t in other_uv if t != "ERROR:    Exception in ASGI application"]
    pid = proc["pid"]
    check(startup.count(f"INFO:     Started server process [{pid}]") == 1
          and startup.count(f"INFO:     Finished server process [{pid}]") == 1, f"start/stop lines: {startup}")
    check(all(r["stream"] == "stderr" for r, k in zip(recs, kinds) if k == "traceback_continuation"), "tracebacks on stderr")

    # ANSI: the banner holds raw ESC bytes; item 7's JSON line holds ESC as \u001b.
    esc_raw = [r["seq"] for r in recs if "\x1b" in r["text"]]
    esc_json = [r["seq"] for r in recs if "\\u001b" in r["text"]]
    check(len(esc_raw) == 1 and kinds[esc_raw[0]] == "banner" and recs[esc_raw[0]]["stream"] == "stdout", f"banner {esc_raw}")
    check(len(esc_json) == 1 and kinds[esc_json[0]] == "app_json", f"escaped ANSI {esc_json}")

    long_lines = [r["seq"] for r in recs if r["len"] > 16384]
    check(long_lines == [export_line[0]["seq"]], f"only the export line is over 16 KiB: {long_lines}")
    er = export_line[0]

    # --- envelopes, each counted as its own file --------------------------------------------
    n = len(recs)
    per_stream = dict(sorted(stream_of.items()))
    docker_frags = [(r["len"] // 16384) + 1 for r in recs]           # copier: full 16 KiB buffers, then the rest
    cri_frags = [max(1, -(-r["len"] // 16384)) for r in recs]        # containerd: parts of at most 16384
    files = {}

    def first_last(ts):
        return {"first_utc": ts[0], "last_utc": ts[-1]}


    span = first_last([utc_of_ns(recs[0]["t_ns"]), utc_of_ns(recs[-1]["t_ns"])])

    # Docker json-file
    dpath = shop / env["docker_path"]
    dlines = file_lines(dpath)
    d_whole = sum(b'\\n","stream":' in l for l in dlines)
    d_frag = [l for l in dlines if b'\\n","stream":' not in l]
    check(len(dlines) == sum(docker_frags), f"docker lines {len(dlines)} vs {sum(docker_frags)}")
    check(d_whole == n, f"docker: one line ending in \\n per captured line: {d_whole}")
    joined, buf, d_times = [], "", []
    for l in dlines:
        v = json.loads(l)
        check(list(v) == ["log", "stream", "time"] and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z", v["time"]), l[:200])
        buf += v["log"]
        d_times.append(v["time"])
        if v["log"].endswith("\n"):
            joined.append(buf)
            buf = ""
    check(joined == [r["text"] + "\n" for r in recs], "docker: fragments join back to the captured lines")
    # moby escapes ESC as \u001b (the banner), a backslash as \\ (item 7's already JSON-escaped
    # ESC becomes \\u001b), and <, >, & as \u003c, \u003e, \u0026 (the export line).
    check(sum(b'"log":"\\u001b[1;32mshop-api ready' in l for l in dlines) == 1, "docker: the banner's ESC as \\u001b")
    check(sum(b"\\\\u001b[31mstock low" in l for l in dlines) == 1, "docker: item 7's \\u001b as \\\\u001b")
    check(sum(b"price\\u003e=10\\u0026stock\\u003c5" in l for l in dlines) == 3, "docker: <, >, & in each export part")
    files[env["docker_path"]] = {
        "envelope": "docker_json_file", "producer": "wrap.py, after moby's json-file driver",
        "lines": wc_l(dpath), "records": d_whole, "fragment_lines": sum(f for f in docker_frags if f > 1),
        "partial_lines_without_newline": len(d_frag),
        "lines_by_stream": {s: sum(f'"stream":"{s}"'.encode() in l for l in dlines) for s in ("stdout", "stderr")},
        "records_by_stream": per_stream,
        "fields": {"container_id": env["docker_container_id"]},
        "timestamps": "time: Go RFC3339Nano in UTC (trailing zeros dropped)",
        "first": d_times[0], "last": d_times[-1], **first_last([rfc3339_utc(d_times[0]), rfc3339_utc(d_times[-1])]),
    }

    # CRI (the two copies are the same bytes)
    c0, c1 = (shop / p for p in env["cri_paths"])
    check(c0.read_bytes() == c1.read_bytes(), "both CRI copies are the same")
    clines = file_lines(c0)
    check(len(clines) == sum(cri_frags), f"cri lines {len(clines)} vs {sum(cri_frags)}")
    tags = Counter(l.split(b" ", 3)[2].decode() for l in clines)
    check(tags["F"] == n and tags["P"] == sum(f - 1 for f in cri_frags), f"cri tags {tags}")
    c_times = [l.split(b" ", 1)[0].decode() for l in clines]
    check(all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?-05:00", t) for t in c_times), "cri times in -05:00")
    for p in env["cri_paths"]:
        files[p] = {
            "envelope": "cri", "producer": "wrap.py, after containerd's CRI logger",
            "lines": wc_l(shop / p), "records": tags["F"], "fragment_lines": sum(f for f in cri_frags if f > 1),
            "lines_by_tag": dict(sorted(tags.items())),
            "lines_by_stream": {s: sum(l.split(b" ", 2)[1] == s.encode() for l in clines) for s in ("stdout", "stderr")},
            "records_by_stream": per_stream,
            "fields": {"namespace": env["namespace"], "pod": env["pod"], "pod_uid": env["pod_uid"],
                       "container": env["container"], "container_id": env["cri_container_id"]},
            "timestamps": "Go RFC3339Nano in the runtime's local zone (America/New_York: -05:00)",
            "first": c_times[0], "last": c_times[-1],
            **first_last([rfc3339_utc(c_times[0]), rfc3339_utc(c_times[-1])]),
        }

    # kubectl
    prefix = f"[pod/{env['pod']}/{env['container']}] "
    ts_re = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}-05:00 "
    for name, pre, ts in (("kubectl-timestamps.log", "", True), ("kubectl-prefix.log", prefix, False),
                          ("kubectl-prefix-timestamps.log", prefix, True)):
        lines = [l.decode() for l in file_lines(shop / name)]
        check(len(lines) == n, f"{name}: one line per captured line")
        body = []
        for l, r in zip(lines, recs):
            check(l.startswith(pre), f"{name} prefix: {l[:80]}")
            rest = l[len(pre):]
            if ts:
                check(re.match(ts_re, rest), f"{name} timestamp: {rest[:60]}")
                rest = rest.split(" ", 1)[1]
            body.append(rest)
        check(body == [r["text"] for r in recs], f"{name}: the captured lines, whole")
        first_ts = lines[0][len(pre):].split(" ", 1)[0] if ts else None
        last_ts = lines[-1][len(pre):].split(" ", 1)[0] if ts else None
        files[name] = {
            "envelope": "kubectl", "producer": "wrap.py, after kubelet's ReadLogs and kubectl logs",
            "command": "kubectl logs -n shop " + env["pod"] + " -c api" + (" --prefix" if pre else "") + (" --timestamps" if ts else ""),
            "lines": wc_l(shop / name), "records": n, "fragment_lines": 0,
            "fields": {"pod": env["pod"], "container": env["container"]} if pre else {},
            "timestamps": "RFC3339NanoFixed (9 digits), the CRI file's offset (-05:00)" if ts else None,
            "first": first_ts, "last": last_ts,
            **(first_last([rfc3339_utc(first_ts), rfc3339_utc(last_ts)]) if ts else {}),
        }

    # journald: export stream, and journalctl's renderings
    exp = (shop / "journal.export").read_bytes()
    check(exp.count(b"\n__REALTIME_TIMESTAMP=") + exp.startswith(b"__REALTIME_TIMESTAMP=") == n, "export entries")
    check(len(env["export_binary_message_seqs"]) == 1 and env["export_binary_message_seqs"] == esc_raw, "binary MESSAGE in export")
    jlines = file_lines(shop / "journal.json")
    check(len(jlines) == n, f"journal.json: one entry per line: {len(jlines)}")
    jarr = [i for i, l in enumerate(jlines) if b'"MESSAGE":[' in l]
    jnull = [i for i, l in enumerate(jlines) if b'"MESSAGE":null' in l]
    want_null = [r["seq"] for r in recs if len(r["text"].encode()) + len("MESSAGE=") >= 4096]
    check(jarr == esc_raw, f"journal.json byte-array MESSAGE {jarr} vs {esc_raw}")
    check(jnull == want_null, f"journal.json null MESSAGE {jnull} vs {want_null}")
    jt = [json.loads(l) for l in jlines]
    for i, (j, r) in enumerate(zip(jt, recs)):
        check(j["__REALTIME_TIMESTAMP"] == str(r["t_ns"] // 1000) and j["_PID"] == str(pid)
              and j["PRIORITY"] == "6" and j["_SYSTEMD_UNIT"] == env["unit"], f"journal entry {i}")
        if i not in jarr and i not in jnull:
            check(j["MESSAGE"] == r["text"], f"journal MESSAGE {i}")
    check(bytes(jt[esc_raw[0]]["MESSAGE"]).decode() == BANNER, "the byte-array MESSAGE is the banner")
    short = [l.decode() for l in file_lines(shop / "journal.short")]
    iso = [l.decode() for l in file_lines(shop / "journal.short-iso")]
    head = f" {env['host']} {env['identifier']}[{pid}]: "
    check(len(short) == n and all(head in l for l in short), "journal.short: one line per entry")
    check(len(iso) == n and all(head in l and re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0500 ", l) for l in iso), "journal.short-iso")
    ansi_short = short[esc_raw[0]].split(head, 1)[1]
    jshort = {"unit": env["unit"], "host": env["host"], "pid": pid, "identifier": env["identifier"],
              "priority": env["priority"]}
    jfields = {"unit": env["unit"], "host": env["host"], "pid": pid, "identifier": env["identifier"],
               "priority": env["priority"], "syslog_facility": env["syslog_facility"], "transport": "stdout",
               "comm": env["comm"], "exe": env["exe"], "cmdline": env["cmdline"], "uid": env["uid"],
               "gid": env["gid"], "boot_id": env["boot_id"], "machine_id": env["machine_id"],
               "stream_id": env["stream_id"], "invocation_id": env["invocation_id"]}
    files["journal.export"] = {
        "envelope": "journal_export", "producer": "wrap.py (journal export format)",
        "lines": wc_l(shop / "journal.export"), "entries": n, "binary_fields": "MESSAGE of the banner (ESC bytes): length-prefixed",
        "fields": jfields, **span,
    }
    files["journal.json"] = {
        "envelope": "journal_json", "producer": "journalctl --file shop-api.journal -o json",
        "lines": wc_l(shop / "journal.json"), "records": n, "fragment_lines": 0,
        "message_byte_array_entries": [{"seq": i, "why": "ESC bytes (not printable)"} for i in jarr],
        "message_null_entries": [{"seq": i, "message_bytes": recs[i]["len"]} for i in jnull],
        "message_null_rule": "journalctl writes null for a field whose FIELD=value is 4096 bytes or more (without --all)",
        "fields": jshort, **span,
    }
    files["journal.short"] = {
        "envelope": "journal_short", "producer": "TZ=America/New_York journalctl --file shop-api.journal",
        "lines": wc_l(shop / "journal.short"), "records": n, "fragment_lines": 0, "fields": jshort,
        "timestamps": "'%b %d %H:%M:%S' (Dec 01 03:01:58): local time, no year, no zone, whole seconds",
        "first": short[0][:15], "last": short[-1][:15], **span,
        "banner_rendered_as": ansi_short,
    }
    files["journal.short-iso"] = {
        "envelope": "journal_short_iso", "producer": "TZ=America/New_York journalctl --file shop-api.journal -o short-iso",
        "lines": wc_l(shop / "journal.short-iso"), "records": n, "fragment_lines": 0, "fields": jshort,
        "timestamps": "ISO 8601 with a -0500 offset, whole seconds",
        "first": iso[0].split(" ", 1)[0], "last": iso[-1].split(" ", 1)[0], **span,
    }

    # syslog (rsyslogd received each line from logger, as it arrived)
    rfc3339_us = r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}-05:00)"
    sys_files = {"syslog": ("RSYSLOG_TraditionalFileFormat", r"([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) web-1 shop-api\[" + str(pid) + r"\]: ?"),
                 "syslog-rfc3339.log": ("RSYSLOG_FileFormat", rfc3339_us + r" web-1 shop-api\[" + str(pid) + r"\]: ?"),
                 "syslog-5424.log": ("RSYSLOG_SyslogProtocol23Format", r"<13>1 " + rfc3339_us + r" web-1 shop-api " + str(pid) + r" - -  ?")}
    syslog_times = {}
    syslog_info = {}
    for name, (tpl, head_re) in sys_files.items():
        lines = [l.decode("utf-8", "replace") for l in file_lines(shop / name)]
        check(len(lines) == n, f"{name}: one line per captured line: {len(lines)} vs {n}")
        msgs, stamps = [], []
        for l in lines:
            m = re.match(head_re, l)
            check(m, f"{name} head: {l[:100]}")
            msgs.append(l[m.end():])
            stamps.append(m[1])
        syslog_times[name] = stamps
        exact = [i for i, (m, r) in enumerate(zip(msgs, recs)) if m == r["text"]]
        esc = [i for i, m in enumerate(msgs) if "#033" in m]
        trunc = [i for i, (m, r) in enumerate(zip(msgs, recs)) if m != r["text"] and r["text"].startswith(m)]
        other = sorted(set(range(n)) - set(exact) - set(esc) - set(trunc))
        check(esc == esc_raw and msgs[esc[0]] == BANNER.replace("\x1b", "#033"), f"{name}: ESC as #033 {esc}")
        check(other == [], f"{name}: lines neither exact, escaped nor truncated: {other[:5]}")
        syslog_info[name] = {"template": tpl, "exact": len(exact), "escaped": esc,
                             "truncated": [{"seq": i, "captured_bytes": recs[i]["len"], "kept_bytes": len(msgs[i].encode())} for i in trunc]}
        files[name] = {
            "envelope": "syslog", "producer": f"rsyslogd (imuxsock, omfile template {tpl}) fed by logger",
            "lines": wc_l(shop / name), "records": n, "fragment_lines": 0,
            "fields": {"host": "web-1", "tag": f"shop-api[{pid}]", "app_name": "shop-api", "procid": pid,
                       "facility": "user", "severity": "notice", "pri": 13,
                       "pri_in_file": name == "syslog-5424.log"},
            "timestamps": {"syslog": "RFC 3164 '%b %e %H:%M:%S' (Dec  1 03:04:12): local time, no year, no zone, whole seconds",
                           "syslog-rfc3339.log": "RFC 3339, microseconds, -05:00",
                           "syslog-5424.log": "RFC 3339, microseconds, -05:00"}[name] + "; rsyslog's time of receipt",
            "first": stamps[0], "last": stamps[-1],
            "messages_exact": len(exact), "messages_control_chars_escaped": esc,
            "messages_truncated": syslog_info[name]["truncated"],
        }
    check(all(v["truncated"] == syslog_info["syslog"]["truncated"] for v in syslog_info.values()), "same truncation in all three")
    # rsyslog's receipt time against the capture's arrival time, line by line.
    check(syslog_times["syslog-rfc3339.log"] == syslog_times["syslog-5424.log"], "5424 and rfc3339 times agree")
    delays = []
    for t, r in zip(syslog_times["syslog-rfc3339.log"], recs):
        us = int(iso_to_dt(t).timestamp()) * 1_000_000 + int(t[20:26])
        delays.append((us - r["t_ns"] // 1000) / 1000)
    delays.sort()
    check(-1 < delays[0] and delays[-1] < 1000, f"rsyslog received each line within a second of its capture: {delays[0]} {delays[-1]}")
    for name in sys_files:
        u = [rfc3339_utc(t) for t in syslog_times["syslog-rfc3339.log"]]
        files[name].update(first_utc=u[0], last_utc=u[-1])
        if name == "syslog":
            files[name]["first_last_utc_from"] = "syslog-rfc3339.log (the same receipt times; this file keeps whole seconds)"
        files[name]["receipt_delay_ms"] = {"min": round(delays[0], 3), "median": round(delays[len(delays) // 2], 3),
                                           "max": round(delays[-1], 3)}
    for name in ("capture.jsonl", "raw.log"):
        files[name] = {"envelope": None, "producer": "capture.py", "lines": wc_l(shop / name), "records": n}
    files["nginx-access.log"] = {"envelope": None, "producer": "nginx access_log (combined + key=value), TZ=America/New_York",
                                 "lines": wc_l(shop / "nginx-access.log"), "records": len(nginx_reqs)}
    files["nginx-error.log"] = {"envelope": None, "producer": "nginx error_log warn",
                                "lines": wc_l(shop / "nginx-error.log"), "records": len(err_lines)}

    scen = {}
    for name, s in SHOP.items():
        got = [r for r in reqs if r["scenario"] == name]
        scen[name] = {
            "description": s["description"], "count": len(got), "method": s["method"], "path": s["path"],
            "endpoint": s["endpoint"], "via": s["via"], "nginx_status": s["nginx_status"], "status": s["status"],
            "behaviour": s["behaviour"], "sleep_ms_planned": s["sleep_ms_planned"],
            "app_lines_per_request": len(s["app_lines"]), "app_levels": [l for l, _ in s["app_lines"]],
            "app_messages": [m for _, m in s["app_lines"]],
            "uvicorn_access_lines_per_request": 1 if s["uvicorn_access_status"] else 0,
            "uvicorn_access_status": s["uvicorn_access_status"],
            "uvicorn_exception_per_request": bool(s.get("uvicorn_exception")),
            "nginx_error": s.get("nginx_error"),
            "request_ids": [r["request_id"] for r in got],
            "requests": [{k: r.get(k) for k in ("request_id", "path", "status", "sent_at", "access_logged_at",
                                                 "nginx_request_time", "upstream_response_time", "sleep_ms_planned",
                                                 "client_ms", "app_first_utc", "app_last_utc", "app_span_ms")}
                         for r in got],
        }
    probes = {}
    for name in ("probe_healthz", "probe_readyz_ready", "probe_readyz_not_ready"):
        s = SHOP[name]
        line_pat = f'"{s["method"]} {s["path"]} HTTP/1.1" {s["uvicorn_access_status"]}'
        lines = [t for _, t in access_lines if t.endswith(line_pat)]
        probes[name] = {"path": s["path"], "status": s["status"], "count": scen[name]["count"],
                        "user_agent": PROBE_AGENT, "uvicorn_access_lines": len(lines),
                        "uvicorn_access_line_example": re.sub(r":\d+ - ", ":<port> - ", lines[0])}
        check(len(lines) == scen[name]["count"], f"{name}: one access line per probe")
    for name, f in files.items():
        f["bytes"] = (shop / name).stat().st_size
        if f["envelope"]:
            # Docker and CRI keep each line's stream; kubectl, journald and syslog do not.
            f["stream_kept"] = f["envelope"] in ("docker_json_file", "cri")
    envelope_fields = {
        "docker": {"container_id": env["docker_container_id"], "path": env["docker_path"]},
        "cri": {"namespace": env["namespace"], "pod": env["pod"], "pod_uid": env["pod_uid"],
                "container": env["container"], "container_id": env["cri_container_id"], "paths": env["cri_paths"]},
        "kubectl": {"namespace": env["namespace"], "pod": env["pod"], "container": env["container"], "prefix": prefix},
        "journald": jfields,
        "syslog": {"host": "web-1", "tag": f"shop-api[{pid}]", "app_name": "shop-api", "procid": pid,
                   "facility": "user", "severity": "notice", "pri": 13},
    }
    export_req = [r for r in reqs if r["scenario"] == "export"][0]
    cap = {
        "lines": n, "lines_by_stream": per_stream,
        "lines_by_kind": dict(Counter(kinds)),
        "lines_by_kind_and_stream": {f"{k}/{s}": c for (k, s), c in sorted(Counter((k, r["stream"]) for k, r in zip(kinds, recs)).items())},
        "app_json_lines": kinds.count("app_json"),
        "uvicorn_text_lines": kinds.count("uvicorn_text"),
        "uvicorn_access_lines": len(access_lines),
        "uvicorn_other_lines": [t for t in other_uv if not t.startswith("ERROR:    Exception")],
        "uvicorn_exception_lines": n_exc,
        "traceback_continuation_lines": kinds.count("traceback_continuation"),
        "traceback_last_line": DB_ERROR,
        "banner": {"seq": esc_raw[0], "stream": "stdout", "text_repr": repr(BANNER)},
        "ansi_raw_line_seqs": esc_raw, "ansi_json_escaped_line_seqs": esc_json,
        "lines_over_16KiB": long_lines,
        "process": {k: proc[k] for k in ("pid", "comm", "exe", "cmdline", "uid", "gid", "exit_code")},
        **span,
    }
    return {
        "timezone": SHOP_TZ,
        "timezone_by_process": {p: SHOP_TZ for p in ("nginx", "uvicorn", "rsyslogd", "journalctl", "containerd (CRI timestamps, as emulated)")},
        "naive_timestamps": ["syslog (RFC 3164: no year, no zone)", "journal.short (no year, no zone)"],
        "untimestamped": ["capture.jsonl text / raw.log: neither the app's JSON lines nor uvicorn's lines carry a time"],
        "proxy_read_timeout_s": PROXY_READ_TIMEOUT_S,
        "totals": {"requests": len(reqs), "through_nginx": len(nginx_reqs), "direct_probes": len(direct),
                   "by_nginx_status": {str(k): v for k, v in sorted(Counter(SHOP[r["scenario"]]["nginx_status"] for r in nginx_reqs).items())},
                   "direct_probes_by_status": {str(k): v for k, v in sorted(Counter(r["status"] for r in direct).items())}},
        "probes": probes,
        "export": {"request_id": export_req["request_id"], "capture_seq": er["seq"],
                   "line_bytes": er["len"], "message_bytes": len(export_line[1]["msg"].encode()),
                   "docker_fragments": docker_frags[er["seq"]], "cri_parts": cri_frags[er["seq"]],
                   "syslog_kept_bytes": next((t["kept_bytes"] for t in syslog_info["syslog"]["truncated"] if t["seq"] == er["seq"]), None)},
        "capture": cap,
        "envelope_fields": envelope_fields,
        "envelope_times": "every envelope carries the capture's arrival time of the line (syslog: rsyslog's receipt, "
                          "milliseconds later, as logger sent each line when the shim got it)",
        "files": files,
        "scenarios": scen,
    }


def naive_to_utc(asctime, tz):
    dt = datetime.strptime(asctime, "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=ZoneInfo(tz))
    return dt.astimezone(timezone.utc)


def berlin_manifest(run_dir, out):
    done = json.loads((run_dir / "berlin-requests.json").read_text())
    reqs = done["requests"]
    by_id = {r["request_id"]: r for r in reqs}
    check(len(by_id) == len(reqs), "berlin request ids are unique")
    b = out / "berlin"
    access = parse_access(b / "nginx-access.log")
    check(set(access) == set(by_id), "berlin access log = requests sent")
    for r in reqs:
        a = access[r["request_id"]]
        s = BERLIN[r["scenario"]]
        check((a["method"], a["path"], a["status"]) == (r["method"], r["path"], s["nginx_status"]), f"{r} vs {a}")
        check(a["logged_at"].endswith("+01:00"), f"Europe/Berlin in December: {a}")
        r.update(access_logged_at=a["logged_at"], nginx_request_time=a["request_time"],
                 upstream_response_time=a["upstream_response_time"])
    err_lines = [l.decode() for l in file_lines(b / "nginx-error.log")]
    slow = [r for r in reqs if r["scenario"] == "slow"]
    check(len(err_lines) == len(slow) and all("upstream timed out" in l for l in err_lines), f"berlin error log {err_lines}")
    for r in slow:
        check(sum(f'request: "GET {r["path"]} HTTP/1.1"' in l for l in err_lines) == 1, f"error line for {r}")

    halves = done["tzchange_instances"]
    check([h["tz"] for h in halves] == [BERLIN_TZ, "UTC"], f"tzchange instances {halves}")
    logs = {}
    for name in ("app.log", "tzchange-app.log"):
        lines = [l.decode() for l in file_lines(b / name)]
        vals = [as_json(l) for l in lines]
        check(all(vals), f"{name}: JSON lines only")
        logs[name] = vals
    seen = defaultdict(list)
    for name, vals in logs.items():
        for v in vals:
            check({"asctime", "levelname", "name", "message", "request_id", "method", "path"} <= set(v), v)
            check(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}", v["asctime"]), v["asctime"])
            seen[v["request_id"]].append((name, v))
    check(set(seen) == set(by_id), "app ids = ids sent")
    zone_ids = {BERLIN_TZ: [], "UTC": []}
    for r in reqs:
        s = BERLIN[r["scenario"]]
        lines = seen[r["request_id"]]
        check([(n, v["levelname"], v["message"]) for n, v in lines] == [(s["app_log"], l, m) for l, m in s["app_lines"]],
              f"{r}: {[(n, v['levelname'], v['message']) for n, v in lines]}")
        check(all(v["method"] == r["method"] and v["path"] == r["path"] for _, v in lines), f"method/path {r}")
        fin = lines[-1][1]
        check(fin["status"] == s.get("app_status", s["status"]) and isinstance(fin["duration_ms"], float), fin)
        slow_line = [v for _, v in lines if v["message"] == "slow request"]
        check(bool(slow_line) == (fin["duration_ms"] > BERLIN_SLOW_MS), f"slow request iff > 250 ms: {lines}")
        if slow_line:
            check(slow_line[0]["duration_ms"] == fin["duration_ms"] and "status" not in slow_line[0], slow_line)
        if isinstance(r["sleep_ms_planned"], int):
            check(fin["duration_ms"] >= r["sleep_ms_planned"], f"duration >= planned sleep: {fin} {r}")
        if r["scenario"] == "fail":
            check(lines[1][1]["exc_info"].startswith("Traceback (most recent call last):")
                  and lines[1][1]["exc_info"].endswith("\n" + DB_ERROR), lines[1][1]["exc_info"][-200:])
        tz = s.get("app_tz", BERLIN_TZ)
        # The naive asctime, read in the zone the process had, agrees with nginx's time
        # (whole seconds, written when the response went out) within 2 s.
        first_utc = naive_to_utc(lines[0][1]["asctime"], tz)
        last_utc = naive_to_utc(fin["asctime"], tz)
        nginx_utc = iso_to_dt(r["access_logged_at"]).astimezone(timezone.utc)
        sent = iso_to_dt(r["sent_at"])
        check(abs((first_utc - sent).total_seconds()) < 2, f"first line vs sent_at, {tz}: {first_utc} {sent}")
        if r["scenario"] != "slow":
            check(-2 < (nginx_utc - last_utc).total_seconds() < 2, f"nginx vs app, {tz}: {nginx_utc} {last_utc} {r}")
        r.update(app_first_asctime=lines[0][1]["asctime"], app_last_asctime=fin["asctime"],
                 app_zone=tz, app_duration_ms=fin["duration_ms"], app_status=fin["status"])
        if s["app_log"] == "tzchange-app.log":
            zone_ids[tz].append(r["request_id"])
    check(len(zone_ids[BERLIN_TZ]) == 10 and len(zone_ids["UTC"]) == 10, f"tz halves {zone_ids}")
    tzlog = logs["tzchange-app.log"]
    n_first = 2 * len(zone_ids[BERLIN_TZ])
    check([v["request_id"] for v in tzlog[:n_first]] == [i for i in zone_ids[BERLIN_TZ] for _ in (0, 1)],
          "tzchange-app.log: the Berlin half comes first")

    files = {}
    for name in ("app.log", "tzchange-app.log", "nginx-access.log", "nginx-error.log"):
        files[name] = {"lines": wc_l(b / name), "bytes": (b / name).stat().st_size}
    files["app.log"].update(producer="berlin.py (python-json-logger), stdout of uvicorn berlin:app, TZ=Europe/Berlin",
                            format="json", naive_timestamp="asctime, Europe/Berlin (+01:00)")
    files["tzchange-app.log"].update(producer="berlin.py as orders.api, TZ=Europe/Berlin then TZ=UTC, appended",
                                     format="json", naive_timestamp="asctime: first half Europe/Berlin, second half UTC")
    files["nginx-access.log"].update(producer="nginx access_log (combined + key=value), TZ=Europe/Berlin",
                                     format="nginx_combined_kv", timestamp="$time_local with +0100")
    files["nginx-error.log"].update(producer="nginx error_log warn, TZ=Europe/Berlin", format="nginx_error",
                                    naive_timestamp="YYYY/MM/DD HH:MM:SS, Europe/Berlin")
    check(files["app.log"]["lines"] == sum(len(BERLIN[r["scenario"]]["app_lines"]) for r in reqs if BERLIN[r["scenario"]]["app_log"] == "app.log"), "app.log lines")
    scen = {}
    for name, s in BERLIN.items():
        got = [r for r in reqs if r["scenario"] == name]
        scen[name] = {
            "description": s["description"], "count": len(got), "method": s["method"], "path": s["path"],
            "endpoint": s["endpoint"], "nginx_status": s["nginx_status"], "app_status": s.get("app_status", s["status"]),
            "behaviour": s["behaviour"], "sleep_ms_planned": s["sleep_ms_planned"], "app_log": s["app_log"],
            "app_zone": s.get("app_tz", BERLIN_TZ), "nginx_error": s.get("nginx_error"),
            "app_lines_per_request": len(s["app_lines"]), "app_levels": [l for l, _ in s["app_lines"]],
            "app_messages": [m for _, m in s["app_lines"]],
            "request_ids": [r["request_id"] for r in got],
            "requests": [{k: r.get(k) for k in ("request_id", "path", "sent_at", "access_logged_at", "app_first_asctime",
                                                 "app_last_asctime", "app_zone", "nginx_request_time", "app_duration_ms",
                                                 "sleep_ms_planned")} for r in got],
        }
    return {
        "timezone": BERLIN_TZ,
        "timezone_by_process": {"nginx": BERLIN_TZ, "berlin app (app.log)": BERLIN_TZ,
                                "second instance (tzchange-app.log)": f"{BERLIN_TZ}, then UTC"},
        "utc_offset": "+01:00 (December)",
        "naive_timestamps": ["app.log asctime (YYYY-MM-DD HH:MM:SS,mmm)", "tzchange-app.log asctime",
                             "nginx-error.log (YYYY/MM/DD HH:MM:SS)"],
        "slow_request_threshold_ms": BERLIN_SLOW_MS,
        "proxy_read_timeout_s": PROXY_READ_TIMEOUT_S,
        "totals": {"requests": len(reqs),
                   "by_nginx_status": {str(k): v for k, v in sorted(Counter(r["status"] for r in reqs).items())}},
        "tzchange": {"instances": halves, "request_ids_by_zone": zone_ids,
                     "lines_by_zone": {BERLIN_TZ: 2 * len(zone_ids[BERLIN_TZ]), "UTC": 2 * len(zone_ids["UTC"])},
                     "note": "one file, one logger name (orders.api), two zones: the first half's asctime is "
                             "UTC+01:00, the second half's UTC+00:00, with no marker in the lines"},
        "files": files,
        "scenarios": scen,
    }


def manifest(run_dir, out):
    run_dir, out = Path(run_dir), Path(out)
    m = {
        "schema_version": 1,
        "generated_by": "testdata/generate/deploy/run.sh",
        "software": versions(),
        "runs": {"shop": shop_manifest(run_dir, out), "berlin": berlin_manifest(run_dir, out)},
    }
    # Indented, but one line per request record and per id list: smaller and easier to read.
    compact = []
    for run in m["runs"].values():
        for s in run["scenarios"].values():
            for i, r in enumerate(s["requests"]):
                compact.append(json.dumps(r, ensure_ascii=False))
                s["requests"][i] = f"@@{len(compact) - 1}@@"
            compact.append(json.dumps(s["request_ids"]))
            s["request_ids"] = f"@@{len(compact) - 1}@@"
        if "tzchange" in run:
            for z, ids in run["tzchange"]["request_ids_by_zone"].items():
                compact.append(json.dumps(ids))
                run["tzchange"]["request_ids_by_zone"][z] = f"@@{len(compact) - 1}@@"
    text = json.dumps(m, indent=1, ensure_ascii=False)
    text = re.sub(r'"@@(\d+)@@"', lambda mo: compact[int(mo.group(1))], text)
    (out / "manifest.json").write_text(text + "\n")
    shop = m["runs"]["shop"]["files"]
    print("manifest: shop " + json.dumps({k: v.get("lines", v.get("entries")) for k, v in shop.items()})
          + "\nmanifest: berlin " + json.dumps({k: v["lines"] for k, v in m["runs"]["berlin"]["files"].items()}))


if __name__ == "__main__":
    if sys.argv[1] == "shop":
        run_shop(sys.argv[2])
    elif sys.argv[1] == "berlin":
        run_berlin(sys.argv[2])
    elif sys.argv[1] == "manifest":
        manifest(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
