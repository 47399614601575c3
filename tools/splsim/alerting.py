"""A saved search run the way Splunk's scheduler and Enterprise Security run a correlation search: cron run times,
each run's dispatch range, the trigger condition, and throttling (``alert.suppress*``).

Documented rules applied (README "Scheduled searches and throttling" lists them with their sources):
- savedsearches.conf.spec: ``alert.suppress`` enables suppression; ``alert.suppress.period`` is
  ``[number][time-unit]`` (``60`` = 60 s, ``1m``, ``1h``); ``alert.suppress.fields`` lists the fields of
  per-result suppression and must be given when digest mode is off; ``alert.digest_mode`` true applies the alert
  actions to the whole result set.
- Alerting Manual, "Throttle alerts": after an alert on a result with given values of the throttle fields,
  later results with the same values are suppressed during the suppression period - the period starts when the
  alert fires, not when the suppressed search runs.
- ES tutorial "Schedule the correlation search": with Window duration / Fields to group by, "no matter how many
  [...] matches there are in one day that contain the same app and source field values, only one alert is
  created" - one notable per result, throttled per group-by value even though ES searches run in digest mode.
- Trigger condition ``counttype = number of events``, ``relation = greater than``, ``quantity = N``.
Anything else (other trigger conditions, real-time schedules, cron day/month fields) raises SplError.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Tuple

from . import timeutil
from .errors import SplError
from .values import as_list

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Engine, Result
    from .extract import Event

ThrottleKey = Tuple[Tuple[str, ...], ...]

_PERIOD_RE = re.compile(r"^\s*(\d+)\s*([smh]?)\s*$")
_PERIOD_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}
_TRUE = ("1", "true", "t", "yes", "y")


def parse_suppress_period(text: str) -> float:
    """``alert.suppress.period`` in seconds: ``[number][time-unit]`` with s, m or h (savedsearches.conf.spec)."""
    m = _PERIOD_RE.match(text or "")
    if not m:
        raise SplError(f"alert.suppress.period {text!r} is not [number][s|m|h]")
    return float(int(m.group(1)) * _PERIOD_UNITS[m.group(2)])


def _is_true(value: Optional[str], default: bool) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() in _TRUE


class Throttle:
    """Suppression state of one saved search: which throttle-field values are suppressed until when."""

    def __init__(self, fields: Sequence[str], period: float) -> None:
        self.fields = tuple(fields)
        self.period = period
        self._until: Dict[ThrottleKey, float] = {}

    @classmethod
    def from_stanza(cls, stanza: Mapping[str, str]) -> Optional["Throttle"]:
        if not _is_true(stanza.get("alert.suppress"), False):
            return None
        fields = [f.strip().strip('"') for f in stanza.get("alert.suppress.fields", "").split(",") if f.strip()]
        if not fields and not _is_true(stanza.get("alert.digest_mode"), True):
            raise SplError("alert.suppress.fields must be set when digest mode is off (savedsearches.conf.spec)")
        return cls(fields, parse_suppress_period(stanza.get("alert.suppress.period", "")))

    def key(self, result: "Result") -> ThrottleKey:
        missing = [f for f in self.fields if f not in result]
        if missing:
            raise SplError(f"throttle fields {missing} are missing from a result; how Splunk suppresses a result "
                           "without them is not emulated")
        return tuple(tuple(as_list(result[f])) for f in self.fields)

    def admit(self, results: Sequence["Result"], fired: float) -> List["Result"]:
        """The results that fire at ``fired``; each admitted key is then suppressed until ``fired + period``.
        Without throttle fields (digest mode) the whole result set is one alert."""
        if not self.fields:
            if not results or self._until.get((), -math.inf) > fired:
                return []
            self._until[()] = fired + self.period
            return list(results)
        out = []
        for r in results:
            k = self.key(r)
            if self._until.get(k, -math.inf) > fired:
                continue
            self._until[k] = fired + self.period
            out.append(r)
        return out


def _cron_field(text: str, lo: int, hi: int, name: str) -> List[int]:
    """One cron field: ``*``, ``N``, ``A-B``, each optionally ``/step``, comma-separated."""
    values: set = set()
    for part in text.split(","):
        m = re.fullmatch(r"(?:(\*)|(\d+)(?:-(\d+))?)(?:/(\d+))?", part)
        if not m:
            raise SplError(f"cron {name} field {text!r} is not supported")
        star, a, b, step = m.groups()
        first = lo if star else int(a)
        last = int(b) if b else (hi if star or step else first)
        if not lo <= first <= last <= hi or step == "0":
            raise SplError(f"cron {name} field {text!r} is out of range {lo}-{hi}")
        values.update(range(first, last + 1, int(step or 1)))
    return sorted(values)


def cron_times(cron: str, start: float, end: float) -> List[float]:
    """Epoch seconds (UTC) in [start, end) at which a five-field cron schedule fires. Only the minute and hour
    fields may be restricted; day-of-month, month and day-of-week must be ``*``."""
    parts = cron.split()
    if len(parts) != 5:
        raise SplError(f"cron schedule {cron!r} must have five fields")
    if parts[2:] != ["*", "*", "*"]:
        raise SplError(f"cron schedule {cron!r}: only minute and hour fields are emulated")
    minutes = set(_cron_field(parts[0], 0, 59, "minute"))
    hours = set(_cron_field(parts[1], 0, 23, "hour"))
    out = []
    t = math.ceil(start / 60.0) * 60
    while t < end:
        if (t // 60) % 60 in minutes and (t // 3600) % 24 in hours:
            out.append(float(t))
        t += 60
    return out


@dataclass
class Run:
    """One scheduled run: when it was due, dispatched and fired, its range, results and what fired."""
    scheduled: float
    dispatched: float
    fired: float
    earliest: Optional[float]
    latest: Optional[float]
    results: List["Result"]
    alerts: List["Result"] = field(default_factory=list)


class ScheduledSearch:
    """A scheduled saved search with its own throttle state, run one scheduled time after another.

    A run's relative times (``dispatch.*_time``, ``now()``, inline ``earliest=``) resolve against the scheduled
    time, so a run delayed by ``schedule_window`` still reads its own slot (choice: this is what makes ESCU's
    contiguous ``-70m@m``..``-10m@m`` windows with ``schedule_window = auto`` contiguous; verify in Splunk).
    The search sees only events indexed by the time it is dispatched: ``Event.indextime`` when set, else
    ``_time``."""

    def __init__(self, engine: "Engine", name: str, stanza: Optional[Mapping[str, str]] = None) -> None:
        self.engine = engine
        self.name = name
        self.stanza: Mapping[str, str] = stanza if stanza is not None else engine.savedsearches[name]
        st = self.stanza
        if _is_true(st.get("realtime_schedule"), False) or st.get("dispatch.earliest_time", "").startswith("rt"):
            raise SplError(f"{name}: real-time schedules are not emulated")
        if not st.get("cron_schedule"):
            raise SplError(f"{name}: no cron_schedule")
        counttype = st.get("counttype", "number of events").strip()
        relation = st.get("relation", "greater than").strip()
        if (counttype, relation) != ("number of events", "greater than"):
            raise SplError(f"{name}: trigger condition {counttype!r} {relation!r} is not emulated")
        self.quantity = int(st.get("quantity", "0"))
        self.throttle = Throttle.from_stanza(st)

    def run_times(self, start: float, end: float) -> List[float]:
        return cron_times(self.stanza["cron_schedule"], start, end)

    def run(self, events: Sequence["Event"], scheduled: float, *, dispatch_delay: float = 0.0,
            run_time: float = 0.0) -> Run:
        """Run once for the slot ``scheduled``: dispatched ``dispatch_delay`` later, its alert fires after
        ``run_time`` more. Runs must be made in scheduled order (the throttle state carries over)."""
        dispatched = scheduled + dispatch_delay
        visible = [e for e in events if (e.indextime if e.indextime is not None else e.time) <= dispatched]
        st = self.stanza
        earliest = _relative(st.get("dispatch.earliest_time"), scheduled)
        latest = _relative(st.get("dispatch.latest_time"), scheduled)
        results = self.engine.search(st["search"], visible, now=scheduled, earliest=earliest, latest=latest)
        run = Run(scheduled, dispatched, dispatched + run_time, earliest, latest, results)
        if len(results) > self.quantity:
            run.alerts = self.throttle.admit(results, run.fired) if self.throttle else list(results)
        return run


def _relative(spec: Optional[str], now: float) -> Optional[float]:
    if spec is None or not spec.strip():
        return None
    return timeutil.parse_time_modifier(spec, now)
