"""The FastAPI service of the stack testdata (run under uvicorn).

APP_LOG chooses how the app's own records are written (uvicorn's own loggers are configured
by uvicorn: its defaults for "json", a --log-config that sends them to another file for
the others):
  json     the JsonFormatter below on the root logger (StreamHandler: stderr), no timestamp
  default  stdlib text, "%(asctime)s %(levelname)s %(name)s: %(message)s"
  dash     stdlib text, "%(asctime)s - %(name)s - %(levelname)s - %(message)s"
  basic    logging.basicConfig(level=INFO): "%(levelname)s:%(name)s:%(message)s"
  ecs      ecs_logging.StdlibFormatter on the app's logger (StreamHandler: stdout)

GET /healthz 200; /api/items/<n> sleeps 10*n ms; /api/slow/<n> sleeps 300 ms;
/api/fail/<n> raises PaymentError (n=2: chained, raised from a ConnectionError);
anything else 404 (FastAPI's own).
"""
import asyncio
import contextvars
import json
import logging
import os
import sys
import time

from fastapi import FastAPI, Request

request_id_ctx = contextvars.ContextVar("request_id")
MODE = os.environ.get("APP_LOG", "json")


class JsonFormatter(logging.Formatter):
    def format(self, record):
        payload = {"level": record.levelname, "msg": record.getMessage(), "logger": record.name,
                   "request_id": request_id_ctx.get("-")}
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        for k in ("method", "path", "status", "duration_ms"):
            if hasattr(record, k): payload[k] = getattr(record, k)
        return json.dumps(payload)


logger = logging.getLogger("shop.api")
if MODE == "json":
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
elif MODE == "default":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
elif MODE == "dash":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s - %(name)s - %(levelname)s - %(message)s")
elif MODE == "basic":
    logging.basicConfig(level=logging.INFO)
elif MODE == "ecs":
    import ecs_logging
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(ecs_logging.StdlibFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
else:
    raise SystemExit(f"unknown APP_LOG={MODE!r}")


class PaymentError(Exception):
    pass


def charge_card(n):
    raise ConnectionError(f"payment gateway unreachable (attempt {n})")


app = FastAPI()


def log_request(failed, rid, method, path, status, started):
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    log = logger.exception if failed else logger.info
    text = "request failed" if failed else "request finished"
    if MODE == "json":
        log(text, extra={"method": method, "path": path, "status": status, "duration_ms": duration_ms})
    elif MODE == "ecs":
        log(text, extra={"http.request.id": rid, "http.request.method": method, "url.path": path,
                         "http.response.status_code": status,
                         "event.duration": int((time.perf_counter() - started) * 1e9)})
    else:
        log("%s request_id=%s method=%s path=%s status=%d duration_ms=%.1f",
            text, rid, method, path, status, duration_ms)


@app.middleware("http")
async def access_middleware(request: Request, call_next):
    rid = request.headers.get("x-request-id", "-")
    token = request_id_ctx.set(rid)
    started = time.perf_counter()
    try:
        try:
            response = await call_next(request)
        except Exception:
            log_request(True, rid, request.method, request.url.path, 500, started)
            raise
        log_request(False, rid, request.method, request.url.path, response.status_code, started)
        return response
    finally:
        request_id_ctx.reset(token)


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}


@app.get("/api/items/{n}")
async def item(n: int):
    await asyncio.sleep(10 * n / 1000)
    return {"id": n, "name": f"item {n}"}


@app.get("/api/slow/{n}")
async def slow(n: int):
    await asyncio.sleep(0.3)
    return {"id": n, "slow": True}


@app.get("/api/fail/{n}")
async def fail(n: int):
    if n == 2:
        try:
            charge_card(n)
        except ConnectionError as exc:
            raise PaymentError("card declined") from exc
    raise PaymentError("card declined")
