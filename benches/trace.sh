#!/usr/bin/env bash
# `logtriage trace` next to `rg -F` (ripgrep, the floor for finding a fixed string) on the
# bench corpus: one request id that nginx timed out, traced through the app log alone and
# through the app log plus both nginx logs. Needs hyperfine and rg (Debian: apt-get install
# hyperfine ripgrep); generates the corpus like throughput.sh when it is missing.
#
# Usage: bash benches/trace.sh        Env: RUNS=10, LOGTRIAGE=target/release/logtriage
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
bin=${LOGTRIAGE:-target/release/logtriage}
corpus=target/bench-corpus
for tool in hyperfine rg; do
  command -v "$tool" > /dev/null || { echo "trace.sh: $tool is not installed" >&2; exit 1; }
done
cargo build --release --quiet
if [ ! -f "$corpus/nginx-access.log" ]; then
  cargo run --release --quiet --example gen_corpus -- --out "$corpus" --size 1GiB >&2
fi
files=("$corpus/app.log" "$corpus/nginx-error.log" "$corpus/nginx-access.log")
# The first request nginx answered with 504: it has app lines, an access line and an error line.
id=$(grep -m1 '" 504 ' "$corpus/nginx-access.log" | grep -o 'request_id=[0-9a-f]*' | cut -d= -f2)
echo "request id: $id" >&2
cat "${files[@]}" > /dev/null # warm the page cache
hyperfine -N --warmup 2 --runs "$runs" \
  "rg -F $id ${files[0]}" \
  "$bin trace --tz UTC $id ${files[0]}" \
  "rg -F $id ${files[*]}" \
  "$bin trace --tz UTC $id ${files[*]}"
