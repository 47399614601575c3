"""Conversion and text eval functions (ConversionFunctions, TextFunctions)."""
from __future__ import annotations

import hashlib
import math
import re
import urllib.parse
from typing import Any, Callable, Dict, List

from ..errors import SplError
from ..values import as_list, norm, to_num, to_str
from .registry import compile_regex, eager, scalar


# --- conversion -------------------------------------------------------------------------------

@eager("tonumber", 1, 2)
def _tonumber(v: Any, base: Any = 10) -> Any:
    s = to_str(scalar(v))
    b = to_num(base)
    if s is None:
        return None
    if b is None or not 2 <= int(b) <= 36:
        raise SplError("eval: tonumber() base must be between 2 and 36")
    b = int(b)
    s = s.strip()
    if b == 10:
        return to_num(s)
    try:
        if b == 16 and s.lower().startswith("0x"):
            s = s[2:]
        return int(s, b)
    except ValueError:
        return None


@eager("tostring", 1, 2)
def _tostring(v: Any, fmt: Any = None) -> Any:
    if v is None:
        return None
    if isinstance(v, bool):
        return "True" if v else "False"
    if fmt is None:
        return [to_str(x) for x in v] if isinstance(v, list) else to_str(v)
    n = to_num(scalar(v))
    if n is None:
        return to_str(v)
    f = to_str(fmt)
    if f == "hex":
        return hex(int(n))
    if f == "commas":
        return f"{n:,.2f}" if not float(n).is_integer() else f"{int(n):,}"
    if f == "duration":
        if not math.isfinite(n):
            return None
        total = int(n)
        days, rem = divmod(total, 86400)
        h, rem = divmod(rem, 3600)
        m, s = divmod(rem, 60)
        core = f"{h:02d}:{m:02d}:{s:02d}"
        return f"{days}+{core}" if days else core
    raise SplError(f"eval: tostring(): unsupported format {f!r}")


@eager("printf", 1, None)
def _printf(fmt: Any, *args: Any) -> Any:
    f = to_str(fmt)
    if f is None:
        return None
    conv: List[Any] = []
    specs = re.findall(r"%[-+ 0#']*\d*(?:\.\d+)?([a-zA-Z%])", f)
    it = iter(args)
    for spec in specs:
        if spec == "%":
            continue
        a = next(it, None)
        if spec in "diouxXc":
            n = to_num(scalar(a))
            conv.append(int(n) if n is not None else 0)
        elif spec in "eEfFgG":
            n = to_num(scalar(a))
            conv.append(float(n) if n is not None else 0.0)
        elif spec == "s":
            conv.append(to_str(a) or "")
        else:
            raise SplError(f"eval: printf(): unsupported conversion %{spec}")
    return f.replace("%'", "%").replace("%u", "%d") % tuple(conv)


# --- text ---------------------------------------------------------------------------------------

def _per_value(fn: Callable[[str], Any]) -> Callable[[Any], Any]:
    def run(v: Any) -> Any:
        if v is None:
            return None
        if isinstance(v, list):
            return norm([fn(s) for s in as_list(v)])
        return fn(to_str(v) or "")

    return run


FUNCTIONS_TEXT_1: Dict[str, Callable[[str], str]] = {
    "lower": str.lower,
    "upper": str.upper,
    "urldecode": urllib.parse.unquote_plus,
}
for _n, _f in FUNCTIONS_TEXT_1.items():
    eager(_n, 1, 1)(_per_value(_f))


@eager("len", 1, 1)
def _len(v: Any) -> Any:
    s = to_str(scalar(v))
    return None if s is None else len(s)


def _trimmer(kind: str) -> Callable[..., Any]:
    def run(v: Any, chars: Any = None) -> Any:
        cs = None if chars is None else to_str(chars)
        method = {"trim": str.strip, "ltrim": str.lstrip, "rtrim": str.rstrip}[kind]
        return _per_value(lambda s: method(s, cs if cs is not None else " \t"))(v)

    return run


for _k in ("trim", "ltrim", "rtrim"):
    eager(_k, 1, 2)(_trimmer(_k))


@eager("substr", 2, 3)
def _substr(v: Any, start: Any, length: Any = None) -> Any:
    s = to_str(scalar(v))
    st = to_num(start)
    if s is None or st is None:
        return None
    st = int(st)
    idx = st - 1 if st > 0 else (len(s) + st if st < 0 else 0)
    idx = max(idx, 0)
    if length is None:
        return s[idx:]
    ln = to_num(length)
    return None if ln is None else s[idx: idx + max(int(ln), 0)]


@eager("replace", 3, 3)
def _replace(v: Any, regex: Any, repl: Any) -> Any:
    if regex is None or repl is None:
        return None
    rx = compile_regex(to_str(regex) or "")
    r = to_str(repl) or ""
    try:
        return _per_value(lambda s: rx.sub(r, s))(v)
    except re.error as exc:
        raise SplError(f"eval: replace(): invalid replacement {r!r}: {exc}") from None


@eager("split", 2, 2)
def _split(v: Any, delim: Any) -> Any:
    s = to_str(scalar(v))
    d = to_str(delim)
    if s is None or d is None:
        return None
    parts = list(s) if d == "" else s.split(d)
    return parts if len(parts) != 1 else parts[0]


def _hasher(algo: str) -> Callable[[str], str]:
    return lambda s: hashlib.new(algo, s.encode()).hexdigest()


for _algo in ("md5", "sha1", "sha256", "sha512"):
    eager(_algo, 1, 1)(_per_value(_hasher(_algo)))
