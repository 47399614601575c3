"""Scheduled runs and throttling (splsim.alerting), each test against the documented rule it names.

- savedsearches.conf.spec (docs.splunk.com/Documentation/Splunk/latest/Admin/Savedsearchesconf): alert.suppress,
  alert.suppress.period "[number][time-unit] ... 60 = 60 seconds, 1m = 1 minute, 1h = 60 minutes",
  alert.suppress.fields "must be specified if the digest mode is disabled and suppression is enabled".
- Alerting Manual, "Throttle alerts" (help.splunk.com/splunk-enterprise/alert-and-respond/alerting-manual/9.4/
  manage-alert-trigger-conditions-and-throttling/throttle-alerts): "After an alert on one event where both the
  product_category field AND the best_sellers have value arcade, subsequent events with the arcade value in the
  product_category and the best_sellers field are suppressed during the throttling time period."
- ES 7.3 correlation search tutorial, "Schedule the correlation search": with fields to group by, "only one alert is
  created" per group-by values within the window duration.
"""
from __future__ import annotations

from typing import Dict, List

import pytest
from splsim_testdata import BASE_T, audit_event

from splsim import Engine, Event, SplError
from splsim.alerting import ScheduledSearch, Throttle, cron_times, parse_suppress_period

HOUR = 3600.0


def _stanza(**extra: str) -> Dict[str, str]:
    st = {"search": "sourcetype=openai:audit | table _time type_lower", "cron_schedule": "0 * * * *",
          "dispatch.earliest_time": "-70m@m", "dispatch.latest_time": "-10m@m", "alert.digest_mode": "1",
          "counttype": "number of events", "relation": "greater than", "quantity": "0",
          "alert.suppress": "1", "alert.suppress.fields": "type_lower", "alert.suppress.period": "3600s"}
    st.update(extra)
    return st


@pytest.mark.parametrize("text,seconds", [("60", 60), ("1m", 60), ("1h", 3600), ("3600s", 3600), ("21600s", 21600)])
def test_suppress_period_units(text: str, seconds: float) -> None:
    assert parse_suppress_period(text) == seconds


@pytest.mark.parametrize("bad", ["", "1d", "1.5h", "-60s", "1 hour"])
def test_unknown_suppress_period_is_refused(bad: str) -> None:
    with pytest.raises(SplError):
        parse_suppress_period(bad)


def test_throttle_counts_the_period_from_the_fire_time() -> None:
    """Suppressed for the period after the alert fired: a repeat firing 3599 s later is dropped, one firing
    exactly a period later (the next hourly run, same delay) is not - and a suppressed result does not extend
    the period."""
    th = Throttle(["user"], 3600)
    r = {"user": "a"}
    assert th.admit([r], 1000.0) == [r]
    assert th.admit([r], 1000.0 + 3599) == []
    assert th.admit([r], 1000.0 + 3600) == [r]
    assert th.admit([r], 1000.0 + 3600 + 1800) == []
    assert th.admit([r], 1000.0 + 7200) == [r]


def test_throttle_groups_by_every_field_value() -> None:
    th = Throttle(["user", "src"], 3600)
    a, b, c = {"user": "a", "src": "1"}, {"user": "a", "src": "2"}, {"user": "a", "src": "1", "x": "other"}
    assert th.admit([a, b, c], 0.0) == [a, b]  # one alert per group, even within one run
    assert th.admit([{"user": "a", "src": ["1", "2"]}], 10.0) == [{"user": "a", "src": ["1", "2"]}]


def test_digest_mode_without_fields_suppresses_the_whole_alert() -> None:
    th = Throttle.from_stanza(_stanza(**{"alert.suppress.fields": ""}))
    assert th is not None and th.fields == ()
    rows = [{"n": "1"}, {"n": "2"}]
    assert th.admit(rows, 0.0) == rows
    assert th.admit([{"n": "3"}], 100.0) == []


