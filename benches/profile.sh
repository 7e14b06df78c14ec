#!/usr/bin/env bash
# Steady measures of a change, for a shared and noisy machine where wall time varies by 30%:
#
#   bash benches/profile.sh instructions [BIN]   instructions (valgrind --tool=callgrind) of
#       `BIN report -j 1 -f json` over the first 30 MB of each bench corpus file
#   bash benches/profile.sh flamegraph [BIN] [OUT.svg]   a flame graph (perf, dwarf call graphs,
#       inferno) of `BIN report -j 1 -f json` over the first 200 MB of app-compact.log
#
# BIN defaults to target/release/logtriage. Needs the corpus of benches/throughput.sh in
# target/bench-corpus (run that first), valgrind for the first, perf and inferno
# (`cargo install inferno`) for the second. Heads go to a temp dir it removes; they are
# dated an hour back so logtriage maps them (files written in the last 10 s are read).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
bin=${2:-target/release/logtriage}
corpus=target/bench-corpus
tmp=$(mktemp -d "${TMPDIR:-/tmp}/logtriage-profile.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

head_of() { # file bytes -> path of its first whole lines up to bytes
  local out="$tmp/$(basename "$1").head"
  head -c "$2" "$1" | sed '$d' > "$out"
  touch -d '1 hour ago' "$out"
  echo "$out"
}

case $mode in
  instructions)
    command -v valgrind > /dev/null || { echo "profile.sh: valgrind is not installed" >&2; exit 1; }
    printf '%-20s %10s %16s\n' file lines instructions
    for f in app-compact.log app.log nginx-access.log nginx-error.log app.logfmt.log; do
      [ -f "$corpus/$f" ] || { echo "profile.sh: $corpus/$f missing (run benches/throughput.sh)" >&2; exit 1; }
      h=$(head_of "$corpus/$f" 30000000)
      ir=$(valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" \
        "$bin" report -j 1 --no-progress -f json "$h" 2>&1 > /dev/null |
        sed -n 's/.*Collected : *\([0-9]*\).*/\1/p')
      printf '%-20s %10s %16s\n' "$f" "$(wc -l < "$h")" "$ir"
    done
    ;;
  flamegraph)
    out=${3:-flamegraph.svg}
    for tool in perf inferno-collapse-perf inferno-flamegraph; do
      command -v "$tool" > /dev/null || { echo "profile.sh: $tool is not installed" >&2; exit 1; }
    done
    h=$(head_of "$corpus/app-compact.log" 200000000)
    perf record -F 2000 --call-graph dwarf,16384 -o "$tmp/perf.data" \
      "$bin" report -j 1 --no-progress -f json "$h" > /dev/null 2> "$tmp/perf.err"
    perf script -i "$tmp/perf.data" 2> /dev/null | inferno-collapse-perf |
      inferno-flamegraph --minwidth 1.5 \
        --title "logtriage report -j 1 -f json, 200 MB of app-compact.log" > "$out"
    echo "wrote $out" >&2
    ;;
  *)
    sed -n '2,12p' "$0" >&2
    exit 2
    ;;
esac
