"""The CLI as a subprocess against the simulator (and through a loopback HTTP proxy)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import List

import httpx
import pytest

from oai_sim import faults as F
from oai_sim.generator import generate
from oai_sim.server import Simulator

from oai_audit.events import to_raw
from oai_audit.eventtypes import is_tenant_scoped

from collector_support import KEY, NOW, run_cli

@pytest.fixture(scope="module")
def cli_events():
    return generate(345, seed=5, start=NOW - 2 * 86400, end=NOW - 10)


def test_cli_prints_every_event_as_one_json_line(cli_events):
    with Simulator(cli_events, admin_key=KEY) as sim:
        proc = run_cli("--base-url", sim.base_url, "--since", str(NOW - 3 * 86400))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    non_tenant = [e for e in cli_events if not e["type"].startswith("tenant.")
                  and e["type"] not in ("role.bound_to_resource", "role.unbound_from_resource")]
    assert sorted(lines) == sorted(to_raw(e) for e in non_tenant)
    assert "run summary stream=main status=ok" in proc.stderr and KEY not in proc.stderr + proc.stdout


def test_cli_tenant_filters_iso_since_until_and_key_flag(cli_events):
    since, until = NOW - 86400, NOW - 3600
    with Simulator(cli_events, admin_key=KEY) as sim:
        proc = run_cli("--base-url", sim.base_url, "--key", KEY, "--tenant",
                       "--since", _iso(since), "--until", str(until), env_key=False)
        assert proc.returncode == 0, proc.stderr
        got = [json.loads(x) for x in proc.stdout.splitlines()]
        assert sorted(e["id"] for e in got) == sorted(e["id"] for e in cli_events if since <= e["effective_at"] <= until)
        types = sorted({e["type"] for e in cli_events})[:5]
        proc = run_cli("--base-url", sim.base_url, "--since", str(NOW - 3 * 86400), "--tenant",
                       *sum((["--event-type", t] for t in types), []))
        assert proc.returncode == 0, proc.stderr
        assert sorted(json.loads(x)["id"] for x in proc.stdout.splitlines()) == \
            sorted(e["id"] for e in cli_events if e["type"] in types)
    assert KEY not in proc.stderr


def _iso(ts: int) -> str:
    from datetime import datetime, timezone
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_cli_checkpoint_file_resumes_without_duplicates(cli_events, tmp_path):
    cp = tmp_path / "cp.json"
    half = len(cli_events) // 2
    with Simulator(cli_events[:half], admin_key=KEY) as sim:
        first = run_cli("--base-url", sim.base_url, "--since", str(NOW - 3 * 86400), "--checkpoint-file", str(cp),
                        "--tenant")
        sim.add_events(cli_events[half:])
        second = run_cli("--base-url", sim.base_url, "--since", str(NOW - 3 * 86400), "--checkpoint-file", str(cp),
                         "--tenant")
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert json.loads(cp.read_text())["version"] == 2 and json.loads((tmp_path / "cp.json.tenant").read_text())
    ids = [json.loads(x)["id"] for x in first.stdout.splitlines() + second.stdout.splitlines()]
    # the later half is newer than the first run's end except within the overlap; all arrive exactly once
    late_ok = {e["id"] for e in cli_events[half:] if e["effective_at"] >= NOW - 700} | {e["id"] for e in cli_events[:half]}
    assert len(ids) == len(set(ids))
    assert late_ok <= set(ids)


@pytest.mark.parametrize("fault,code,msg", [(F.unauthorized(), 3, "401"), (F.missing_scope(), 3, "api.audit_logs.read"),
                                            (F.forbidden(), 3, "403"), (F.has_more_without_last_id(), 4, "last_id")],
                         ids=["401", "scope", "403", "protocol"])
def test_cli_errors_exit_non_zero_with_a_clear_message(cli_events, fault, code, msg):
    with Simulator(cli_events, admin_key=KEY) as sim:
        sim.inject(fault)
        proc = run_cli("--base-url", sim.base_url, "--since", str(NOW - 3 * 86400))
        assert len(sim.requests) == 1
    assert proc.returncode == code and msg in proc.stderr
    assert KEY not in proc.stderr and proc.stdout == ""


def test_cli_config_errors(cli_events):
    proc = run_cli("--base-url", "http://example.com/v1", "--since", "2024-01-01")
    assert proc.returncode == 2 and "https" in proc.stderr
    proc = run_cli("--base-url", "https://127.0.0.1:1/v1", env_key=False)
    assert proc.returncode == 2 and "OPENAI_ADMIN_KEY" in proc.stderr
    proc = run_cli("--base-url", "https://127.0.0.1:1/v1", "--since", "next week")
    assert proc.returncode == 2 and "ISO-8601" in proc.stderr


class _Proxy(BaseHTTPRequestHandler):
    seen: List[str] = []

    def log_message(self, *a):  # quiet
        pass

    def do_GET(self):
        _Proxy.seen.append(self.path)
        auth = self.headers.get("Proxy-Authorization", "")
        _Proxy.seen.append(auth)
        r = httpx.get(self.path, headers={k: v for k, v in self.headers.items()
                                          if k.lower() not in ("host", "proxy-authorization", "connection")})
        body = r.content
        self.send_response(r.status_code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_cli_goes_through_the_proxy(cli_events):
    _Proxy.seen = []
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    t = threading.Thread(target=proxy.serve_forever, daemon=True)
    t.start()
    try:
        with Simulator(cli_events, admin_key=KEY) as sim:
            base = sim.base_url
            proc = run_cli("--base-url", base, "--since", str(NOW - 3 * 86400),
                           "--proxy", f"http://user:pa%3Ass@127.0.0.1:{proxy.server_address[1]}")
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == sum(1 for e in cli_events if not is_tenant_scoped(e["type"])) > 100
    assert _Proxy.seen and _Proxy.seen[0].startswith(base + "/organization/audit_logs?")
    assert _Proxy.seen[1].startswith("Basic ")
    assert "pa%3Ass" not in proc.stderr and "pa:ss" not in proc.stderr


def _cli_cmd(base_url: str, *args: str) -> List[str]:
    from collector_support import CLI
    return [sys.executable, str(CLI), "--base-url", base_url, "--since", str(NOW - 3 * 86400), *args]


def _cli_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "OPENAI"))}
    env["OPENAI_ADMIN_KEY"] = KEY
    return env


def _slow_endless_pages(release: threading.Event):
    """A hostile server: page n (one new event each) with has_more forever; each request waits until
    ``release`` is set or 0.05 s, whichever first (bounded: the server stops with the test)."""
    from hostile_http import Exchange

    def script(ex: Exchange) -> None:
        after = dict(ex.request.query).get("after", "audit_log-00000")
        n = int(after.rsplit("-", 1)[1]) + 1
        ex.stopping.wait(0 if release.is_set() else 0.05)
        ev = {"id": f"audit_log-{n:05d}", "type": "api_key.created", "effective_at": NOW - 1000 - n}
        ex.json({"object": "list", "data": [ev], "has_more": True, "first_id": ev["id"], "last_id": ev["id"]})
    return script


def test_a_second_cli_on_the_same_checkpoint_exits_at_once_and_writes_nothing(tmp_path):
    """Issue 10 section 7: two processes on one checkpoint wrote most events twice before."""
    from hostile_http import HostileServer
    cp = tmp_path / "cp.json"
    with HostileServer(_slow_endless_pages(threading.Event())) as srv:
        first = subprocess.Popen(_cli_cmd(srv.base_url, "--checkpoint-file", str(cp), "--max-seconds", "30"),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_cli_env(), text=True)
        try:
            assert first.stdout is not None and first.stdout.readline()  # the first one is collecting
            second = run_cli("--base-url", srv.base_url, "--since", str(NOW - 3 * 86400), "--checkpoint-file",
                             str(cp), timeout=30)
            seen_by_server = len(srv.requests)
        finally:
            first.terminate()
            out, err = first.communicate(timeout=60)
    assert second.returncode == 4 and second.stdout == ""
    assert "another process is already collecting" in second.stderr
    assert first.returncode == 0 and "stop requested (SIGTERM)" in err
    assert seen_by_server >= 1


def test_sigterm_stops_the_cli_at_a_page_boundary_with_the_checkpoint_consistent(tmp_path):
    """Issue 10 section 7: the checkpoint names the last page written, no temporary file is left."""
    from hostile_http import HostileServer
    cp = tmp_path / "state" / "cp.json"
    cp.parent.mkdir()
    with HostileServer(_slow_endless_pages(threading.Event())) as srv:
        proc = subprocess.Popen(_cli_cmd(srv.base_url, "--checkpoint-file", str(cp)), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=_cli_env(), text=True)
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(3)]
        proc.terminate()
        rest, err = proc.communicate(timeout=60)
    written = [json.loads(x)["id"] for x in lines + rest.splitlines()]
    assert proc.returncode == 0 and "stop requested (SIGTERM)" in err and "status=warning" in err
    state = json.loads(cp.read_text())
    assert state["after"] == written[-1] and len(written) == len(set(written))
    assert sorted(p.name for p in cp.parent.iterdir()) == ["cp.json", "cp.json.lock"]  # no temp file left


def test_the_overlap_flag_is_checked_and_used(cli_events):
    proc = run_cli("--base-url", "https://127.0.0.1:1/v1", "--overlap", "-5")
    assert proc.returncode == 2 and "--overlap '-5' must be a whole number of seconds from 0 to 86400" in proc.stderr
    with Simulator(cli_events, admin_key=KEY) as sim:
        proc = run_cli("--base-url", sim.base_url, "--since", str(NOW - 3 * 86400), "--overlap", "0",
                       "--max-pages", "1")
    assert proc.returncode == 0 and "run bound reached (1 pages)" in proc.stderr
    assert len(proc.stdout.splitlines()) == 100
