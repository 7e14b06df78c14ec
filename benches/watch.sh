#!/usr/bin/env bash
# `logtriage watch` on a stream: lines per second from stdin (one core does the parsing) and
# peak RSS after 2 M and after 20 M lines of one time-ordered app log at a steady request rate
# (a 4.5 GiB seeded corpus, `gen_corpus --load steady`, in target/bench-watch, generated once),
# piped through `head -n N`.
#
# Usage: bash benches/watch.sh     Env: LOGTRIAGE=target/release/logtriage
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
bin=${LOGTRIAGE:-target/release/logtriage}
cargo build --release --quiet
cargo build --release --quiet --example gen_corpus
gen=target/release/examples/gen_corpus
corpus=target/bench-watch/app.log
stamp="steady $(cat benches/gen_corpus/*.rs | sha256sum | cut -c1-16)"
if [ ! -f "$corpus" ] || [ "$(cat target/bench-watch/.stamp 2>/dev/null)" != "$stamp" ]; then
  "$gen" --out target/bench-watch --size 4608MiB --only app --load steady >&2
  echo "$stamp" > target/bench-watch/.stamp
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/logtriage-watch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

run() { # label, lines to stream from the corpus
  local label=$1 n=$2 t0 t1 lines
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$tmp/rss" sh -c "head -n $n $corpus | $bin watch -f json --tz UTC > $tmp/out"
  t1=$EPOCHREALTIME
  lines=$(tail -n 1 "$tmp/out" | grep -o '"totals":{"lines":[0-9]*' | grep -o '[0-9]*$')
  awk -v l="$label" -v n="$lines" -v a="$t0" -v b="$t1" -v r="$(cat "$tmp/rss")" \
    'BEGIN { d = b - a; printf "%-10s %10d lines %7.2f s %9.0f lines/s   peak RSS %5d MiB\n", l, n, d, n / d, r / 1024 }'
}
run "2M" 2000000
run "20M" 20000000
