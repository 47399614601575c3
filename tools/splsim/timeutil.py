"""Time helpers: Splunk relative time modifiers, strftime/strptime with Splunk's extensions.

All wall-clock computations use UTC (the engine's user time zone is UTC).
"""
from __future__ import annotations

import calendar
import re
import time as _time
from datetime import datetime, timedelta, timezone
from typing import Optional, Tuple

from .errors import SplError

_UNITS = {
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "d": "d", "day": "d", "days": "d",
    "w": "w", "week": "w", "weeks": "w",
    "mon": "mon", "month": "mon", "months": "mon",
    "q": "q", "qtr": "q", "qtrs": "q", "quarter": "q", "quarters": "q",
    "y": "y", "yr": "y", "yrs": "y", "year": "y", "years": "y",
}
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_OFFSET_RE = re.compile(r"([+-])(\d*)([a-zA-Z]+)")
_SNAP_RE = re.compile(r"@([a-zA-Z]+)(\d?)")


def _add_months(dt: datetime, months: int) -> datetime:
    y, m = divmod(dt.month - 1 + months, 12)
    year, month = dt.year + y, m + 1
    day = min(dt.day, calendar.monthrange(year, month)[1])
    return dt.replace(year=year, month=month, day=day)


def _apply_offset(dt: datetime, sign: str, amount: str, unit_word: str) -> datetime:
    unit = _UNITS.get(unit_word.lower())
    if unit is None:
        raise SplError(f"invalid time unit {unit_word!r} in relative time modifier")
    n = int(amount) if amount else 1
    if sign == "-":
        n = -n
    if unit in _SECONDS:
        return dt + timedelta(seconds=n * _SECONDS[unit])
    months = {"mon": 1, "q": 3, "y": 12}[unit] * n
    return _add_months(dt, months)


def _snap(dt: datetime, unit_word: str, wday: str) -> datetime:
    unit = _UNITS.get(unit_word.lower())
    if unit is None:
        raise SplError(f"invalid snap unit {unit_word!r} in relative time modifier")
    if unit == "s":
        return dt.replace(microsecond=0)
    if unit == "m":
        return dt.replace(second=0, microsecond=0)
    if unit == "h":
        return dt.replace(minute=0, second=0, microsecond=0)
    day = dt.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "d":
        return day
    if unit == "w":
        target = int(wday) if wday else 0  # 0 = Sunday
        back = (day.isoweekday() % 7 - target) % 7
        return day - timedelta(days=back)
    if unit == "mon":
        return day.replace(day=1)
    if unit == "q":
        return day.replace(day=1, month=((day.month - 1) // 3) * 3 + 1)
    return day.replace(day=1, month=1)


def parse_time_modifier(spec: str, now: float) -> float:
    """Resolve an earliest/latest value: epoch, ``now``, ``0``, ``-24h@h``, ``@d``, ``-1d@d+6h``, or
    ``%m/%d/%Y:%H:%M:%S``."""
    s = spec.strip()
    if s.lower() == "now" or s == "":
        return now
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return float(s)
    try:
        return datetime.strptime(s, "%m/%d/%Y:%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        pass
    dt = datetime.fromtimestamp(now, tz=timezone.utc)
    pos = 0
    m = re.match(r"([+-]\d*[a-zA-Z]+)+", s)
    if m:
        for sign, amount, unit in _OFFSET_RE.findall(m.group(0)):
            dt = _apply_offset(dt, sign, amount, unit)
        pos = m.end()
    if pos < len(s):
        sm = _SNAP_RE.match(s, pos)
        if not sm:
            raise SplError(f"invalid relative time modifier {spec!r}")
        dt = _snap(dt, sm.group(1), sm.group(2))
        pos = sm.end()
        rest = s[pos:]
        if rest:
            if not re.fullmatch(r"([+-]\d*[a-zA-Z]+)+", rest):
                raise SplError(f"invalid relative time modifier {spec!r}")
            for sign, amount, unit in _OFFSET_RE.findall(rest):
                dt = _apply_offset(dt, sign, amount, unit)
    return dt.timestamp()


def relative_time(t: float, spec: str) -> float:
    """eval relative_time(): apply a relative modifier to a given epoch."""
    if spec.strip().lower() == "now":
        return t
    if not re.match(r"^[+-@]", spec.strip()):
        raise SplError(f"relative_time: invalid specifier {spec!r}")
    return parse_time_modifier(spec, t)


_SUBSEC_RE = re.compile(r"%(\d*)([NQ])")


def strftime(t: float, fmt: str) -> str:
    """Splunk strftime (UTC): Python directives plus %s, %<n>N / %<n>Q sub-seconds, %+."""
    dt = datetime.fromtimestamp(t, tz=timezone.utc)

    def sub(m: "re.Match[str]") -> str:
        digits = int(m.group(1)) if m.group(1) else (3 if m.group(2) == "Q" else 9)
        frac = "%09d" % int(round((t - int(t)) * 1e9)) if t >= 0 else "000000000"
        return frac[:digits]

    out = _SUBSEC_RE.sub(sub, fmt)
    out = out.replace("%s", str(int(t))).replace("%+", "%a %b %d %H:%M:%S %Z %Y")
    return dt.strftime(out)


def strptime(text: str, fmt: str) -> Optional[float]:
    """Splunk strptime (UTC unless the format has %z/%Z): None when text does not match."""
    if fmt in ("%s", "%s%3N", "%s.%3N", "%s.%6N"):
        m = re.fullmatch(r"(\d+)(?:\.?(\d+))?", text.strip())
        if not m:
            return None
        frac = m.group(2) if fmt != "%s" else None
        if fmt == "%s" and m.group(2):
            return None
        return float(m.group(1)) + (float("0." + frac) if frac else 0.0)
    pyfmt = re.sub(r"%\d*N|%\d*Q", "%f", fmt)
    try:
        dt = datetime.strptime(text, pyfmt)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def strptime_prefix(text: str, fmt: str) -> Optional[Tuple[float, int]]:
    """Parse the longest prefix of ``text`` matching ``fmt`` (timestamp recognition)."""
    if fmt.startswith("%s"):
        m = re.match(r"\d{1,10}(?:\.\d+)?", text)
        if not m:
            return None
        num = m.group(0)
        if fmt == "%s" and "." in num:
            num = num.split(".")[0]
        return float(num), len(num)
    for end in range(len(text), 0, -1):
        r = strptime(text[:end], fmt)
        if r is not None:
            return r, end
    return None


def now_epoch() -> float:
    return _time.time()