def test_per_result_mode_needs_fields() -> None:
    with pytest.raises(SplError, match="digest mode is off"):
        Throttle.from_stanza(_stanza(**{"alert.digest_mode": "0", "alert.suppress.fields": ""}))


def test_suppression_off_and_missing_fields() -> None:
    assert Throttle.from_stanza(_stanza(**{"alert.suppress": "0"})) is None
    with pytest.raises(SplError, match="missing"):
        Throttle(["user"], 60).admit([{"src": "x"}], 0.0)


def test_cron_times_and_refusals() -> None:
    day = BASE_T
    assert cron_times("0 * * * *", day, day + 3 * HOUR) == [day, day + HOUR, day + 2 * HOUR]
    assert len(cron_times("*/5 * * * *", day, day + HOUR)) == 12
    assert cron_times("15,45 2-3 * * *", day, day + 86400) == [day + 2 * HOUR + 900, day + 2 * HOUR + 2700,
                                                               day + 3 * HOUR + 900, day + 3 * HOUR + 2700]
    for bad in ("0 * * * 1", "0 * 1 * *", "61 * * * *", "0 *"):
        with pytest.raises(SplError):
            cron_times(bad, day, day + HOUR)


def _events(engine: Engine) -> List[Event]:
    # one event at 00:30 indexed at 00:35, one at 00:55 indexed at 01:20 (late)
    return [engine.make_event(audit_event("scim.disabled", BASE_T + 1800), indextime=BASE_T + 2100),
            engine.make_event(audit_event("scim.enabled", BASE_T + 3300), indextime=BASE_T + 4800)]


def test_a_run_reads_its_slot_as_indexed_at_dispatch(engine: Engine) -> None:
    """Relative dispatch times resolve against the scheduled time (a delayed dispatch reads the same slot); the
    search sees what was indexed when it was dispatched."""
    ss = ScheduledSearch(engine, "t", _stanza())
    evs = _events(engine)
    run = ss.run(evs, BASE_T + 2 * HOUR, dispatch_delay=600, run_time=30)
    assert (run.earliest, run.latest) == (BASE_T + 50 * 60, BASE_T + 110 * 60)
    assert run.fired == BASE_T + 2 * HOUR + 630
    assert [r["type_lower"] for r in run.results] == ["scim.enabled"]
    before_index = ScheduledSearch(engine, "t", _stanza(**{"dispatch.earliest_time": "-2h"}))
    assert [r["type_lower"] for r in before_index.run(evs, BASE_T + 4500).results] == ["scim.disabled"]


def test_runs_fire_alerts_through_the_throttle(engine: Engine) -> None:
    ss = ScheduledSearch(engine, "t", _stanza(**{"dispatch.earliest_time": "-24h", "dispatch.latest_time": "now"}))
    evs = _events(engine)
    first = ss.run(evs, BASE_T + 2 * HOUR, dispatch_delay=60, run_time=10)
    second = ss.run(evs, BASE_T + 3 * HOUR, dispatch_delay=0, run_time=10)  # fires 60 s before the period ends
    third = ss.run(evs, BASE_T + 4 * HOUR, dispatch_delay=60, run_time=10)
    assert len(first.results) == len(second.results) == 2 and len(first.alerts) == 2
    assert second.alerts == []
    assert len(third.alerts) == 2


def test_trigger_condition(engine: Engine) -> None:
    ss = ScheduledSearch(engine, "t", _stanza(quantity="1", **{"alert.suppress": "0",
                                                                "dispatch.earliest_time": "-24h"}))
    evs = _events(engine)
    assert ss.run(evs[:1], BASE_T + 2 * HOUR).alerts == []  # 1 result is not greater than 1
    assert len(ss.run(evs, BASE_T + 2 * HOUR).alerts) == 2
    for bad in ({"relation": "less than"}, {"counttype": "number of hosts"}, {"realtime_schedule": "1"},
                {"cron_schedule": ""}):
        with pytest.raises(SplError):
            ScheduledSearch(engine, "t", _stanza(**bad))
