"""The Flask service of the stack testdata: the same routes as fastapi_app.py.

Two ways to run it:
  flask --app flask_app run ...   Flask's default handler (stderr; "[%(asctime)s] %(levelname)s
                                  in %(module)s: %(message)s"), werkzeug's own logger (start-up
                                  and request lines) sent to the file $WERKZEUG_LOG. An
                                  unhandled exception is Flask's: it logs "Exception on ..." and
                                  answers 500, and after_request still logs the request.
  gunicorn flask_app:app          APP_LOG=gunicorn: app.logger uses gunicorn's error-log
                                  handlers (the usual recipe), FLASK_PROPAGATE_EXCEPTIONS=true so
                                  the exception reaches gunicorn, which logs "Error handling
                                  request ..." and answers 500; the app logs "request failed"
                                  (no traceback: gunicorn writes it) from teardown_request.
"""
import logging
import os
import time

from flask import Flask, current_app, g, request


class PaymentError(Exception):
    pass


def charge_card(n):
    raise ConnectionError(f"payment gateway unreachable (attempt {n})")


app = Flask(__name__)
app.config.from_prefixed_env()
if os.environ.get("APP_LOG") == "gunicorn":
    gunicorn_error = logging.getLogger("gunicorn.error")
    app.logger.handlers = gunicorn_error.handlers
    app.logger.setLevel(gunicorn_error.level)
else:
    app.logger.setLevel(logging.INFO)
    if os.environ.get("WERKZEUG_LOG"):
        werkzeug = logging.getLogger("werkzeug")
        werkzeug.addHandler(logging.FileHandler(os.environ["WERKZEUG_LOG"]))
        werkzeug.setLevel(logging.INFO)
        werkzeug.propagate = False


def log_request(status, failed=False):
    duration_ms = (time.perf_counter() - g.started) * 1000
    log = app.logger.error if failed else app.logger.info
    log("%s request_id=%s method=%s path=%s status=%d duration_ms=%.1f",
        "request failed" if failed else "request finished",
        g.request_id, request.method, request.path, status, duration_ms)


@app.before_request
def start_timer():
    g.started = time.perf_counter()
    g.request_id = request.headers.get("X-Request-ID", "-")


@app.after_request
def finished(response):
    log_request(response.status_code)
    return response


@app.teardown_request
def failed(exc):
    # Only when the exception goes on to the WSGI server (gunicorn): then after_request never
    # ran. When Flask handles it, after_request has logged the 500 already.
    if exc is not None and current_app.config["PROPAGATE_EXCEPTIONS"] and "started" in g:
        log_request(500, failed=True)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.get("/api/items/<int:n>")
def item(n):
    time.sleep(10 * n / 1000)
    return {"id": n, "name": f"item {n}"}


@app.get("/api/slow/<int:n>")
def slow(n):
    time.sleep(0.3)
    return {"id": n, "slow": True}


@app.get("/api/fail/<int:n>")
def fail(n):
    if n == 2:
        try:
            charge_card(n)
        except ConnectionError as exc:
            raise PaymentError("card declined") from exc
    raise PaymentError("card declined")
