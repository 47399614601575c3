"""The real modular input process of the built app: XML on stdin, fake splunkd (conf, passwords, KV store)."""
from __future__ import annotations

import pytest

from fake_splunkd import FakeSplunkd
from oai_sim import faults as F
from oai_sim.generator import generate
from oai_sim.server import Simulator

from oai_audit.checkpoint import checkpoint_key
from oai_audit.eventtypes import is_tenant_scoped
from oai_audit.events import to_raw

from collector_support import KEY, NOW
from modinput_support import InputRunner, parse_events, require_build

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def mi_events():
    return generate(456, seed=17, start=NOW - 2 * 86400, end=NOW - 20)


@pytest.fixture
def env(tmp_path, mi_events):
    require_build()
    with Simulator(mi_events, admin_key=KEY) as sim, FakeSplunkd() as fake:
        fake.set_account("acc", encrypted={"api_key": KEY}, base_url=sim.base_url)
        fake.set_conf("ta_openai_audit_settings", "advanced", {"allow_custom_base_url": "1"})  # loopback simulator
        fake.set_conf("ta_openai_audit_settings", "logging", {"loglevel": "INFO"})
        yield sim, fake, InputRunner(fake, tmp_path)


def test_input_writes_every_event_once_with_time_source_index_and_checkpoints_in_kv(env, mi_events):
    sim, fake, runner = env
    proc = runner.run(start_date=NOW - 3 * 86400, include_tenant=1)
    assert proc.returncode == 0, proc.stderr
    events = parse_events(proc.stdout)
    by_id = {e["id"]: e for e in mi_events}
    assert sorted(e["data"] for e in events) == sorted(to_raw(e) for e in mi_events)
    for ev in events:
        obj = by_id[__import__("json").loads(ev["data"])["id"]]
        assert ev["time"] == str(obj["effective_at"]) or float(ev["time"]) == obj["effective_at"]
        assert ev["sourcetype"] == "openai:audit" and ev["source"] == "openai_audit://in1" and ev["index"] == "audit"
    main = runner.kv_state(checkpoint_key("in1", "acc", "main"))
    tenant = runner.kv_state(checkpoint_key("in1", "acc", "tenant"))
    assert main["version"] == 2 and main["window"] is None and tenant["version"] == 2
    assert runner.file_state(checkpoint_key("in1", "acc", "main")) == main  # local mirror
    log = runner.log_text
    assert "action=started modular_input_name=openai_audit://in1" in log
    assert f"action=events_ingested modular_input_name=openai_audit://in1 sourcetype_ingested=openai:audit " \
           f"n_events={len(mi_events)} event_input=in1 event_index=audit event_account=acc" in log
    assert log.count("run summary stream=main status=ok") == 1 and "run summary stream=tenant status=ok" in log
    assert "action=ended" in log
    assert KEY not in log + proc.stdout + proc.stderr

    # a second run (clean restart) writes nothing again
    again = runner.run(start_date=NOW - 3 * 86400, include_tenant=1)
    assert again.returncode == 0 and parse_events(again.stdout) == []
    assert "n_events=0" in runner.log_text


def test_kv_store_unavailable_falls_back_to_file_checkpoints(env, mi_events):
    sim, fake, runner = env
    fake.fail_kvstore = True
    proc = runner.run(start_date=NOW - 3 * 86400)
    assert proc.returncode == 0, proc.stderr
    written = parse_events(proc.stdout)
    assert len(written) == sum(1 for e in mi_events if not is_tenant_scoped(e["type"]))
    state = runner.file_state(checkpoint_key("in1", "acc", "main"))
    assert state and state["version"] == 2 and state["window"] is None
    assert "KV store" in runner.log_text and "file checkpoint" in runner.log_text
    again = runner.run(start_date=NOW - 3 * 86400)
    assert parse_events(again.stdout) == []  # resumed from the file


def test_auth_error_is_logged_once_without_retries(env):
    sim, fake, runner = env
    sim.inject(F.unauthorized())
    proc = runner.run(start_date=NOW - 3 * 86400, include_tenant=1)
    assert proc.returncode == 0
    assert parse_events(proc.stdout) == [] and len(sim.requests) == 1
    log = runner.log_text
    assert log.count('exc_l="Authentication Error"') == 1 and "401" in log
    assert runner.kv_state(checkpoint_key("in1", "acc", "main")) is None
    assert KEY not in log


def test_not_tenant_enabled_org_warns_once_and_main_is_collected(tmp_path, mi_events):
    require_build()
    with Simulator(mi_events, admin_key=KEY, tenant_enabled=False) as sim, FakeSplunkd() as fake:
        fake.set_account("acc", encrypted={"api_key": KEY}, base_url=sim.base_url)
        fake.set_conf("ta_openai_audit_settings", "advanced", {"allow_custom_base_url": "1"})  # loopback simulator
        runner = InputRunner(fake, tmp_path)
        proc = runner.run(start_date=NOW - 3 * 86400, include_tenant=1)
        assert proc.returncode == 0
        assert len(parse_events(proc.stdout)) == sum(1 for e in mi_events if not is_tenant_scoped(e["type"]))
        log = runner.log_text
        assert log.count("not tenant-enabled") == 1 and "run summary stream=tenant status=warning" in log


