"""Issue 11 through the real account REST handler of the built add-on (ta_openai_audit_rh_account ->
OpenAIAuditAccountHandler -> splunktaucclib AdminExternalHandler), each request in its own process against
the fake splunkd (conf writes and storage/passwords captured there) and a loopback API server of our own.

What stands for Splunk here: tools/fake_splunkd (conf + storage/passwords endpoints as splunklib/solnlib parse
them) and its `splunk.admin` shim; the masking of encrypted fields as ``******`` is splunktaucclib's own."""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from fake_splunkd import FakeSplunkd
from hostile_http import Exchange, HostileServer, drip, list_page

from foundation_support import OUTPUT

KEY = "sk-admin-" + "q" * 40
OTHER_KEY = "sk-admin-" + "w" * 40
CONF = "ta_openai_audit_account"
SETTINGS = "ta_openai_audit_settings"
DRIVER = Path(__file__).with_name("account_handler_driver.py")


class Setup:
    """A fake Splunk host: splunkd, $SPLUNK_HOME with the driver in the add-on's bin/ (splunktaucclib reads
    the app name from the running script's path), and a runner for one REST request."""

    def __init__(self, sd: FakeSplunkd, home: Path) -> None:
        self.sd, self.home = sd, home
        bin_dir = home / "etc" / "apps" / "TA-openai-audit" / "bin"
        bin_dir.mkdir(parents=True)
        self.script = bin_dir / "driver.py"
        shutil.copy(DRIVER, self.script)
        self.env = sd.env(str(home))
        self.env["PYTHONPATH"] = os.pathsep.join([self.env["PYTHONPATH"], str(OUTPUT / "bin")])

    def call(self, action: str, entity: str, data: Dict[str, Any], handler: str = "account") -> Dict[str, Any]:
        """One request; the reply as {"ok", "error", "items": {name: content}}."""
        request = {"action": action, "id": entity, "args": {k: [v] for k, v in data.items()},
                   "session_key": self.sd.session_key, "app": "TA-openai-audit", "user": "admin"}
        proc = subprocess.run([sys.executable, str(self.script), handler], input=json.dumps(request) + "\n",
                              env=self.env, capture_output=True, text=True, timeout=90)
        assert proc.returncode == 0, proc.stderr[-3000:]
        reply = json.loads(proc.stdout.strip().splitlines()[-1])
        return {"ok": reply["ok"], "error": reply.get("message", ""),
                "items": {e["name"]: e["content"] for e in reply.get("entries", [])}}

    def allow_custom(self, on: bool = True) -> None:
        self.sd.set_conf(SETTINGS, "advanced", {"allow_custom_base_url": "1" if on else "0"})

    def saved(self, name: str = "acc") -> Dict[str, str]:
        return self.sd.get_conf(CONF, name)


@pytest.fixture()
def setup(built_app: Path, tmp_path: Path) -> Iterator[Setup]:
    with FakeSplunkd() as sd:
        yield Setup(sd, tmp_path / "splunk")


def ok_api(ex: Exchange) -> None:
    ex.json(list_page([]))


def _bearers(srv: HostileServer) -> List[str]:
    return [r.headers.get("authorization", "") for r in srv.requests]


def test_save_keeps_the_key_in_storage_passwords_only_and_list_masks_it(setup: Setup) -> None:
    setup.allow_custom()
    with HostileServer(ok_api) as api:
        url = api.base_url
        res = setup.call("create", "acc", {"api_key": KEY, "base_url": url})
        assert res["ok"], res
        listed = setup.call("list", "acc", {})
    assert _bearers(api) == [f"Bearer {KEY}"] and api.requests[0].query == [("limit", "1")]
    assert setup.saved()["api_key"] == "******" and setup.saved()["base_url"] == url
    assert KEY in json.dumps(setup.sd.state.passwords)  # the credential store holds it...
    assert listed["items"]["acc"]["api_key"] == "******"  # ...and no GET returns it
    for r in (res, listed):
        assert KEY not in json.dumps(r)
    written = [p for p in setup.home.rglob("*") if p.is_file() and p != setup.script]
    assert all(KEY not in p.read_text(errors="replace") for p in written), written


def test_the_proxy_password_stays_in_storage_passwords_and_no_settings_get_returns_it(setup: Setup) -> None:
    password = "Pr0xy-secret-pw"
    for stanza in ("proxy", "logging"):  # the stanzas default/*.conf ships
        setup.sd.set_conf(SETTINGS, stanza, {})
    res = setup.call("edit", "proxy", {"proxy_enabled": "1", "proxy_type": "http", "proxy_url": "proxy.example",
                                       "proxy_port": "3128", "proxy_username": "bob", "proxy_password": password},
                     handler="settings")
    assert res["ok"], res
    listed = setup.call("list", "proxy", {}, handler="settings")
    logging_tab = setup.call("list", "logging", {}, handler="settings")
    assert listed["items"]["proxy"]["proxy_password"] == "******"
    assert password not in json.dumps(listed) + json.dumps(logging_tab) + json.dumps(setup.sd.state.confs)
    assert password in json.dumps(setup.sd.state.passwords)


