"""Math, date/time and JSON eval functions."""
from __future__ import annotations

import json
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, Dict, Optional

from .. import jsonpath, timeutil
from ..errors import SplError
from ..evalexpr import EvalContext
from ..values import norm, sort_key, to_num, to_str
from .registry import eager, mv, scalar


# --- math -------------------------------------------------------------------------------------

def _finite(n: Any) -> Optional[Any]:
    """Results that are not finite real numbers (overflow, complex roots) are null."""
    if isinstance(n, complex) or (isinstance(n, float) and not math.isfinite(n)):
        return None
    return n


def _num1(fn: Callable[[float], Any]) -> Callable[[Any], Any]:
    def run(v: Any) -> Any:
        n = _finite(to_num(scalar(v)))
        if n is None:
            return None
        try:
            return _finite(fn(n))
        except (OverflowError, ValueError):
            return None

    return run


_MATH1: Dict[str, Callable[[Any], Any]] = {
    "abs": abs,
    "floor": lambda n: int(math.floor(n)),
    "ceil": lambda n: int(math.ceil(n)),
    "ceiling": lambda n: int(math.ceil(n)),
    "sqrt": lambda n: math.sqrt(n) if n >= 0 else None,
    "exp": math.exp,
    "ln": lambda n: math.log(n) if n > 0 else None,
    "exact": lambda n: n,
}
for _name, _fn in _MATH1.items():
    eager(_name, 1, 1)(_num1(_fn))


@eager("round", 1, 2)
def _round(v: Any, digits: Any = 0) -> Any:
    n = _finite(to_num(scalar(v)))
    d = to_num(digits)
    if n is None or d is None:
        return None
    q = Decimal(1).scaleb(-int(d))
    r = Decimal(str(n)).quantize(q, rounding=ROUND_HALF_UP)
    return int(r) if int(d) <= 0 else float(r)


@eager("pow", 2, 2)
def _pow(a: Any, b: Any) -> Any:
    x, y = to_num(a), to_num(b)
    if x is None or y is None:
        return None
    try:
        return _finite(x ** y)
    except (OverflowError, ZeroDivisionError):
        return None


@eager("log", 1, 2)
def _log(v: Any, base: Any = 10) -> Any:
    n, b = to_num(v), to_num(base)
    return None if n is None or b is None or n <= 0 else math.log(n, b)


def _extreme(pick_max: bool) -> Callable[..., Any]:
    def run(*vals: Any) -> Any:
        items = [x for v in vals for x in (mv(v) if isinstance(v, list) else [v]) if x is not None]
        if not items:
            return None
        return (max if pick_max else min)(items, key=sort_key)

    return run


eager("max", 1, None)(_extreme(True))
eager("min", 1, None)(_extreme(False))


# --- time ---------------------------------------------------------------------------------------

@eager("now", 0, 0, with_ctx=True)
def _now(c: EvalContext) -> Any:
    return int(c.now) if float(c.now).is_integer() else c.now


@eager("time", 0, 0)
def _time() -> Any:
    return timeutil.now_epoch()


def _on_epoch(t: Any, arg: Any, fn: Callable[[float, str], Any]) -> Any:
    """fn(epoch, text) for a numeric first and a string second argument: null in, null out, and null for a time
    outside the representable date range."""
    n, text = to_num(scalar(t)), to_str(arg)
    if n is None or text is None:
        return None
    try:
        return fn(float(n), text)
    except (OverflowError, OSError, ValueError):
        return None


@eager("strftime", 2, 2)
def _strftime(t: Any, fmt: Any) -> Any:
    return _on_epoch(t, fmt, timeutil.strftime)


@eager("strptime", 2, 2)
def _strptime(s: Any, fmt: Any) -> Any:
    text, f = to_str(scalar(s)), to_str(fmt)
    if text is None or f is None:
        return None
    r = timeutil.strptime(text, f)
    if r is None:
        return None
    return int(r) if r.is_integer() else r


@eager("relative_time", 2, 2)
def _relative_time(t: Any, spec: Any) -> Any:
    r = _on_epoch(t, spec, timeutil.relative_time)
    return r if r is None else (int(r) if r.is_integer() else r)


# --- JSON -------------------------------------------------------------------------------------------

@eager("json_extract", 1, None)
def _json_extract(doc: Any, *paths: Any) -> Any:
    text = to_str(scalar(doc))
    if text is None:
        return None
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    if not paths:
        return jsonpath.render(obj)
    results = [jsonpath.json_extract_path(obj, to_str(p) or "") for p in paths]
    if len(results) == 1:
        return results[0]
    return json.dumps([None if r is None else r for r in results])


def _json_doc(doc: Any) -> Any:
    """The JSON value in a field value, or None when it is null or not JSON."""
    text = to_str(scalar(doc))
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


@eager("json_extract_exact", 1, None)
def _json_extract_exact(doc: Any, *keys: Any) -> Any:
    """json_extract_exact(<json>, <keys>): like json_extract, but each key is matched literally against the
    top-level keys (no path syntax), so a key may contain dots (Search Reference, JSON functions)."""
    obj = _json_doc(doc)
    if not isinstance(obj, dict):
        return None
    if not keys:
        return jsonpath.render(obj)
    results = [obj.get(to_str(k) or "", _MISSING) for k in keys]
    if len(results) == 1:
        return None if results[0] is _MISSING else jsonpath.render(results[0])
    return jsonpath.render([None if r is _MISSING else r for r in results])


_MISSING = object()


@eager("json_delete", 2, None)
def _json_delete(doc: Any, *paths: Any) -> Any:
    """json_delete(<json>, <keys>): "Removes one or more keys and their corresponding values from the specified JSON
    object" (Search Reference, JSON functions). Keys are paths of object keys joined by dots; a path into an array
    is not emulated (SplError). Not an object: null."""
    obj = _json_doc(doc)
    if not isinstance(obj, dict):
        return None
    for p in paths:
        path = to_str(p) or ""
        if "{" in path or "}" in path:
            raise SplError("json_delete: array paths are not emulated: %r" % path)
        *parents, last = path.split(".")
        node: Any = obj
        for key in parents:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(last, None)
    return jsonpath.render(obj)


@eager("json_keys", 1, 1)
def _json_keys(doc: Any) -> Any:
    """json_keys(<json>): "Returns the keys from the key-value pairs in a JSON object. The keys are returned as a
    JSON array" (Search Reference, JSON functions): top-level keys in document order; null for non-objects."""
    obj = _json_doc(doc)
    if not isinstance(obj, dict):
        return None
    return jsonpath.render(list(obj))


@eager("json_array_to_mv", 1, 2)
def _json_array_to_mv(doc: Any, keep_quotes: Any = False) -> Any:
    """json_array_to_mv(<json_array>, <Boolean>): "Maps the elements of a JSON array to a multivalued field"
    (Search Reference, JSON functions); string elements lose their double quotes unless the Boolean is true.
    Not an array, or an empty one: null."""
    obj = _json_doc(doc)
    if not isinstance(obj, list) or not obj:
        return None
    quoted = keep_quotes is True
    out = [json.dumps(v, ensure_ascii=False) if quoted and isinstance(v, str) else jsonpath.render(v) for v in obj]
    return norm(out)


@eager("spath", 2, 2)
def _spath(doc: Any, path: Any) -> Any:
    text = to_str(scalar(doc))
    if text is None or path is None:
        return None
    return norm(jsonpath.spath_values(text, to_str(path) or ""))
