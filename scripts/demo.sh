#!/usr/bin/env bash
# Local demo / dry run (no Splunk, loopback only): serves a seeded 7-day audit log with the bundled API
# simulator, then polls it with the built add-on's CLI, exactly as a user would poll the real API.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${DEMO_PYTHON:-.venv/build/bin/python}
APP=output/TA-openai-audit
[ -f "$APP/bin/openai_audit_cli.py" ] || { echo "[demo] $APP missing: run ./build.sh first"; exit 1; }
PORT=$("$PY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
export OPENAI_ADMIN_KEY="sk-admin-demo-$(date +%s)-local-only"
PYTHONPATH=tools "$PY" -m oai_sim --port "$PORT" --events 2000 --seed 7 --days 7 --admin-key "$OPENAI_ADMIN_KEY" \
  > .venv/demo-sim.log 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  "$PY" -c "import socket,sys;socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null && break
  sleep 0.1
done
OUT=.venv/demo-events.jsonl
SINCE=$("$PY" -c 'import datetime as d;print((d.datetime.now(d.timezone.utc)-d.timedelta(days=8)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
echo "[demo] $PY $APP/bin/openai_audit_cli.py --base-url http://127.0.0.1:$PORT/v1 --since $SINCE --tenant  (key from \$OPENAI_ADMIN_KEY)"
"$PY" "$APP/bin/openai_audit_cli.py" --base-url "http://127.0.0.1:$PORT/v1" --since "$SINCE" --tenant > "$OUT" 2> .venv/demo-cli.log \
  || { tail -n 20 .venv/demo-cli.log; echo "[demo] CLI failed"; exit 1; }
N=$(wc -l < "$OUT")
echo "[demo] $N events written to $OUT (the simulator served 2000, tenant-scoped ones included)"
echo "[demo] first event:"; head -n 1 "$OUT"
grep "run summary" .venv/demo-cli.log
