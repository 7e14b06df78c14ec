#!/usr/bin/env bash
# `logtriage export` in each format over a generated app log: best-of-N wall time, MB/s of
# log, output size and peak memory (RssAnon: without the page cache behind the mapped input),
# next to `wc -l` and `report -f json` on the same file in the same run.
#
# Usage: bash benches/export.sh [SIZE]   SIZE of the app log (default 500MiB)
# Env:   LOGTRIAGE=target/release/logtriage, RUNS=3. Writes the corpus to target/bench-export
# (`rm -r target/bench-export` to reclaim it).
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
size=${1:-500MiB}
runs=${RUNS:-3}
bin=${LOGTRIAGE:-target/release/logtriage}
dir=target/bench-export
tmp=$(mktemp -d "${TMPDIR:-/tmp}/logtriage-export.XXXXXX")
bg_pid=""
cleanup() {
  [ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
source benches/peak_mem.sh
source benches/app_corpus.sh

app_corpus "$dir" "$size"
log=$dir/app.log
bytes=$(stat -c %s "$log")
cat "$log" > /dev/null # warm the page cache

best() { # the best wall time of $runs runs of the command, in seconds
  local best="" t0 t1 t
  for _ in $(seq "$runs"); do
    t0=$EPOCHREALTIME
    "$@" > /dev/null 2>&1
    t1=$EPOCHREALTIME
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
    if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; fi
  done
  echo "$best"
}
printf 'file: %s, %d MB, %d lines; best of %d\n' "$log" $((bytes / 1000000)) "$(wc -l < "$log")" "$runs"
printf '%-26s %8.2f s\n' "wc -l" "$(best wc -l "$log")"
printf '%-26s %8.2f s\n' "report -f json" "$(best "$bin" report --no-progress -f json "$log")"
row() { # label, then export's arguments before the file
  local label=$1 t
  shift
  t=$(best "$bin" export "$@" -o "$tmp/out" "$log")
  peak_mem "$bin" export "$@" -o "$tmp/out" "$log"
  [ "$peak_status" = 0 ] || { echo "$label: failed (exit $peak_status): $(cat "$tmp/err")"; return; }
  printf '%-26s %8.2f s %6d MB/s   output %5d MB   peak RssAnon %4d MiB\n' "$label" "$t" \
    "$(awk -v b="$bytes" -v t="$t" 'BEGIN { printf "%d", b / t / 1e6 }')" \
    $(($(stat -c %s "$tmp/out") / 1000000)) $((peak_anon_kb / 1024))
}
row "export -f parquet" -f parquet
row "export -f parquet -j 1" -f parquet -j 1
row "export -f csv" -f csv
row "export -f jsonl" -f jsonl
