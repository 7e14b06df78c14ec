"""Checks the Python stack logs against the loads that were sent and writes manifest.json
and README.md (from README.template.md, example lines copied from the files).

Everything here is plain line counting and string matching against what client.py sent;
any disagreement raises SystemExit, which fails run.sh.
"""
import importlib.metadata
import json
import os
import platform
import re
from collections import Counter

LEVELS = "DEBUG|INFO|WARNING|ERROR|CRITICAL"
HEADERS = {
    # format family -> regex of a record's first line
    "uvicorn": re.compile(rf"^(?P<level>{LEVELS}|TRACE):\s+(?P<msg>.*)$"),
    "python-default": re.compile(
        rf"^\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d,\d{{3}} (?P<level>{LEVELS}) (?P<name>[\w.]+): (?P<msg>.*)$"),
    "python-dash": re.compile(
        rf"^\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d,\d{{3}} - (?P<name>[\w.]+) - (?P<level>{LEVELS}) - (?P<msg>.*)$"),
    "python-flask": re.compile(
        rf"^\[\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d,\d{{3}}\] (?P<level>{LEVELS}) in (?P<module>\w+): (?P<msg>.*)$"),
    "python-basic": re.compile(rf"^(?P<level>{LEVELS}):(?P<name>[\w.]+):(?P<msg>.*)$"),
    "gunicorn": re.compile(
        rf"^\[\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{{4}}\] \[(?P<pid>\d+)\] \[(?P<level>{LEVELS})\] (?P<msg>.*)$"),
    "gunicorn_access": re.compile(
        r'^(?P<h>\S+) (?P<l>\S+) (?P<u>\S+) \[(?P<t>\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] '
        r'"(?P<method>\S+) (?P<path>\S+) (?P<proto>[^"]+)" (?P<status>\d{3}) (?P<b>\S+) '
        r'"(?P<f>[^"]*)" "(?P<a>[^"]*)"(?: (?P<lat>\S+) (?P<rid>\S+))?$'),
}
TEXT_REQUEST = re.compile(
    r"^request (?P<what>finished|failed) request_id=(?P<id>\S+) method=(?P<method>\S+) "
    r"path=(?P<path>\S+) status=(?P<status>\d+) duration_ms=(?P<lat>\d+\.\d)$")
UVICORN_ACCESS = re.compile(r'^127\.0\.0\.1:\d+ - "(?P<method>GET) (?P<path>\S+) HTTP/1\.1" (?P<status>\d{3}) (?P<reason>.+)$')
EXC_LAST = re.compile(r"^(?P<type>[A-Za-z_][\w.]*): (?P<msg>.*)$")
CHAIN = "The above exception was the direct cause of the following exception:"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")

