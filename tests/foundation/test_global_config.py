"""globalConfig.json: every field has help text and validators that accept good values and refuse bad ones
with a message saying what is accepted (patterns are the ones ucc-gen copies into the REST handlers)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest


def _entities(gc: dict) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for tab in gc["pages"]["configuration"]["tabs"]:
        if "entity" in tab:
            out.update({f"{tab['name']}.{e['field']}": e for e in tab["entity"]})
    for svc in gc["pages"]["inputs"]["services"]:
        out.update({f"{svc['name']}.{e['field']}": e for e in svc["entity"]})
    return out


def _regexes(entity: dict) -> list[str]:
    return [v["pattern"] for v in entity.get("validators", []) if v["type"] == "regex"]


def _accepts(entity: dict, value: str) -> bool:
    for v in entity.get("validators", []):
        if v["type"] == "regex" and not re.search(v["pattern"], value):
            return False
        if v["type"] == "string" and not (v["minLength"] <= len(value) <= v["maxLength"]):
            return False
    return True


def test_every_field_has_help_and_a_validator(global_config: dict) -> None:
    for key, e in _entities(global_config).items():
        assert e.get("help"), f"{key} has no help text"
        if e["type"] == "text":
            assert e.get("validators"), f"{key} has no validator"
            for v in e["validators"]:
                assert len(v.get("errorMsg", "")) > 20, f"{key}: error message must say what is accepted"


def test_secrets_are_encrypted(global_config: dict) -> None:
    ents = _entities(global_config)
    assert ents["account.api_key"]["encrypted"] is True
    proxy = next(t for t in global_config["pages"]["configuration"]["tabs"] if t.get("type") == "proxyTab")
    assert proxy["password"]["encrypted"] is True


CASES = {
    "account.name": (["prod_org", "a1"], ["1abc", "has space", "x" * 101, ""]),
    "account.api_key": (["sk-admin-" + "a" * 40], ["short", "sk-admin-abc def ghi jkl mno", ""]),
    "account.base_url": (
        ["https://api.openai.com/v1", "http://127.0.0.1:8787/v1", "http://localhost/v1", "https://gw.corp.example/openai/v1"],
        ["http://api.openai.com/v1", "ftp://x", "http://10.0.0.1/v1", "https://", "api.openai.com/v1", "http://127.0.0.1.evil.com/v1"],
    ),
    "account.ca_bundle": (["/opt/splunk/etc/auth/corp-ca.pem", "C:\\certs\\ca.crt"], ["relative/ca.pem", "/etc/ca.txt"]),
    "openai_audit.start_date": (
        ["2026-11-01", "2026-11-01T00:00:00Z", "2026-11-01T08:30:00+02:00", "2026-11-01 08:30"],
        ["yesterday", "01/11/2026", "2026-11-1", "1730419200"],
    ),
    "openai_audit.event_types": (
        ["login.failed", "login.failed, api_key.created", "tenant.admin_api_key.created"],
        ["login", "Login.Failed", "login.failed;api_key.created", ","],
    ),
    "openai_audit.project_ids": (["proj_abc123", "proj_a, proj-b"], ["proj a", "proj_a;proj_b", ","]),
}


@pytest.mark.parametrize("key", sorted(CASES))
def test_validators_accept_good_and_refuse_bad(global_config: dict, key: str) -> None:
    entity = _entities(global_config)[key]
    good, bad = CASES[key]
    for value in good:
        assert _accepts(entity, value), f"{key} should accept {value!r}"
    for value in bad:
        assert not _accepts(entity, value), f"{key} should refuse {value!r}"


def test_input_interval_and_defaults(global_config: dict) -> None:
    ents = _entities(global_config)
    interval = ents["openai_audit.interval"]
    assert interval["defaultValue"] == "300" and interval["options"]["range"] == [60, 86400]
    assert ents["account.base_url"]["defaultValue"] == "https://api.openai.com/v1"
    assert ents["openai_audit.include_tenant"]["type"] == "checkbox"
    assert global_config["meta"]["supportedPythonVersion"] == ["3.9", "3.13"]


@pytest.mark.build
def test_generated_confs_declare_python_required(built_app: Path) -> None:
    for conf in ("inputs.conf", "restmap.conf"):
        text = (built_app / "default" / conf).read_text()
        assert "python.required = 3.9, 3.13" in text, conf
