#!/usr/bin/env bash
# The test command (README): builds the add-on, then runs the whole pytest suite on Python 3.13 and 3.9.
# AppInspect runs once (in the 3.13 pass): it vets the same built package whichever Python drives pytest.
# The browser tests (tests/ui, marker ui) run in the 3.13 pass only: Playwright for Python 3.9 stops at 1.63, older
# than the 1.65 verified with Debian's chromium; the REST handler code they drive is the same on both Pythons and its
# 3.9 behaviour is covered by tests/foundation. scripts/ui_prereqs.sh installs chromium and the npm tree first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venvs.sh
bash scripts/bench_prereqs.sh
bash scripts/ui_prereqs.sh
./build.sh --no-demo
status=0
echo "[test] pytest on Python 3.13"
.venv/py3.13/bin/python -m pytest "$@" || status=$?
echo "[test] pytest on Python 3.9"
.venv/py3.9/bin/python -m pytest -m "not appinspect and not ui" "$@" || status=$?
exit $status