SRC = "testdata/generate/stack/python/"
FILES = {
    "uvicorn-json.log": dict(
        load="uvicorn-json", format="uvicorn+json", parse="uvicorn_json",
        producer=f"uvicorn (default logging) + {SRC}fastapi_app.py APP_LOG=json: JsonFormatter on the root logger, stdout+stderr",
        latency=("duration_ms", "ms"), tracebacks=2, other=0),
    "python-default.log": dict(
        load="python-default", format="python", parse="python-default",
        producer="stdlib logging basicConfig(format='%(asctime)s %(levelname)s %(name)s: %(message)s'), FastAPI under uvicorn (uvicorn's loggers to another file), stdout+stderr",
        latency=("duration_ms", "ms"), tracebacks=2, other=0),
    "python-dash.log": dict(
        load="python-dash", format="python", parse="python-dash",
        producer="stdlib logging basicConfig(format='%(asctime)s - %(name)s - %(levelname)s - %(message)s'), FastAPI under uvicorn (uvicorn's loggers to another file), stdout+stderr",
        latency=("duration_ms", "ms"), tracebacks=2, other=0),
    "python-basic.log": dict(
        load="python-basic", format="python", parse="python-basic",
        producer="stdlib logging basicConfig(level=INFO): '%(levelname)s:%(name)s:%(message)s', FastAPI under uvicorn (uvicorn's loggers to another file), stdout+stderr",
        latency=("duration_ms", "ms"), tracebacks=2, other=0),
    "python-flask.log": dict(
        load="python-flask", format="python", parse="python-flask",
        producer=f"Flask default handler '[%(asctime)s] %(levelname)s in %(module)s: %(message)s', `flask --app flask_app run` (werkzeug's logger to another file), stdout+stderr",
        latency=("duration_ms", "ms"), tracebacks=2, other=2),
    "gunicorn-error.log": dict(
        load="gunicorn-default", format="gunicorn", parse="gunicorn",
        producer="gunicorn --error-logfile (default format), sync workers x2, Flask app logging through gunicorn.error's handlers",
        latency=("duration_ms", "ms"), tracebacks=2, other=0),
    "gunicorn-access.log": dict(
        load="gunicorn-default", format="gunicorn_access", parse="gunicorn_access",
        producer="gunicorn --access-logfile, default --access-logformat",
        latency=None, tracebacks=0, other=0),
    "gunicorn-access-us.log": dict(
        load="gunicorn-us", format="gunicorn_access", parse="gunicorn_access",
        producer="gunicorn --access-logfile, --access-logformat '... %(D)s %({x-request-id}i)s'",
        latency=("%(D)s", "us"), tracebacks=0, other=0),
    "gunicorn-access-ms.log": dict(
        load="gunicorn-ms", format="gunicorn_access", parse="gunicorn_access",
        producer="gunicorn --access-logfile, --access-logformat '... %(M)s %({x-request-id}i)s'",
        latency=("%(M)s", "ms"), tracebacks=0, other=0),
    "gunicorn-access-s.log": dict(
        load="gunicorn-s", format="gunicorn_access", parse="gunicorn_access",
        producer="gunicorn --access-logfile, --access-logformat '... %(L)s %({x-request-id}i)s'",
        latency=("%(L)s", "s"), tracebacks=0, other=0),
    "ecs.log": dict(
        load="ecs", format="json", parse="ecs",
        producer="ecs-logging StdlibFormatter on the app's logger (StreamHandler stdout), FastAPI under uvicorn (uvicorn's loggers to another file), stdout+stderr",
        latency=("event.duration", "ns"), tracebacks=0, other=0),
}
TO_MS = {"ms": 1.0, "us": 1e-3, "s": 1e3, "ns": 1e-6}
# The uvicorn runs whose uvicorn loggers went to another file (kept out of the outputs).
ELSEWHERE = ["python-default", "python-dash", "python-basic", "ecs"]


def fail(msg):
    raise SystemExit(f"manifest: {msg}")


def check(cond, msg):
    if not cond:
        fail(msg)


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    check(text.endswith("\n"), f"{path}: does not end with a newline")
    lines = text.split("\n")[:-1]
    check(len(lines) == text.count("\n"), f"{path}: line count")
    return lines


def classify(lines, parse):
    """Records (first line index, level, msg, parsed, continuation indexes), blanks, others."""
    records, blank, other = [], [], []
    for i, line in enumerate(lines):
        rec = None
        if parse in ("uvicorn_json", "ecs") and line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            if isinstance(obj, dict):
                level = obj.get("level") if parse == "uvicorn_json" else obj.get("log.level", "").upper()
                rec = {"line": i, "kind": "json", "level": level, "obj": obj, "msg": obj.get("msg", obj.get("message"))}
        if rec is None and parse != "ecs":
            rx = HEADERS["uvicorn" if parse == "uvicorn_json" else parse]
            m = rx.match(line)
            if m:
                rec = {"line": i, "kind": "text", "level": m.groupdict().get("level"), "m": m,
                       "msg": m.groupdict().get("msg")}
        if rec is not None:
            rec["cont"] = []
            records.append(rec)
        elif line == "":
            blank.append(i)
            if records:
                records[-1]["cont"].append(i)
        elif records:
            records[-1]["cont"].append(i)
        else:
            other.append(i)
    return records, blank, other


def traceback_of(rec, lines):
    """The traceback under a record, checked: (type as written, chained?, first, last)."""
    block = [lines[i] for i in rec["cont"]]
    check(block[0] == "Traceback (most recent call last):", f"line {rec['line'] + 2}: no traceback start")
    last = EXC_LAST.match(block[-1])
    check(last is not None, f"line {rec['cont'][-1] + 1}: no exception line ends the traceback")
    check(block[-1] != "" and all(l == "" or l.startswith(("  ", "Traceback", CHAIN)) or EXC_LAST.match(l)
                                  for l in block), f"line {rec['line'] + 1}: odd lines in the traceback")
    chained = CHAIN in block
    blanks = sum(1 for l in block if l == "")
    check(blanks == (2 if chained else 0), f"line {rec['line'] + 1}: {blanks} blank lines in the traceback")
    return last.group("type"), chained, rec["cont"][0] + 1, rec["cont"][-1] + 1, blanks


