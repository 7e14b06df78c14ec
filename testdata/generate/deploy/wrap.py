"""Builds the container and host log envelopes of run 1 ("shop") from capture.py's capture.

  wrap.py CAPTURE_DIR OUT_DIR

No container runtime, kubelet or journald runs here: each envelope is written the way the
project's own code writes it (see testdata/README.md, "Deploy envelopes", for the sources):

- Docker json-file (moby daemon/logger/copier.go, jsonfilelog/jsonfilelog.go,
  jsonfilelog/jsonlog/jsonlogbytes.go, time_marshalling.go): one JSON object per message,
  {"log":...,"stream":...,"time":...}; time is time.Now().UTC() in Go's RFC3339Nano (trailing
  zeros of the fraction dropped); a line that does not fit the copier's 16 KiB buffer is
  logged as 16 KiB partial messages whose "log" has no "\\n", the last one ending in "\\n";
  strings escaped by ffjsonWriteJSONBytesAsString (<, >, & as \\u003c \\u003e \\u0026; \\n and
  \\r as such; every other byte below 0x20, tab included, as \\u00XX; invalid UTF-8 as
  \\ufffd; U+2028/U+2029 escaped).
- CRI, containerd (internal/cri/io/logger.go): "<time> <stream> <P|F> <text>", time is
  time.Now() in the runtime's local zone in RFC3339Nano; lines longer than
  max_container_log_line_size (16384) are cut into P parts of exactly 16384 bytes, then F.
- kubectl logs (kubelet pkg/kubelet/kuberuntime/logs/logs.go, kubectl pkg/cmd/logs/logs.go):
  the kubelet joins P parts, prefixes the first part of a line with the CRI timestamp in
  RFC3339NanoFixed (always 9 digits, offset as the CRI file had it) when --timestamps is
  asked; kubectl's --prefix writes "[pod/NAME/CONTAINER] " before every line.
- journald export format (systemd docs/JOURNAL_EXPORT_FORMATS.md): one entry per line, as
  journald's stdout transport stores a service's output; values holding control characters or
  invalid UTF-8 in the binary (length-prefixed) form. run.sh feeds it to the real
  systemd-journal-remote and renders it with the real journalctl.

The timestamps are the capture's arrival times: all parts of one split line carry the time
its newline arrived.
"""
import base64
import calendar
import hashlib
import json
import os
import struct
import sys
import time
import uuid
from pathlib import Path

NAMESPACE = "shop"
POD = "shop-api-7d9f8b6c4-x2x9z"
CONTAINER = "api"
# Stable, realistic-looking identifiers (the same on every run).
POD_UID = str(uuid.UUID(hashlib.sha256(b"logtriage testdata pod shop-api").hexdigest()[:32], version=4))
DOCKER_ID = hashlib.sha256(b"logtriage testdata docker container shop-api").hexdigest()
CRI_ID = hashlib.sha256(b"logtriage testdata containerd container api").hexdigest()
HOST = "web-1"
UNIT = "shop-api.service"
IDENTIFIER = "uvicorn"
BOOT_ID = hashlib.sha256(b"logtriage testdata boot web-1").hexdigest()[:32]
MACHINE_ID = hashlib.sha256(b"logtriage testdata machine web-1").hexdigest()[:32]
STREAM_ID = hashlib.sha256(b"logtriage testdata journal stream shop-api").hexdigest()[:32]
INVOCATION_ID = hashlib.sha256(b"logtriage testdata invocation shop-api").hexdigest()[:32]
# systemd's default for a service's stdout/stderr: SyslogLevel=info, SyslogFacility=daemon
# (exec_context_init: syslog_priority = LOG_DAEMON|LOG_INFO).
PRIORITY = 6
FACILITY = 3

DOCKER_BUF = 16 * 1024          # moby daemon/logger/copier.go bufSize
CRI_MAX_LINE = 16384            # containerd max_container_log_line_size default

DOCKER_PATH = f"var/lib/docker/containers/{DOCKER_ID}/{DOCKER_ID}-json.log"
CRI_POD_PATH = f"var/log/pods/{NAMESPACE}_{POD}_{POD_UID}/{CONTAINER}/0.log"
CRI_LINK_PATH = f"var/log/containers/{POD}_{NAMESPACE}_{CONTAINER}-{CRI_ID}.log"


def load(capture_dir):
    recs = []
    for line in open(Path(capture_dir) / "capture.jsonl", encoding="utf-8"):
        r = json.loads(line)
        r["raw"] = r["text"].encode() if "text" in r else base64.b64decode(r["b64"])
        recs.append(r)
    return recs


# --- time formats ------------------------------------------------------------------------------

def _frac(ns):
    """Go's ".999999999": up to 9 digits, trailing zeros (and a bare dot) dropped."""
    f = f"{ns % 1_000_000_000:09d}".rstrip("0")
    return "." + f if f else ""


def _offset(gmtoff):
    if gmtoff == 0:
        return "Z"
    sign = "+" if gmtoff > 0 else "-"
    m = abs(gmtoff) // 60
    return f"{sign}{m // 60:02d}:{m % 60:02d}"


