#!/usr/bin/env bash
# Set up what the test suite needs and run it: system packages (Chromium for the browser
# tests, poppler-utils for the PDF checks), the virtualenv, the project with its test
# extras, ruff and mypy, then pytest. Arguments are passed on to pytest.
set -euo pipefail

cd "$(dirname "$0")/.."

# apt-get waits up to 10 minutes for the package manager's lock (another install, unattended
# upgrades) instead of failing at once.
apt_get() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }

apt_packages=(chromium chromium-driver poppler-utils libpango-1.0-0 libpangoft2-1.0-0)
if [[ -x /usr/bin/chromium ]] && command -v pdftoppm >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; then
  : # both present: nothing to install
elif [[ "$(id -u)" -ne 0 ]]; then
  echo "note: /usr/bin/chromium or pdftoppm is missing and this is not root;" \
    "skipping apt-get (install ${apt_packages[*]} yourself)" >&2
else
  echo "installing ${apt_packages[*]} with apt-get ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt_get update -qq >/dev/null
  apt_get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

# The checkers the accessibility tests run, pinned in tests/tools/package-lock.json: axe-core (in
# Chromium) and the Nu HTML Checker (vnu.jar, run with Java). --ignore-scripts: vnu-jar's install
# script would download a Java runtime; the system's is used (default-jre-headless).
if ! command -v java >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [[ "$(id -u)" -eq 0 ]]; then
    echo "installing default-jre-headless and npm with apt-get ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt_get update -qq >/dev/null
    apt_get install -y -qq --no-install-recommends default-jre-headless npm >/dev/null
  else
    echo "note: java or npm is missing and this is not root; the checker tests will skip" >&2
  fi
fi
if command -v npm >/dev/null 2>&1 && ! cmp -s tests/tools/package-lock.json tests/tools/node_modules/.installed-lock.json; then
  (cd tests/tools && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error &&
    cp package-lock.json node_modules/.installed-lock.json)
fi

if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
fi
.venv/bin/pip install -q -e '.[test]'

# Typed and linted before the tests run (the same commands as the README's Development section).
.venv/bin/ruff check generator tests benchmarks
.venv/bin/ruff format --check generator tests benchmarks
.venv/bin/mypy

exec .venv/bin/python -m pytest "$@"
