#!/usr/bin/env bash
# The README's screenshot: the HTML report of the bundled testdata (as the README's
# `report -f html` example makes it), its first screen rendered by headless Chromium into
# docs/report.png. Rerun after changing the page's look and commit the PNG (keep it under
# 300 KB: the window is sized to the headline, the timeline chart and the incidents).
#
#   scripts/screenshot.sh [BINARY]     (default: target/release/logtriage, built)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=$PWD/target/release/logtriage
fi
browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$browser" ]; then
  echo "screenshot: no chromium on PATH (apt-get install chromium, or set CHROMIUM)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" report --no-progress --tz Asia/Kolkata -f html -o "$tmp/report.html" testdata/*.log
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
  --user-data-dir="$tmp/profile" --force-device-scale-factor=1 \
  --window-size=1100,900 --screenshot="$tmp/report.png" "file://$tmp/report.html" \
  >/dev/null 2>&1
mv "$tmp/report.png" docs/report.png
echo "screenshot: docs/report.png ($(wc -c < docs/report.png) bytes)"
