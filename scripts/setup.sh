#!/usr/bin/env bash
# Set up stillmotion in ./.venv on a fresh Debian machine with Python 3.11.
#   bash scripts/setup.sh          the library and CLI, with face animation (light: no torch, no jax)
#   bash scripts/setup.sh --dev    plus everything the whole test suite needs: the studio, Ray, ONNX,
#                                  the segmentation runtime, C2PA, the sentence embedder and the neural
#                                  engine on the CPU torch wheel, and Debian's chromium for the browser test
# Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1
python=${PYTHON:-python3}
venv=.venv
pip() { "$venv/bin/python" -m pip --quiet --disable-pip-version-check "$@"; }

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
pip install --upgrade pip

if [ "$dev" = 1 ]; then
  # torch first, pinned: this CPU wheel is on the machine; any looser request for torch would fetch
  # the newest CUDA build (gigabytes). Once 2.13.0 is installed, the extras below accept it.
  pip install torch==2.13.0
  pip install -e ".[faces,test,depth,segment,server,browser,ray,semantic,neural,c2pa]"
else
  pip install -e ".[faces]"
fi
# Faces: mediapipe 0.10.14 ships its face models inside the wheel and works offline (1.x ships
# none). Its declared dependencies would pull jax and a second OpenCV, so it goes in without them;
# the few it really uses are the `faces` extra above.
pip install --no-deps mediapipe==0.10.14

if [ "$dev" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  # The browser test drives Debian's chromium (Playwright cannot download its own browsers here).
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq chromium >/dev/null
  else
    echo "note: chromium is not installed (run as root, or: sudo apt-get install chromium); the browser test will be skipped" >&2
  fi
fi
echo "stillmotion is set up in $venv (try: $venv/bin/stillmotion --help)"