def request_records(records, parse):
    """[(record, {id, method, path, status, lat})] for the records that describe a request."""
    out = []
    for rec in records:
        if parse == "uvicorn_json":
            if rec["kind"] == "json" and rec["msg"] in ("request finished", "request failed"):
                o = rec["obj"]
                out.append((rec, {"id": o["request_id"], "method": o["method"], "path": o["path"],
                                  "status": o["status"], "lat": o["duration_ms"], "what": rec["msg"]}))
        elif parse == "ecs":
            o = rec["obj"]
            if rec["msg"] in ("request finished", "request failed"):
                out.append((rec, {"id": o["http"]["request"]["id"], "method": o["http"]["request"]["method"],
                                  "path": o["url"]["path"], "status": o["http"]["response"]["status_code"],
                                  "lat": o["event"]["duration"], "what": rec["msg"]}))
        elif parse == "gunicorn_access":
            g = rec["m"].groupdict()
            lat = g["lat"]
            out.append((rec, {"id": g["rid"], "method": g["method"], "path": g["path"], "status": int(g["status"]),
                              "lat": (float(lat) if "." in lat else int(lat)) if lat is not None else None,
                              "what": "access"}))
        else:
            m = TEXT_REQUEST.match(rec["msg"])
            if m:
                out.append((rec, {"id": m["id"], "method": m["method"], "path": m["path"], "status": int(m["status"]),
                                  "lat": float(m["lat"]), "what": "request " + m["what"]}))
    return out


