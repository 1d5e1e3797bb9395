#!/usr/bin/env bash
# Set up stillmotion in ./.venv on a fresh Debian machine with Python 3.11.
#   bash scripts/setup.sh          the library and CLI (light: no torch, no jax)
#   bash scripts/setup.sh --dev    plus everything the test suite needs (server, Ray, faces, browser)
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1
python=${PYTHON:-python3}
venv=.venv
pip_quiet=(--quiet --disable-pip-version-check)

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/pip" install "${pip_quiet[@]}" --upgrade pip >/dev/null

if [ "$dev" = 1 ]; then
  "$venv/bin/pip" install "${pip_quiet[@]}" -e ".[test]"
else
  "$venv/bin/pip" install "${pip_quiet[@]}" -e .
fi
echo "stillmotion is set up in $venv (run: $venv/bin/stillmotion --help)"
