#!/usr/bin/env bash
# Mutation testing of the collector (issue 10 §8) with cosmic-ray, one module at a time, each bounded in time.
#
#   bash scripts/mutation.sh [module ...]          e.g. bash scripts/mutation.sh dedup retry
#   MUTATION_BUDGET=900 bash scripts/mutation.sh   seconds per module (default 900); unfinished mutants are
#                                                  reported as "not run", never counted as killed
#
# Installs requirements-mutation.txt into .venv/mutation, mutates a scratch copy of the work tree (never the
# tree itself), runs the fast collector tests (pytest -m "not slow and not build": the built output/ would not
# see a mutant) against each mutant, and prints the score per module and every survivor's diff
# (survivors also in mutation-out/<module>.survivors.txt). Not part of scripts/test.sh: it takes an hour or more.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=.venv/mutation
if [ ! -x "$VENV/bin/cosmic-ray" ] || ! cmp -s requirements-mutation.txt "$VENV/.requirements"; then
  echo "[mutation] installing requirements-mutation.txt into $VENV"
  rm -rf "$VENV"
  .venv/py3.13/bin/python -m venv "$VENV"
  "$VENV/bin/pip" install -q -r requirements-mutation.txt
  cp requirements-mutation.txt "$VENV/.requirements"
fi
[ -x .venv/py3.13/bin/python ] || { echo "[mutation] .venv/py3.13 missing: run bash scripts/setup_venvs.sh" >&2; exit 1; }

SCRATCH=$(mktemp -d /tmp/oai-mutation.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
git ls-files -co --exclude-standard -z | tar --null -T - -c | tar -x -C "$SCRATCH"
mkdir -p "$SCRATCH/.venv" mutation-out
ln -s "$ROOT/.venv/py3.13" "$SCRATCH/.venv/py3.13"
"$VENV/bin/python" scripts/mutation_run.py --scratch "$SCRATCH" --out "$ROOT/mutation-out" \
  --budget "${MUTATION_BUDGET:-900}" "$@"