def analyse(name, spec, lines, load):
    parse = spec["parse"]
    records, blank, other = classify(lines, parse)
    cont = [i for r in records for i in r["cont"] if lines[i] != ""]
    check(len(lines) == len(records) + len(cont) + len(blank) + len(other), f"{name}: line arithmetic")
    check(len(other) == spec["other"], f"{name}: {len(other)} lines that are no record: {[lines[i] for i in other]}")
    by_id = {e["id"]: e for e in load}
    sent_status = Counter(str(e["status"]) for e in load)

    # One request record per request sent, each with the id, path, method and status sent.
    reqs = request_records(records, parse)
    check(len(reqs) == len(load), f"{name}: {len(reqs)} request records for {len(load)} requests")
    with_id = 0
    if all(r["id"] is not None for _, r in reqs):
        ids = Counter(r["id"] for _, r in reqs)
        check(set(ids) == set(by_id) and max(ids.values()) == 1, f"{name}: the request ids are not the ids sent")
        for _, r in reqs:
            e = by_id[r["id"]]
            check((r["method"], r["path"], r["status"]) == (e["method"], e["path"], e["status"]),
                  f"{name}: {r['id']}: {r} does not match what was sent")
        order = [r["id"] for _, r in reqs] == [e["id"] for e in load]
    else:
        check(all(r["id"] is None for _, r in reqs), f"{name}: some access lines carry an id, some not")
        check(Counter((r["path"], r["status"]) for _, r in reqs) == Counter((e["path"], e["status"]) for e in load),
              f"{name}: paths and statuses are not those sent")
        order = [r["path"] for _, r in reqs] == [e["path"] for e in load]
    # The load is sequential, so one process logs in the order sent. gunicorn's two workers each
    # write their access line after the response is sent: the next request's line, from the other
    # worker, can come first.
    check(order or parse == "gunicorn_access", f"{name}: request records out of the order sent")
    sent_ids = set(by_id)
    for rec in records:
        text = "\n".join(lines[i] for i in [rec["line"]] + rec["cont"])
        if sent_ids & set(UUID.findall(text)):
            with_id += 1
    by_status = Counter(str(r["status"]) for _, r in reqs)
    check(by_status == sent_status, f"{name}: statuses {by_status} != sent {sent_status}")
    health = sum(1 for _, r in reqs if r["path"] == "/healthz")
    check(health == 8, f"{name}: {health} health checks")

    # Latency: the field as written, in its unit; never less than the handler's sleep (5% slack for
    # the event loop's timer) and not much more than the client measured: a server may stop its
    # clock after the client has read the whole response (gunicorn does, on the wall clock), so
    # max_over_client_ms records by how much it exceeded the client's time at most (25 ms allowed).
    latency = None
    if spec["latency"]:
        field, unit = spec["latency"]
        count, over = 0, 0.0
        for rec, r in reqs:
            check(r["lat"] is not None, f"{name}: line {rec['line'] + 1}: no latency")
            count += 1
            e = by_id[r["id"]]
            ms = r["lat"] * TO_MS[unit]
            over = max(over, ms - e["took_ms"])
            check(ms <= e["took_ms"] + 25.0, f"{name}: line {rec['line'] + 1}: {ms} ms > the client's {e['took_ms']} ms")
            check(ms >= 0.95 * e["sleep_ms"] - 0.5 or e["status"] == 500,
                  f"{name}: line {rec['line'] + 1}: {ms} ms < the {e['sleep_ms']} ms slept")
        latency = {"field": field, "unit": unit, "count": count,
                   "max_over_client_ms": round(over, 3)}
    else:
        check(all(r["lat"] is None for _, r in reqs), f"{name}: latency where none was configured")

    # Errors and tracebacks.
    err_records = [r for r in records if (r["level"] or "").upper() in ("ERROR", "CRITICAL")]
    types = Counter()
    tracebacks = []
    fails = [e for e in load if e["kind"] == "fail"]
    with_tb = [r for r in records if r["cont"]]
    check(len(with_tb) == spec["tracebacks"], f"{name}: {len(with_tb)} tracebacks, expected {spec['tracebacks']}")
    for k, rec in enumerate(with_tb):
        check(rec in err_records, f"{name}: line {rec['line'] + 1}: a traceback under a non-error record")
        etype, chained, first, last, blanks = traceback_of(rec, lines)
        types[etype] += 1
        # The k-th traceback is the k-th failing request's; only fail/2's is chained.
        e = fails[k]
        check(chained == (e["path"] == "/api/fail/2"), f"{name}: traceback {k}: chained={chained} for {e['path']}")
        tracebacks.append({"header_line": rec["line"] + 1, "first_line": first, "last_line": last,
                           "request_path": e["path"], "type": etype, "chained": chained,
                           "blank_lines": blanks, "header": lines[rec["line"]][:200]})
    json_exc = []
    for rec in records:
        if rec["kind"] != "json":
            continue
        o = rec["obj"]
        if parse == "uvicorn_json" and "exc_info" in o:
            tb = o["exc_info"].split("\n")
            m = EXC_LAST.match(tb[-1])
            check(tb[0] == "Traceback (most recent call last):" and m, f"{name}: line {rec['line'] + 1}: exc_info")
            types[m["type"]] += 1
            json_exc.append((rec, CHAIN in o["exc_info"]))
        if parse == "ecs" and "error" in o:
            check(set(o["error"]) == {"type", "message", "stack_trace"}, f"{name}: error keys {set(o['error'])}")
            check(o["error"]["message"] == "card declined", f"{name}: error.message")
            check(o["error"]["stack_trace"].startswith("  File "), f"{name}: error.stack_trace")
            types[o["error"]["type"]] += 1
            json_exc.append((rec, CHAIN in o["error"]["stack_trace"]))
    if parse in ("uvicorn_json", "ecs"):
        check(len(json_exc) == 2, f"{name}: {len(json_exc)} JSON records with an exception")
        for (rec, chained), e in zip(json_exc, fails):
            rid = rec["obj"].get("request_id") or rec["obj"]["http"]["request"]["id"]
            check(rid == e["id"], f"{name}: the exception record is not {e['path']}'s")
            # ECS's stack_trace is format_tb() of the last exception only: never the cause.
            check(chained == (parse == "uvicorn_json" and e["path"] == "/api/fail/2"), f"{name}: chain in JSON")
    return {
        "records": records, "reqs": reqs, "blank": blank, "other": other, "cont": cont,
        "entry": {
            "producer": spec["producer"],
            "format": spec["format"],
            "load": spec["load"],
            "lines": len(lines),
            "records": len(records),
            "continuation_lines": len(cont),
            "blank_lines": len(blank),
            "other_lines": len(other),
            "other_samples": [lines[i] for i in other],
            "requests": {"by_status": dict(sorted(by_status.items())), "with_id": with_id, "health": health,
                         "in_sent_order": order},
            "errors": {"count": len(err_records), "types": dict(types)},
            "latency": latency,
            "tracebacks": tracebacks,
        },
    }


