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


# Splunk Search Reference, "Time modifiers" (help.splunk.com/splunk-enterprise/spl-search-reference/9.4/
# time-format-variables-and-modifiers/time-modifiers): "When you use a time modifier in the SPL syntax, that time
# overrides the time specified in the Time Range Picker. [...] Because the search does not specify the latest
# time modifier, the default value now is used for latest." and "time ranges specified directly in the base
# search do not apply to subsearches".

def test_inline_earliest_without_latest_ends_at_now(engine: Engine, events: List[Event]) -> None:
    """A saved search dispatched over [-70m, -10m) whose string says earliest=-1h reads up to now."""
    now = BASE_T + 7300 + 60
    rows = engine.search("sourcetype=openai:audit earliest=-1h", events, now=now, earliest="-70m", latest="-10m")
    assert [r["type_lower"] for r in rows] == ["mystery.event", "project.created"]
    # without the inline term the dispatch range applies
    rows = engine.search("sourcetype=openai:audit", events, now=now, earliest="-70m", latest="-10m")
    assert [r["type_lower"] for r in rows] == ["api_key.created"]


def test_inline_earliest_and_latest_replace_the_dispatch_range(engine: Engine, events: List[Event]) -> None:
    now = BASE_T + 7300 + 60
    rows = engine.search("sourcetype=openai:audit earliest=-1h latest=-2m", events, now=now, earliest="-5m",
                         latest="now")
    assert [r["type_lower"] for r in rows] == ["project.created"]


def test_inline_latest_alone_is_refused(engine: Engine, events: List[Event]) -> None:
    """The docs define a missing inline latest, not a missing inline earliest: splsim does not guess."""
    with pytest.raises(SplError, match="inline latest"):
        engine.search("sourcetype=openai:audit latest=-10m", events, now=NOW, earliest="-24h", latest="now")


def test_inline_range_of_the_base_search_does_not_apply_to_subsearches(engine: Engine, events: List[Event]) -> None:
    now = BASE_T + 7300 + 60
    spl = ("sourcetype=openai:audit earliest=-1h | eval part=\"base\" "
           "| append [search sourcetype=openai:audit | eval part=\"sub\"]")
    rows = engine.search(spl, events, now=now, earliest="-70m", latest="-10m")
    assert sorted((r["part"], r["type_lower"]) for r in rows) == [
        ("base", "mystery.event"), ("base", "project.created"), ("sub", "api_key.created")]


def test_inline_range_of_a_subsearch_does_not_change_the_base_search(engine: Engine, events: List[Event]) -> None:
    now = BASE_T + 7300 + 60
    spl = ("sourcetype=openai:audit | eval part=\"base\" "
           "| append [search sourcetype=openai:audit earliest=0 | eval part=\"sub\"] | addinfo")
    rows = engine.search(spl, events, now=now, earliest="-70m", latest="-10m")
    assert sum(r["part"] == "sub" for r in rows) == 6
    assert [r["type_lower"] for r in rows if r["part"] == "base"] == ["api_key.created"]
    assert {r["info_max_time"] for r in rows} == {str(int(now - 600))}
