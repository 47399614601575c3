#!/usr/bin/env bash
# Creates/refreshes the test virtualenvs .venv/py3.9 and .venv/py3.13 from requirements-test.txt, and
# .venv/oracles (Python 3.13) from requirements-oracles.txt: third-party definitions the tests read as data.
# Python interpreters come from pyenv (PYENV_VERSION=x python) or from PY39/PY313 if set.
set -euo pipefail
cd "$(dirname "$0")/.."
make_venv() {  # name, requirements file, interpreter command...
  local name=$1 req=$2; shift 2
  local dir=.venv/$name
  local stamp="$dir/.$req"
  local inputs=("$req")
  if grep -q '^-r package/lib/requirements.txt' "$req"; then inputs+=(package/lib/requirements.txt); fi
  if [ -x "$dir/bin/python" ] && cat "${inputs[@]}" | cmp -s - "$stamp"; then
    return 0
  fi
  echo "[venv] creating $dir with $("$@" --version 2>&1)"
  rm -rf "$dir"
  "$@" -m venv "$dir"
  "$dir/bin/python" -m pip install -q --upgrade "pip==25.3"
  "$dir/bin/python" -m pip install -q -r "$req"
  cat "${inputs[@]}" > "$stamp"
}
if [ -n "${PY39:-}" ]; then py39=("$PY39"); else py39=(env PYENV_VERSION=3.9.18 python3.9); fi
if [ -n "${PY313:-}" ]; then py313=("$PY313"); else py313=(env PYENV_VERSION=3.13.0 python3.13); fi
make_venv py3.9 requirements-test.txt "${py39[@]}"
make_venv py3.13 requirements-test.txt "${py313[@]}"
make_venv oracles requirements-oracles.txt "${py313[@]}"
