"""Configuration checks as the README's setup section states them: the base URL is https (plain http only on
127.0.0.1/localhost) without credentials, query or fragment; the start date is ISO-8601 (UTC without an offset)
or epoch seconds, not in the future nor before 1970; saving an account makes ONE limit=1 request (no retry) and
turns each failure into a message that says what to do. Simulator on loopback for the request."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from oai_audit.errors import ConfigError
from oai_audit.validation import parse_start_date, validate_base_url, validate_credentials
from oai_sim import faults as F
from oai_sim.server import Simulator

from collector_support import KEY

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize("url,expected", [("  https://api.openai.com/v1  ", "https://api.openai.com/v1"),
                                          ("http://LOCALHOST:8/v1//", "http://LOCALHOST:8/v1")])
def test_base_url_is_trimmed_and_localhost_matched_in_any_case(url, expected):
    assert validate_base_url(url) == expected


@pytest.mark.parametrize("url,msg", [("https:///v1", "not a valid"), ("https://api.openai.com/v1#top", "fragment"),
                                     ("https://user@api.openai.com/v1", "credentials"),
                                     ("http://127.0.0.2/v1", "https://")])
def test_base_url_refusals(url, msg):
    with pytest.raises(ConfigError, match=msg):
        validate_base_url(url)


def test_start_date_forms_and_bounds():
    assert parse_start_date("2026-01-31t10:00:00z", NOW) == int(datetime(2026, 1, 31, 10, tzinfo=timezone.utc).timestamp())
    assert parse_start_date(1767225600, NOW) == 1767225600  # an int from the REST layer
    assert parse_start_date(" 0 ", NOW) == 0  # 1970-01-01 itself is allowed
    assert parse_start_date(str(int(NOW)), NOW) == int(NOW)  # now is not the future
    for raw, msg in ((None, "required"), ("   ", "required"), ("1969-12-31T23:59:59Z", "before 1970"),
                     ("123456789012", "ISO-8601"), (str(int(NOW) + 1), "future")):
        with pytest.raises(ConfigError, match=msg):
            parse_start_date(raw, NOW)


@pytest.mark.parametrize("fault,msg", [(F.rate_limit("1"), "rate limiting"), (F.server_error(500), "Cannot reach"),
                                       (F.malformed_json(), "Unexpected answer"),
                                       (F.missing_scope(), "api.audit_logs.read"), (F.unauthorized(), "rejected")])
def test_one_request_and_a_message_per_failure(fault, msg):
    with Simulator([], admin_key=KEY) as sim:
        sim.inject(fault, fault)
        with pytest.raises(ConfigError, match=msg):
            validate_credentials(sim.base_url, KEY)
        assert len(sim.requests) == 1  # no retry while the admin waits on the form


def test_a_refused_request_is_an_unexpected_answer_and_the_key_is_trimmed():
    with Simulator([], admin_key=KEY) as sim:
        validate_credentials(sim.base_url + "/", "  " + KEY + "\n")
        assert len(sim.requests) == 1
    with Simulator([], admin_key=KEY) as sim:
        with pytest.raises(ConfigError, match="Unexpected answer"):
            validate_credentials(sim.base_url + "/nothing-here", KEY)