def rfc3339nano_utc(t_ns):
    tm = time.gmtime(t_ns // 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", tm) + _frac(t_ns) + "Z"


def rfc3339nano_local(t_ns):
    tm = time.localtime(t_ns // 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", tm) + _frac(t_ns) + _offset(tm.tm_gmtoff)


def parse_rfc3339(s):
    """-> (ns since the epoch, the text's offset suffix). Lenient about the fraction's width."""
    date, rest = s[:19], s[19:]
    frac = ""
    if rest.startswith("."):
        i = 1
        while i < len(rest) and rest[i].isdigit():
            i += 1
        frac, rest = rest[1:i], rest[i:]
    if rest == "Z":
        off = 0
    else:
        off = (1 if rest[0] == "+" else -1) * (int(rest[1:3]) * 3600 + int(rest[4:6]) * 60)
    secs = calendar.timegm(time.strptime(date, "%Y-%m-%dT%H:%M:%S")) - off
    return secs * 1_000_000_000 + int((frac + "000000000")[:9]), rest


def rfc3339nano_fixed(ns, suffix):
    """Go's RFC3339NanoFixed ("2006-01-02T15:04:05.000000000Z07:00") in the given offset."""
    off = 0 if suffix == "Z" else (1 if suffix[0] == "+" else -1) * (int(suffix[1:3]) * 3600 + int(suffix[4:6]) * 60)
    tm = time.gmtime(ns // 1_000_000_000 + off)
    return time.strftime("%Y-%m-%dT%H:%M:%S", tm) + f".{ns % 1_000_000_000:09d}" + suffix


# --- Docker json-file --------------------------------------------------------------------------

def docker_escape(s: bytes) -> str:
    """moby's ffjsonWriteJSONBytesAsString, byte for byte."""
    out = ['"']
    i, n = 0, len(s)
    while i < n:
        b = s[i]
        if b < 0x80:
            if 0x20 <= b and b not in b'\\"<>&':
                out.append(chr(b))
            elif b in b'\\"':
                out.append("\\" + chr(b))
            elif b == 0x0A:
                out.append("\\n")
            elif b == 0x0D:
                out.append("\\r")
            else:
                out.append(f"\\u00{b:02x}")
            i += 1
            continue
        # Decode one UTF-8 sequence as Go's utf8.DecodeRune would (invalid: one byte, U+FFFD).
        size = 0
        for k in (4, 3, 2):
            try:
                ch = s[i:i + k].decode("utf-8")
                if len(ch) == 1:
                    size = k
                    break
            except UnicodeDecodeError:
                pass
        if size == 0:
            out.append("\\ufffd")
            i += 1
            continue
        if ch in "\u2028\u2029":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
        i += size
    out.append('"')
    return "".join(out)


def docker_messages(line: bytes):
    """copier.go: messages of one line -> [(bytes, is_partial)]."""
    parts = []
    while len(line) >= DOCKER_BUF:  # the 16 KiB buffer fills before a newline is in it
        parts.append((line[:DOCKER_BUF], True))
        line = line[DOCKER_BUF:]
    parts.append((line, False))
    return parts


def write_docker(recs, out):
    path = out / DOCKER_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    stats = {"records": 0, "fragment_lines": 0}
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in recs:
            t = rfc3339nano_utc(r["t_ns"])
            parts = docker_messages(r["raw"])
            if not r["eol"]:  # no newline before EOF: the copier logs what it has as partial
                parts[-1] = (parts[-1][0], True)
            for data, partial in parts:
                log = data if partial else data + b"\n"
                head = '{"log":' + docker_escape(log) + "," if log else "{"
                f.write(head + '"stream":' + docker_escape(r["stream"].encode()) + ',"time":"' + t + '"}\n')
            stats["records"] += 1
            stats["fragment_lines"] += len(parts) if len(parts) > 1 else 0
    return path


# --- CRI (containerd) --------------------------------------------------------------------------

def cri_parts(line: bytes):
    parts = []
    while len(line) > CRI_MAX_LINE:
        parts.append((line[:CRI_MAX_LINE], "P"))
        line = line[CRI_MAX_LINE:]
    parts.append((line, "F"))
    return parts


def write_cri(recs, out):
    lines = []
    for r in recs:
        t = rfc3339nano_local(r["t_ns"]).encode()
        parts = cri_parts(r["raw"])
        if not r["eol"]:  # containerd: content without a newline at EOF is written as P
            parts[-1] = (parts[-1][0], "P")
        for data, tag in parts:
            lines.append(t + b" " + r["stream"].encode() + b" " + tag.encode() + b" " + data + b"\n")
    data = b"".join(lines)
    for rel in (CRI_POD_PATH, CRI_LINK_PATH):
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return data


# --- kubectl logs ------------------------------------------------------------------------------

def kubelet_read(cri_data: bytes, timestamps: bool) -> bytes:
    """kubelet ReadLogs over a CRI file: P parts lose their newline, the timestamp (if asked)
    goes only before a part that starts a new line."""
    out, is_new_line = [], True
    for l in cri_data.splitlines(keepends=True):
        ts, rest = l.split(b" ", 1)
        stream, rest = rest.split(b" ", 1)
        tag, content = rest.split(b" ", 1)
        partial = tag.split(b":")[0] == b"P"
        if partial and content.endswith(b"\n"):
            content = content[:-1]
        if timestamps and is_new_line:
            ns, suffix = parse_rfc3339(ts.decode())
            content = rfc3339nano_fixed(ns, suffix).encode() + b" " + content
        out.append(content)
        is_new_line = content.endswith(b"\n") if content else True
    return b"".join(out)


def kubectl_prefix(stream: bytes) -> bytes:
    prefix = f"[pod/{POD}/{CONTAINER}] ".encode()
    return b"".join(prefix + l for l in stream.splitlines(keepends=True))


# --- journald export format --------------------------------------------------------------------

def export_field(name, value):
    if isinstance(value, str):
        value = value.encode()
    try:
        value.decode("utf-8")
        text = not any(b < 0x20 or b == 0x7F for b in value)
    except UnicodeDecodeError:
        text = False
    if text:
        return name.encode() + b"=" + value + b"\n"
    return name.encode() + b"\n" + struct.pack("<Q", len(value)) + value + b"\n"


def write_export(recs, proc, path):
    binary = []
    with open(path, "wb") as f:
        for r in recs:
            fields = [
                ("__REALTIME_TIMESTAMP", str(r["t_ns"] // 1000)),
                ("__MONOTONIC_TIMESTAMP", str(r["mono_ns"] // 1000)),
                ("_BOOT_ID", BOOT_ID),
                ("_TRANSPORT", "stdout"),
                ("_STREAM_ID", STREAM_ID),
                ("PRIORITY", str(PRIORITY)),
                ("SYSLOG_FACILITY", str(FACILITY)),
                ("SYSLOG_IDENTIFIER", IDENTIFIER),
                ("MESSAGE", r["raw"]),
                ("_PID", str(proc["pid"])),
                ("_UID", str(proc["uid"])),
                ("_GID", str(proc["gid"])),
                ("_COMM", proc["comm"]),
                ("_EXE", proc["exe"]),
                ("_CMDLINE", " ".join(proc["cmdline"])),
                ("_CAP_EFFECTIVE", proc["cap_effective"]),
                ("_SYSTEMD_CGROUP", f"/system.slice/{UNIT}"),
                ("_SYSTEMD_UNIT", UNIT),
                ("_SYSTEMD_SLICE", "system.slice"),
                ("_SYSTEMD_INVOCATION_ID", INVOCATION_ID),
                ("_MACHINE_ID", MACHINE_ID),
                ("_HOSTNAME", HOST),
            ]
            entry = b"".join(export_field(k, v) for k, v in fields)
            if b"MESSAGE\n" in entry:
                binary.append(r["seq"])
            f.write(entry + b"\n")
    return binary


def main(capture_dir, out):
    capture_dir, out = Path(capture_dir), Path(out)
    recs = load(capture_dir)
    proc = json.loads((capture_dir / "process.json").read_text())
    write_docker(recs, out)
    cri = write_cri(recs, out)
    plain = kubelet_read(cri, timestamps=False)
    stamped = kubelet_read(cri, timestamps=True)
    (out / "kubectl-timestamps.log").write_bytes(stamped)
    (out / "kubectl-prefix.log").write_bytes(kubectl_prefix(plain))
    (out / "kubectl-prefix-timestamps.log").write_bytes(kubectl_prefix(stamped))
    check = plain == b"".join(r["raw"] + (b"\n" if r["eol"] else b"") for r in recs)
    if not check:
        raise SystemExit("wrap: kubelet's reassembled CRI stream differs from the capture")
    binary = write_export(recs, proc, out / "journal.export")
    meta = {
        "namespace": NAMESPACE, "pod": POD, "pod_uid": POD_UID, "container": CONTAINER,
        "docker_container_id": DOCKER_ID, "cri_container_id": CRI_ID, "host": HOST, "unit": UNIT,
        "identifier": IDENTIFIER, "boot_id": BOOT_ID, "machine_id": MACHINE_ID,
        "stream_id": STREAM_ID, "invocation_id": INVOCATION_ID, "priority": PRIORITY,
        "syslog_facility": FACILITY, "pid": proc["pid"], "comm": proc["comm"], "exe": proc["exe"],
        "cmdline": " ".join(proc["cmdline"]), "uid": proc["uid"], "gid": proc["gid"],
        "cap_effective": proc["cap_effective"],
        "docker_path": DOCKER_PATH, "cri_paths": [CRI_POD_PATH, CRI_LINK_PATH],
        "export_binary_message_seqs": binary,
        "runtime_tz": os.environ.get("TZ"),
    }
    (capture_dir / "envelopes.json").write_text(json.dumps(meta, indent=1))
    print(f"wrap: {len(recs)} captured lines -> docker, cri, kubectl, journal export "
          f"({len(binary)} binary MESSAGE)", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
