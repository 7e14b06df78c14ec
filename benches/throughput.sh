#!/usr/bin/env bash
# Whole-binary throughput of `logtriage report` next to `wc -l` and `cat` on the same files and
# machine (the floor any line-oriented tool pays), plus logtriage's peak memory.
#
# Usage: bash benches/throughput.sh [SIZE]      SIZE of app.log: 1GiB (default), 200MB, 64MiB...
# The app log is also measured inside Docker's json-file envelope (benches/wrap_docker.rs)
# and rewritten as logfmt (benches/to_logfmt.rs).
# Env:   RUNS=5 (best of), SEED=42, LOGTRIAGE=target/release/logtriage (binary to measure)
#
# Installs nothing; writes only under target/ and a temp dir it removes. The corpus lives in
# target/bench-corpus and is reused while its stamp matches (`rm -r target/bench-corpus` to
# reclaim the ~1.4 GB of a 1GiB corpus). The table goes to stdout, everything else to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
# One locale for everything: bash's $EPOCHREALTIME and awk's printf must use '.' decimals.
export LC_ALL=C

size=${1:-1GiB}
runs=${RUNS:-5}
seed=${SEED:-42}
bin=${LOGTRIAGE:-target/release/logtriage}
corpus=target/bench-corpus
stamp=$corpus/.stamp
files=(app-compact.log app.log nginx-error.log nginx-access.log)
# "All three": the app log and both nginx logs of one simulation (they share request ids).
together=(app.log nginx-error.log nginx-access.log)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/logtriage-bench.XXXXXX")
bg_pid=""
cleanup() {
  [ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- build ------------------------------------------------------------------------------------
# src/ may be mid-change: a failed build must not stop the wc/cat baseline, and must not let a
# stale binary pass for the current code either.
build_ok=1
if ! cargo build --release --quiet; then
  build_ok=0
  echo "throughput: cargo build --release failed; logtriage rows will be skipped" >&2
fi
# The generator is std-only: when the crate (which examples link against) does not compile,
# build the same file with plain rustc instead.
gen=target/release/examples/gen_corpus
if ! cargo build --release --quiet --example gen_corpus 2>/dev/null; then
  gen=target/release/gen_corpus-standalone
  mkdir -p target/release
  rustc --edition 2024 -C opt-level=3 -o "$gen" benches/gen_corpus/main.rs
fi

# --- corpus -----------------------------------------------------------------------------------
# Regenerate when size, seed or the generator changed (the generator's hash is in the stamp),
# or a file is missing. The stamp is written last, so an interrupted run regenerates.
want="size=$size seed=$seed generator=$(cat benches/gen_corpus/*.rs | sha256sum | cut -c1-16)"
have=$(cat "$stamp" 2>/dev/null || true)
missing=0
for f in "${files[@]}"; do [ -f "$corpus/$f" ] || missing=1; done
if [ "$have" != "$want" ] || [ "$missing" = 1 ]; then
  rm -f "$stamp"
  echo "generating $size corpus into $corpus ..." >&2
  "$gen" --out "$corpus" --size "$size" --seed "$seed" >&2
  echo "$want" > "$stamp"
fi
# The same app log as Docker's json-file driver stores it, regenerated with the corpus.
docker="$corpus/app.docker.log"
if [ ! -f "$docker" ] || [ "$docker" -ot "$stamp" ] || [ benches/wrap_docker.rs -nt "$docker" ]; then
  wrap=target/release/examples/wrap_docker
  if ! cargo build --release --quiet --example wrap_docker 2>/dev/null; then
    wrap=target/release/wrap_docker-standalone
    rustc --edition 2024 -C opt-level=3 -o "$wrap" benches/wrap_docker.rs
  fi
  echo "wrapping app.log in Docker's envelope into $docker ..." >&2
  "$wrap" "$corpus/app.log" "$docker"
fi

# The same app log as Go slog's TextHandler would write it (logfmt), regenerated likewise.
logfmt="$corpus/app.logfmt.log"
if [ ! -f "$logfmt" ] || [ "$logfmt" -ot "$stamp" ] || [ benches/to_logfmt.rs -nt "$logfmt" ]; then
  conv=target/release/examples/to_logfmt
  if ! cargo build --release --quiet --example to_logfmt 2>/dev/null; then
    conv=target/release/to_logfmt-standalone
    rustc --edition 2024 -C opt-level=3 -o "$conv" benches/to_logfmt.rs
  fi
  echo "rewriting app.log as logfmt into $logfmt ..." >&2
  "$conv" "$corpus/app.log" "$logfmt"
fi

# --- can this binary do the benchmark? ---------------------------------------------------------
# The report subcommand is being written alongside this script; say so instead of failing.
why_not=""
if [ "$build_ok" = 0 ] && [ -z "${LOGTRIAGE:-}" ]; then
  why_not="not measured: cargo build --release failed (see above)"
elif [ ! -x "$bin" ]; then
  why_not="not measured: $bin does not exist"
elif ! help=$("$bin" report --help 2>/dev/null); then
  why_not="not measured: $bin has no 'report' subcommand yet"
elif ! grep -q -- '--no-progress' <<< "$help" || ! grep -q -- '--format' <<< "$help"; then
  why_not="not measured: '$bin report' lacks --no-progress or --format"
fi
has_threads=0
[ -z "$why_not" ] && grep -q -- '--threads' <<< "$help" && has_threads=1

# --- measurement helpers ----------------------------------------------------------------------
# Best (minimum) wall-clock seconds over $runs runs of "$@", stdout discarded; prints FAIL if a
# run exits non-zero (its stderr is kept in $tmp/err). Minimum, not mean: with a warm page cache
# the noise is all one-sided (shared VMs are noisy), so the best run is the one least disturbed
# by neighbours.
best_manual() {
  local best="" t0 t1 i
  for ((i = 0; i < runs; i++)); do
    t0=$EPOCHREALTIME
    "$@" > /dev/null 2> "$tmp/err" || { echo FAIL; return; }
    t1=$EPOCHREALTIME
    best=$(awk -v a="$t0" -v b="$t1" -v m="${best:-1e18}" 'BEGIN { d = b - a; print (d < m) ? d : m }')
  done
  echo "$best"
}

best_hyperfine() {
  local cmd json="$tmp/hf.json"
  cmd=$(printf '%q ' "$@")
  hyperfine --style none --runs "$runs" --output null --export-json "$json" -- "$cmd" \
    > /dev/null 2> "$tmp/err" || return 1
  sed -n 's/.*"min": *\([0-9.eE+-]*\).*/\1/p' "$json" | head -n 1
}

best() {
  local t
  if [ -n "$hyperfine" ] && t=$(best_hyperfine "$@") && [ -n "$t" ]; then
    echo "$t"
  else
    best_manual "$@"
  fi
}
hyperfine=$(command -v hyperfine || true)
rg=$(command -v rg || true)

# rg exits 1 when nothing matches: that is a result, not a failure.
best_any() {
  best sh -c '"$@"; [ $? -le 1 ]' sh "$@"
}

# peak_mem: peak RssAnon and VmHWM of one run (sets peak_anon_kb, peak_hwm_kb, peak_status).
source benches/peak_mem.sh

# --- run --------------------------------------------------------------------------------------
fmt='%-17s %9s %10s  %-24s %9s %9s\n'
row() { # file MB lines tool seconds|FAIL
  local rate="-" secs=$5
  if [ "$secs" = FAIL ]; then
    secs="-"
    rate="FAILED: $(head -c 200 "$tmp/err" | tr '\n' ' ')"
  else
    rate=$(awk -v m="$2" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0) ? m / s : 0 }')
    secs=$(awk -v s="$secs" 'BEGIN { printf "%.3f", s }')
  fi
  printf "$fmt" "$1" "$2" "$3" "$4" "$secs" "$rate"
}

echo
printf "$fmt" file "size MB" lines tool seconds "MB/s"
mem_report=()
measure() { # label files...
  local label=$1
  shift
  local bytes=0 lines=0 f
  for f in "$@"; do
    # Warm the page cache: this measures parsing, not the disk.
    cat "$f" > /dev/null
    bytes=$((bytes + $(stat -c %s "$f")))
    lines=$((lines + $(wc -l < "$f")))
  done
  local mb
  mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
  row "$label" "$mb" "$lines" "wc -l" "$(best wc -l "$@")"
  row "$label" "$mb" "$lines" "cat" "$(best cat "$@")"
  if [ -n "$rg" ]; then
    row "$label" "$mb" "$lines" "rg -c ERROR" "$(best_any "$rg" -c ERROR "$@")"
  fi
  if [ -n "$why_not" ]; then
    printf "$fmt" "$label" "$mb" "$lines" "logtriage report" "-" "$why_not"
    return
  fi
  local cmd=("$bin" report --no-progress --format json)
  row "$label" "$mb" "$lines" "logtriage report" "$(best "${cmd[@]}" "$@")"
  if [ "$has_threads" = 1 ]; then
    row "$label" "$mb" "$lines" "logtriage report -j 1" "$(best "${cmd[@]}" -j 1 "$@")"
  fi
  peak_mem "${cmd[@]}" "$@"
  if [ "$peak_status" = 0 ]; then
    mem_report+=("$(printf '%-17s peak RssAnon %5d MiB   peak RSS (VmHWM) %5d MiB' \
      "$label" $((peak_anon_kb / 1024)) $((peak_hwm_kb / 1024)))")
  else
    mem_report+=("$(printf '%-17s memory run exited with status %s' "$label" "$peak_status")")
  fi
}

for f in "${files[@]}"; do
  measure "$f" "$corpus/$f"
done
measure "app.log in docker" "$docker"
measure "app.log as logfmt" "$logfmt"
# The real use: one report over the app log and both nginx logs (requests joined by id).
measure "all three" "${together[@]/#/$corpus/}"

if [ "${#mem_report[@]}" -gt 0 ]; then
  echo
  echo "logtriage report --no-progress --format json, peak memory (sampled every 20 ms):"
  printf '  %s\n' "${mem_report[@]}"
fi
echo
echo "size MB = 10^6 bytes; seconds = best of $runs with a warm page cache$([ -n "$hyperfine" ] && echo ' (hyperfine where it ran)')"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r)"
[ -z "$why_not" ] && echo "binary: $bin ($("$bin" --version 2> /dev/null || echo 'version unknown'))"
exit 0
