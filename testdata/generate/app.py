"""Test service behind nginx: stdlib ThreadingHTTPServer logging JSON lines to stdout through
python-json-logger. How a request behaves is chosen by the client with the X-Scenario header
(nginx passes it through): ok, hang (never answers), close (closes the socket without a
response), reset (aborts the socket with a RST). GET /api/fail/<n> raises
storage.DatabaseError and answers 500."""
import logging
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from pythonjsonlogger.json import JsonFormatter
except ImportError:  # python-json-logger < 3.1
    from pythonjsonlogger.jsonlogger import JsonFormatter

import storage

PORT = int(sys.argv[1])
handler = logging.StreamHandler(sys.stdout)
# asctime is Python's default format, naive local time (run.sh sets TZ=Asia/Kolkata).
handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
log = logging.getLogger("app.api")
log.addHandler(handler)
log.setLevel(logging.INFO)
log.propagate = False
never = threading.Event()  # hung handlers wait on this until the process is SIGKILLed


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # the access log is nginx's job
        pass

    def fields(self, **extra):
        d = {"request_id": self.headers.get("X-Request-ID"), "method": self.command, "path": self.path}
        d.update(extra)
        return d

    def reply(self, status, body, started):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        ms = round((time.monotonic() - started) * 1000, 3)
        level = logging.ERROR if status >= 500 else logging.INFO
        log.log(level, "request finished", extra=self.fields(status=status, duration_ms=ms))

    def handle_any(self):
        started = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        scenario = self.headers.get("X-Scenario", "ok")
        log.info("request started", extra=self.fields())
        if scenario == "hang":
            what = "checking dependencies" if self.path == "/health" else "calling payment provider"
            log.info(what, extra=self.fields())
            never.wait()
        if scenario == "close":
            log.info("loading batch", extra=self.fields())
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)  # FIN without any response
            return
        if scenario == "reset":
            log.info("loading batch", extra=self.fields())
            self.close_connection = True
            # Linger 0 and close the descriptor now: the peer gets a RST, not a FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            os.close(self.connection.detach())
            return
        if self.path.startswith("/api/fail"):
            try:
                storage.fetch_order(int(self.path.rsplit("/", 1)[-1]))
            except storage.DatabaseError:
                log.exception("request failed", extra=self.fields())
            self.reply(500, "internal error\n", started)
            return
        time.sleep(0.005)
        self.reply(200, "ok\n", started)

    do_GET = do_POST = handle_any


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = True
# The one plain-text (non-JSON) line of app.log.
print(f"Serving HTTP on 127.0.0.1 port {PORT}", flush=True)
server.serve_forever()
