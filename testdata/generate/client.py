"""Drives the scripted incident through nginx, then writes testdata/manifest.json from what it
actually did, cross-checked against the logs the software wrote.

  client.py run RUN_DIR             send the scenario (writes RUN_DIR/requests.json)
  client.py manifest RUN_DIR OUT    after the services stopped and the logs were copied to
                                    OUT: verify them against requests.json, write OUT/manifest.json

Counts are fixed by the script below (never by timing): every scenario sends a known number
of requests at known offsets; the wall time is about 95 s.
"""
import http.client
import importlib.metadata
import json
import re
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
NGINX = ("127.0.0.1", 18080)
TIMEZONE = "Asia/Kolkata"
PHASES = [("normal", 25.0), ("incident", 45.0), ("recovery", 25.0)]
WORKER_BATCHES = 8
WORKER_PAUSE_S = 2.5
APP_BANNER_LINES = 1
PROXY_READ_TIMEOUT_S = 2
USER_AGENT = "logtriage-testdata/1"

STARTED = ("INFO", "request started")
FINISHED = ("INFO", "request finished")


def scenario(method, path, endpoint, status, *, error_class=None, access="nginx-access.log",
             app_log="app.log", app_lines=(), app_error_type=None, behaviour="ok", body=None,
             description=""):
    return {
        "description": description,
        "method": method,
        "path": path,
        "endpoint": endpoint,
        "nginx_status": status,
        "nginx_error_class": error_class,
        "access_log": access,
        "app_log": app_log if app_lines else None,
        "app_lines": list(app_lines),
        "app_error_type": app_error_type,
        "behaviour": behaviour,
        "body": body,
    }


HEALTH_DATA = "apple_health_data"
SCENARIOS = {
    "ok_items": scenario(
        "GET", "/api/items/<n>", "GET /api/items/:id", 200, app_lines=[STARTED, FINISHED],
        description="normal read, answered by app.py"),
    "ok_health": scenario(
        "GET", "/health", "GET /health", 200, app_lines=[STARTED, FINISHED],
        description="health check, answered (normal and recovery phases)"),
    "ok_node": scenario(
        "GET", "/api/node/users/<n>", "GET /api/node/users/:id", 200,
        access="nginx-access.json.log", app_log="node-app.log",
        app_lines=[("INFO", "request completed")],
        description="normal read, answered by the Node service"),
    "timeout": scenario(
        "POST", f"/retrieval/{HEALTH_DATA}", f"POST /retrieval/{HEALTH_DATA}", 504,
        error_class="upstream_timed_out", behaviour="hang",
        app_lines=[STARTED, ("INFO", "calling payment provider")],
        description="handler hangs past proxy_read_timeout; never logs an end"),
    "timeout_same_second": scenario(
        "POST", f"/retrieval/{HEALTH_DATA}", f"POST /retrieval/{HEALTH_DATA}", 504,
        error_class="upstream_timed_out", behaviour="hang",
        app_lines=[STARTED, ("INFO", "calling payment provider")],
        description="same path from 127.0.0.2 and 127.0.0.3 in the same second, both 504"),
    "health_timeout": scenario(
        "GET", "/health", "GET /health", 504, error_class="upstream_timed_out", behaviour="hang",
        app_lines=[STARTED, ("INFO", "checking dependencies")],
        description="health checks hang during the incident"),
    "upstream_closed": scenario(
        "POST", f"/retrieval/{HEALTH_DATA}", f"POST /retrieval/{HEALTH_DATA}", 502,
        error_class="upstream_prematurely_closed", behaviour="close",
        app_lines=[STARTED, ("INFO", "loading batch")],
        description="handler closes the socket (FIN) without a response"),
    "upstream_reset": scenario(
        "POST", f"/retrieval/{HEALTH_DATA}", f"POST /retrieval/{HEALTH_DATA}", 502,
        error_class="upstream_reset", behaviour="reset",
        app_lines=[STARTED, ("INFO", "loading batch")],
        description="handler aborts the socket (RST) without a response"),
    "app_exception": scenario(
        "GET", "/api/fail/<n>", "GET /api/fail/:id", 500,
        app_lines=[STARTED, ("ERROR", "request failed"), ("ERROR", "request finished")],
        app_error_type="storage.DatabaseError",
        description="storage.DatabaseError logged with logger.exception, then 500"),
    "node_error": scenario(
        "GET", "/api/node/boom", "GET /api/node/boom", 500, access="nginx-access.json.log",
        app_log="node-app.log", app_lines=[("ERROR", "request errored")],
        app_error_type="UpstreamError",
        description="Node route fails; pino-http logs err (type, message, stack)"),
    "refused": scenario(
        "GET", "/legacy/orders/<n>", "GET /legacy/orders/:id", 502,
        error_class="upstream_connect_refused",
        description="upstream port with no listener"),
    "static_missing": scenario(
        "GET", "/static/missing.png", "GET /static/missing.png", 404,
        error_class="file_not_found", description="missing file under the static root"),
    "body_too_large": scenario(
        "POST", "/upload", "POST /upload", 413, error_class="client_body_too_large", body=4096,
        description="4096-byte body over client_max_body_size 1k"),
}

