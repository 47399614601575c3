"""Time modifiers (docs.splunk.com/Documentation/Splunk/latest/SearchReference/SearchTimeModifiers)."""
from __future__ import annotations

from typing import List

import pytest
from splsim_testdata import BASE_T

from splsim import Engine, Event, SplError
from splsim.timeutil import parse_time_modifier, strftime, strptime

NOW = BASE_T + 2 * 86400 + 5 * 3600 + 17 * 60 + 9  # 2026-01-03T05:17:09Z (a Saturday)


@pytest.mark.parametrize("spec,expected", [
    ("now", NOW),
    ("0", 0),
    ("-24h", NOW - 86400),
    ("-24h@h", BASE_T + 86400 + 5 * 3600),
    ("-7d@d", BASE_T - 5 * 86400),
    ("@d", BASE_T + 2 * 86400),
    ("-1d@d+6h", BASE_T + 86400 + 6 * 3600),
    ("-15m", NOW - 900),
    ("-30s", NOW - 30),
    ("@w0", BASE_T - 4 * 86400),          # Sunday 2025-12-28
    ("@mon", BASE_T),
    ("-1mon@mon", BASE_T - 31 * 86400),
    ("@y", BASE_T),
    ("@q", BASE_T),
    (str(BASE_T), BASE_T),
    ("01/01/2026:00:00:00", BASE_T),
])
def test_relative_modifiers(spec: str, expected: float) -> None:
    assert parse_time_modifier(spec, NOW) == expected


@pytest.mark.parametrize("bad", ["-1x", "@zz", "yesterday", "-1d@"])
def test_invalid_modifiers(bad: str) -> None:
    with pytest.raises(SplError):
        parse_time_modifier(bad, NOW)


def test_earliest_latest_in_search_string(engine: Engine, events: List[Event]) -> None:
    rows = engine.search(f"sourcetype=openai:audit earliest={BASE_T + 3600} latest={BASE_T + 7250}", events, now=NOW)
    assert [r["type_lower"] for r in rows] == ["project.created", "api_key.created"]


def test_latest_is_exclusive_earliest_inclusive(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("sourcetype=openai:audit", events, earliest=BASE_T + 3600, latest=BASE_T + 7200)
    assert [r["type_lower"] for r in rows] == ["api_key.created"]


def test_relative_window_arguments(engine: Engine, events: List[Event]) -> None:
    now = BASE_T + 7300 + 60
    rows = engine.search("sourcetype=openai:audit", events, now=now, earliest="-1h", latest="now")
    assert [r["type_lower"] for r in rows] == ["mystery.event", "project.created"]


def test_inline_modifiers_override_arguments(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("sourcetype=openai:audit earliest=0", events, earliest=BASE_T + 9999)
    assert len(rows) == 6


def test_strftime_subseconds_and_epoch() -> None:
    assert strftime(BASE_T + 0.25, "%Y-%m-%d %H:%M:%S.%3N %s") == "2026-01-01 00:00:00.250 1767225600"
    assert strptime("1767225600", "%s") == BASE_T
    assert strptime("2026-01-01T00:00:00.5Z", "%Y-%m-%dT%H:%M:%S.%3NZ") == BASE_T + 0.5
