#!/usr/bin/env bash
# Prerequisites of the instruction-count benchmark (benchmarks/instr_count.py) and its smoke test:
# valgrind (callgrind and its client-request headers) and a C compiler. Installed with apt when missing.
set -euo pipefail
have() { command -v valgrind >/dev/null && command -v cc >/dev/null &&
         echo '#include <valgrind/callgrind.h>' | cc -E - >/dev/null 2>&1; }
have && exit 0
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
echo "[bench] installing valgrind and gcc with apt-get"
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind gcc libc6-dev >/dev/null
have || { echo "[bench] valgrind/callgrind.h or cc still missing after apt-get install" >&2; exit 1; }
