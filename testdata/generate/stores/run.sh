#!/usr/bin/env bash
# Regenerates testdata/stores/ from testdata/app.log and testdata/nginx-access.log (see wrap.py
# for the documentation each export follows). Needs Python 3 and, for the OTLP export, the
# packages of requirements.txt (installed into a throwaway virtualenv).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
testdata="$(cd "$here/../.." && pwd)"
venv="$(mktemp -d)"
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install -q -r "$here/requirements.txt"
"$venv/bin/python" "$here/wrap.py" "$testdata" "$testdata/stores"
