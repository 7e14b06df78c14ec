#!/usr/bin/env bash
# Regenerates testdata/stack/nginx/ with real software: nginx (Debian package, 1.22) writing
# the same requests to seven access logs at once (seven log_formats in one server) and its
# error log at `warn`, in front of app.py (Python stdlib http.server answering the standard
# load), two dead ports (retries) and php-fpm (Debian package) running report.php (FastCGI
# stderr). client.py sends the load, then writes testdata/stack/nginx/manifest.json from what
# it sent, after checking that against the logs.
#
#   bash testdata/generate/stack/nginx/run.sh
#
# Installs what is missing with apt-get (needs root): nginx, php8.2-fpm. Everything listens on
# 127.0.0.1 only: nginx 18250, app.py 18251, php-fpm 18254; nothing on 18252 and 18253. nginx
# and php-fpm run in the foreground from a private directory in /tmp, never from the system
# config. All processes run with TZ=UTC. Takes about 15 seconds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
testdata=$(cd "$here/../../.." && pwd)
out="$testdata/stack/nginx"
export PATH="$PATH:/usr/sbin:/sbin"
export PYTHONDONTWRITEBYTECODE=1
export TZ=UTC
python=${PYTHON:-python3}

# --- what it needs -----------------------------------------------------------------------------
apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
command -v nginx >/dev/null || apt_install nginx
command -v php-fpm8.2 >/dev/null || apt_install php8.2-fpm
export PHP_FPM
PHP_FPM=$(command -v php-fpm8.2)

for port in 18250 18251 18252 18253 18254; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port 127.0.0.1:$port is already in use" >&2
    exit 1
  fi
done

# --- run ---------------------------------------------------------------------------------------
run=$(mktemp -d /tmp/logtriage-stack-nginx.XXXXXX)
app_pid= fpm_pid= nginx_pid=
cleanup() {
  if [ -n "$nginx_pid" ]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; fi
  if [ -n "$fpm_pid" ]; then kill -QUIT "$fpm_pid" 2>/dev/null || true; fi
  if [ -n "$app_pid" ]; then kill -TERM "$app_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
mkdir -p "$run/logs" "$run/www"
cp "$here/report.php" "$run/www/report.php"
sed -e "s|__RUN__|$run|g" -e "s|__LOGS__|$run/logs|g" "$here/nginx.conf" > "$run/nginx.conf"
sed -e "s|__RUN__|$run|g" "$here/php-fpm.conf" > "$run/php-fpm.conf"
[ "$(id -u)" = 0 ] || sed -i '/^user /d' "$run/nginx.conf"
root_flag=; [ "$(id -u)" = 0 ] && root_flag=-R

"$python" "$here/app.py" 18251 2> "$run/app.log" & app_pid=$!
# shellcheck disable=SC2086
"$PHP_FPM" -F -n $root_flag -p "$run" -y "$run/php-fpm.conf" > "$run/php-fpm.stdout" 2>&1 & fpm_pid=$!
nginx -p "$run" -c "$run/nginx.conf" -g 'daemon off;' 2> "$run/nginx.stderr" & nginx_pid=$!
for port in 18251 18254 18250; do
  for i in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    [ "$i" = 100 ] && { echo "nothing listens on $port; see $run/*.stderr, $run/*.log" >&2; exit 1; }
    sleep 0.1
  done
done

"$python" "$here/client.py" run "$run"

# Nothing is pending; stop nginx gracefully (it writes nothing more at `warn`), then php-fpm
# and app.py.
sleep 0.5
kill -QUIT "$nginx_pid"; wait "$nginx_pid" || true; nginx_pid=
kill -QUIT "$fpm_pid"; wait "$fpm_pid" || true; fpm_pid=
kill -TERM "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=
if [ -s "$run/nginx.stderr" ]; then echo "--- nginx.stderr" >&2; cat "$run/nginx.stderr" >&2; fi

# --- the files ---------------------------------------------------------------------------------
mkdir -p "$out"
for f in vhost.log vhost-port.log xff-first.log xff-last.log ingress.log custom.log custom-msec.log error.log; do
  cp "$run/logs/$f" "$out/$f"
done
"$python" "$here/client.py" manifest "$run" "$out"
rm -rf "$run"
