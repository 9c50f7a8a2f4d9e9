#!/usr/bin/env bash
# Everything backissue needs on a fresh Debian machine: system packages, then a virtual environment.
#   scripts/setup.sh          fonts + the package (enough to run `backissue`)
#   scripts/setup.sh --test   also the test extras and Chromium (the review-page tests use it)
# Idempotent: installs only what is missing. Nothing here downloads model weights: the PP-OCR
# models ship inside the rapidocr wheel from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

debs=(fonts-noto-cjk fonts-arphic-uming)
[ "$want_test" = 1 ] && debs+=(chromium)
missing=()
for d in "${debs[@]}"; do dpkg -s "$d" >/dev/null 2>&1 || missing+=("$d"); done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" != 0 ] && sudo_cmd="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "$want_test" = 1 ]; then
  .venv/bin/pip install -q -e ".[test]"
else
  .venv/bin/pip install -q -e .
fi
