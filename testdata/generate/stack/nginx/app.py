"""The upstream behind nginx for testdata/stack/nginx/: Python's stdlib http.server answering
the standard load, logging one line per finished request (and the failure's traceback) to
stderr with the stdlib logging module.

  python3 app.py PORT

Routes: /healthz 200; /api/items/<n> sleeps 10*n ms, 200; /api/slow/<n> sleeps 300 ms, 200;
/api/fail/<n> raises InventoryError, logged with its traceback, 500; /api/missing/<n> 404;
/retry/ok/<n> 200 (reached through nginx's retry upstream). Anything else 404.
"""
import json
import logging
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = logging.getLogger("shop")


class InventoryError(Exception):
    pass


def reserve_stock(n):
    raise InventoryError(f"inventory backend unavailable for order {n}")


def handle(path):
    """(status, body) for a path; raises for /api/fail/<n>."""
    if path == "/healthz":
        return 200, {"status": "ok"}
    m = re.fullmatch(r"/api/(items|slow|fail|missing)/(\d+)", path)
    if m:
        kind, n = m.group(1), int(m.group(2))
        if kind == "items":
            time.sleep(10 * n / 1000)
            return 200, {"id": n, "name": f"item {n}"}
        if kind == "slow":
            time.sleep(0.3)
            return 200, {"id": n, "slow": True}
        if kind == "fail":
            reserve_stock(n)
        return 404, {"error": "not found"}
    if re.fullmatch(r"/retry/ok/\d+", path):
        return 200, {"retried": True}
    return 404, {"error": "not found"}


class Handler(BaseHTTPRequestHandler):
    server_version = "shop-app/1"

    def do_GET(self):
        start = time.perf_counter()
        rid = self.headers.get("X-Request-ID", "-")
        try:
            status, body = handle(self.path)
        except Exception:
            log.exception("request failed request_id=%s method=%s path=%s", rid, self.command, self.path)
            status, body = 500, {"error": "internal server error"}
        data = json.dumps(body).encode() + b"\n"
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        log.info("request finished request_id=%s method=%s path=%s status=%d duration_ms=%.3f",
                 rid, self.command, self.path, status, (time.perf_counter() - start) * 1000)

    def log_message(self, format, *args):  # http.server's own access line: not wanted
        pass


def main():
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    log.info("listening on 127.0.0.1:%s", sys.argv[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
