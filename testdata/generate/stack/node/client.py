"""Load client and manifest writer for testdata/stack/node/ (stdlib only).

    python3 client.py run PORT RUNDIR             send the standard load, write RUNDIR/load.json
    python3 client.py manifest RUNDIR OUTDIR NODE_MODULES
                                                  check the logs in OUTDIR against what was sent,
                                                  write OUTDIR/manifest.json and OUTDIR/README.md

The load (the same for every service of the stack): 28 requests, in this order,
GET /api/items/1..20, /api/slow/1..4, /api/fail/1..2, /api/missing/1..2, and 8 x GET /healthz:
one before the first request and one after every 4th (4, 8, ..., 28). Sequential, one fresh
lowercase uuid4 X-Request-ID per request. Any disagreement between what was sent and what the
logs hold fails the run (exit status 1).
"""
import datetime
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

ERROR_TYPE = "PaymentError"
ERROR_MESSAGE = "card declined"
OWN_PROPS_LINES = ["  code: 'card_declined'", "}"]


def plan():
    """The load, in sending order: (kind, path, expected status, sleep_ms)."""
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
    assert len(out) == 36 and sum(1 for w in out if w[0] == "health") == 8
    return out


def rfc3339(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def run(port, rundir):
    load = []
    for kind, path, want, sleep_ms in plan():
        rid = str(uuid.uuid4())
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-Request-ID": rid})
        sent = time.time()
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                status = resp.status
                resp.read()
        except urllib.error.HTTPError as e:
            status = e.code
            e.read()
        took = (time.perf_counter() - t0) * 1000
        if status != want:
            sys.exit(f"{path}: got {status}, want {want}")
        load.append({"id": rid, "method": "GET", "path": path, "status": status, "sleep_ms": sleep_ms,
                     "kind": kind, "sent_at": rfc3339(sent), "took_ms": round(took, 3)})
    with open(os.path.join(rundir, "load.json"), "w") as f:
        json.dump(load, f, indent=1)


# --- checking ------------------------------------------------------------------------------------
problems = []


def check(cond, msg):
    if not cond:
        problems.append(msg)
    return cond


def read_lines(path):
    data = open(path, "rb").read()
    check(data.endswith(b"\n"), f"{os.path.basename(path)}: does not end with a newline")
    check(len(data) < 100 * 1024, f"{os.path.basename(path)}: {len(data)} bytes, over 100 KB")
    return data.decode("utf-8").split("\n")[:-1], data.count(b"\n")


def by_status(entries):
    out = {}
    for e in entries:
        out[str(e["status"])] = out.get(str(e["status"]), 0) + 1
    return dict(sorted(out.items()))


def plausible_ms(entry, ms, what, slack=1.0):
    """A server-side latency must lie between the planned sleep and what the client measured.
    morgan's :response-time ends when the headers are written, before the client has the
    response: it is below the client's time. winston's durationMs ends at the response's
    'finish' event, which can come after the client has read the whole response, and is made
    of whole Date.now() milliseconds: it gets some slack."""
    check(ms >= entry["sleep_ms"] - 2, f"{what} {entry['path']}: {ms} ms is below the {entry['sleep_ms']} ms sleep")
    check(ms <= entry["took_ms"] + slack, f"{what} {entry['path']}: {ms} ms is above the client's {entry['took_ms']} ms + {slack}")


def check_winston(lines, load, name):
    """winston.log: one JSON object per line, in sending order: finished records, plus one error
    record right before the finished record of each failing request."""
    records = [json.loads(line) for line in lines]
    expected = []
    for e in load:
        if e["kind"] == "fail":
            expected.append(("error", e))
        expected.append(("finished", e))
    if not check(len(records) == len(expected), f"{name}: {len(records)} records, want {len(expected)}"):
        return records
    for rec, (what, e) in zip(records, expected):
        check(rec.get("request_id") == e["id"], f"{name}: record for {e['path']} carries {rec.get('request_id')}, want {e['id']}")
        check(isinstance(rec.get("timestamp"), str) and rec["timestamp"].endswith("Z"), f"{name}: bad timestamp {rec.get('timestamp')}")
        if what == "finished":
            check(rec.get("level") == "info" and rec.get("message") == "request finished", f"{name}: {rec}")
            check((rec.get("method"), rec.get("path"), rec.get("status")) == ("GET", e["path"], e["status"]), f"{name}: {rec} vs {e}")
            check(type(rec.get("durationMs")) is int, f"{name}: durationMs missing or not an integer: {rec}")
            plausible_ms(e, rec.get("durationMs", -1), name, slack=50)
            check(set(rec) == {"durationMs", "level", "message", "method", "path", "request_id", "status", "timestamp"}, f"{name}: keys {sorted(rec)}")
        else:
            check(rec.get("level") == "error" and rec.get("message") == f"request failed {ERROR_MESSAGE}", f"{name}: {rec}")
            check(rec.get("name") == ERROR_TYPE and rec.get("code") == "card_declined", f"{name}: {rec}")
            stack = rec.get("stack", "")
            check(stack.startswith(f"{ERROR_TYPE}: {ERROR_MESSAGE}\n    at chargeCard "), f"{name}: stack {stack[:80]!r}")
            frames = stack.split("\n")[1:]
            check(len(frames) == 10 and all(l.startswith("    at ") for l in frames), f"{name}: want 10 '    at' frames in {stack!r}")
    return records


def check_console(lines, winston_lines, winston_records, port, name):
    """node-console.log: the start-up line, then winston's Console transport (the same JSON lines
    as winston.log, in the same order), and after each error record the multi-line output of
    console.error(err): the stack, then the error's own properties."""
    counts = {"records": 0, "continuation_lines": 0, "blank_lines": 0, "other_lines": 0}
    other, json_lines, stacks = [], [], []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line == "":
            counts["blank_lines"] += 1
        elif line.startswith("{"):
            counts["records"] += 1
            json_lines.append(line)
        elif line == f"{ERROR_TYPE}: {ERROR_MESSAGE}":
            counts["records"] += 1
            j = i + 1
            while j < len(lines) and not lines[j].startswith("{") and lines[j] != f"{ERROR_TYPE}: {ERROR_MESSAGE}":
                j += 1
            cont = lines[i + 1:j]
            counts["continuation_lines"] += len(cont)
            prev = json.loads(json_lines[-1]) if json_lines else {}
            stacks.append((prev, "\n".join(lines[i:j])))
            i = j
            continue
        else:
            counts["other_lines"] += 1
            other.append(line)
        i += 1
    check(other == [f"listening on http://127.0.0.1:{port}"], f"{name}: other lines {other}")
    check(lines[:1] == other[:1], f"{name}: the start-up line is not first")
    check(json_lines == winston_lines, f"{name}: its JSON lines differ from winston.log's")
    errors = [r for r in winston_records if r.get("level") == "error"]
    check(len(stacks) == len(errors), f"{name}: {len(stacks)} stacks, want {len(errors)}")
    for (prev, text), err in zip(stacks, errors):
        check(prev == err, f"{name}: a stack does not follow its winston error record")
        want = err.get("stack", "") + " {\n" + "\n".join(OWN_PROPS_LINES)
        check(text == want, f"{name}: console.error output differs from winston's stack + own properties:\n{text}")
        check(text.count("\n") == 12, f"{name}: a console.error stack of {text.count(chr(10)) + 1} lines, want 13")
    return counts, other, stacks


CLF = r'127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET (?P<path>\S+) HTTP/1\.1" (?P<status>\d{3}) (?P<length>\d+|-)'
UA = r' "-" "Python-urllib/[\d.]+"'
MORGAN = {  # preset: the line as morgan writes it (named groups: path, status, rt, rid, colour)
    "combined": CLF + UA,
    "common": CLF,
    "dev": r'\x1b\[0mGET (?P<path>\S+) \x1b\[(?P<colour>\d+)m(?P<status>\d{3})\x1b\[0m (?P<rt>\d+\.\d{3}) ms - (?P<length>\d+|-)\x1b\[0m',
    "short": r'127\.0\.0\.1 - GET (?P<path>\S+) HTTP/1\.1 (?P<status>\d{3}) (?P<length>\d+|-) - (?P<rt>\d+\.\d{3}) ms',
    "tiny": r'GET (?P<path>\S+) (?P<status>\d{3}) (?P<length>\d+|-) - (?P<rt>\d+\.\d{3}) ms',
    "custom": CLF + UA + r' (?P<rt>\d+\.\d{3}) (?P<rid>[0-9a-f-]{36})',
}


def check_morgan(preset, lines, load, name):
    """One access line per request, in sending order (the client is sequential)."""
    rx = re.compile(MORGAN[preset])
    parsed = []
    check(len(lines) == len(load), f"{name}: {len(lines)} lines, want {len(load)}")
    for line, e in zip(lines, load):
        m = rx.fullmatch(line)
        if not check(m, f"{name}: line does not match the {preset} format: {line!r}"):
            continue
        d = m.groupdict()
        parsed.append(d)
        check(d["path"] == e["path"] and d["status"] == str(e["status"]), f"{name}: {line!r} vs {e['path']} {e['status']}")
        if "colour" in d:
            want = 31 if e["status"] >= 500 else 33 if e["status"] >= 400 else 32
            check(d["colour"] == str(want), f"{name}: colour {d['colour']} for {e['status']}")
        if "rid" in d:
            check(d["rid"] == e["id"], f"{name}: id {d['rid']}, want {e['id']}")
        if "rt" in d:
            plausible_ms(e, float(d["rt"]), name)
    return parsed


def versions(node_modules):
    out = {"node": subprocess.run(["node", "-v"], capture_output=True, text=True, check=True).stdout.strip().lstrip("v")}
    for pkg in ["express", "winston", "morgan", "logform", "winston-transport", "safe-stable-stringify",
                "router", "finalhandler", "on-finished", "on-headers"]:
        with open(os.path.join(node_modules, pkg, "package.json")) as f:
            out[pkg] = json.load(f)["version"]
    out["python (client, urllib)"] = sys.version.split()[0]
    return out


def manifest(rundir, outdir, node_modules):
    load = json.load(open(os.path.join(rundir, "load.json")))
    port = int(open(os.path.join(rundir, "port")).read())
    ids = {e["id"] for e in load}
    check(len(ids) == len(load) == 36, "36 distinct ids were not sent")
    statuses = by_status(load)
    check(statuses == {"200": 32, "404": 2, "500": 2}, f"statuses sent: {statuses}")
    health = sum(1 for e in load if e["kind"] == "health")
    files = {}

    # winston.log
    wl, wn = read_lines(os.path.join(outdir, "winston.log"))
    wrecs = check_winston(wl, load, "winston.log")
    werr = [r for r in wrecs if r.get("level") == "error"]
    files["winston.log"] = {
        "producer": "winston File transport, format.combine(timestamp(), errors({stack: true}), json())",
        "format": "json",
        "lines": wn, "records": len(wl), "continuation_lines": 0, "blank_lines": 0, "other_lines": 0,
        "other_samples": [],
        "requests": {"by_status": by_status([r for r in wrecs if r.get("message") == "request finished"]),
                     "with_id": sum(1 for r in wrecs if r.get("request_id") in ids),
                     "health": sum(1 for r in wrecs if r.get("path") == "/healthz")},
        "errors": {"count": len(werr), "types": {ERROR_TYPE: sum(1 for r in werr if r.get("name") == ERROR_TYPE)}},
        "latency": {"field": "durationMs", "unit": "ms", "count": sum(1 for r in wrecs if "durationMs" in r)},
        "notes": ("One JSON object per line, keys sorted alphabetically by safe-stable-stringify (durationMs, level, "
                  "message, method, path, request_id, status, timestamp; timestamp is last). Per request one "
                  "'request finished' record (level info for every status, 500s included) from winston's profiler "
                  "(logger.startTimer() ... t.done({...})) whose durationMs is an integer of Date.now() ms, timed from "
                  "the app's middleware to the response's 'finish'. Each failure adds, just before its finished record, "
                  "one level 'error' record from logger.child({request_id}).error('request failed', err): winston "
                  "appends the Error's message to the text ('request failed card declined'), copies its own enumerable "
                  "properties (name 'PaymentError', code 'card_declined') and puts the whole V8 stack in 'stack' as one "
                  "JSON string with \\n (header 'PaymentError: card declined', then 10 '    at ' frames: V8's default "
                  "Error.stackTraceLimit). Timestamps are toISOString() UTC with 'Z'. durationMs ends at the "
                  "response's 'finish' event, which can come after the client has read the response: it can be a "
                  "few ms above the client's took_ms."),
    }

    # node-console.log
    cl, cn = read_lines(os.path.join(outdir, "node-console.log"))
    counts, other, stacks = check_console(cl, wl, wrecs, port, "node-console.log")
    files["node-console.log"] = {
        "producer": "the node process's stdout+stderr (> f 2>&1): winston Console transport (same JSON) + console.error(err)",
        "format": "json + stacks",
        "lines": cn, **counts, "other_samples": other,
        "requests": files["winston.log"]["requests"],
        "errors": {"count": len(werr) + len(stacks), "types": {ERROR_TYPE: len(werr) + len(stacks)}},
        "latency": {"field": "durationMs", "unit": "ms", "count": files["winston.log"]["latency"]["count"]},
        "notes": ("Line 1 is the app's console.log start-up line (other_lines). Then exactly the lines of winston.log, in "
                  "the same order (winston's Console transport writes every level to stdout). Right after each winston "
                  "error record comes the stderr output of the error handler's console.error(err), Node's "
                  "util.inspect of the Error: 'PaymentError: card declined', 10 '    at ...' frames, the last of "
                  "which ends in ' {' because Node appends the error's own properties as an object literal, then "
                  "\"  code: 'card_declined'\" and '}' (name is not printed: it already shows in the stack). So a "
                  "stack record here is 13 lines, the header + 12 continuation lines, two of them not '    at' "
                  "lines. The stack header carries no request id, level or timestamp. errors.count = the 2 winston "
                  "level 'error' JSON records + the 2 console.error stack records, which describe the same 2 "
                  "failures."),
    }

    # morgan
    response_times = {}
    notes = {
        "combined": "morgan 'combined' (Apache combined): no latency. :date[clf] in UTC ('+0000' whatever TZ is), :remote-user '-', referrer '-'.",
        "common": "morgan 'common' (Apache common/CLF): no latency, no referrer or user agent.",
        "dev": ("morgan 'dev': ':method :url :status :response-time ms - :res[content-length]' wrapped in ANSI SGR codes, "
                "kept as written: ESC[0m before the method, the status in ESC[32m (2xx), ESC[33m (4xx), ESC[31m (5xx) "
                "then ESC[0m, and ESC[0m at the end of the line. morgan writes them to a file too (it never checks for a "
                "tty); only a non-empty NO_COLOR in the environment turns them off, so run.sh unsets NO_COLOR. No timestamp, no remote address."),
        "short": "morgan 'short': ':remote-addr :remote-user :method :url HTTP/:http-version :status :res[content-length] - :response-time ms'; latency is the last field, followed by ' ms'. No timestamp.",
        "tiny": "morgan 'tiny': ':method :url :status :res[content-length] - :response-time ms'; latency last, followed by ' ms'. No timestamp, no remote address.",
        "custom": ("morgan custom format: combined + ' :response-time :req[x-request-id]': the latency is the second-last "
                   "field, a bare number of ms (no unit), followed by the request id (the X-Request-ID header)."),
    }
    for preset in MORGAN:
        fname = f"morgan-{preset}.log"
        ml, mn = read_lines(os.path.join(outdir, fname))
        parsed = check_morgan(preset, ml, load, fname)
        has_rt = "(?P<rt>" in MORGAN[preset]
        if has_rt:
            response_times[preset] = [d["rt"] for d in parsed]
        files[fname] = {
            "producer": "morgan(%s, {stream: fs.createWriteStream(file, {flags: 'a'})})"
                        % (f"'{preset}'" if preset != "custom" else "<custom format string>"),
            "format": "morgan",
            "lines": mn, "records": len(parsed), "continuation_lines": 0, "blank_lines": 0, "other_lines": 0,
            "other_samples": [],
            "requests": {"by_status": by_status([{"status": d["status"]} for d in parsed]),
                         "with_id": sum(1 for d in parsed if d.get("rid") in ids),
                         "health": sum(1 for d in parsed if d["path"] == "/healthz")},
            "errors": {"count": 0, "types": {}},
            "latency": {"field": ":response-time", "unit": "ms", "count": len(parsed)} if has_rt else None,
            "notes": notes[preset] + " The 500s and 404s are ordinary access lines: morgan has no level and logs no error.",
        }
    series = list(response_times.values())
    same_rt = all(s == series[0] for s in series)
    shared = ("All four files with :response-time carry identical values line by line: every morgan middleware of one app "
              "stores its start in the same req._startAt / res._startAt, so the last-mounted one's start (and the last "
              "headers hook) wins; :response-time is request start to headers written, 3 decimals.")
    for preset in response_times:
        if same_rt:
            files[f"morgan-{preset}.log"]["notes"] += " " + shared

    for name, f in files.items():
        total = f["records"] + f["continuation_lines"] + f["blank_lines"] + f["other_lines"]
        check(f["lines"] == total, f"{name}: lines {f['lines']} != records + continuation + blank + other = {total}")
        if f["format"] != "morgan" or name == "morgan-custom.log":
            check(f["requests"]["with_id"] == (38 if f["format"] != "morgan" else 36), f"{name}: with_id {f['requests']['with_id']}")
        check(f["requests"]["by_status"] == statuses, f"{name}: by_status {f['requests']['by_status']} != sent {statuses}")
        check(f["requests"]["health"] == health, f"{name}: health {f['requests']['health']} != {health}")

    if problems:
        for p in problems:
            print("MANIFEST CHECK FAILED:", p, file=sys.stderr)
        sys.exit(1)

    out = {
        "schema_version": 1,
        "generated_by": "bash testdata/generate/stack/node/run.sh",
        "timezone": "UTC",
        "software": versions(node_modules),
        "load": load,
        "files": files,
    }
    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    write_readme(outdir, out, wl, cl, stacks)


def example(outdir, fname, pick):
    for line in open(os.path.join(outdir, fname), encoding="utf-8").read().split("\n"):
        if pick(line):
            return line
    raise SystemExit(f"no example line in {fname}")


def write_readme(outdir, m, wl, cl, stacks):
    tpl = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "README.template.md")).read()
    fail_id = next(e["id"] for e in m["load"] if e["kind"] == "fail")
    item_id = next(e["id"] for e in m["load"] if e["path"] == "/api/items/3")
    subs = {
        "WINSTON_FINISHED": example(outdir, "winston.log", lambda l: item_id in l),
        "WINSTON_ERROR": example(outdir, "winston.log", lambda l: fail_id in l and '"level":"error"' in l),
        "CONSOLE_STACK": stacks[0][1],
        "CONSOLE_FIRST": cl[0],
    }
    for preset in MORGAN:
        line = example(outdir, f"morgan-{preset}.log", lambda l: "/api/items/3 " in l)
        subs[f"MORGAN_{preset.upper()}"] = line.replace("\x1b", "\\x1b")
    subs["COUNTS"] = "\n".join(
        f"| `{n}` | {f['lines']} | {f['records']} | {f['continuation_lines']} | {f['other_lines']} | "
        f"{f['errors']['count']} | {('`' + f['latency']['field'] + '` (' + f['latency']['unit'] + ')') if f['latency'] else '-'} |"
        for n, f in m["files"].items())
    subs["VERSIONS"] = ", ".join(f"{k} {v}" for k, v in m["software"].items())
    for k, v in subs.items():
        tpl = tpl.replace("{{" + k + "}}", v)
    assert "{{" not in tpl
    with open(os.path.join(outdir, "README.md"), "w") as f:
        f.write(tpl)


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "manifest":
        manifest(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
