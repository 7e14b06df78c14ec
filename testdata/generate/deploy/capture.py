"""A small "container runtime shim": runs a program with its stdout and stderr on two pipes,
reads both concurrently and records every line as it arrives, the way a container runtime's
log copier sees it (no container runtime runs here; wrap.py builds the envelopes from this).

  capture.py OUT_DIR [--syslog-socket PATH --syslog-tag TAG] -- PROGRAM ARGS...

Writes, in OUT_DIR:
  capture.jsonl   one JSON object per line, in arrival order:
                  {"seq", "t_ns" (CLOCK_REALTIME ns when the line's newline arrived),
                   "mono_ns" (CLOCK_MONOTONIC ns, same instant), "stream" ("stdout"|"stderr"),
                   "len" (bytes, without the newline), "eol" (false only for a last line
                   without a newline), and "text" (the bytes as UTF-8) or "b64" (when they are
                   not valid UTF-8)}
  raw.log         both streams interleaved in arrival order, line by line, byte for byte (what
                  `PROGRAM >raw.log 2>&1` gives when each line is one write)
  process.json    the program's pid, comm, exe, cmdline, uid, gid, CapEff as /proc showed them

With --syslog-socket, every line is also written, as it arrives, to the stdin of one
`logger -u PATH -t TAG --id=PID` (util-linux), i.e. `PROGRAM 2>&1 | logger ...`.

SIGTERM and SIGINT are passed on to the program; the shim exits after both pipes reach EOF.
"""
import argparse
import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time


def proc_info(pid):
    def read(name):
        with open(f"/proc/{pid}/{name}", "rb") as f:
            return f.read()

    status = dict(l.split(":", 1) for l in read("status").decode().splitlines() if ":" in l)
    return {
        "pid": pid,
        "comm": read("comm").decode().strip(),
        "exe": os.readlink(f"/proc/{pid}/exe"),
        "cmdline": [a.decode() for a in read("cmdline").split(b"\0") if a],
        "uid": int(status["Uid"].split()[0]),
        "gid": int(status["Gid"].split()[0]),
        "cap_effective": status["CapEff"].strip().lstrip("0") or "0",
    }


def main():
    if "--" not in sys.argv:
        raise SystemExit(__doc__)
    cut = sys.argv.index("--")
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--syslog-socket")
    ap.add_argument("--syslog-tag")
    a = ap.parse_args(sys.argv[1:cut])
    cmd = sys.argv[cut + 1:]
    os.makedirs(a.out, exist_ok=True)

    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda s, f: child.send_signal(s))

    logger = None
    if a.syslog_socket:
        # --size: logger's default (1 KiB) would cut every longer line into several messages;
        # allow 64 KiB so that what reaches rsyslog is whole and rsyslog's own limit applies.
        logger = subprocess.Popen(
            ["logger", "-u", a.syslog_socket, "-t", a.syslog_tag, f"--id={child.pid}",
             "--size", "65536", "--socket-errors=on"],
            stdin=subprocess.PIPE)

    capture = open(os.path.join(a.out, "capture.jsonl"), "w")
    raw = open(os.path.join(a.out, "raw.log"), "wb")
    lock = threading.Lock()
    seq = [0]
    info = {}

    def emit(stream, line, eol):
        with lock:
            t_ns, mono_ns = time.time_ns(), time.monotonic_ns()
            if not info:
                info.update(proc_info(child.pid))
            rec = {"seq": seq[0], "t_ns": t_ns, "mono_ns": mono_ns, "stream": stream,
                   "len": len(line), "eol": eol}
            try:
                rec["text"] = line.decode("utf-8")
            except UnicodeDecodeError:
                rec["b64"] = base64.b64encode(line).decode()
            seq[0] += 1
            capture.write(json.dumps(rec, ensure_ascii=False) + "\n")
            capture.flush()
            raw.write(line + (b"\n" if eol else b""))
            raw.flush()
            if logger:
                logger.stdin.write(line + b"\n")
                logger.stdin.flush()

    def pump(stream, pipe):
        fd = pipe.fileno()
        pending = b""
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                emit(stream, line, True)
        if pending:
            emit(stream, pending, False)

    threads = [threading.Thread(target=pump, args=(name, pipe))
               for name, pipe in (("stdout", child.stdout), ("stderr", child.stderr))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rc = child.wait()
    if logger:
        logger.stdin.close()
        logger.wait()
    capture.close()
    raw.close()
    info["exit_code"] = rc
    info["lines"] = seq[0]
    with open(os.path.join(a.out, "process.json"), "w") as f:
        json.dump(info, f, indent=1)
    print(f"capture: {seq[0]} lines from pid {child.pid}, exit code {rc}")


if __name__ == "__main__":
    main()
