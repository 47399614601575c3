"""Field value model shared by the pipeline, eval and the commands.

A field value is ``None`` (null / absent), a scalar (``str``, ``int``, ``float``) or a multivalue
(``list`` of ``str`` with at least two items; a one-item list is normalised to its item).
Eval may additionally produce ``bool`` which can never be stored in a field.
"""
from __future__ import annotations

import math
import re
from typing import Any, Dict, List, Optional, Union

Scalar = Union[str, int, float]
Value = Union[None, str, int, float, List[str]]
Row = Dict[str, Any]

_INT_RE = re.compile(r"^\s*[+-]?\d+\s*$")
_NUM_RE = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def to_num(v: Any) -> Optional[float]:
    """Number for a scalar value, or None if it is not numeric (Splunk's implicit conversion)."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, list):
        return to_num(v[0]) if v else None
    if isinstance(v, str) and _NUM_RE.match(v):
        if _INT_RE.match(v):
            return int(v)  # exact, also for long numeric ids
        return float(v)
    return None


def fmt_num(n: Union[int, float]) -> str:
    """Render a number the way Splunk prints eval results (integers without a fraction)."""
    if isinstance(n, bool):
        raise TypeError("boolean")
    if isinstance(n, int):
        return str(n)
    if math.isnan(n) or math.isinf(n):
        return str(n)
    if n.is_integer() and abs(n) < 1e16:
        return str(int(n))
    return repr(n)


def to_str(v: Any) -> Optional[str]:
    """String form of a scalar (first value of a multivalue)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return fmt_num(v)
    if isinstance(v, list):
        return to_str(v[0]) if v else None
    return str(v)


def as_list(v: Any) -> List[str]:
    """All values of a field as strings ([] for null)."""
    if v is None:
        return []
    if isinstance(v, list):
        return [s for s in (to_str(x) for x in v) if s is not None]
    s = to_str(v)
    return [] if s is None else [s]


def norm(v: Any) -> Value:
    """Normalise for storage: empty list -> None, one-item list -> item."""
    if isinstance(v, list):
        items = as_list(v)
        if not items:
            return None
        return items[0] if len(items) == 1 else items
    return v


def output_value(v: Any) -> Union[None, str, List[str]]:
    """Public result representation: strings, or list of strings for multivalue."""
    v = norm(v)
    if v is None:
        return None
    if isinstance(v, list):
        return v
    return to_str(v)


def sort_key(v: Any, numeric: Optional[bool] = None) -> tuple:
    """Key that orders numbers numerically before strings lexicographically (Splunk's default sort)."""
    n = to_num(v)
    if numeric is not False and n is not None:
        return (0, n, "")
    s = to_str(v)
    return (1, 0, s if s is not None else "")
