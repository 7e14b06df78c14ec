#!/usr/bin/env bash
# `logtriage requests` on an app log with millions of distinct request ids: wall time and peak
# memory (RssAnon, i.e. without the page cache behind the mapped input) for the full listing
# as CSV and for the usual question (the 20 slowest), next to `wc -l` on the same file.
#
# Usage: bash benches/requests.sh [SIZE]   SIZE of the app log (default 3GiB: ~5.3 M ids)
# Env:   LOGTRIAGE=target/release/logtriage. Writes the corpus to target/bench-requests
# and a copy of its first GB with text ids (`rm -r target/bench-requests` to reclaim them).
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
size=${1:-3GiB}
bin=${LOGTRIAGE:-target/release/logtriage}
dir=target/bench-requests
tmp=$(mktemp -d "${TMPDIR:-/tmp}/logtriage-req.XXXXXX")
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
cat "$log" > /dev/null # warm the page cache

t0=$EPOCHREALTIME
lines=$(wc -l < "$log")
t1=$EPOCHREALTIME
printf 'file: %s, %d MB, %d lines; wc -l %.2f s\n' "$log" $(($(stat -c %s "$log") / 1000000)) \
  "$lines" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"

measure() { # label, then the command
  local label=$1 t0 t1
  shift
  t0=$EPOCHREALTIME
  peak_mem "$@"
  t1=$EPOCHREALTIME
  [ "$peak_status" = 0 ] || { echo "$label: failed (exit $peak_status): $(cat "$tmp/err")"; return; }
  printf '%-34s %6.2f s   peak RssAnon %5d MiB   peak RSS %5d MiB\n' "$label" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" $((peak_anon_kb / 1024)) \
    $((peak_hwm_kb / 1024))
}
ids=$("$bin" requests --no-progress -f csv "$log" | tail -n +2 | wc -l)
echo "distinct request ids: $ids"
measure "requests -f csv (every id)" "$bin" requests --no-progress -f csv "$log"
measure "requests --sort duration --top 20" "$bin" requests --no-progress --sort duration --top 20 "$log"
measure "report (for comparison)" "$bin" report --no-progress "$log"

# Ids that are neither hex nor UUIDs: the first GB with each id cut to `req-` and 20 of its
# digits, so they are kept as text (dated back, so it is mapped as the log above is).
text=$dir/text-ids.log
head -c 1000000000 "$log" | sed '$d' |
  sed -E 's/"request_id": "([0-9a-f]{20})[0-9a-f]{12}"/"request_id": "req-\1"/' > "$text"
touch -d '1 hour ago' "$text"
ids=$("$bin" requests --no-progress -f csv "$text" | tail -n +2 | wc -l)
echo "text ids (req-...): $ids distinct in $(($(stat -c %s "$text") / 1000000)) MB"
measure "requests -f csv (text ids)" "$bin" requests --no-progress -f csv "$text"