# Substrings that classify an nginx error-log line (each line must match exactly one).
ERROR_CLASSES = {
    "upstream_timed_out": "upstream timed out",
    "upstream_prematurely_closed": "upstream prematurely closed connection",
    "upstream_connect_refused": "(111: Connection refused)",
    "upstream_reset": "(104: Connection reset by peer)",
    "client_body_too_large": "client intended to send too large body",
    "file_not_found": "(2: No such file or directory)",
}
NGINX_LEVELS = ["emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"]

FILES = {
    "app.log": ("json", "generate/app.py: stdlib ThreadingHTTPServer + python-json-logger, stdout"),
    "node-app.log": ("json", "generate/node/app.js: pino + pino-http, stdout"),
    "worker.log": ("json", "generate/worker.py: structlog JSONRenderer, stdout"),
    "nginx-access.log": ("nginx_combined_kv", "nginx access_log, format `triage` (combined + key=value)"),
    "nginx-access.json.log": ("nginx_json", "nginx access_log, format `jsonlog` (escape=json)"),
    "nginx-error.log": ("nginx_error", "nginx error_log at level warn"),
}


def utc_iso(t):
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---------------------------------------------------------------------------------------------
# The script: (offset seconds from the start of the run, kind, argument)


def every(start, step, count, name):
    return [(round(start + i * step, 3), "req", name) for i in range(count)]


def steady(duration, step, cycle):
    return [(round(i * step, 3), "req", cycle[i % len(cycle)]) for i in range(int(duration / step))]


def phase_events(name, duration):
    if name in ("normal", "recovery"):
        return (steady(duration, 0.2, ["ok_items", "ok_items", "ok_node", "ok_items", "ok_node"])
                + every(0.1, 3.0, 9, "ok_health"))
    # The incident: a payment provider hangs, the retrieval handler hangs or crashes, the
    # database drops, the Node service fails; normal traffic goes on at a lower rate.
    return (steady(duration, 0.4, ["ok_items", "ok_node"])
            + [(0.0, "worker", None), (20.0, "pair", "timeout_same_second")]
            + every(0.1, 3.0, 15, "health_timeout")
            + every(1.0, 3.5, 12, "timeout")
            + every(2.0, 1.4, 30, "upstream_closed")
            + every(3.0, 7.0, 6, "upstream_reset")
            + every(0.5, 1.45, 30, "app_exception")
            + every(1.5, 3.5, 12, "node_error")
            + every(0.7, 1.45, 30, "refused")
            + every(4.0, 4.0, 10, "static_missing")
            + every(5.0, 6.5, 6, "body_too_large"))


def script():
    events, t = [], 0.0
    for name, duration in PHASES:
        events.append((t, "phase", name))
        events += [(t + off, kind, arg) for off, kind, arg in phase_events(name, duration)]
        t += duration
    events.append((t, "phase", None))
    order = {"phase": 0, "worker": 1, "pair": 2, "req": 3}
    return sorted(events, key=lambda e: (e[0], order[e[1]]))


# ---------------------------------------------------------------------------------------------
# Running it

lock = threading.Lock()
results = []


