#!/usr/bin/env bash
# Whole-binary throughput of `logtriage report`, next to `wc -l` and `cat` on the same files
# and machine, plus logtriage's peak anonymous memory (RSS minus mapped file pages).
# Usage: bash benches/throughput.sh [SIZE]   (default 1GiB; e.g. 200MiB for a quick run)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1GiB}
corpus=target/bench-corpus
runs=5

cargo build --release --quiet
cargo build --release --quiet --example gen_corpus
# Regenerate only when the requested size changed: 1 GiB takes a few seconds, not nothing.
if [ "$(cat "$corpus/.size" 2>/dev/null || true)" != "$size" ]; then
  target/release/examples/gen_corpus --out "$corpus" --size "$size" --seed 42
  echo "$size" > "$corpus/.size"
fi

# Best of N wall-clock seconds for a command (stdout discarded): shared VMs are noisy, and
# the best run is the one least disturbed by neighbours.
best() {
  local best=""
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > /dev/null
    t1=$(date +%s.%N)
    best=$(echo "$t0 $t1 ${best:-999999}" | awk '{d=$2-$1; print (d<$3)?d:$3}')
  done
  echo "$best"
}

# Peak RssAnon of one run, sampled every 20 ms: the kernel keeps no high-water mark for it.
peak_anon_mb() {
  "$@" > /dev/null &
  local pid=$! max=0 a
  while kill -0 "$pid" 2>/dev/null; do
    a=$(awk '/RssAnon/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ -n "$a" ] && [ "$a" -gt "$max" ] && max=$a
    sleep 0.02
  done
  wait "$pid"
  echo $((max / 1024))
}

printf '%-18s %9s %10s  %-28s %8s %9s\n' file MB lines tool seconds MB/s
for f in app.log nginx-error.log nginx-access.log; do
  path="$corpus/$f"
  cat "$path" > /dev/null # page cache warm: we measure parsing, not the disk
  mb=$(awk -v b="$(stat -c %s "$path")" 'BEGIN{printf "%.1f", b/1e6}')
  lines=$(wc -l < "$path")
  row() { printf '%-18s %9s %10s  %-28s %8.3f %9.0f\n' "$f" "$mb" "$lines" "$1" "$2" "$(awk -v m="$mb" -v s="$2" 'BEGIN{print m/s}')"; }
  row "wc -l" "$(best wc -l "$path")"
  row "cat" "$(best cat "$path")"
  row "logtriage report -j $(nproc)" "$(best target/release/logtriage report --no-progress --format json "$path")"
  row "logtriage report -j 1" "$(best target/release/logtriage report --no-progress --format json -j 1 "$path")"
  echo "  peak anonymous memory of logtriage report: $(peak_anon_mb target/release/logtriage report --no-progress --format json "$path") MB"
done
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
