#!/usr/bin/env bash
# Set up everything the tests need, lint (ruff), then run the whole suite (slow and browser tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