def request(name, phase, n, source="127.0.0.1", barrier=None):
    spec = SCENARIOS[name]
    path = spec["path"].replace("<n>", str(n))
    headers = {"X-Scenario": spec["behaviour"], "User-Agent": USER_AGENT}
    body = None
    if spec["body"]:
        body = b"x" * spec["body"]
        headers["Content-Type"] = "application/octet-stream"
    elif spec["method"] == "POST":
        body = json.dumps({"user_id": n, "samples": 3}).encode()
        headers["Content-Type"] = "application/json"
    rec = {"scenario": name, "phase": phase, "method": spec["method"], "path": path, "client": source}
    try:
        conn = http.client.HTTPConnection(*NGINX, timeout=30, source_address=(source, 0))
        conn.connect()
        if barrier:
            barrier.wait()
        rec["sent_at"] = utc_iso(time.time())
        conn.request(spec["method"], path, body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        conn.close()
        rec["status"] = resp.status
        rec["request_id"] = resp.getheader("X-Request-ID")
    except Exception as e:  # reported below; the run fails
        rec["status"] = None
        rec["error"] = repr(e)
    with lock:
        results.append(rec)


def run(run_dir):
    run_dir = Path(run_dir)
    phases, worker, futures, n = [], None, [], 0
    pool = ThreadPoolExecutor(max_workers=64)
    t0 = time.monotonic()
    current = None
    for off, kind, arg in script():
        delay = t0 + off - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if kind == "phase":
            now = utc_iso(time.time())
            if phases:
                phases[-1]["ended_at"] = now
            if arg:
                phases.append({"name": arg, "planned_seconds": dict(PHASES)[arg], "started_at": now})
            current = arg
        elif kind == "worker":
            worker_log = open(run_dir / "logs" / "worker.log", "w")
            worker = subprocess.Popen(
                [sys.executable, str(HERE / "worker.py"), str(WORKER_BATCHES), str(WORKER_PAUSE_S)],
                stdout=worker_log)
        elif kind == "pair":
            # Start both just after a second boundary, so that both are sent, time out
            # (proxy_read_timeout later) and are logged by nginx within one second.
            time.sleep(1.05 - time.time() % 1.0)
            barrier = threading.Barrier(2)
            for src in ("127.0.0.2", "127.0.0.3"):
                futures.append(pool.submit(request, arg, current, 0, src, barrier))
        else:
            n += 1
            futures.append(pool.submit(request, arg, current, n))
    for f in futures:
        f.result()
    pool.shutdown()
    if worker:
        worker.wait()
        worker_log.close()
    bad = [r for r in results if r["status"] != SCENARIOS[r["scenario"]]["nginx_status"]]
    bad += [r for r in results if not re.fullmatch(r"[0-9a-f]{32}", r.get("request_id") or "")]
    if bad:
        raise SystemExit(f"unexpected responses ({len(bad)}): {bad[:5]}")
    results.sort(key=lambda r: r["sent_at"])
    with open(run_dir / "requests.json", "w") as f:
        json.dump({"phases": phases, "requests": results}, f)
    print(f"client: {len(results)} requests, statuses {dict(sorted(Counter(r['status'] for r in results).items()))}")


# ---------------------------------------------------------------------------------------------
# The manifest, verified against the logs

MONTHS = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
ACCESS_RE = re.compile(
    r'^(\S+) - \S+ \[(\d\d)/(\w{3})/(\d{4}):(\d\d:\d\d:\d\d) ([+-]\d\d)(\d\d)\] "(\S+) (\S+) [^"]*" (\d{3}) .* '
    r'request_id=([0-9a-f]{32}) ')


def read_lines(path):
    data = path.read_bytes()
    return data, data.decode().splitlines()


def as_json(line):
    try:
        v = json.loads(line)
    except ValueError:
        return None
    return v if isinstance(v, dict) else None


def check(cond, msg):
    if not cond:
        raise SystemExit(f"manifest check failed: {msg}")


def versions():
    def cmd(*args):
        p = subprocess.run(args, capture_output=True, text=True)
        return (p.stdout + p.stderr).strip()

    def npm(pkg):
        return json.loads((HERE / "node" / "node_modules" / pkg / "package.json").read_text())["version"]

    return {
        "nginx": cmd("nginx", "-v").replace("nginx version: ", ""),
        "python": sys.version.split()[0],
        "python-json-logger": importlib.metadata.version("python-json-logger"),
        "structlog": importlib.metadata.version("structlog"),
        "node": cmd("node", "--version"),
        "pino": npm("pino"),
        "pino-http": npm("pino-http"),
    }


def manifest(run_dir, out):
    run_dir, out = Path(run_dir), Path(out)
    done = json.loads((run_dir / "requests.json").read_text())
    reqs = done["requests"]
    by_id = {r["request_id"]: r for r in reqs}
    check(len(by_id) == len(reqs), "request ids are unique")
    text = {name: read_lines(out / name) for name in FILES}

    # Every request is in exactly one access log, the expected one, with the expected status.
    seen = defaultdict(list)
    for line in text["nginx-access.log"][1]:
        m = ACCESS_RE.match(line)
        check(m, f"access line parses: {line}")
        client, day, mon, year, hms, oh, om, method, path, status, rid = m.groups()
        logged = f"{year}-{MONTHS[mon]:02d}-{day}T{hms}{oh}:{om}"
        seen[rid].append(("nginx-access.log", client, method, path, int(status), logged))
    for line in text["nginx-access.json.log"][1]:
        v = as_json(line)
        check(v, f"JSON access line parses: {line}")
        seen[v["request_id"]].append(("nginx-access.json.log", v["remote_addr"], v["request_method"],
                                      v["request"].split()[1], int(v["status"]), v["time_iso8601"]))
    check(set(seen) == set(by_id), "the access logs hold exactly the requests sent")
    for rid, hits in seen.items():
        r, s = by_id[rid], SCENARIOS[by_id[rid]["scenario"]]
        check(len(hits) == 1, f"{rid} logged once: {hits}")
        f, client, method, path, status, logged = hits[0]
        check((f, client, method, path, status) == (s["access_log"], r["client"], r["method"], r["path"], s["nginx_status"]),
              f"{rid}: {hits[0]} vs {r}")
        r["logged_at"] = logged

    # App lines per request id, with their levels and messages, in order.
    app_seen = defaultdict(list)
    plain = {}
    for name in FILES:
        plain[name] = [l for l in text[name][1] if as_json(l) is None]
    check(len(plain["app.log"]) == APP_BANNER_LINES and plain["app.log"][0].startswith("Serving HTTP on "),
          f"app.log plain lines: {plain['app.log']}")
    for line in text["app.log"][1]:
        v = as_json(line)
        if v is None:
            continue
        app_seen[v["request_id"]].append(("app.log", v["levelname"], v["message"]))
        if v["message"] == "request failed":
            check(v["exc_info"].startswith("Traceback (most recent call last):")
                  and v["exc_info"].endswith("\nstorage.DatabaseError: connection lost"), v["exc_info"])
        if v["message"] == "request finished":
            check(isinstance(v["status"], int) and isinstance(v["duration_ms"], float), line)
    pino_levels = {30: "INFO", 40: "WARN", 50: "ERROR"}
    for line in text["node-app.log"][1]:
        v = as_json(line)
        app_seen[v["req"]["id"]].append(("node-app.log", pino_levels[v["level"]], v["msg"]))
        if v["level"] == 50:
            check(v["err"]["type"] == "UpstreamError" and "\n    at " in v["err"]["stack"], line)
    check(set(app_seen) <= set(by_id), "app logs only hold ids of requests sent")
    for r in reqs:
        s = SCENARIOS[r["scenario"]]
        want = [(s["app_log"], lvl, msg) for lvl, msg in s["app_lines"]]
        check(app_seen.get(r["request_id"], []) == want, f"{r}: {app_seen.get(r['request_id'])} vs {want}")

    # The structlog job.
    worker = [as_json(l) for l in text["worker.log"][1]]
    check(len(worker) == WORKER_BATCHES + 3 and all(worker), "worker.log lines")
    check(worker[-2]["exception"].endswith("\nOperationalError: server closed the connection unexpectedly"),
          worker[-2])

    # nginx's error log, counted by plain substring matching.
    err_lines = text["nginx-error.log"][1]
    levels = {lvl: sum(1 for l in err_lines if f" [{lvl}] " in l) for lvl in NGINX_LEVELS}
    by_class = {k: sum(1 for l in err_lines if v in l) for k, v in ERROR_CLASSES.items()}
    unclassified = [l for l in err_lines if sum(v in l for v in ERROR_CLASSES.values()) != 1]
    check(not unclassified, f"error-log lines in exactly one class: {unclassified[:3]}")
    want_classes = Counter()
    for r in reqs:
        if SCENARIOS[r["scenario"]]["nginx_error_class"]:
            want_classes[SCENARIOS[r["scenario"]]["nginx_error_class"]] += 1
    check(by_class == {k: want_classes[k] for k in ERROR_CLASSES}, f"{by_class} vs {want_classes}")

    # The same path from two clients in the same second: one second in both logs.
    pair = [r for r in reqs if r["scenario"] == "timeout_same_second"]
    pair_err = [l for l in err_lines if "upstream timed out" in l
                and re.search(r", client: 127\.0\.0\.[23], ", l)]
    err_seconds = sorted({l[:19] for l in pair_err})
    access_seconds = sorted({r["logged_at"] for r in pair})
    sent_seconds = sorted({r["sent_at"][:19] for r in pair})
    check(len(pair) == 2 and len(pair_err) == 2 and len(err_seconds) == 1 and len(access_seconds) == 1
          and len(sent_seconds) == 1, f"same second: {pair} {pair_err}")
    check(access_seconds[0][:19].replace("-", "/").replace("T", " ") == err_seconds[0],
          f"access {access_seconds} vs error {err_seconds}")

    files = {}
    for name, (fmt, producer) in FILES.items():
        data, lines = text[name]
        files[name] = {
            "producer": producer,
            "format": fmt,
            "lines": data.count(b"\n"),
            "bytes": len(data),
            "json_lines": len(lines) - len(plain[name]),
            "plain_lines": len(plain[name]),
            "unparsed_plain_lines": APP_BANNER_LINES if name == "app.log" else 0,
        }
        check(data.endswith(b"\n") and files[name]["lines"] == len(lines), f"{name} ends with a newline")
    for name in ("app.log", "node-app.log", "nginx-access.log", "nginx-access.json.log"):
        key = "app_log" if name.endswith("app.log") else "access_log"
        want = sum(len(SCENARIOS[r["scenario"]]["app_lines"] if key == "app_log" else [1])
                   for r in reqs if SCENARIOS[r["scenario"]][key] == name)
        want += APP_BANNER_LINES if name == "app.log" else 0
        check(files[name]["lines"] == want, f"{name}: {files[name]['lines']} lines, want {want}")

    scenarios = {}
    for name, s in SCENARIOS.items():
        got = [r for r in reqs if r["scenario"] == name]
        scenarios[name] = {
            "description": s["description"],
            "count": len(got),
            "method": s["method"],
            "path": s["path"],
            "endpoint": s["endpoint"],
            "nginx_status": s["nginx_status"],
            "nginx_error_class": s["nginx_error_class"],
            "access_log": s["access_log"],
            "app_log": s["app_log"],
            "app_lines_per_request": len(s["app_lines"]),
            "app_levels": [lvl for lvl, _ in s["app_lines"]],
            "app_messages": [msg for _, msg in s["app_lines"]],
            "app_error_type": s["app_error_type"],
            "clients": sorted({r["client"] for r in got}),
            "phases": dict(Counter(r["phase"] for r in got)),
            "request_ids": [r["request_id"] for r in got],
            "requests": [{k: r[k] for k in ("request_id", "client", "path", "sent_at", "logged_at")} for r in got],
        }

    m = {
        "schema_version": 2,
        "generated_by": "testdata/generate/run.sh",
        "timezone": TIMEZONE,
        "naive_timestamps": ["nginx-error.log (YYYY/MM/DD HH:MM:SS)", "app.log asctime (YYYY-MM-DD HH:MM:SS,mmm)"],
        "software": versions(),
        "proxy_read_timeout_s": PROXY_READ_TIMEOUT_S,
        "app_banner_lines": APP_BANNER_LINES,
        "worker_batches": WORKER_BATCHES,
        "phases": done["phases"],
        "files": files,
        "nginx_error_log": {
            "counted_by": "substring matching on the generated file after the run (client.py manifest)",
            "levels": levels,
            "startup_or_notice_lines": sum(levels[l] for l in ("notice", "info", "debug")),
            "lines_by_class": by_class,
            "class_substrings": ERROR_CLASSES,
            "unclassified_lines": len(unclassified),
        },
        "nginx_error_lines_by_class_substring": by_class,
        "same_second_pair": {
            "scenario": "timeout_same_second",
            "method": "POST",
            "path": f"/retrieval/{HEALTH_DATA}",
            "clients": sorted(r["client"] for r in pair),
            "request_ids": [r["request_id"] for r in pair],
            "error_log_second": err_seconds[0],
            "access_log_second": access_seconds[0],
        },
        "totals": {
            "requests": len(reqs),
            "by_nginx_status": {str(k): v for k, v in sorted(Counter(r["status"] for r in reqs).items())},
        },
        "scenarios": scenarios,
    }
    # Indented, but one line per request record: smaller and easier to read.
    compact = []
    for s in scenarios.values():
        for i, r in enumerate(s["requests"]):
            compact.append(json.dumps(r))
            s["requests"][i] = f"@@{len(compact) - 1}@@"
    text = json.dumps(m, indent=1)
    text = re.sub(r'"@@(\d+)@@"', lambda mo: compact[int(mo.group(1))], text)
    (out / "manifest.json").write_text(text + "\n")
    print("manifest: " + json.dumps({k: v["lines"] for k, v in files.items()}))


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2])
    elif sys.argv[1] == "manifest":
        manifest(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
