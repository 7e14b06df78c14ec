"""Run 2 ("berlin"): a FastAPI service under uvicorn whose JSON lines DO carry a timestamp, a
naive local one: python-json-logger's JsonFormatter("%(asctime)s %(levelname)s %(name)s
%(message)s"), asctime in Python's default format (`2026-12-01 07:45:40,123`, local time of
the process's TZ, no offset). Every request line carries request_id (nginx's $request_id, from
X-Request-ID), method and path; `request finished` adds status and duration_ms; a request
slower than 250 ms first logs `slow request` (WARNING) with the same duration_ms, no status.

  uvicorn berlin:app --host 127.0.0.1 --port 18201 --no-access-log     (stdout: app.log)

The logger writes to stdout; uvicorn's access log is off and its own lines go to stderr, so
the app log holds only the app's JSON lines. LOGGER_NAME names the logger (the second
instance, behind /api/v2/, is "orders.api").

Routes:
  GET /api/items/{n}      200 after ~5 ms
  GET /api/v2/items/{n}   the same, for the second instance
  GET /api/report/{n}     sleeps X-Sleep-Ms milliseconds (chosen per request by the client), 200
  GET /api/slow/{n}       sleeps 2.5 s, 200 (nginx answers 504 after 1 s)
  GET /api/fail/{n}       storage.DatabaseError, logged with its traceback (`request failed`),
                          then 500
  GET /healthz            200
"""
import asyncio
import logging
import os
import sys
import time
from contextvars import ContextVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

try:
    from pythonjsonlogger.json import JsonFormatter
except ImportError:  # python-json-logger < 3.1
    from pythonjsonlogger.jsonlogger import JsonFormatter

import storage

SLOW_MS = 250
request_ctx: ContextVar[dict] = ContextVar("request_ctx")


class RequestFields(logging.Filter):
    """Adds request_id, method and path to every record logged while a request is handled."""

    def filter(self, record):
        for k, v in request_ctx.get({}).items():
            setattr(record, k, v)
        return True


_handler = logging.StreamHandler(sys.stdout)
_handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
_handler.addFilter(RequestFields())
log = logging.getLogger(os.environ.get("LOGGER_NAME", "berlin.api"))
log.addHandler(_handler)
log.setLevel(logging.INFO)
log.propagate = False

app = FastAPI()


@app.middleware("http")
async def request_context(request: Request, call_next):
    started = time.perf_counter()
    request_ctx.set({"request_id": request.headers.get("x-request-id"), "method": request.method,
                     "path": request.url.path})
    log.info("request started")
    response = await call_next(request)
    ms = round((time.perf_counter() - started) * 1000, 3)
    if ms > SLOW_MS:
        log.warning("slow request", extra={"duration_ms": ms})
    level = logging.ERROR if response.status_code >= 500 else logging.INFO
    log.log(level, "request finished", extra={"status": response.status_code, "duration_ms": ms})
    return response


@app.get("/api/items/{n}")
@app.get("/api/v2/items/{n}")
async def item(n: int):
    await asyncio.sleep(0.005)
    return {"id": n, "name": f"item {n}"}


@app.get("/api/report/{n}")
async def report(n: int, request: Request):
    await asyncio.sleep(int(request.headers.get("x-sleep-ms", "300")) / 1000)
    return {"id": n, "rows": 120}


@app.get("/api/slow/{n}")
async def slow(n: int):
    await asyncio.sleep(2.5)
    return {"id": n, "report": "done"}


@app.get("/api/fail/{n}")
async def fail(n: int):
    try:
        return storage.load_order(n)
    except storage.DatabaseError:
        log.exception("request failed")
        return JSONResponse({"error": "database unavailable"}, status_code=500)


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}
