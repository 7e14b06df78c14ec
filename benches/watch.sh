#!/usr/bin/env bash
# `logtriage watch` on a stream: lines per second from stdin (one core does the parsing) and
# peak RSS after 2 M and after ~20 M lines, from the bench corpus piped through `cat`.
#
# Usage: bash benches/watch.sh     Env: LOGTRIAGE=target/release/logtriage
# Needs the corpora of throughput.sh (1 GiB) and requests.sh (3 GiB); generates them if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
bin=${LOGTRIAGE:-target/release/logtriage}
cargo build --release --quiet
cargo build --release --quiet --example gen_corpus
gen=target/release/examples/gen_corpus
[ -f target/bench-corpus/app.log ] || "$gen" --out target/bench-corpus --size 1GiB --only app >&2
[ -f target/bench-requests/app.log ] || "$gen" --out target/bench-requests --size 3GiB --only app >&2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/logtriage-watch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
head -n 2000000 target/bench-corpus/app.log > "$tmp/2m.log"

run() { # label, then files to cat into watch
  local label=$1 t0 t1 lines
  shift
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$tmp/rss" sh -c "cat $* | $bin watch -f json --tz UTC > $tmp/out"
  t1=$EPOCHREALTIME
  lines=$(tail -n 1 "$tmp/out" | grep -o '"totals":{"lines":[0-9]*' | grep -o '[0-9]*$')
  awk -v l="$label" -v n="$lines" -v a="$t0" -v b="$t1" -v r="$(cat "$tmp/rss")" \
    'BEGIN { d = b - a; printf "%-10s %10d lines %7.2f s %9.0f lines/s   peak RSS %5d MiB\n", l, n, d, n / d, r / 1024 }'
}
run "2M" "$tmp/2m.log"
run "~20M" target/bench-requests/app.log target/bench-corpus/app.log "$tmp/2m.log"