def specifics(name, lines, a, load, run_dir):
    """Per-file checks of what the software itself wrote, and the notes."""
    recs = a["records"]
    msgs = [r["msg"] for r in recs]
    fails = [e for e in load if e["kind"] == "fail"]
    notes = []
    if name == "uvicorn-json.log":
        text = [r for r in recs if r["kind"] == "text"]
        access = [UVICORN_ACCESS.match(r["msg"]) for r in text]
        access = [m for m in access if m]
        check(Counter((m["path"], int(m["status"])) for m in access) == Counter((e["path"], e["status"]) for e in load),
              f"{name}: uvicorn's access lines are not the requests sent")
        check(all(r["level"] == "INFO" for r in text if UVICORN_ACCESS.match(r["msg"])), f"{name}: access level")
        exc = [r for r in text if r["msg"] == "Exception in ASGI application"]
        check(len(exc) == 2 and all(r["level"] == "ERROR" and r["cont"] for r in exc), f"{name}: uvicorn's exceptions")
        for want in ("Started server process [", "Waiting for application startup.", "Application startup complete.",
                     "Uvicorn running on http://127.0.0.1:18100 (Press CTRL+C to quit)", "Shutting down",
                     "Waiting for application shutdown.", "Application shutdown complete.", "Finished server process ["):
            check(any(r["kind"] == "text" and r["msg"].startswith(want) for r in recs), f"{name}: no {want!r}")
        jsons = [r for r in recs if r["kind"] == "json"]
        check(len(jsons) == 36, f"{name}: {len(jsons)} JSON lines")
        lifecycle = len(text) - len(access) - len(exc)
        a["entry"]["requests"]["uvicorn_access_lines"] = {
            "count": len(access), "by_status": dict(sorted(Counter(m["status"] for m in access).items()))}
        notes.append(
            f"{len(recs)} records: {len(jsons)} JSON lines of the app (one per request: 'request finished', or "
            f"'request failed' at ERROR with the traceback inside exc_info as one JSON string), {len(access)} uvicorn access "
            f"lines (INFO, no request id, no latency; requests.by_status/with_id/health count the JSON lines, "
            f"requests.uvicorn_access_lines the access lines), 2 uvicorn 'ERROR:    Exception in ASGI application' "
            f"records each followed by its multi-line traceback (the continuation lines), {lifecycle} uvicorn start-up/"
            f"shutdown lines. For a failure the order is: the app's JSON 'request failed', uvicorn's access line "
            f"(500 Internal Server Error), then 'Exception in ASGI application' + traceback. The JSON lines carry no "
            f"timestamp, uvicorn's none either. errors.types counts both the JSON exc_info and uvicorn's tracebacks.")
    elif name in ("python-default.log", "python-dash.log", "python-basic.log"):
        failed = [r for r in recs if r["msg"].startswith("request failed")]
        check(len(failed) == 2 and all(r["level"] == "ERROR" and r["cont"] for r in failed), f"{name}: request failed")
        check(all(r["m"]["name"] == "shop.api" for r in recs), f"{name}: logger names")
        notes.append(
            "Only the app's records (logger shop.api): 34 'request finished' (INFO) and 2 'request failed' (ERROR, "
            "logger.exception: the traceback follows on the next lines); key=value pairs inside the message. "
            "uvicorn's own loggers went to another file through --log-config (not kept).")
    elif name == "python-flask.log":
        exc = [r for r in recs if r["msg"].startswith("Exception on ")]
        check([r["msg"] for r in exc] == [f"Exception on {e['path']} [GET]" for e in fails], f"{name}: Flask's exceptions")
        check(all(r["level"] == "ERROR" and r["m"]["module"] == "app" and r["cont"] for r in exc), f"{name}: module")
        check(all(r["m"]["module"] == "flask_app" for r in recs if r not in exc), f"{name}: app module")
        check([lines[i] for i in a["other"]] == [" * Serving Flask app 'flask_app'", " * Debug mode: off"],
              f"{name}: the flask CLI's banner")
        notes.append(
            "Flask handles the exception itself: 'ERROR in app: Exception on /api/fail/N [GET]' (%(module)s is 'app', "
            "Flask's own flask/app.py) + traceback; the id is not on that line, but after_request still runs and "
            "logs 'request finished ... status=500' (INFO) right after it. So 36 'request finished' lines, 2 of "
            "them 500, none 'request failed'. The two other lines are the flask CLI's banner on stdout; werkzeug's "
            "start-up and request lines went to another file (not kept).")
    elif name == "gunicorn-error.log":
        eh = [r for r in recs if r["msg"].startswith("Error handling request")]
        check([r["msg"] for r in eh] == [f"Error handling request GET {e['path']}" for e in fails], f"{name}: {[r['msg'] for r in eh]}")
        failed = [r for r in recs if r["msg"].startswith("request failed")]
        check(len(failed) == 2 and all(not r["cont"] for r in failed), f"{name}: request failed")
        check(all(recs[recs.index(f) + 1] is h for f, h in zip(failed, eh)), f"{name}: order of the failure lines")
        for want in ("Starting gunicorn 27.0.1", "Listening at: http://127.0.0.1:18110 (", "Using worker: sync",
                     "Booting worker with pid: ", "Control socket listening at ", "Handling signal: term",
                     "Worker exiting (pid: ", "Shutting down: Master"):
            check(any(r["msg"].startswith(want) for r in recs), f"{name}: no {want!r}")
        pids = Counter(r["m"]["pid"] for r in recs)
        check(len(pids) == 3, f"{name}: pids {pids}")
        notes.append(
            "gunicorn's own records (master and 2 sync workers: [pid] differs) plus the Flask app's, which logs "
            "through gunicorn.error's handlers (app.logger.handlers = gunicorn.error's), so in gunicorn's format; "
            "FLASK_PROPAGATE_EXCEPTIONS=true lets the exception reach gunicorn. A failure is two ERROR records: "
            "the app's 'request failed request_id=...' (teardown_request, no traceback), then gunicorn's "
            "'Error handling request GET /api/fail/N' (gunicorn 27 writes the method before the path) + traceback. "
            "Timestamps are whole seconds with the offset: [2026-12-01 10:00:03 +0000].")
    elif name.startswith("gunicorn-access"):
        reqs = a["reqs"]
        for rec, r in reqs:
            g = rec["m"].groupdict()
            if r["status"] == 500:
                check(g["a"] == "-" and g["b"] == "0", f"{name}: the 500 line's user agent / bytes")
            else:
                check(g["a"] == "logtriage-load/1 (python http.client)", f"{name}: user agent")
        notes.append(
            "One line per request, Apache combined style with gunicorn's [%d/%b/%Y:%H:%M:%S %z] time. The two 500 "
            "lines are written by gunicorn's handle_error, not the normal path: their user agent is \"-\" (it "
            "rebuilds the environ without the request headers), bytes 0, and the latency is only handle_error's "
            "own time (about 1 ms), not the request's; the request id (a request header) is still there. "
            "Two sync workers write this file, each after its response is sent, so two consecutive requests' lines "
            "can swap (requests.in_sent_order says whether they did in this run).")
        if name == "gunicorn-access.log":
            notes.append("The default format carries neither the request id nor a latency.")
        elif name.endswith("-us.log"):
            notes.append("%(D)s: integer microseconds.")
        elif name.endswith("-ms.log"):
            notes.append("%(M)s: integer milliseconds, truncated (seconds*1000 + int(microseconds/1000)).")
        else:
            notes.append("%(L)s: decimal seconds, always 6 decimals ('%d.%06d').")
    elif name == "ecs.log":
        for rec in recs:
            o = rec["obj"]
            check(o["ecs.version"] and o["log"]["logger"] == "shop.api" and isinstance(o["event"]["duration"], int),
                  f"{name}: line {rec['line'] + 1}")
        check(list(recs[0]["obj"])[:4] == ["@timestamp", "log.level", "message", "ecs.version"], f"{name}: key order")
        notes.append(
            "One JSON object per line. ecs-logging writes '@timestamp' (UTC, ms, 'Z'), 'log.level' (lower case), "
            "'message' and 'ecs.version' as dotted top-level keys first, then everything else NESTED and sorted: "
            "the extra keys http.request.id -> {\"http\":{\"request\":{\"id\",\"method\"},\"response\":{\"status_code\"}}}, "
            "url.path -> {\"url\":{\"path\"}}, event.duration -> {\"event\":{\"duration\"}} (int nanoseconds); "
            "also log.logger/log.origin/log.original and process.* nested. Failures carry "
            "{\"error\":{\"type\":\"PaymentError\" (class name only, no module),\"message\":\"card declined\","
            "\"stack_trace\":...}}: stack_trace is traceback.format_tb() of the last exception only, so no "
            "'Traceback' line, no exception line and no chained cause (fail/2's ConnectionError is not in the file).")
    return " ".join(notes)


