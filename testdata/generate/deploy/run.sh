#!/usr/bin/env bash
# Regenerates testdata/deploy/ with real software: two FastAPI services under uvicorn behind
# nginx (Debian package), one captured by a runtime shim (capture.py) and fed live to rsyslogd
# through logger, its capture then wrapped into Docker, CRI, kubectl and journald envelopes
# (wrap.py; the journal through the real systemd-journal-remote and journalctl). client.py
# drives both runs at once and then writes testdata/deploy/manifest.json from what it sent and
# what was captured, after checking that against the files.
#
#   bash testdata/generate/deploy/run.sh
#
# Installs what is missing (nginx-light, rsyslog, systemd-journal-remote, bsdutils for logger
# and tzdata with apt-get, which needs root; the pinned Python packages with pip). Everything
# listens on 127.0.0.1 only: run 1 "shop" (TZ=America/New_York) nginx 18180 -> uvicorn 18101;
# run 2 "berlin" (TZ=Europe/Berlin) nginx 18280 -> 18201 and 18202. nginx and rsyslogd run in
# the foreground from a private directory in /tmp, never from the system config. Takes about
# a minute.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
testdata=$(cd "$here/../.." && pwd)
out="$testdata/deploy"
export PATH="$PATH:/usr/sbin:/sbin"
export PYTHONDONTWRITEBYTECODE=1
python=${PYTHON:-python3}
journal_remote=/lib/systemd/systemd-journal-remote

# --- what it needs -----------------------------------------------------------------------------
apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v nginx >/dev/null || apt_install nginx-light
command -v rsyslogd >/dev/null || apt_install rsyslog
[ -x "$journal_remote" ] || apt_install systemd-journal-remote
command -v logger >/dev/null || apt_install bsdutils
command -v journalctl >/dev/null || apt_install systemd
for zone in America/New_York Europe/Berlin; do
  [ -e "/usr/share/zoneinfo/$zone" ] || apt_install tzdata
done
[ "$(TZ=Europe/Berlin date -d 2026-12-01T12:00Z +%z)" = "+0100" ] \
  && [ "$(TZ=America/New_York date -d 2026-12-01T12:00Z +%z)" = "-0500" ] \
  || { echo "the time zones do not resolve" >&2; exit 1; }
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
# The uvicorn script itself (not a wrapper such as a pyenv shim), so that the process's comm
# is "uvicorn" as under systemd's ExecStart=.../uvicorn.
uvicorn="$("$python" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/uvicorn"
[ -x "$uvicorn" ] || { echo "no uvicorn script at $uvicorn" >&2; exit 1; }

for port in 18180 18101 18280 18201 18202; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port 127.0.0.1:$port is already in use" >&2
    exit 1
  fi
done

