"""streamstats windows as Splunk documents them (Search Reference, "streamstats", Optional arguments):

- ``global``: "Used only when the window argument is set. Defines whether to use a single window,
  global=true, or to use separate windows based on the by clause. ... Default: true".
- ``time_window``: "Specifies the window size for the streamstats calculations, based on time"; "The
  time_window argument requires that the events are sorted in either ascending or descending time order".

Whether an event exactly ``span`` seconds earlier is inside the window is not documented: splsim keeps it
out (a half-open window ending at the current event); the detections never depend on that exact second.
"""
from __future__ import annotations

from typing import List

import pytest

from splsim import Engine, SplError

# _time 0, 10, 20, 30 s; user a, b, a, a
SEQ = ('| makeresults count=4 | streamstats count as n | eval _time=(n - 1) * 10, '
       'user=case(n=1, "a", n=2, "b", true(), "a")')


def _col(rows: List[dict], name: str) -> List[str]:
    return [r.get(name, "") for r in sorted(rows, key=lambda r: int(r["n"]))]


def test_window_with_by_is_one_global_window_by_default(engine: Engine) -> None:
    # the single window of the last 2 events: at n=3 (a) it holds n=2 (b) and n=3 (a) -> count 1 for a
    rows = engine.search(SEQ + " | streamstats window=2 count as c by user", [])
    assert _col(rows, "c") == ["1", "1", "1", "2"]


def test_global_false_keeps_a_window_per_group(engine: Engine) -> None:
    rows = engine.search(SEQ + " | streamstats window=2 global=f count as c by user", [])
    assert _col(rows, "c") == ["1", "1", "2", "2"]


def test_previous_event_of_the_same_group_needs_global_false(engine: Engine) -> None:
    rows = engine.search(SEQ + " | streamstats current=f window=1 global=f last(n) as prev by user", [])
    assert _col(rows, "prev") == ["", "", "1", "3"]
    rows = engine.search(SEQ + " | streamstats current=f window=1 last(n) as prev by user", [])
    assert _col(rows, "prev") == ["", "", "", "3"]  # global window: n=3's previous event is b's


def test_time_window_counts_events_within_the_span(engine: Engine) -> None:
    rows = engine.search(SEQ + " | streamstats time_window=20s count as c by user", [])
    assert _col(rows, "c") == ["1", "1", "1", "2"]  # n=3 (t=20): n=1 (t=0) is 20 s away, outside
    rows = engine.search(SEQ + " | streamstats time_window=21s count as c, min(_time) as start by user", [])
    assert _col(rows, "c") == ["1", "1", "2", "2"] and _col(rows, "start") == ["0", "10", "0", "20"]


def test_time_window_with_current_false_and_descending_input(engine: Engine) -> None:
    rows = engine.search(SEQ + " | sort 0 - _time | streamstats current=f time_window=15s count as c", [])
    assert _col(rows, "c") == ["1", "1", "1", "0"]  # newest first: each sees the one newer event 10 s away


def test_time_window_refuses_unsorted_input(engine: Engine) -> None:
    with pytest.raises(SplError, match="sorted"):
        engine.search(SEQ + " | eval _time=if(n=2, 100, _time) | streamstats time_window=1m count as c", [])