def check_elsewhere(run_dir):
    """uvicorn's own loggers of the text/ECS runs really went elsewhere (and saw the failures)."""
    for run in ELSEWHERE:
        path = os.path.join(run_dir, f"{run}-uvicorn.log")
        lines = read_lines(path)
        check(sum(l == "ERROR:    Exception in ASGI application" for l in lines) == 2, f"{path}: exceptions")
        check(sum(bool(re.match(r'^INFO:     127\.0\.0\.1:\d+ - "GET ', l)) for l in lines) == 36, f"{path}: access")


def readme(template, out_dir):
    def example(m):
        name, pattern = m.group(1), m.group(2)
        for line in read_lines(os.path.join(out_dir, name)):
            if re.search(pattern, line):
                return line.replace("|", "\\|") if m.group(0).startswith("{{cell") else line
        fail(f"README: no line of {name} matches {pattern!r}")
    text = open(template).read()
    text = re.sub(r"\{\{(?:cell|line):([^:]+):(.+?)\}\}", example, text)
    with open(os.path.join(out_dir, "README.md"), "w") as f:
        f.write(text)


def main(run_dir, out_dir):
    here = os.path.dirname(os.path.abspath(__file__))
    loads = {}
    for run in sorted({s["load"] for s in FILES.values()}):
        with open(os.path.join(run_dir, f"load-{run}.json")) as f:
            loads[run] = json.load(f)
        check(len(loads[run]) == 36, f"{run}: {len(loads[run])} requests")
    software = {"python": platform.python_version()}
    for line in open(os.path.join(here, "requirements.txt")):
        pkg, want = line.strip().split("==")
        have = importlib.metadata.version(pkg)
        check(have == want, f"{pkg} {have} is installed, {want} pinned")
        software[pkg.lower()] = have
    files = {}
    for name, spec in FILES.items():
        lines = read_lines(os.path.join(out_dir, name))
        check(os.path.getsize(os.path.join(out_dir, name)) < 100_000, f"{name}: too big")
        a = analyse(name, spec, lines, loads[spec["load"]])
        a["entry"]["notes"] = specifics(name, lines, a, loads[spec["load"]], run_dir)
        files[name] = a["entry"]
    check_elsewhere(run_dir)
    manifest = {
        "schema_version": 1,
        "generated_by": "bash testdata/generate/stack/python/run.sh",
        "timezone": "UTC",
        "software": software,
        "load_order": "GET /healthz first, then /api/items/1..20, /api/slow/1..4, /api/fail/1..2, "
                      "/api/missing/1..2 with one GET /healthz after every 4th of those 28 (8 health checks)",
        "chained_exception": {
            "request": "/api/fail/2",
            "raised": "raise PaymentError('card declined') from exc, exc = ConnectionError('payment gateway unreachable (attempt 2)')",
            "where": "the second traceback of every file with tracebacks (uvicorn-json.log: also the second JSON "
                     "exc_info; ecs.log: not visible, see its notes): files.<f>.tracebacks[] with chained=true gives "
                     "the line numbers; it holds 2 blank lines around 'The above exception was the direct cause of "
                     "the following exception:'",
        },
        "loads": loads,
        "files": files,
    }
    # Indented, but one line per load entry (360 of them).
    text = json.dumps({**manifest, "loads": "@LOADS@"}, indent=2)
    loads_text = "{\n" + ",\n".join(
        f'    {json.dumps(run)}: [\n' + ",\n".join("      " + json.dumps(e) for e in entries) + "\n    ]"
        for run, entries in loads.items()) + "\n  }"
    text = text.replace('"@LOADS@"', loads_text)
    check(json.loads(text) == manifest, "manifest formatting")
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        f.write(text + "\n")
    readme(os.path.join(here, "README.template.md"), out_dir)
    for name, e in files.items():
        print(f"{name}: {e['lines']} lines = {e['records']} records + {e['continuation_lines']} continuation "
              f"+ {e['blank_lines']} blank + {e['other_lines']} other; {e['requests']['by_status']}")
