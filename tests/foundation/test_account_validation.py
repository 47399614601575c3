"""Saving an account (oai_audit.account.check_account, the pure part of the account REST handler; the handler
itself is exercised in test_account_handler.py): one bounded limit=1 request; 401 / 403 / missing scope become
clear messages (never the key). The simulator is on loopback http, so these run with the custom-URL setting."""
from __future__ import annotations

import pytest

from oai_audit.account import NEW_URL_NEEDS_KEY, check_account, effective_key
from oai_audit.errors import ConfigError
from oai_sim.server import Simulator

KEY = "sk-admin-" + "k" * 40


@pytest.fixture()
def sim():
    with Simulator([], admin_key=KEY) as s:
        yield s


def _check(payload: dict, saved: "dict | None" = None, allow_custom: bool = True) -> None:
    check_account(payload, saved=saved, proxy_url=None, allow_custom=allow_custom)


def test_valid_key_makes_exactly_one_limit_1_request(sim: Simulator) -> None:
    _check({"api_key": KEY, "base_url": sim.base_url})
    reqs = sim.requests
    assert len(reqs) == 1
    assert reqs[0].query.get("limit") == ["1"]


def test_invalid_key_is_refused_with_401_message(sim: Simulator) -> None:
    bad = "sk-admin-" + "x" * 40
    with pytest.raises(ConfigError) as err:
        _check({"api_key": bad, "base_url": sim.base_url})
    assert "401" in str(err.value) and "rejected" in str(err.value)
    assert bad not in str(err.value) and "x" * 20 not in str(err.value)
    assert len(sim.requests) == 1, "no retry storm on 401"


def test_missing_scope_is_named(sim: Simulator) -> None:
    with Simulator([], admin_key=KEY, scopes=()) as noscope:
        with pytest.raises(ConfigError) as err:
            _check({"api_key": KEY, "base_url": noscope.base_url})
    assert "api.audit_logs.read" in str(err.value)
    assert KEY not in str(err.value)


def test_forbidden_is_refused(sim: Simulator) -> None:
    from oai_sim import faults

    sim.inject(faults.forbidden())
    with pytest.raises(ConfigError) as err:
        _check({"api_key": KEY, "base_url": sim.base_url})
    assert "403" in str(err.value)


def test_edit_with_masked_key_validates_the_stored_key_at_the_saved_url(sim: Simulator) -> None:
    _check({"api_key": "******"}, saved={"api_key": KEY, "base_url": sim.base_url})
    assert sim.requests[0].query.get("limit") == ["1"]
    assert effective_key("********", lambda: KEY) == KEY
    assert effective_key(" new ", lambda: KEY) == "new"


def test_edit_with_masked_key_and_another_url_is_refused_before_any_request(sim: Simulator) -> None:
    with Simulator([], admin_key=KEY) as other:
        with pytest.raises(ConfigError) as err:
            _check({"api_key": "******", "base_url": other.base_url},
                   saved={"api_key": KEY, "base_url": sim.base_url})
        assert str(err.value) == NEW_URL_NEEDS_KEY and other.requests == [] and sim.requests == []


def test_create_without_a_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="key is required"):
        _check({"api_key": "******"})


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/v1", "https://169.254.169.254/", "https://eu.api.openai.com/v1",
                                 "https://api.openai.com/v2"])
def test_without_the_setting_only_the_official_api_url_is_accepted(url: str) -> None:
    with pytest.raises(ConfigError) as err:
        _check({"api_key": KEY, "base_url": url}, allow_custom=False)
    assert "Configuration > Advanced" in str(err.value)


@pytest.mark.parametrize("url", ["http://api.openai.com/v1", "ftp://127.0.0.1/v1", "http://10.1.2.3/v1"])
def test_non_https_base_url_is_refused_before_any_request(url: str) -> None:
    with pytest.raises(ConfigError) as err:
        _check({"api_key": KEY, "base_url": url})
    assert "https" in str(err.value)


def test_unreachable_api_is_a_clear_message() -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens on this port now
    with pytest.raises(ConfigError) as err:
        _check({"api_key": KEY, "base_url": f"http://127.0.0.1:{port}/v1"})
    assert "Cannot reach" in str(err.value)
