"""Pure retry policy and Retry-After parsing."""
from __future__ import annotations

from email.utils import formatdate

import pytest

from oai_audit.retry import RetryPolicy, parse_retry_after

NOW = 1_800_000_000.0


@pytest.mark.parametrize("raw,expected", [("2", 2.0), (" 7 ", 7.0), ("0", 0.0), ("1.5", 1.5),
                                          (None, None), ("", None), ("soon", None), ("-3", None),
                                          ("nan", None), ("inf", None)])
def test_retry_after_seconds(raw, expected):
    assert parse_retry_after(raw, NOW) == expected


def test_retry_after_http_date():
    assert parse_retry_after(formatdate(NOW + 42, usegmt=True), NOW) == pytest.approx(42.0)
    assert parse_retry_after(formatdate(NOW - 100, usegmt=True), NOW) == 0.0  # past date: retry now
    assert parse_retry_after("Wed, 99 Foo 2026 25:61:00 GMT", NOW) is None


def test_backoff_is_exponential_with_full_jitter_and_capped():
    p = RetryPolicy(base=1.0, factor=2.0, max_delay=10.0)
    assert [p.backoff(a, rand=lambda: 1.0) for a in range(1, 7)] == [1, 2, 4, 8, 10, 10]
    assert p.backoff(3, rand=lambda: 0.25) == 1.0
    assert p.backoff(3, rand=lambda: 0.0) == 0.0


def test_budget_and_attempts_stop_retrying():
    p = RetryPolicy(base=1.0, max_delay=30.0, budget=10.0, max_attempts=4)
    assert p.next_delay(1, waited=0.0, rand=lambda: 1.0) == 1.0
    assert p.next_delay(3, waited=5.0, rand=lambda: 1.0) == 4.0
    assert p.next_delay(3, waited=7.0, rand=lambda: 1.0) is None  # 4 s would exceed the 10 s budget
    assert p.next_delay(4, waited=0.0, rand=lambda: 0.0) is None  # attempts exhausted


def test_retry_after_is_honoured_not_shortened():
    p = RetryPolicy(budget=60.0)
    d = p.next_delay(1, waited=0.0, retry_after=5.0, rand=lambda: 0.5)
    assert d is not None and 5.0 <= d <= 5.5
    assert p.next_delay(1, waited=50.0, retry_after=20.0) is None  # does not fit: give up, never retry early


def test_budget_follows_interval():
    assert RetryPolicy.for_interval(300).budget == 150.0
    assert RetryPolicy.for_interval(60).budget < 60
    assert RetryPolicy.for_interval(3600).budget == 300.0
    assert RetryPolicy.for_interval(1).budget == 5.0
