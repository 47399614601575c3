from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from io import StringIO
from typing import Iterator

import pytest
from solnlib import conf_manager
from solnlib.credentials import CredentialManager
from solnlib.modular_input.checkpointer import KVStoreCheckpointer
from solnlib.splunk_rest_client import SplunkRestClient
from splunklib import binding
from splunklib.modularinput.input_definition import InputDefinition

from fake_splunkd import FakeSplunkd, modinput_xml

APP = "TA-openai-audit"
SETTINGS = "ta_openai_audit_settings"
SETTINGS_REALM = "__REST_CREDENTIAL__#%s#configs/conf-%s" % (APP, SETTINGS)
KEY = "sk-admin-Zq3c9d0c2b7e4f1a8b6c5d4e3f2a1b0c"


@pytest.fixture
def sd() -> Iterator[FakeSplunkd]:
    with FakeSplunkd(app=APP) as fake:
        fake.set_account("prod", encrypted={"api_key": KEY}, base_url="https://api.openai.com/v1")
        fake.set_conf(SETTINGS, "logging", {"loglevel": "DEBUG"})
        fake.set_conf(SETTINGS, "proxy", {"proxy_enabled": "1", "proxy_type": "http", "proxy_url": "127.0.0.1",
                                          "proxy_port": "3128", "proxy_username": "u", "proxy_password": "******"})
        fake.set_password(SETTINGS_REALM, "proxy", json.dumps({"proxy_password": "pw-123"}))
        yield fake


def _kw(sd: FakeSplunkd):
    return {"scheme": "http", "host": "127.0.0.1", "port": sd.port}


def test_conf_manager_reads_decrypts_updates_deletes(sd):
    cfm = conf_manager.ConfManager(sd.session_key, APP, realm=sd.account_realm(), **_kw(sd))
    accounts = cfm.get_conf("ta_openai_audit_account")
    prod = accounts.get("prod")
    assert prod["api_key"] == KEY and prod["base_url"] == "https://api.openai.com/v1"
    assert prod["eai:appName"] == APP and list(accounts.get_all()) == ["prod"]
    assert accounts.get("prod", only_current_app=True)["api_key"] == KEY
    accounts.update("staging", {"api_key": "sk-admin-other", "base_url": "http://127.0.0.1:9/v1"}, ["api_key"])
    assert sd.get_conf("ta_openai_audit_account", "staging")["api_key"] == "******"  # encrypted at rest
    assert accounts.get("staging")["api_key"] == "sk-admin-other"
    accounts.delete("staging")
    assert not accounts.stanza_exist("staging")
    with pytest.raises(conf_manager.ConfManagerException):
        cfm.get_conf("no_such_conf")
    cfm.create_conf("no_such_conf").update("s1", {"a": "1"})
    assert sd.get_conf("no_such_conf", "s1") == {"a": "1"}
    assert cfm.get_conf("no_such_conf", refresh=True).get("s1")["a"] == "1"
    cm = CredentialManager(sd.session_key, APP, realm=sd.account_realm(), **_kw(sd))
    assert json.loads(cm.get_password("prod")) == {"api_key": KEY}
    assert all(KEY not in repr(r) for r in sd.requests)


def test_settings_log_level_and_proxy(sd):
    settings = conf_manager.ConfManager(sd.session_key, APP, realm=SETTINGS_REALM, **_kw(sd)).get_conf(SETTINGS)
    assert settings.get("logging")["loglevel"] == "DEBUG"
    assert settings.get("proxy")["proxy_password"] == "pw-123"


