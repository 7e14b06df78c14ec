#!/usr/bin/env bash
# Regenerates testdata/stack/python/ with real software: a FastAPI app under uvicorn (its
# default logging plus the app's JSON lines; stdlib logging text in three layouts; ECS JSON
# through ecs-logging), a Flask app under `flask run` (Flask's default handler) and under
# gunicorn (sync workers; error log and four access-log formats). client.py sends the same
# 36-request load to each run; manifest.py then checks the logs against what was sent and
# writes manifest.json and README.md.
#
#   bash testdata/generate/stack/python/run.sh
#
# Installs the pinned packages (requirements.txt) into a fresh venv in the private run
# directory (mktemp -d), so nothing of the system's Python is touched. Everything listens on
# 127.0.0.1 only, ports 18100-18105 and 18110-18113, runs with TZ=UTC and PYTHONUNBUFFERED=1
# (as a Dockerfile would set it), and takes about a minute.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/../../.." && pwd)/stack/python
python=${PYTHON:-python3}
export TZ=UTC PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1

ports="18100 18101 18102 18103 18104 18105 18110 18111 18112 18113"
for port in $ports; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port 127.0.0.1:$port is already in use" >&2
    exit 1
  fi
done

run=$(mktemp -d /tmp/logtriage-stack-python.XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

# --- what it needs -----------------------------------------------------------------------------
"$python" -m venv "$run/venv"
venv="$run/venv/bin"
"$venv/python" -m pip install -q -r "$here/requirements.txt"
"$venv/python" -m pip check >/dev/null

# --- the runs ------------------------------------------------------------------------------------
mkdir -p "$run/out"
wait_for() {
  for i in $(seq 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "the server for port $1 died; see $run" >&2; exit 1; }
    sleep 0.1
  done
  echo "nothing listens on $1; see $run" >&2
  exit 1
}
load() {  # load RUN PORT: the standard load, then stop the server with SIGTERM
  wait_for "$2"
  "$venv/python" "$here/client.py" load "$2" "$run/load-$1.json"
  sleep 0.5
  kill -TERM "$pid"; wait "$pid" || true; pid=
}

# 1. uvicorn with its default logging; the app's JsonFormatter on the root logger.
APP_LOG=json "$venv/uvicorn" --app-dir "$here" fastapi_app:app --host 127.0.0.1 --port 18100 \
  > "$run/out/uvicorn-json.log" 2>&1 & pid=$!
load uvicorn-json 18100

# 2. stdlib text layouts and ECS: uvicorn's own loggers go to another file (--log-config).
port=18101
for mode in default dash basic ecs; do
  case $mode in ecs) name=ecs file=ecs.log ;; *) name=python-$mode file=python-$mode.log ;; esac
  sed "s|__FILE__|$run/$name-uvicorn.log|" "$here/uvicorn-elsewhere.json" > "$run/$name-logconfig.json"
  APP_LOG=$mode "$venv/uvicorn" --app-dir "$here" --log-config "$run/$name-logconfig.json" \
    fastapi_app:app --host 127.0.0.1 --port "$port" > "$run/out/$file" 2>&1 & pid=$!
  load "$name" "$port"
  port=$((port + 1))
done

# 3. Flask's development server through the flask CLI; werkzeug's logger to another file.
(cd "$here" && WERKZEUG_LOG="$run/werkzeug.log" exec "$venv/flask" --app flask_app run \
  --host 127.0.0.1 --port 18105) > "$run/out/python-flask.log" 2>&1 & pid=$!
load python-flask 18105

# 4. gunicorn, sync workers, one run per access-log format; the failure reaches gunicorn.
base='%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'
port=18110
for fmt in default us ms s; do
  case $fmt in
    default) access_format=$base ;;
    us) access_format="$base %(D)s %({x-request-id}i)s" ;;
    ms) access_format="$base %(M)s %({x-request-id}i)s" ;;
    s) access_format="$base %(L)s %({x-request-id}i)s" ;;
  esac
  APP_LOG=gunicorn FLASK_PROPAGATE_EXCEPTIONS=true "$venv/gunicorn" --chdir "$here" \
    --workers 2 --worker-class sync --bind "127.0.0.1:$port" \
    --control-socket "$run/gunicorn-$fmt.ctl" \
    --error-logfile "$run/gunicorn-$fmt-error.log" --access-logfile "$run/gunicorn-$fmt-access.log" \
    --access-logformat "$access_format" flask_app:app > "$run/gunicorn-$fmt.stdio" 2>&1 & pid=$!
  load "gunicorn-$fmt" "$port"
  if [ -s "$run/gunicorn-$fmt.stdio" ]; then echo "--- gunicorn-$fmt stdout/stderr" >&2; cat "$run/gunicorn-$fmt.stdio" >&2; fi
  port=$((port + 1))
done
cp "$run/gunicorn-default-error.log" "$run/out/gunicorn-error.log"
cp "$run/gunicorn-default-access.log" "$run/out/gunicorn-access.log"
for fmt in us ms s; do cp "$run/gunicorn-$fmt-access.log" "$run/out/gunicorn-access-$fmt.log"; done

# --- check, then replace the outputs -------------------------------------------------------------
"$venv/python" "$here/client.py" manifest "$run" "$run/out"
mkdir -p "$out"
rm -f "$out"/*.log "$out/manifest.json" "$out/README.md"
cp "$run/out"/* "$out/"
rm -rf "$run"
