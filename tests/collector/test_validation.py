"""Account/input validation: base URL, start date, and one limit=1 credential check against the simulator."""
from __future__ import annotations

import socket
from datetime import datetime, timezone

import pytest

from oai_sim.server import Simulator

from oai_audit.errors import ConfigError
from oai_audit.proxy import proxy_url_from_settings, redact_url
from oai_audit.validation import (
    parse_seconds, parse_start_date, validate_base_url, validate_credentials, validate_index,
)

from collector_support import KEY

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize("url,expected", [
    (None, "https://api.openai.com/v1"), ("", "https://api.openai.com/v1"),
    ("https://api.openai.com/v1/", "https://api.openai.com/v1"), ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1"),
    ("http://localhost:9/v1", "http://localhost:9/v1"), ("https://gw.example.com/openai", "https://gw.example.com/openai"),
])
def test_base_url_accepted(url, expected):
    assert validate_base_url(url) == expected


@pytest.mark.parametrize("url,msg", [
    ("http://api.openai.com/v1", "https://"), ("ftp://x/v1", "valid"), ("api.openai.com", "valid"),
    ("https://u:p@api.openai.com/v1", "credentials"), ("https://api.openai.com/v1?x=1", "query"),
])
def test_base_url_refused(url, msg):
    with pytest.raises(ConfigError, match=msg):
        validate_base_url(url)


@pytest.mark.parametrize("raw,expected", [
    ("2026-01-31", datetime(2026, 1, 31, tzinfo=timezone.utc)), ("2026-01-31T10:00:00Z", datetime(2026, 1, 31, 10, tzinfo=timezone.utc)),
    ("2026-01-31T12:00:00+02:00", datetime(2026, 1, 31, 10, tzinfo=timezone.utc)), ("1767225600", datetime(2026, 1, 1, tzinfo=timezone.utc)),
    ("20261101", datetime(2026, 11, 1, tzinfo=timezone.utc)),  # ISO-8601 basic format, not 1970 epoch seconds
])
def test_start_date_parsed(raw, expected):
    assert parse_start_date(raw, NOW) == int(expected.timestamp())


@pytest.mark.parametrize("raw,msg", [("", "required"), ("yesterday", "ISO-8601"), ("2030-01-01", "future"),
                                     ("2026-13-01", "ISO-8601"), ("20261301", "not a date"),
                                     ("20301101", "future")])
def test_start_date_refused(raw, msg):
    with pytest.raises(ConfigError, match=msg):
        parse_start_date(raw, NOW)


def test_credentials_ok_makes_exactly_one_limit_1_request():
    with Simulator([], admin_key=KEY) as sim:
        validate_credentials(sim.base_url, KEY)
        [req] = sim.requests
        assert req.query == {"limit": ["1"]}


@pytest.mark.parametrize("kwargs,msg", [
    ({"admin_key": "sk-other"}, "rejected"), ({"admin_key": KEY, "scopes": ()}, "api.audit_logs.read"),
])
def test_credentials_refused_with_clear_message(kwargs, msg):
    with Simulator([], **kwargs) as sim:
        with pytest.raises(ConfigError, match=msg) as info:
            validate_credentials(sim.base_url, KEY)
        assert KEY not in str(info.value)
        assert len(sim.requests) == 1


def test_credentials_forbidden():
    from oai_sim import faults as F
    with Simulator([], admin_key=KEY) as sim:
        sim.inject(F.forbidden())
        with pytest.raises(ConfigError, match="403"):
            validate_credentials(sim.base_url, KEY)


def test_credentials_network_error_and_plain_http():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ConfigError, match="Cannot reach"):
        validate_credentials(f"http://127.0.0.1:{port}/v1", KEY, timeout=2)
    with pytest.raises(ConfigError, match="https"):
        validate_credentials("http://api.example.com/v1", KEY)
    with pytest.raises(ConfigError, match="required"):
        validate_credentials("https://api.example.com/v1", " ")


def test_bad_ca_bundle_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="CA bundle"):
        validate_credentials("https://127.0.0.1:1/v1", KEY, verify=str(tmp_path / "missing.pem"))


def test_proxy_settings_to_url_and_redaction():
    assert proxy_url_from_settings({"proxy_enabled": "0", "proxy_url": "p"}) is None
    url = proxy_url_from_settings({"proxy_enabled": "1", "proxy_type": "http", "proxy_url": "proxy.local",
                                   "proxy_port": "3128", "proxy_username": "u@x", "proxy_password": "p:w/d"})
    assert url == "http://u%40x:p%3Aw%2Fd@proxy.local:3128"
    assert "p%3Aw" not in redact_url(url) and "proxy.local:3128" in redact_url(url)
    with pytest.raises(ConfigError, match="port"):
        proxy_url_from_settings({"proxy_enabled": "true", "proxy_url": "h", "proxy_port": "99999"})
    with pytest.raises(ConfigError, match="socks5"):
        proxy_url_from_settings({"proxy_enabled": "1", "proxy_type": "socks5", "proxy_url": "h", "proxy_port": "1"})


@pytest.mark.parametrize("name", ["main", "audit_openai", "oai-audit-2", "9lives", "", None])
def test_index_names_splunk_accepts(name):
    assert validate_index(name) == (name or "default")


@pytest.mark.parametrize("name", ["_internal_x", "-x", "Audit", "a b", "a.b", "my_kvstore", "idx/../x", "ind\u00e9x"])
def test_index_names_splunk_refuses_are_refused(name):
    """indexes.conf: lowercase letters, digits, underscores and hyphens; not starting with _ or -; no "kvstore"."""
    with pytest.raises(ConfigError, match="not a valid Splunk index name"):
        validate_index(name)


def test_seconds_fields():
    assert parse_seconds(" 120 ", "Overlap", 0, 86400, 600) == 120 and parse_seconds(None, "Overlap", 0, 9, 6) == 6
    for bad in ("-1", "86401", "1.5", "*/5 * * * *", "\u00b2"):
        with pytest.raises(ConfigError, match="Overlap .* must be a whole number of seconds from 0 to 86400"):
            parse_seconds(bad, "Overlap", 0, 86400, 600)
    with pytest.raises(ConfigError) as err:  # a pasted essay is quoted in part
        parse_seconds("x" * 5000, "Interval", 60, 86400, 300)
    assert f"Interval '{'x' * 40}...' must be" in str(err.value) and len(str(err.value)) < 150
    with pytest.raises(ConfigError, match="from 60 to 86400"):  # 41 digits: refused, not cut to 40 and parsed
        parse_seconds("1" * 41, "Interval", 60, 86400, 300)
