#!/usr/bin/env bash
# Regenerates testdata/ with real software: nginx (Debian package) in front of a Python
# service (python-json-logger), a Node service (pino, pino-http) and a structlog job, driven
# through a scripted incident by client.py. Everything listens on 127.0.0.1 only.
# Needs root for apt-get if nginx is missing. Takes about a minute.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/.." && pwd)
run=$(mktemp -d /tmp/logtriage-testdata.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do kill -9 "$p" 2>/dev/null || true; done
  [ -f "$run/nginx.pid" ] && kill -QUIT "$(cat "$run/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT

command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx-light; }
python3 -c "import pythonjsonlogger, structlog" 2>/dev/null || pip install -q python-json-logger structlog
[ -d "$here/node/node_modules" ] || (cd "$here/node" && npm install --no-audit --no-fund --silent)

# Naive timestamps (nginx's error log, Python's asctime) are written in a non-UTC zone.
export TZ=Asia/Kolkata
mkdir -p "$run/www/static" "$run/logs"
python3 "$here/app.py" 18001 > "$run/logs/app.log" 2> "$run/app.err" & pids+=($!)
node "$here/node/app.js" 18002 > "$run/logs/node-app.log" 2> "$run/node.err" & pids+=($!)
sed -e "s|__RUN__|$run|g" -e "s|__OUT__|$run/logs|g" "$here/nginx.conf" > "$run/nginx.conf"
nginx -p "$run" -c "$run/nginx.conf" -g 'daemon off;' & pids+=($!)
for port in 18001 18002 18080; do
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
done

python3 "$here/client.py" "$run/logs" python3 "$here/worker.py" 5
sleep 1
# Stop nginx gracefully (it waits for nothing: hung upstream requests already timed out),
# then kill the services hard, as a crash would: hung handlers never log an end.
kill -QUIT "$(cat "$run/nginx.pid")"
for _ in $(seq 50); do [ -f "$run/nginx.pid" ] || break; sleep 0.1; done
for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
wait 2>/dev/null || true

for f in app.log node-app.log worker.log nginx-access.log nginx-access.json.log nginx-error.log; do
  cp "$run/logs/$f" "$out/$f"
done
python3 - "$run/logs/scenarios.json" "$out" <<'PY'
import json, sys
scenarios = json.load(open(sys.argv[1]))
out = sys.argv[2]
files = {}
for name in ["app.log", "node-app.log", "worker.log", "nginx-access.log", "nginx-access.json.log", "nginx-error.log"]:
    data = open(f"{out}/{name}", "rb").read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    files[name] = {
        "lines": len(lines),
        "json_lines": sum(1 for l in lines if l.startswith(b"{")),
        "bytes": len(data),
    }
classes = {
    "upstream_timed_out": "upstream timed out",
    "upstream_prematurely_closed": "upstream prematurely closed connection",
    "upstream_connect_refused": "(111: Connection refused)",
    "upstream_reset": "(104: Connection reset by peer)",
    "client_body_too_large": "client intended to send too large body",
    "file_not_found": "(2: No such file or directory)",
}
err = open(f"{out}/nginx-error.log").read().splitlines()
manifest = {
    "generated_by": "testdata/generate/run.sh",
    "timezone": "Asia/Kolkata",
    "app_banner_lines": 1,
    "worker_batches": 5,
    "files": files,
    "nginx_error_lines_by_class_substring": {k: sum(1 for l in err if v in l) for k, v in classes.items()},
    "scenarios": scenarios,
}
json.dump(manifest, open(f"{out}/manifest.json", "w"), indent=1)
print(json.dumps({k: v["lines"] for k, v in files.items()}))
PY
