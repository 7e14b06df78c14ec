#!/usr/bin/env bash
# Regenerates testdata/stack/node/ with real software: an Express app (app.js) logging through
# winston (JSON to a file and to the console) and through six morgan middlewares (the presets
# combined, common, dev, short, tiny and one custom format), each to its own file, driven by
# client.py through the standard load of the stack (36 sequential requests), which then checks
# the logs against what it sent and writes manifest.json and README.md.
#
#   bash testdata/generate/stack/node/run.sh
#
# Installs the locked npm packages (npm ci) into generate/stack/node/node_modules (git-ignored)
# when they are missing or older than package-lock.json. The app listens on 127.0.0.1:18150
# only, from a private directory made with mktemp -d, TZ=UTC. Takes about 5 seconds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
testdata=$(cd "$here/../../.." && pwd)
out="$testdata/stack/node"
port=18150
export PYTHONDONTWRITEBYTECODE=1
export TZ=UTC
# morgan's dev format drops its colours when NO_COLOR is set and not empty; keep them.
unset NO_COLOR
python=${PYTHON:-python3}

# --- what it needs -----------------------------------------------------------------------------
command -v node >/dev/null || { echo "node is not installed" >&2; exit 1; }
if [ ! -f "$here/node_modules/.package-lock.json" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "port 127.0.0.1:$port is already in use" >&2
  exit 1
fi

# --- run ---------------------------------------------------------------------------------------
run=$(mktemp -d /tmp/logtriage-stack-node.XXXXXX)
app_pid=
cleanup() {
  if [ -n "$app_pid" ]; then kill -KILL "$app_pid" 2>/dev/null || true; fi
  rm -rf "$run"
}
trap cleanup EXIT
mkdir -p "$run/logs"
echo "$port" > "$run/port"
# stdout and stderr in one file, as Docker or systemd would capture the process.
(cd "$run" && exec node "$here/app.js" "$port" "$run/logs") > "$run/logs/node-console.log" 2>&1 & app_pid=$!
for i in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  if [ "$i" = 100 ] || ! kill -0 "$app_pid" 2>/dev/null; then
    echo "nothing listens on $port" >&2; cat "$run/logs/node-console.log" >&2; exit 1
  fi
  sleep 0.1
done

"$python" "$here/client.py" run "$port" "$run"

# Nothing is pending (the client is sequential). SIGTERM: the app closes the server, winston
# and the morgan streams and exits once they are flushed.
kill -TERM "$app_pid"
status=0; wait "$app_pid" || status=$?; app_pid=
[ "$status" = 0 ] || { echo "app.js exited with $status" >&2; cat "$run/logs/node-console.log" >&2; exit 1; }

# --- the files ---------------------------------------------------------------------------------
# Checked and described in a staging folder first: a failed check leaves testdata/ alone.
mkdir -p "$run/out"
for f in winston.log node-console.log morgan-combined.log morgan-common.log morgan-dev.log \
         morgan-short.log morgan-tiny.log morgan-custom.log; do
  cp "$run/logs/$f" "$run/out/$f"
done
"$python" "$here/client.py" manifest "$run" "$run/out" "$here/node_modules"
rm -rf "$out"
mkdir -p "$out"
cp "$run/out/"* "$out/"
echo "wrote $out"
