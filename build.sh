#!/usr/bin/env bash
# Builds the add-on from a fresh clone: output/TA-openai-audit/ and dist/TA-openai-audit-<version>.spl,
# then runs the local demo (the collector CLI against the bundled API simulator on 127.0.0.1).
#   ./build.sh            build + package + demo
#   ./build.sh --no-demo  build + package only
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
APP=TA-openai-audit
PY=${PYTHON:-python3}
VENV=.venv/build
# ucc-gen upgrades pip to the version given here before vendoring lib/; pip 26 breaks ucc-gen 6.6
# ('pip show --version' is rejected and the build claims splunktaucclib is missing), so pin 25.3.
PIP_VERSION=25.3

if [ ! -x "$VENV/bin/ucc-gen" ] || ! cmp -s requirements-build.txt "$VENV/.requirements-build.txt"; then
  echo "[build] creating $VENV with $($PY --version 2>&1)"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q "pip==$PIP_VERSION"
  "$VENV/bin/python" -m pip install -q -r requirements-build.txt
  cp requirements-build.txt "$VENV/.requirements-build.txt"
fi
export PATH="$ROOT/$VENV/bin:$PATH"

VERSION=$("$VENV/bin/python" -c 'import json;print(json.load(open("globalConfig.json"))["meta"]["version"])')
echo "[build] ucc-gen build $APP $VERSION"
rm -rf output
ucc-gen build --source package --ta-version "$VERSION" --pip-version "$PIP_VERSION" > .venv/ucc-build.log 2>&1 \
  || { tail -n 40 .venv/ucc-build.log; echo "[build] ucc-gen build failed (full log: .venv/ucc-build.log)"; exit 1; }
# additional_packaging.py (ucc-gen's hook) has trimmed byte-code and pip metadata;
# AppInspect wants no group/world-writable files.
chmod -R u+rwX,go+rX,go-w "output/$APP"

mkdir -p dist
rm -f dist/*.spl dist/*.tar.gz
ucc-gen package --path "output/$APP" -o dist > .venv/ucc-package.log 2>&1 \
  || { tail -n 20 .venv/ucc-package.log; echo "[build] ucc-gen package failed"; exit 1; }
PKG=$(ls dist/*.tar.gz 2>/dev/null | head -n1)
SPL="dist/$APP-$VERSION.spl"
mv "$PKG" "$SPL"
echo "[build] $SPL ($(du -k "$SPL" | cut -f1) KiB)"

if [ "${1:-}" != "--no-demo" ]; then
  bash scripts/demo.sh
fi
