#!/usr/bin/env bash
# Regenerates testdata/ with real software: nginx (Debian package) in front of a Python
# service (python-json-logger), a Node service (pino, pino-http) and a structlog job, driven
# through a scripted incident by client.py, which then writes testdata/manifest.json.
#
#   bash testdata/generate/run.sh
#
# Installs what is missing (nginx and tzdata with apt-get, which needs root; the pinned Python
# packages with pip; the locked npm packages into generate/node/node_modules, git-ignored).
# Everything listens on 127.0.0.1 only: nginx 18080, app.py 18001, node/app.js 18002, and
# 18009 where nothing listens. nginx runs in the foreground from a private prefix in /tmp,
# never from the system config. All processes run with TZ=Asia/Kolkata. Takes about 2 minutes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/.." && pwd)
export PATH="$PATH:/usr/sbin:/sbin"
export PYTHONDONTWRITEBYTECODE=1
python=${PYTHON:-python3}

# --- what it needs -----------------------------------------------------------------------------
apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v nginx >/dev/null || apt_install nginx
[ -e /usr/share/zoneinfo/Asia/Kolkata ] || apt_install tzdata
[ "$(TZ=Asia/Kolkata date +%z)" = "+0530" ] || { echo "TZ=Asia/Kolkata does not resolve" >&2; exit 1; }
if ! "$python" - "$here/requirements.txt" <<'PY'
import importlib.metadata, sys
for line in open(sys.argv[1]):
    name, want = line.strip().split("==")
    try:
        assert importlib.metadata.version(name) == want
    except Exception:
        sys.exit(1)
PY
then
  "$python" -m pip install -q -r "$here/requirements.txt"
fi
if [ ! -d "$here/node/node_modules/pino-http" ] || [ "$here/node/package-lock.json" -nt "$here/node/node_modules/.package-lock.json" ]; then
  (cd "$here/node" && npm ci --no-audit --no-fund --loglevel=error)
fi

for port in 18080 18001 18002 18009; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port 127.0.0.1:$port is already in use" >&2
    exit 1
  fi
done

# --- run ---------------------------------------------------------------------------------------
run=$(mktemp -d /tmp/logtriage-testdata.XXXXXX)
app_pid= node_pid= nginx_pid=
cleanup() {
  for p in $app_pid $node_pid; do kill -9 "$p" 2>/dev/null || true; done
  if [ -n "$nginx_pid" ]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

# Naive timestamps (nginx's error log, Python's asctime) are written in a non-UTC zone.
export TZ=Asia/Kolkata
mkdir -p "$run/www/static" "$run/logs"
"$python" "$here/app.py" 18001 > "$run/logs/app.log" 2> "$run/app.stderr" & app_pid=$!
node "$here/node/app.js" 18002 > "$run/logs/node-app.log" 2> "$run/node.stderr" & node_pid=$!
sed -e "s|__RUN__|$run|g" -e "s|__LOGS__|$run/logs|g" "$here/nginx.conf" > "$run/nginx.conf"
[ "$(id -u)" = 0 ] || sed -i '/^user /d' "$run/nginx.conf"
nginx -p "$run" -c "$run/nginx.conf" -g 'daemon off;' 2> "$run/nginx.stderr" & nginx_pid=$!
for port in 18001 18002 18080; do
  for i in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    [ "$i" = 100 ] && { echo "nothing listens on $port; see $run/*.stderr" >&2; exit 1; }
    sleep 0.1
  done
done

"$python" "$here/client.py" run "$run"

# Give nginx a moment (nothing is pending: every hung request has already timed out), stop
# it gracefully, then end the services: app.py with SIGKILL, as a crash would, so its hung
# handlers never log an end; the Node service with SIGTERM.
sleep 1
kill -QUIT "$nginx_pid"; wait "$nginx_pid" || true; nginx_pid=
kill -9 "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=
kill -TERM "$node_pid"; wait "$node_pid" 2>/dev/null || true; node_pid=
for f in app.stderr node.stderr nginx.stderr; do
  if [ -s "$run/$f" ]; then echo "--- $f" >&2; cat "$run/$f" >&2; fi
done

for f in app.log node-app.log worker.log nginx-access.log nginx-access.json.log nginx-error.log; do
  cp "$run/logs/$f" "$out/$f"
done
"$python" "$here/client.py" manifest "$run" "$out"
rm -rf "$run"
