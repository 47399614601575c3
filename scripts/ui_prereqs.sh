#!/usr/bin/env bash
# What the browser tests (tests/ui) need besides the Python venvs (Playwright is in requirements-test.txt):
# Debian's chromium (Playwright drives it; no browser download) and the pinned npm tree of tests/ui (npm ci from
# the committed package-lock.json), whose esbuild bundle of tests/ui/js is built here. A prerequisite that
# cannot be installed stops the run with a message naming it; nothing is skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "[ui] FAILED: $*" >&2; exit 1; }
if ! command -v chromium >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || fail "chromium is not on PATH and apt-get is missing: install Debian's chromium package"
  echo "[ui] installing chromium (apt-get)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
    || fail "apt-get install chromium did not work (run as root on Debian/Ubuntu: apt-get install -y chromium)"
fi
command -v chromium >/dev/null 2>&1 || fail "chromium is still not on PATH after apt-get install chromium"
command -v npm >/dev/null 2>&1 || fail "npm (node 20) is missing: install Debian's nodejs and npm packages"
stamp=tests/ui/node_modules/.package-lock.json.ci
if [ ! -f "$stamp" ] || ! cmp -s tests/ui/package-lock.json "$stamp"; then
  echo "[ui] npm ci in tests/ui"
  (cd tests/ui && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in tests/ui (pinned @splunk/dashboard-* tree)"
  cp tests/ui/package-lock.json "$stamp"
fi
if [ -f tests/ui/build.mjs ]; then
  (cd tests/ui && node build.mjs) || fail "bundling tests/ui/js with esbuild (node tests/ui/build.mjs)"
fi
