#!/usr/bin/env bash
# Regenerates docs/images/*.png from the real UIs: UCC's setup pages and every dashboard rendered by Splunk's
# DashboardCore over the demo data (tests/ui/screenshots.py, same stand-ins as the browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venvs.sh
bash scripts/ui_prereqs.sh
./build.sh --no-demo
.venv/py3.13/bin/python tests/ui/screenshots.py
