#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine with Python 3.11 and pip:
# the package with its test extras (pytest, PyKrige, Playwright's Python client) and, from
# Debian's packages, Chromium (the browser tests drive /usr/bin/chromium; Playwright's own
# browser download is not used). Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -e ".[test]"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Chromium from Debian's packages ..." >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "note: Chromium is missing; install Debian's 'chromium' package (sudo apt-get install chromium)" \
         "or the browser tests will fail." >&2
  fi
fi
