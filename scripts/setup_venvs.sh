#!/usr/bin/env bash
# Creates/refreshes the test virtualenvs .venv/py3.9 and .venv/py3.13 from requirements-test.txt.
# Python interpreters come from pyenv (PYENV_VERSION=x python) or from PY39/PY313 if set.
set -euo pipefail
cd "$(dirname "$0")/.."
make_venv() {  # name, interpreter command...
  local name=$1; shift
  local dir=.venv/$name
  local stamp="$dir/.requirements-test.txt"
  if [ -x "$dir/bin/python" ] && cat requirements-test.txt package/lib/requirements.txt | cmp -s - "$stamp"; then
    return 0
  fi
  echo "[venv] creating $dir with $("$@" --version 2>&1)"
  rm -rf "$dir"
  "$@" -m venv "$dir"
  "$dir/bin/python" -m pip install -q --upgrade "pip==25.3"
  "$dir/bin/python" -m pip install -q -r requirements-test.txt
  cat requirements-test.txt package/lib/requirements.txt > "$stamp"
}
if [ -n "${PY39:-}" ]; then make_venv py3.9 "$PY39"; else make_venv py3.9 env PYENV_VERSION=3.9.18 python3.9; fi
if [ -n "${PY313:-}" ]; then make_venv py3.13 "$PY313"; else make_venv py3.13 env PYENV_VERSION=3.13.0 python3.13; fi