# --- run ---------------------------------------------------------------------------------------
run=$(mktemp -d /tmp/logtriage-deploy.XXXXXX)
rsyslog_pid= shop_pid= shop_nginx_pid= berlin_pid= berlin_nginx_pid=
cleanup() {
  for p in $shop_nginx_pid $berlin_nginx_pid; do kill -QUIT "$p" 2>/dev/null || true; done
  for p in $shop_pid $berlin_pid $rsyslog_pid; do kill -TERM "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
mkdir -p "$run/logs-shop" "$run/logs-berlin" "$run/rsyslog-work" "$run/syslog" "$run/capture" "$run/journal"
for name in shop berlin; do
  sed -e "s|__RUN__|$run|g" -e "s|__LOGS__|$run/logs-$name|g" "$here/nginx-$name.conf" > "$run/nginx-$name.conf"
done
sed -e "s|__RUN__|$run|g" "$here/rsyslog.conf" > "$run/rsyslog.conf"
[ "$(id -u)" = 0 ] || sed -i '/^user /d' "$run/nginx-shop.conf" "$run/nginx-berlin.conf"

wait_for() {  # wait_for PORT|PATH
  for i in $(seq 100); do
    case "$1" in
      /*) [ -S "$1" ] && return 0 ;;
      *) (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0 ;;
    esac
    sleep 0.1
  done
  echo "nothing listens on $1; see $run/*.stderr" >&2
  exit 1
}

# Run 1 "shop": every process in America/New_York.
TZ=America/New_York rsyslogd -n -f "$run/rsyslog.conf" -i "$run/rsyslogd.pid" 2> "$run/rsyslogd.stderr" & rsyslog_pid=$!
wait_for "$run/syslog.sock"
(cd "$here" && TZ=America/New_York exec "$python" "$here/capture.py" "$run/capture" \
    --syslog-socket "$run/syslog.sock" --syslog-tag shop-api -- \
    "$uvicorn" shop:app --host 127.0.0.1 --port 18101) 2> "$run/capture.stderr" & shop_pid=$!
TZ=America/New_York nginx -p "$run" -c "$run/nginx-shop.conf" -g 'daemon off;' 2> "$run/nginx-shop.stderr" & shop_nginx_pid=$!

# Run 2 "berlin": nginx and the app in Europe/Berlin (the second instance is client.py's).
(cd "$here" && TZ=Europe/Berlin exec "$python" -m uvicorn berlin:app --host 127.0.0.1 --port 18201 \
    --no-access-log) > "$run/logs-berlin/app.log" 2> "$run/berlin-app.stderr" & berlin_pid=$!
TZ=Europe/Berlin nginx -p "$run" -c "$run/nginx-berlin.conf" -g 'daemon off;' 2> "$run/nginx-berlin.stderr" & berlin_nginx_pid=$!
for port in 18101 18180 18201 18280; do wait_for "$port"; done

"$python" "$here/client.py" shop "$run" & shop_client=$!
"$python" "$here/client.py" berlin "$run" & berlin_client=$!
status=0
wait "$shop_client" || status=$?
wait "$berlin_client" || status=$?
[ "$status" = 0 ] || { echo "a client failed" >&2; exit 1; }

# Nothing is pending (the last slow request finished well before the end); stop nginx
# gracefully, then the services with SIGTERM (uvicorn logs its shutdown lines), then rsyslogd
# once the shim's logger has sent everything.
sleep 1
kill -QUIT "$shop_nginx_pid" "$berlin_nginx_pid"
wait "$shop_nginx_pid" "$berlin_nginx_pid" || true; shop_nginx_pid= berlin_nginx_pid=
kill -TERM "$shop_pid" "$berlin_pid"
wait "$shop_pid" || { echo "capture.py failed; see $run/capture.stderr" >&2; exit 1; }
wait "$berlin_pid" || true; shop_pid= berlin_pid=
sleep 0.5
kill -TERM "$rsyslog_pid"; wait "$rsyslog_pid" || true; rsyslog_pid=
for f in capture.stderr rsyslogd.stderr nginx-shop.stderr nginx-berlin.stderr; do
  if [ -s "$run/$f" ]; then echo "--- $f" >&2; cat "$run/$f" >&2; fi
done
if [ -s "$run/syslog/rsyslogd-internal.log" ]; then echo "--- rsyslogd's own messages" >&2; cat "$run/syslog/rsyslogd-internal.log" >&2; fi

# --- the files ---------------------------------------------------------------------------------
rm -rf "$out"
mkdir -p "$out/shop" "$out/berlin"
cp "$run/capture/capture.jsonl" "$run/capture/raw.log" "$out/shop/"
cp "$run/logs-shop/nginx-access.log" "$run/logs-shop/nginx-error.log" "$out/shop/"
cp "$run/syslog/syslog" "$run/syslog/syslog-rfc3339.log" "$run/syslog/syslog-5424.log" "$out/shop/"
TZ=America/New_York "$python" "$here/wrap.py" "$run/capture" "$out/shop"
# The journal: the real systemd-journal-remote stores the export stream, the real journalctl
# renders it (in the run's zone).
"$journal_remote" --output="$run/journal/shop-api.journal" --split-mode=none - < "$out/shop/journal.export" 2> "$run/journal-remote.stderr"
for args in "json:-o json" "short:" "short-iso:-o short-iso"; do
  # shellcheck disable=SC2086
  TZ=America/New_York journalctl --no-pager --file "$run/journal/shop-api.journal" ${args#*:} > "$out/shop/journal.${args%%:*}"
done
cp "$run/logs-berlin/app.log" "$run/logs-berlin/tzchange-app.log" "$run/logs-berlin/nginx-access.log" \
   "$run/logs-berlin/nginx-error.log" "$out/berlin/"
"$python" "$here/client.py" manifest "$run" "$out"
rm -rf "$run"
