"""Run 1 "shop": a FastAPI service run by uvicorn with uvicorn's default logging config, so
uvicorn writes its own text lines (start-up, access lines on stdout, `Exception in ASGI
application` with a traceback on stderr). The app itself logs JSON lines WITHOUT a timestamp,
status or latency to stderr, through one handler on the root logger:

  {"level": ..., "msg": ..., "logger": ..., "request_id": ..., ["exc_info": ...]}

  uvicorn shop:app --host 127.0.0.1 --port 18101     (run under capture.py by run.sh)

Routes:
  GET  /api/items/{n}   200 after ~5 ms; item 7 also logs one WARNING whose message holds an
                        ANSI colour escape (json.dumps writes it as \u001b, so the line itself
                        holds no ESC byte)
  GET  /healthz         200
  GET  /readyz          503 on every 4th call (a counter in the process), else 200
  GET  /api/fail/{n}    storage.DatabaseError raised three frames down; the global exception
                        handler logs "unhandled" with exc_info and answers 500, then Starlette
                        re-raises and uvicorn logs "Exception in ASGI application"
  GET  /api/slow/{n}    sleeps 2.5 s, then 200 (nginx gives up after 1 s: 504)
  POST /api/export      logs one message of ~38 KB (over Docker's and CRI's 16 KiB), then 200

At start-up (lifespan) the app prints one plain-text banner to stdout with a raw ANSI colour
escape: the one captured line holding ESC bytes.
"""
import asyncio
import json
import logging
import uuid
from contextlib import asynccontextmanager
from contextvars import ContextVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

import storage

request_id_ctx: ContextVar[str] = ContextVar("request_id")


class JsonFormatter(logging.Formatter):
    def format(self, record):
        payload = {"level": record.levelname, "msg": record.getMessage(), "logger": record.name,
                   "request_id": request_id_ctx.get("-")}
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


_handler = logging.StreamHandler()  # default stream: stderr
_handler.setFormatter(JsonFormatter())
logging.getLogger().addHandler(_handler)
logging.getLogger().setLevel(logging.INFO)
log = logging.getLogger("shop.api")

BANNER = "\x1b[1;32mshop-api ready\x1b[0m (catalogue warmed: 400 items)"
ANSI_ITEM = 7  # item 7 is low on stock


@asynccontextmanager
async def lifespan(app):
    print(BANNER, flush=True)
    yield


app = FastAPI(lifespan=lifespan)
_ready_calls = 0


@app.middleware("http")
async def request_context(request: Request, call_next):
    request_id = request.headers.get("x-request-id") or str(uuid.uuid4())
    request_id_ctx.set(request_id)
    log.info("request started")
    try:
        response = await call_next(request)
    finally:
        log.info("request finished")
    response.headers["X-Request-ID"] = request_id
    return response


@app.exception_handler(Exception)
async def unhandled(request: Request, exc: Exception):
    log.error("unhandled", exc_info=exc)
    return JSONResponse({"error": "internal error"}, status_code=500)


@app.get("/api/items/{n}")
async def item(n: int):
    await asyncio.sleep(0.005)
    if n == ANSI_ITEM:
        log.warning("\x1b[31mstock low\x1b[0m for item %d (Café crème, 2 left)", n)
    return {"id": n, "name": f"item {n}", "stock": 12}


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}


@app.get("/readyz")
async def readyz():
    global _ready_calls
    _ready_calls += 1
    if _ready_calls % 4 == 0:
        return JSONResponse({"status": "not ready", "reason": "warming cache"}, status_code=503)
    return {"status": "ready"}


@app.get("/api/fail/{n}")
async def fail(n: int):
    return storage.load_order(n)


@app.get("/api/slow/{n}")
async def slow(n: int):
    await asyncio.sleep(2.5)
    return {"id": n, "report": "done"}


def export_rows():
    # ~38 KB once JSON-encoded twice (the message, then the log line): over 16 KiB, so Docker
    # and CRI split the line (three fragments), under journald's LineMax (48 KiB). ASCII only,
    # so that no multi-byte character straddles a 16 KiB boundary; `<`, `>` and `&` are there
    # for Docker's escaping.
    return [{"sku": f"SKU-{i:05d}", "qty": i % 17, "price_cents": 199 + 7 * i,
             "filter": "price>=10&stock<5"} for i in range(400)]


@app.post("/api/export")
async def export(request: Request):
    await request.body()
    log.info("export payload %s", json.dumps(export_rows()))
    return {"exported": 400}
