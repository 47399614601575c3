from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from email.utils import formatdate
from pathlib import Path

import httpx
import pytest

from oai_sim import faults as F
from oai_sim.server import Simulator

from sim_support import KEY, api_error


@pytest.mark.parametrize("retry_after", ["2", formatdate(usegmt=True), None])
def test_rate_limit_with_and_without_retry_after(sim, client, retry_after):
    sim.inject(F.rate_limit(retry_after))
    r = client.get(sim.url)
    err = api_error(r, 429)
    assert err["code"] == "rate_limit_exceeded" and err["type"] == "requests"
    assert r.headers.get("Retry-After") == retry_after
    assert client.get(sim.url).status_code == 200  # consumed once
    assert [q.fault for q in sim.requests] == ["rate_limit", None]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors(sim, client, status):
    sim.inject(F.server_error(status))
    assert api_error(client.get(sim.url), status)["type"] == "server_error"
    assert client.get(sim.url).status_code == 200


def test_timeout_then_normal_answer(sim):
    sim.inject(F.timeout(1.0))
    with httpx.Client(headers={"Authorization": "Bearer " + KEY}, timeout=0.2) as c:
        with pytest.raises(httpx.ReadTimeout):
            c.get(sim.url)
        assert c.get(sim.url).status_code == 200


def test_reset_closes_without_response(sim, client):
    sim.inject(F.reset())
    with pytest.raises(httpx.TransportError):
        client.get(sim.url)
    assert client.get(sim.url).status_code == 200
    assert sim.requests[0].status == 0 and sim.requests[0].fault == "reset"


def test_malformed_and_truncated_json(sim, client):
    full = client.get(sim.url, params={"limit": 50}).content
    sim.inject(F.malformed_json(), F.truncated_json())
    for _ in range(2):
        r = client.get(sim.url, params={"limit": 50})
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        assert int(r.headers["content-length"]) == len(r.content)
        with pytest.raises(json.JSONDecodeError):
            json.loads(r.content)
    assert full.startswith(r.content) and 0 < len(r.content) < len(full)


def test_pagination_anomalies(sim, client):
    sim.inject(F.has_more_without_last_id(), F.empty_page_has_more())
    a = client.get(sim.url, params={"limit": 5}).json()
    assert a["has_more"] is True and "last_id" not in a and len(a["data"]) == 5
    b = client.get(sim.url, params={"limit": 5}).json()
    assert b == {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": True}


def test_repeated_cursor_only_on_requests_with_after(sim, client):
    sim.inject(F.repeated_cursor())
    first = client.get(sim.url, params={"limit": 5}).json()  # no `after`: passes through
    assert first["last_id"] == first["data"][-1]["id"]
    again = client.get(sim.url, params={"limit": 5, "after": first["last_id"]}).json()
    assert again["last_id"] == first["last_id"] and again["has_more"] is True
    assert not sim.pending_faults


@pytest.mark.parametrize("fault,status,needle", [
    (F.unauthorized(), 401, "Incorrect API key provided"),
    (F.forbidden(), 403, "not allowed"),
    (F.missing_scope(), 401, "Missing scopes: api.audit_logs.read."),
])
def test_auth_faults(sim, client, fault, status, needle):
    sim.inject(fault)
    assert needle in api_error(client.get(sim.url), status)["message"]
    assert client.get(sim.url).status_code == 200


def test_match_and_skip_select_the_request(sim, client):
    sim.inject(F.server_error(502, match={"tenant_only": "true"}), F.rate_limit("1", skip=2))
    statuses = [client.get(sim.url).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get(sim.url, params={"tenant_only": "true"}).status_code == 502
    assert not sim.pending_faults
    with pytest.raises(ValueError):
        F.server_error(404)


def test_cli_serves_and_stops_on_sigterm():
    tools = Path(__file__).resolve().parents[2] / "tools"
    proc = subprocess.Popen([sys.executable, "-m", "oai_sim", "--port", "0", "--events", "300", "--seed", "7",
                             "--days", "1", "--admin-key", "sk-admin-demo"], cwd=str(tools),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:") and base.endswith("/v1")
        r = httpx.get(base + "/organization/audit_logs", params={"limit": 100},
                      headers={"Authorization": "Bearer sk-admin-demo"}, timeout=10)
        assert r.status_code == 200 and len(r.json()["data"]) == 100
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
