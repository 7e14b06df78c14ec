"""Drives the scripted incident through nginx and writes testdata/manifest.json from what it
actually did: requests sent per scenario, the status nginx returned, the request ids."""
import http.client
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

NGINX = ("127.0.0.1", 18080)
OUT = sys.argv[1]
WORKER_CMD = sys.argv[2:]  # runs during the incident

# name: (method, path template, X-Scenario, body bytes, expected status, nginx error class,
#        access log, app log, app lines per request with their levels, app error type)
SCENARIOS = {
    "ok_items": ("GET", "/api/items/{i}", "ok", 0, 200, None, "nginx-access.log", "app.log", ["INFO", "INFO"], None, "GET /api/items/:id"),
    "ok_health": ("GET", "/health", "ok", 0, 200, None, "nginx-access.log", "app.log", ["INFO", "INFO"], None, "GET /health"),
    "ok_node": ("GET", "/api/node/users/{i}", "ok", 0, 200, None, "nginx-access.json.log", "node-app.log", ["INFO"], None, "GET /api/node/users/:id"),
    "timeout": ("POST", "/retrieval/apple_health_data", "hang", 0, 504, "upstream_timed_out", "nginx-access.log", "app.log", ["INFO", "INFO"], None, "POST /retrieval/apple_health_data"),
    "timeout_same_second": ("POST", "/retrieval/apple_health_data", "hang", 0, 504, "upstream_timed_out", "nginx-access.log", "app.log", ["INFO", "INFO"], None, "POST /retrieval/apple_health_data"),
    "health_timeout": ("GET", "/health", "hang", 0, 504, "upstream_timed_out", "nginx-access.log", "app.log", ["INFO", "INFO"], None, "GET /health"),
    "upstream_closed": ("POST", "/retrieval/apple_health_data", "close", 0, 502, "upstream_prematurely_closed", "nginx-access.log", "app.log", ["INFO", "INFO"], None, "POST /retrieval/apple_health_data"),
    "upstream_reset": ("POST", "/retrieval/apple_health_data", "reset", 0, 502, "upstream_reset", "nginx-access.log", "app.log", ["INFO", "INFO"], None, "POST /retrieval/apple_health_data"),
    "app_exception": ("GET", "/api/fail/{i}", "ok", 0, 500, None, "nginx-access.log", "app.log", ["INFO", "ERROR", "ERROR"], "storage.DatabaseError", "GET /api/fail/:id"),
    "node_error": ("GET", "/api/node/boom", "ok", 0, 500, None, "nginx-access.json.log", "node-app.log", ["ERROR"], "UpstreamError", "GET /api/node/boom"),
    "refused": ("GET", "/legacy/orders/{i}", "ok", 0, 502, "upstream_connect_refused", "nginx-access.log", None, [], None, "GET /legacy/orders/:id"),
    "static_missing": ("GET", "/static/missing-{i}.png", "ok", 0, 404, "file_not_found", "nginx-access.log", None, [], None, None),
    "body_too_large": ("POST", "/upload", "ok", 4096, 413, "client_body_too_large", "nginx-access.log", None, [], None, "POST /upload"),
}

sent = {name: [] for name in SCENARIOS}
lock = threading.Lock()
counter = [0]


def request(name, source="127.0.0.1"):
    method, path, scenario, body_len, *_ = SCENARIOS[name]
    with lock:
        counter[0] += 1
        i = counter[0]
    conn = http.client.HTTPConnection(*NGINX, timeout=30, source_address=(source, 0))
    body = b"x" * body_len if body_len else None
    conn.request(method, path.format(i=i), body=body, headers={"X-Scenario": scenario, "User-Agent": "logtriage-testdata/1"})
    resp = conn.getresponse()
    resp.read()
    conn.close()
    with lock:
        sent[name].append({"request_id": resp.getheader("X-Request-ID"), "status": resp.status, "client": source})


def wave(names, pause=0.05):
    for n in names:
        request(n)
        time.sleep(pause)


def main():
    # Normal traffic.
    wave(["ok_items", "ok_health", "ok_items", "ok_node"] * 15)
    # Incident: hung and crashing requests, errors, misroutes, all while normal traffic goes on.
    worker_log = open(f"{OUT}/worker.log", "w")
    worker = subprocess.Popen(WORKER_CMD, stdout=worker_log)
    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(request, "timeout") for _ in range(8)]
        futures += [pool.submit(request, "health_timeout") for _ in range(6)]
        time.sleep(0.5)
        # The same path from two clients in the same second, both timing out.
        futures += [pool.submit(request, "timeout_same_second", src) for src in ("127.0.0.2", "127.0.0.3")]
        futures += [pool.submit(wave, ["upstream_closed", "app_exception", "refused", "ok_items"] * 10, 0.05)]
        futures += [pool.submit(wave, ["upstream_reset", "node_error", "static_missing", "body_too_large", "ok_node"] * 3, 0.1)]
        for f in futures:
            f.result()
    worker.wait()
    worker_log.close()
    # Recovery.
    wave(["ok_items", "ok_health", "ok_node", "ok_items"] * 10)

    scenarios = {}
    for name, spec in SCENARIOS.items():
        method, path, scenario, body_len, status, klass, access, app_log, app_levels, err, endpoint = spec
        got = sent[name]
        bad = [g for g in got if g["status"] != status]
        if bad:
            raise SystemExit(f"{name}: expected {status}, got {bad[:3]}")
        scenarios[name] = {
            "count": len(got),
            "method": method,
            "path": path.replace("{i}", "<n>"),
            "endpoint": endpoint,
            "nginx_status": status,
            "nginx_error_class": klass,
            "access_log": access,
            "app_log": app_log,
            "app_lines_per_request": len(app_levels),
            "app_levels": app_levels,
            "app_error_type": err,
            "clients": sorted({g["client"] for g in got}),
            "request_ids": [g["request_id"] for g in got],
        }
    with open(f"{OUT}/scenarios.json", "w") as f:
        json.dump(scenarios, f, indent=1)


main()
