#!/usr/bin/env bash
# Golden outputs: runs every subcommand and output format over testdata/ (each input alone,
# all of them together, the deploy trees) and every README example, and stores what each
# printed (stdout, stderr, exit code) under OUTDIR. Run it before and after a refactor and
# compare with `diff -r`: a change that means no behaviour change leaves no difference.
#
#   scripts/golden.sh OUTDIR [BINARY]     (default binary: target/release/logtriage, built)
#   diff -r /tmp/golden-before /tmp/golden-after && echo identical
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/golden.sh OUTDIR [BINARY]}
bin=${2:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=$PWD/target/release/logtriage
fi
rm -rf "$out"
mkdir -p "$out"
# Outputs must not depend on the machine: fixed zone, no colour, no progress bar.
export TZ=UTC NO_COLOR=1 LC_ALL=C COLUMNS=120
n=0
# One case: its command line (run by bash in the repo root, `logtriage` on PATH) and outputs.
case_() {
  n=$((n + 1))
  local id
  id=$(printf '%04d' "$n")
  printf '%s\n' "$1" > "$out/$id.cmd"
  set +e
  PATH="$(dirname "$bin"):$PATH" bash -c "$1" > "$out/$id.out" 2> "$out/$id.err" < /dev/null
  echo $? > "$out/$id.rc"
  set -e
}

mapfile -t logs < <(find testdata -name '*.log' -not -path '*/generate/*' | sort)
top=(testdata/*.log)
for f in "${logs[@]}"; do
  for fmt in table json markdown; do
    case_ "logtriage report --no-progress -f $fmt '$f'"
  done
  for fmt in table json csv; do
    case_ "logtriage requests --no-progress -f $fmt '$f'"
  done
  case_ "logtriage filter --level error -f json '$f'"
done
for fmt in table json markdown; do
  case_ "logtriage report --no-progress -f $fmt ${top[*]}"
  case_ "logtriage report --no-progress -f $fmt --tz Asia/Kolkata -w 2s --top 3 ${top[*]}"
  case_ "logtriage report --no-progress -f $fmt --no-triage ${top[*]}"
  case_ "logtriage report --no-progress -f $fmt --rules docs/rules-example.toml ${top[*]}"
done
for d in testdata/deploy/*/; do
  case_ "logtriage report --no-progress -f json \$(find '$d' -name '*.log' | sort)"
done
for fmt in table json csv; do
  for sort in time duration errors; do
    case_ "logtriage requests --no-progress -f $fmt --sort $sort ${top[*]}"
  done
  case_ "logtriage requests --no-progress -f $fmt --outcome error,unfinished --slower-than 1s ${top[*]}"
done
# Ids that appear in several files (the busiest few of the app log), traced across everything.
mapfile -t ids < <(grep -o '"request_id": *"[^"]*"' testdata/app.log | sed 's/.*"\([^"]*\)"$/\1/' \
  | sort | uniq -c | sort -k1,1nr -k2 | head -4 | awk '{print $2}')
for id in "${ids[@]}"; do
  for fmt in text json raw; do
    case_ "logtriage trace --no-progress -f $fmt --id '$id' ${top[*]}"
  done
  for fmt in raw json text; do
    case_ "logtriage filter -f $fmt --request-id '$id' ${top[*]}"
  done
done
case_ "logtriage filter --level warn --grep 'timed out|closed' ${top[*]}"
case_ "logtriage filter --field status=502 -f json ${top[*]}"
for f in testdata/app.log testdata/node-app.log testdata/nginx-access.log; do
  case_ "logtriage watch -f json < '$f'"
done
case_ "logtriage rules"
case_ "logtriage rules --rules docs/rules-example.toml"
case_ "logtriage --help; logtriage report --help; logtriage requests --help; logtriage trace --help; logtriage filter --help; logtriage watch --help"
# Every console example of the README, as the README test runs them.
in_console=0
while IFS= read -r line; do
  case "$line" in
    '```console') in_console=1; continue ;;
    '```'*) in_console=0; continue ;;
  esac
  [ "$in_console" = 1 ] || continue
  cmd=${line#'$ '}
  [ "$cmd" != "$line" ] || continue
  case "$cmd" in *'logtriage '*) ;; *) continue ;; esac
  case "$cmd" in cargo*|bash*|*'~'*|*'man ./'*|*'> '*|*' -o '*) continue ;; esac
  # Lines without a stamp land in wall-clock windows: not comparable between runs.
  case "$cmd" in *raw.log*watch*) continue ;; esac
  case_ "set -o pipefail; ${cmd%%  #*}"
done < README.md
echo "golden: $n cases in $out"