def test_missing_account_is_a_configuration_error(env):
    sim, fake, runner = env
    proc = runner.run(start_date=NOW - 3 * 86400, account="nope")
    assert proc.returncode == 0 and parse_events(proc.stdout) == [] and sim.requests == []
    assert 'exc_l="Configuration Error"' in runner.log_text and "nope" in runner.log_text


def test_built_cli_runs_on_the_apps_own_lib_without_site_packages(env, mi_events):
    from collector_support import run_cli
    from modinput_support import APP
    sim, fake, runner = env
    proc = run_cli("--base-url", sim.base_url, "--since", str(NOW - 3 * 86400), "--tenant",
                   script=APP / "bin" / "openai_audit_cli.py", python_flags=("-S", "-I"))
    assert proc.returncode == 0, proc.stderr
    assert sorted(proc.stdout.splitlines()) == sorted(to_raw(e) for e in mi_events)
    assert KEY not in proc.stderr


def test_proxy_settings_are_used_by_the_input(env, mi_events):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    import httpx
    sim, fake, runner = env
    seen = []

    class Proxy(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            seen.append((self.path, self.headers.get("Proxy-Authorization", "")))
            r = httpx.get(self.path, headers={"Authorization": self.headers.get("Authorization", "")})
            self.send_response(r.status_code)
            self.send_header("Content-Length", str(len(r.content)))
            self.end_headers()
            self.wfile.write(r.content)

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        fake.set_conf("ta_openai_audit_settings", "proxy", {
            "proxy_enabled": "1", "proxy_type": "http", "proxy_url": "127.0.0.1",
            "proxy_port": str(proxy.server_address[1]), "proxy_username": "pxuser", "proxy_password": "******"})
        fake.set_password(fake.account_realm("ta_openai_audit_settings"), "proxy",
                          '{"proxy_password": "px-Secret-123"}')
        proc = runner.run(start_date=NOW - 3 * 86400)
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert proc.returncode == 0, proc.stderr
    assert len(parse_events(proc.stdout)) == sum(1 for e in mi_events if not is_tenant_scoped(e["type"]))
    assert seen and all(p.startswith(sim.base_url) for p, _ in seen)
    import base64
    assert seen[0][1] == "Basic " + base64.b64encode(b"pxuser:px-Secret-123").decode()
    assert "px-Secret-123" not in runner.log_text and "http://<redacted>@127.0.0.1:" in runner.log_text


def test_input_fields_refused_when_saved_and_when_run(env):
    """Issue 10 section 7 / issue 16 section 3: the same checks (index, overlap, start date) in splunkd's
    --validate-arguments call and in the run itself."""
    import subprocess
    import sys
    from xml.sax.saxutils import escape
    from modinput_support import SCRIPT
    sim, fake, runner = env

    def validate(**params):
        items = "".join(f'<param name="{k}">{escape(v)}</param>' for k, v in params.items())
        xml = ("<items><server_host>h</server_host><server_uri>https://127.0.0.1:1</server_uri><session_key>x"
               f'</session_key><checkpoint_dir>/tmp</checkpoint_dir><item name="prod">{items}</item></items>')
        return subprocess.run([sys.executable, str(SCRIPT), "--validate-arguments"], input=xml,
                              capture_output=True, text=True, timeout=60)

    base = {"account": "acc", "interval": "300"}
    assert validate(**base, index="Bad Index").returncode != 0
    assert "not a valid Splunk index name" in validate(**base, index="_x").stdout
    assert "Overlap '90000' must be a whole number" in validate(**base, overlap="90000").stdout
    assert validate(**base, index="audit", overlap="120", start_date="20261101").returncode == 0
    proc = runner.run(start_date=NOW - 3 * 86400, index="my_kvstore")
    assert proc.returncode == 0 and parse_events(proc.stdout) == [] and sim.requests == []
    assert 'exc_l="Configuration Error"' in runner.log_text and "my_kvstore" in runner.log_text


def test_the_overlap_setting_is_used_by_the_input(env, mi_events):
    sim, fake, runner = env
    runner.run(start_date=NOW - 3 * 86400, overlap="0")
    main = runner.kv_state(checkpoint_key("in1", "acc", "main"))
    newest = max(e["effective_at"] for e in mi_events if not is_tenant_scoped(e["type"]))
    assert main["newest"] == newest and main["next_gte"] == newest and main["seen"] == {
        e["id"]: newest for e in mi_events if e["effective_at"] == newest and not is_tenant_scoped(e["type"])}