def test_a_custom_base_url_needs_the_admin_setting_and_no_request_is_made(setup: Setup) -> None:
    with HostileServer(ok_api) as api:
        res = setup.call("create", "acc", {"api_key": KEY, "base_url": api.base_url})
        setup.allow_custom(False)
        res_off = setup.call("create", "acc", {"api_key": KEY, "base_url": "https://169.254.169.254/"})
    for r in (res, res_off):
        assert not r["ok"] and "Configuration > Advanced" in r["error"]
    assert api.requests == [] and CONF not in setup.sd.state.confs


def test_edit_with_the_key_masked_and_a_new_base_url_is_refused_before_any_request(setup: Setup) -> None:
    setup.allow_custom()
    with HostileServer(ok_api) as saved_api, HostileServer(ok_api) as attacker:
        assert setup.call("create", "acc", {"api_key": KEY, "base_url": saved_api.base_url})["ok"]
        for masked in ({"api_key": "******"}, {"api_key": ""}, {}):
            res = setup.call("edit", "acc", dict(masked, base_url=attacker.base_url))
            assert not res["ok"] and "requires entering the admin key again" in res["error"]
        assert attacker.requests == [] and setup.saved()["base_url"] == saved_api.base_url
        new_url = attacker.base_url
        # without a new key the saved URL is used; with a new key the new URL may be saved
        assert setup.call("edit", "acc", {"ca_bundle": ""})["ok"]
        assert _bearers(saved_api) == [f"Bearer {KEY}"] * 2
        assert setup.call("edit", "acc", {"api_key": OTHER_KEY, "base_url": attacker.base_url})["ok"]
    assert _bearers(attacker) == [f"Bearer {OTHER_KEY}"] and setup.saved()["base_url"] == new_url


def test_a_foreign_answer_is_never_echoed(setup: Setup) -> None:
    setup.allow_custom()
    page = b"<html>ami-id: i-0abc; iam/security-credentials/prod-role</html>"
    with HostileServer(lambda ex: ex.reply(500, page, content_type="text/html")) as probe:
        res = setup.call("create", "acc", {"api_key": KEY, "base_url": probe.base_url})
    assert not res["ok"] and "HTTP 500" in res["error"]
    assert "ami-id" not in res["error"] and "security-credentials" not in res["error"]


def test_the_configured_key_is_redacted_in_any_form_from_messages(setup: Setup) -> None:
    setup.allow_custom()
    odd_key = "Zq8" + "x" * 37  # no sk- prefix: only the configured-secret rule can catch it
    b64 = base64.b64encode(odd_key.encode()).decode()
    body = {"error": {"message": f"Incorrect key {odd_key} / token_{odd_key} / {b64} / xsk-{odd_key}",
                      "type": "invalid_request_error"}}
    with HostileServer(lambda ex: ex.json(body, 401)) as api:
        res = setup.call("create", "acc", {"api_key": odd_key, "base_url": api.base_url})
    assert not res["ok"] and "401" in res["error"]
    assert odd_key not in res["error"] and b64[:-4] not in res["error"]


def test_credentials_in_the_base_url_are_refused_and_not_echoed(setup: Setup) -> None:
    setup.allow_custom()
    res = setup.call("create", "acc", {"api_key": KEY, "base_url": "https://bob:hunter2pw@gw.example/v1"})
    assert not res["ok"] and "credentials" in res["error"] and "hunter2pw" not in res["error"]


@pytest.mark.parametrize("kind", ["fifo", "missing", "directory", "not-pem", "huge"])
def test_a_ca_bundle_that_is_not_a_small_regular_pem_file_gets_one_message(setup: Setup, tmp_path: Path,
                                                                           kind: str) -> None:
    path = tmp_path / "ca.pem"
    if kind == "fifo":
        os.mkfifo(path)  # opened for reading it would block forever
    elif kind == "directory":
        path.mkdir()
    elif kind == "not-pem":
        path.write_text("hello")
    elif kind == "huge":
        with open(path, "wb") as fh:
            fh.truncate(64 << 20)
    with HostileServer(ok_api) as api:
        setup.allow_custom()
        res = setup.call("create", "acc", {"api_key": KEY, "base_url": api.base_url, "ca_bundle": str(path)})
    assert not res["ok"] and res["error"] == "The CA bundle is not a readable PEM bundle."
    assert api.requests == []


def test_the_save_is_bounded_whatever_the_remote_does(setup: Setup) -> None:
    """A server dripping one byte per 0.5 s would hold the save ~2 minutes; the setup deadline ends it."""
    setup.allow_custom()
    with HostileServer(drip(b" " * 240, every=0.5)) as api:
        res = setup.call("create", "acc", {"api_key": KEY, "base_url": api.base_url})
    assert not res["ok"] and "15 s request deadline" in res["error"]
