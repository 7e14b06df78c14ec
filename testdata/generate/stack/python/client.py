"""The load for the Python stack testdata, and the manifest written from it.

  client.py load PORT OUT.json        send the standard load to 127.0.0.1:PORT, write what was sent
  client.py manifest RUN_DIR OUT_DIR  check the logs in OUT_DIR against the loads in RUN_DIR and
                                      write OUT_DIR/manifest.json (exit 1 on any disagreement)

The load (stdlib http.client, one connection per request, sequential, no randomness): one
GET /healthz first, then the 28 requests below with one GET /healthz after every 4th
(8 health checks in all): /api/items/1..20 (the handler sleeps 10*n ms), /api/slow/1..4
(300 ms), /api/fail/1..2 (500; fail/2's PaymentError is chained from a ConnectionError),
/api/missing/1..2 (404). Every request carries X-Request-ID: a fresh uuid4.
"""
import http.client
import json
import sys
import time
import uuid
from datetime import datetime, timezone

USER_AGENT = "logtriage-load/1 (python http.client)"


def plan():
    work = [("item", f"/api/items/{n}", 200, 10 * n) for n in range(1, 21)]
    work += [("slow", f"/api/slow/{n}", 200, 300) for n in range(1, 5)]
    work += [("fail", f"/api/fail/{n}", 500, 0) for n in range(1, 3)]
    work += [("missing", f"/api/missing/{n}", 404, 0) for n in range(1, 3)]
    health = ("health", "/healthz", 200, 0)
    out = [health]
    for i, w in enumerate(work, 1):
        out.append(w)
        if i % 4 == 0:
            out.append(health)
    assert len(out) == 36 and sum(k == "health" for k, *_ in out) == 8
    return out


def rfc3339(ts):
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def load(port, out_path):
    sent = []
    for kind, path, status, sleep_ms in plan():
        rid = str(uuid.uuid4())
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        sent_at = time.time()
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"X-Request-ID": rid, "User-Agent": USER_AGENT})
        resp = conn.getresponse()
        resp.read()
        took_ms = (time.perf_counter() - t0) * 1000
        conn.close()
        if resp.status != status:
            sys.exit(f"{path}: got {resp.status}, expected {status}")
        sent.append({"id": rid, "method": "GET", "path": path, "status": status,
                     "sleep_ms": sleep_ms, "kind": kind, "sent_at": rfc3339(sent_at),
                     "took_ms": round(took_ms, 3)})
    with open(out_path, "w") as f:
        json.dump(sent, f, indent=1)


if __name__ == "__main__":
    if sys.argv[1] == "load":
        load(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "manifest":
        import manifest
        manifest.main(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
