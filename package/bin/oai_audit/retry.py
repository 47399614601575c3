"""Pure retry policy: exponential backoff with full jitter, Retry-After, and a total time budget."""
from __future__ import annotations

import email.utils
import random
from dataclasses import dataclass
from datetime import timezone
from typing import Callable, Optional


def parse_retry_after(value: Optional[str], now: float) -> Optional[float]:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date); None if absent/invalid."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return max(0.0, when.timestamp() - now)
    if seconds != seconds or seconds < 0 or seconds == float("inf"):  # NaN, negative, inf
        return None
    return seconds


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before retrying a retryable error.

    ``budget`` is the total seconds of waiting allowed for one request (kept shorter than the input
    interval); ``max_attempts`` caps the number of tries whatever the budget.
    """

    base: float = 1.0
    factor: float = 2.0
    max_delay: float = 30.0
    budget: float = 120.0
    max_attempts: int = 8

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Full-jitter exponential delay for retry number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay, self.base * (self.factor ** max(0, attempt - 1)))
        return ceiling * rand()

    def next_delay(self, attempt: int, waited: float, retry_after: Optional[float] = None,
                   rand: Callable[[], float] = random.random) -> Optional[float]:
        """Delay before retry ``attempt`` after ``waited`` seconds already spent; None means give up.

        A server ``Retry-After`` is honoured exactly (plus at most 10% jitter); if it does not fit in
        the remaining budget the policy gives up at once rather than retrying early.
        """
        if attempt >= self.max_attempts:
            return None
        remaining = self.budget - waited
        if retry_after is not None:
            delay = retry_after + 0.1 * retry_after * rand()
            if retry_after > remaining:
                return None
            return min(delay, remaining)
        delay = self.backoff(attempt, rand)
        if delay > remaining:
            return None
        return delay

    @classmethod
    def for_interval(cls, interval_seconds: float) -> "RetryPolicy":
        """A policy whose total budget is half the polling interval (at least 5 s, at most 300 s)."""
        budget = max(5.0, min(300.0, interval_seconds / 2.0))
        return cls(budget=budget, max_delay=min(30.0, budget / 2.0))
