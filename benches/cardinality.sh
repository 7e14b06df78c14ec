#!/usr/bin/env bash
# Memory and time of `report` on inputs with more names than memory should hold (issue 12):
# 1,000,000 distinct endpoints, and one line a second for 11 days read with `-w 1s`.
# Prints peak RSS (it includes the mapped input file) and wall time for -j 1 and -j 2, and
# checks that both thread counts print the same report.
#   benches/cardinality.sh [BINARY]    (default: target/release/logtriage, built)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=target/release/logtriage
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" <<'PY'
import json, random, string, sys
d = sys.argv[1]
random.seed(1)
with open(f"{d}/endpoints.log", "w") as f:
    for i in range(1_000_000):
        slug = "".join(random.choice(string.ascii_lowercase) for _ in range(8))
        f.write(json.dumps({"ts": 1700000000 + i * 0.01, "level": "info", "method": "GET",
                            "path": f"/p/{slug}/x{slug[:3]}", "status": 200,
                            "duration_ms": random.random() * 100}) + "\n")
with open(f"{d}/days.log", "w") as f:
    for i in range(11 * 86400):
        f.write(json.dumps({"ts": 1700000000 + i, "level": "info", "method": "GET",
                            "path": "/api/a", "status": 200 if i % 100 else 500,
                            "duration_ms": (i % 97) + 0.5}) + "\n")
PY
# Old enough to be memory-mapped (files written in the last 10 s are read instead).
touch -d '1 minute ago' "$dir"/*.log
for args in "$dir/endpoints.log" "$dir/days.log -w 1s"; do
  for j in 1 2; do
    /usr/bin/time -f "%M KB peak, %e s" "$bin" report --no-progress -f json -j $j $args \
      > "$dir/out$j.json" 2> "$dir/time$j"
    echo "report ${args/#$dir\//} -j $j: $(tail -1 "$dir/time$j"), $(stat -c %s "$dir/out$j.json") bytes of JSON"
  done
  cmp -s "$dir/out1.json" "$dir/out2.json" && echo "  -j 1 and -j 2 identical" || echo "  -j 1 and -j 2 DIFFER"
done
ls -l "$dir"/*.log | awk '{print "input", $NF, $5, "bytes"}'
