"""The retry policy as the README documents it ("Retries": base 1 s, max 30 s, at most 8 attempts, a budget of
half the input interval within 5-300 s, Retry-After honoured exactly plus up to 10% jitter, never retrying early).
Written to kill the mutants of oai_audit/retry.py that the older tests let through (scripts/mutation.sh)."""
from __future__ import annotations

import time

import pytest

from oai_audit.retry import RetryPolicy, parse_retry_after

NOW = 1_800_000_000.0


def test_default_policy_doubles_from_one_second_caps_at_30_and_allows_8_attempts():
    p = RetryPolicy()
    delays = [p.next_delay(a, waited=0.0, rand=lambda: 1.0) for a in range(1, 9)]
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, None]  # the 8th attempt was the last
    assert p.budget == 120.0  # the CLI's budget (README)


def test_backoff_grows_by_the_factor_from_the_base():
    p = RetryPolicy(base=0.5, factor=3.0, max_delay=100.0)
    assert [p.backoff(a, rand=lambda: 1.0) for a in (1, 2, 3)] == [0.5, 1.5, 4.5]


def test_a_delay_that_exactly_fills_the_remaining_budget_is_still_taken():
    p = RetryPolicy(base=1.0, budget=10.0)
    assert p.next_delay(3, waited=6.0, rand=lambda: 1.0) == 4.0  # 4 s left, 4 s delay
    assert p.next_delay(3, waited=6.5, rand=lambda: 1.0) is None


def test_retry_after_gets_at_most_10_percent_jitter_and_never_exceeds_the_budget():
    p = RetryPolicy(budget=100.0)
    assert p.next_delay(1, waited=0.0, retry_after=10.0, rand=lambda: 1.0) == pytest.approx(11.0)
    assert p.next_delay(1, waited=0.0, retry_after=10.0, rand=lambda: 0.0) == 10.0
    # exactly the time left: waited, jitter cut to the budget
    assert p.next_delay(1, waited=90.0, retry_after=10.0, rand=lambda: 1.0) == pytest.approx(10.0)
    assert RetryPolicy(max_attempts=2).next_delay(2, waited=0.0, retry_after=1.0) is None  # attempts first
    assert RetryPolicy(max_attempts=3).next_delay(4, waited=0.0) is None  # past the last attempt: still no


def test_interval_budget_is_half_the_interval_and_the_cap_half_the_budget():
    p = RetryPolicy.for_interval(300)
    assert (p.budget, p.max_delay) == (150.0, 30.0)
    short = RetryPolicy.for_interval(20)
    assert (short.budget, short.max_delay) == (10.0, 5.0)
    assert RetryPolicy.for_interval(10).budget == 5.0  # floor 5 s
    assert RetryPolicy.for_interval(1000).budget == 300.0  # ceiling 300 s
    assert RetryPolicy.for_interval(599).budget == 299.5


def test_retry_after_forms():
    assert parse_retry_after("   ", NOW) is None
    assert parse_retry_after("-0.5", NOW) is None  # delta-seconds is a non-negative integer (RFC 9110)


def test_an_http_date_is_gmt_whatever_the_hosts_time_zone(monkeypatch):
    # "-0000" parses as a naive datetime: it must be read as UTC (RFC 9110 dates are GMT), not local time
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert parse_retry_after("Fri, 15 Jan 2027 08:00:42 -0000", 1800000000.0) == pytest.approx(42.0)
        assert parse_retry_after("Fri, 15 Jan 2027 08:00:42 GMT", 1800000000.0) == pytest.approx(42.0)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