def test_splunk_env_helpers_in_a_subprocess(sd, tmp_path):
    """get_log_level / get_proxy_dict / ConfManager without host+port, as an input running under Splunk."""
    script = textwrap.dedent("""
        import json, logging, os, sys
        from solnlib import conf_manager, log
        sk, lg = sys.argv[1], logging.getLogger("t")
        level = conf_manager.get_log_level(logger=lg, session_key=sk, app_name=%(app)r, conf_name=%(conf)r)
        proxy = conf_manager.get_proxy_dict(lg, sk, %(app)r, %(conf)r)
        cfm = conf_manager.ConfManager(sk, %(app)r, realm="__REST_CREDENTIAL__#%(app)s#configs/conf-ta_openai_audit_account")
        key = cfm.get_conf("ta_openai_audit_account").get("prod")["api_key"]
        log.Logs.set_context(namespace="ta_openai_audit")
        log.Logs().get_logger("input").info("hello")
        print(json.dumps({"level": level, "proxy": proxy, "key_ok": key == %(key)r,
                          "logs": os.listdir(os.path.join(os.environ["SPLUNK_HOME"], "var", "log", "splunk"))}))
    """) % {"app": APP, "conf": SETTINGS, "key": KEY}
    out = subprocess.run([sys.executable, "-c", script, sd.session_key], env=sd.env(str(tmp_path)),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["level"] == "DEBUG" and got["key_ok"] is True
    assert got["proxy"]["proxy_password"] == "pw-123" and got["proxy"]["proxy_port"] == "3128"
    assert "ta_openai_audit_input.log" in got["logs"]


def test_kvstore_checkpointer_roundtrip(sd):
    ck = KVStoreCheckpointer("ta_openai_audit_checkpoints", sd.session_key, APP, **_kw(sd))
    assert ck.get("openai_audit://prod") is None
    state = {"version": 1, "gte": 1767225600, "seen": ["audit_log-a", "audit_log-b"]}
    ck.update("openai_audit://prod", state)
    assert ck.get("openai_audit://prod") == state
    raw = sd.kvstore["ta_openai_audit_checkpoints"]["openai_audit://prod"]
    assert json.loads(raw["state"]) == state
    ck.batch_update([{"_key": "a", "state": {"n": 1}}, {"_key": "b", "state": {"n": 2}}])
    assert ck.get("b") == {"n": 2}
    ck.delete("a")
    assert ck.get("a") is None and set(sd.kvstore["ta_openai_audit_checkpoints"]) == {"openai_audit://prod", "b"}
    again = KVStoreCheckpointer("ta_openai_audit_checkpoints", sd.session_key, APP, **_kw(sd))  # existing coll.
    assert again.get("openai_audit://prod") == state


def test_fail_kvstore_answers_503(sd):
    sd.fail_kvstore = True
    kv = SplunkRestClient(sd.session_key, APP, **_kw(sd)).kvstore
    with pytest.raises(binding.HTTPError) as err:
        kv.get(name="ta_openai_audit_checkpoints")
    assert err.value.status == 503
    sd.fail_kvstore = False
    ck = KVStoreCheckpointer("c", sd.session_key, APP, **_kw(sd))
    ck.update("k", 1)
    assert ck.get("k") == 1


def test_wrong_session_key_is_rejected(sd):
    bad = SplunkRestClient("not-the-key", APP, **_kw(sd))
    with pytest.raises(binding.AuthenticationError):  # splunklib's autologin has no credentials to retry with
        bad.get("configs/conf-" + SETTINGS)
    assert SplunkRestClient(sd.session_key, APP, **_kw(sd)).get("configs/conf-" + SETTINGS).status == 200


def test_modinput_xml_parses_with_splunklib(sd, tmp_path):
    params = {"account": "prod", "interval": "300", "index": "openai", "start_date": "2026-01-01T00:00:00Z",
              "include_tenant": "1"}
    xml = sd.modinput_xml("openai_audit://prod & <test>", params, str(tmp_path))
    d = InputDefinition.parse(StringIO(xml))
    assert d.metadata["server_uri"] == sd.uri and d.metadata["session_key"] == sd.session_key
    assert d.metadata["checkpoint_dir"] == str(tmp_path)
    assert d.inputs["openai_audit://prod & <test>"] == dict(params, __app=APP)
    plain = modinput_xml("openai_audit://x", {"a": 1}, "/tmp", server_uri="http://127.0.0.1:1", session_key="k",
                         app="other")
    assert InputDefinition.parse(StringIO(plain)).inputs == {"openai_audit://x": {"a": "1", "__app": "other"}}
