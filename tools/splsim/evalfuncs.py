"""Eval functions (docs.splunk.com/Documentation/Splunk/latest/SearchReference/CommonEvalFunctions).

Only the functions listed in FUNCTIONS exist; any other name is an SplError. Names are
case-sensitive, as in Splunk.
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import math
import re
import urllib.parse
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, Dict, FrozenSet, List, Optional

from . import jsonpath, timeutil
from .errors import SplError
from .evalexpr import Compiled, EvalContext, compare, like, truth
from .values import Row, as_list, fmt_num, norm, sort_key, to_num, to_str


@dataclass(frozen=True)
class FunctionSpec:
    min_args: int
    max_args: Optional[int]
    binder: Callable[[List[Compiled], List[FrozenSet[str]]], Compiled]

    def bind(self, args: List[Compiled], arg_fields: List[FrozenSet[str]]) -> Compiled:
        return self.binder(args, arg_fields)


FUNCTIONS: Dict[str, FunctionSpec] = {}


def lazy(name: str, min_args: int, max_args: Optional[int]) -> Callable:
    def deco(binder: Callable[[List[Compiled], List[FrozenSet[str]]], Compiled]) -> Callable:
        FUNCTIONS[name] = FunctionSpec(min_args, max_args, binder)
        return binder

    return deco


def eager(name: str, min_args: int, max_args: Optional[int], *, with_ctx: bool = False) -> Callable:
    """Register a function of evaluated argument values (optionally receiving the EvalContext)."""

    def deco(impl: Callable[..., Any]) -> Callable[..., Any]:
        def binder(args: List[Compiled], _fields: List[FrozenSet[str]]) -> Compiled:
            if with_ctx:
                return lambda r, c: impl(c, *[a(r, c) for a in args])
            return lambda r, c: impl(*[a(r, c) for a in args])

        FUNCTIONS[name] = FunctionSpec(min_args, max_args, binder)
        return impl

    return deco


def _scalar(v: Any) -> Any:
    return v[0] if isinstance(v, list) and v else v


def _mv(v: Any) -> List[str]:
    return as_list(v)


# --- comparison and conditional ---------------------------------------------------------------

@lazy("if", 3, 3)
def _if(args: List[Compiled], _f: List[FrozenSet[str]]) -> Compiled:
    cond, yes, no = args
    return lambda r, c: yes(r, c) if truth(cond(r, c), "if") else no(r, c)


@lazy("case", 2, None)
def _case(args: List[Compiled], _f: List[FrozenSet[str]]) -> Compiled:
    if len(args) % 2:
        raise SplError("eval: case() needs condition/value pairs")
    pairs = list(zip(args[::2], args[1::2]))

    def run(r: Row, c: EvalContext) -> Any:
        for cond, val in pairs:
            if truth(cond(r, c), "case"):
                return val(r, c)
        return None

    return run


@lazy("validate", 2, None)
def _validate(args: List[Compiled], _f: List[FrozenSet[str]]) -> Compiled:
    if len(args) % 2:
        raise SplError("eval: validate() needs condition/message pairs")
    pairs = list(zip(args[::2], args[1::2]))

    def run(r: Row, c: EvalContext) -> Any:
        for cond, msg in pairs:
            if not truth(cond(r, c), "validate"):
                return msg(r, c)
        return None

    return run


@eager("coalesce", 1, None)
def _coalesce(*vals: Any) -> Any:
    for v in vals:
        if v is not None:
            return v
    return None


@eager("null", 0, 0)
def _null() -> Any:
    return None


@eager("true", 0, 0)
def _true() -> bool:
    return True


@eager("false", 0, 0)
def _false() -> bool:
    return False


@eager("in", 2, None)
def _in(v: Any, *items: Any) -> bool:
    return any(compare("=", v, it) for it in items)


@eager("like", 2, 2)
def _like(v: Any, pattern: Any) -> Optional[bool]:
    return like(v, pattern)


@eager("match", 2, 2)
def _match(v: Any, regex: Any) -> Optional[bool]:
    if v is None or regex is None:
        return None
    rx = _regex(to_str(regex) or "")
    return any(rx.search(s) for s in _mv(v))


@eager("cidrmatch", 2, 2)
def _cidrmatch(cidr: Any, ip: Any) -> Optional[bool]:
    if cidr is None or ip is None:
        return None
    try:
        net = ipaddress.ip_network(to_str(cidr) or "", strict=False)
    except ValueError:
        raise SplError(f"eval: cidrmatch: invalid CIDR {cidr!r}") from None
    for s in _mv(ip):
        try:
            if ipaddress.ip_address(s.strip()) in net:
                return True
        except ValueError:
            continue
    return False


@lazy("searchmatch", 1, 1)
def _searchmatch(args: List[Compiled], _f: List[FrozenSet[str]]) -> Compiled:
    def run(r: Row, c: EvalContext) -> Any:
        text = to_str(args[0](r, c))
        if text is None or c.search_matcher is None:
            raise SplError("eval: searchmatch() needs a search string")
        return c.search_matcher(text)(r)

    return run


# --- informational ----------------------------------------------------------------------------

@eager("isnull", 1, 1)
def _isnull(v: Any) -> bool:
    return v is None


@eager("isnotnull", 1, 1)
def _isnotnull(v: Any) -> bool:
    return v is not None


@eager("isnum", 1, 1)
def _isnum(v: Any) -> bool:
    return not isinstance(v, bool) and to_num(_scalar(v)) is not None


@eager("isint", 1, 1)
def _isint(v: Any) -> bool:
    n = None if isinstance(v, bool) else to_num(_scalar(v))
    return n is not None and float(n).is_integer()


@eager("isstr", 1, 1)
def _isstr(v: Any) -> bool:
    s = _scalar(v)
    return isinstance(s, str) and to_num(s) is None


@eager("isbool", 1, 1)
def _isbool(v: Any) -> bool:
    return isinstance(v, bool)


@eager("typeof", 1, 1)
def _typeof(v: Any) -> str:
    if v is None:
        return "Invalid"
    if isinstance(v, bool):
        return "Boolean"
    if isinstance(v, list):
        return "Multivalue"
    return "Number" if to_num(v) is not None else "String"


# --- conversion -------------------------------------------------------------------------------

@eager("tonumber", 1, 2)
def _tonumber(v: Any, base: Any = 10) -> Any:
    s = to_str(_scalar(v))
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
    n = to_num(_scalar(v))
    if n is None:
        return to_str(v)
    f = to_str(fmt)
    if f == "hex":
        return hex(int(n))
    if f == "commas":
        return f"{n:,.2f}" if not float(n).is_integer() else f"{int(n):,}"
    if f == "duration":
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
            n = to_num(_scalar(a))
            conv.append(int(n) if n is not None else 0)
        elif spec in "eEfFgG":
            n = to_num(_scalar(a))
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


FUNCTIONS_TEXT_1 = {
    "lower": str.lower,
    "upper": str.upper,
    "urldecode": urllib.parse.unquote_plus,
}
for _n, _f in FUNCTIONS_TEXT_1.items():
    eager(_n, 1, 1)(_per_value(_f))


@eager("len", 1, 1)
def _len(v: Any) -> Any:
    s = to_str(_scalar(v))
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
    s = to_str(_scalar(v))
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
    rx = _regex(to_str(regex) or "")
    r = to_str(repl) or ""
    return _per_value(lambda s: rx.sub(r, s))(v)


@eager("split", 2, 2)
def _split(v: Any, delim: Any) -> Any:
    s = to_str(_scalar(v))
    d = to_str(delim)
    if s is None or d is None:
        return None
    parts = list(s) if d == "" else s.split(d)
    return parts if len(parts) != 1 else parts[0]


for _algo in ("md5", "sha1", "sha256", "sha512"):
    eager(_algo, 1, 1)(_per_value(lambda s, _a=_algo: hashlib.new(_a, s.encode()).hexdigest()))


# --- multivalue -----------------------------------------------------------------------------------

@eager("mvcount", 1, 1)
def _mvcount(v: Any) -> Any:
    return None if v is None else len(_mv(v))


@eager("mvindex", 2, 3)
def _mvindex(v: Any, start: Any, end: Any = None) -> Any:
    items = _mv(v)
    s = to_num(start)
    if not items or s is None:
        return None
    n = len(items)
    s = int(s) + (n if int(s) < 0 else 0)
    if end is None:
        return items[s] if 0 <= s < n else None
    e = to_num(end)
    if e is None:
        return None
    e = int(e) + (n if int(e) < 0 else 0)
    if s < 0 or s >= n or e < s:
        return None
    return norm(items[s: e + 1])


@eager("mvjoin", 2, 2)
def _mvjoin(v: Any, delim: Any) -> Any:
    items = _mv(v)
    return None if not items else (to_str(delim) or "").join(items)


@eager("mvappend", 1, None)
def _mvappend(*vals: Any) -> Any:
    out: List[str] = []
    for v in vals:
        out.extend(_mv(v))
    return norm(out)


@eager("mvdedup", 1, 1)
def _mvdedup(v: Any) -> Any:
    return norm(list(dict.fromkeys(_mv(v))))


@eager("mvsort", 1, 1)
def _mvsort(v: Any) -> Any:
    return norm(sorted(_mv(v)))


@eager("mvfind", 2, 2)
def _mvfind(v: Any, regex: Any) -> Any:
    rx = _regex(to_str(regex) or "")
    for i, s in enumerate(_mv(v)):
        if rx.search(s):
            return i
    return None


@eager("mvzip", 2, 3)
def _mvzip(a: Any, b: Any, delim: Any = ",") -> Any:
    d = to_str(delim) or ","
    return norm([x + d + y for x, y in zip(_mv(a), _mv(b))])


@lazy("mvfilter", 1, 1)
def _mvfilter(args: List[Compiled], fields: List[FrozenSet[str]]) -> Compiled:
    refs = fields[0]
    if len(refs) != 1:
        raise SplError("eval: mvfilter() must reference exactly one field")
    name = next(iter(refs))
    pred = args[0]

    def run(r: Row, c: EvalContext) -> Any:
        kept = []
        for s in _mv(r.get(name)):
            probe = dict(r)
            probe[name] = s
            if truth(pred(probe, c), "mvfilter"):
                kept.append(s)
        return norm(kept)

    return run


# --- math -------------------------------------------------------------------------------------

def _num1(fn: Callable[[float], Any]) -> Callable[[Any], Any]:
    def run(v: Any) -> Any:
        n = to_num(_scalar(v))
        return None if n is None else fn(n)

    return run


for _name, _fn in {
    "abs": abs,
    "floor": lambda n: int(math.floor(n)),
    "ceil": lambda n: int(math.ceil(n)),
    "ceiling": lambda n: int(math.ceil(n)),
    "sqrt": lambda n: math.sqrt(n) if n >= 0 else None,
    "exp": math.exp,
    "ln": lambda n: math.log(n) if n > 0 else None,
    "exact": lambda n: n,
}.items():
    eager(_name, 1, 1)(_num1(_fn))


@eager("round", 1, 2)
def _round(v: Any, digits: Any = 0) -> Any:
    n = to_num(_scalar(v))
    d = to_num(digits)
    if n is None or d is None:
        return None
    q = Decimal(1).scaleb(-int(d))
    r = Decimal(str(n)).quantize(q, rounding=ROUND_HALF_UP)
    return int(r) if int(d) <= 0 else float(r)


@eager("pow", 2, 2)
def _pow(a: Any, b: Any) -> Any:
    x, y = to_num(a), to_num(b)
    return None if x is None or y is None else x ** y


@eager("log", 1, 2)
def _log(v: Any, base: Any = 10) -> Any:
    n, b = to_num(v), to_num(base)
    return None if n is None or b is None or n <= 0 else math.log(n, b)


def _extreme(pick_max: bool) -> Callable[..., Any]:
    def run(*vals: Any) -> Any:
        items = [x for v in vals for x in (_mv(v) if isinstance(v, list) else [v]) if x is not None]
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


@eager("strftime", 2, 2)
def _strftime(t: Any, fmt: Any) -> Any:
    n = to_num(_scalar(t))
    f = to_str(fmt)
    return None if n is None or f is None else timeutil.strftime(float(n), f)


@eager("strptime", 2, 2)
def _strptime(s: Any, fmt: Any) -> Any:
    text, f = to_str(_scalar(s)), to_str(fmt)
    if text is None or f is None:
        return None
    r = timeutil.strptime(text, f)
    if r is None:
        return None
    return int(r) if r.is_integer() else r


@eager("relative_time", 2, 2)
def _relative_time(t: Any, spec: Any) -> Any:
    n = to_num(_scalar(t))
    s = to_str(spec)
    if n is None or s is None:
        return None
    r = timeutil.relative_time(float(n), s)
    return int(r) if r.is_integer() else r


# --- JSON -------------------------------------------------------------------------------------------

@eager("json_extract", 1, None)
def _json_extract(doc: Any, *paths: Any) -> Any:
    text = to_str(_scalar(doc))
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


@eager("spath", 2, 2)
def _spath(doc: Any, path: Any) -> Any:
    text = to_str(_scalar(doc))
    if text is None or path is None:
        return None
    return norm(jsonpath.spath_values(text, to_str(path) or ""))


def _regex(pattern: str) -> "re.Pattern[str]":
    try:
        return re.compile(pcre_to_python(pattern))
    except re.error as exc:
        raise SplError(f"invalid regular expression {pattern!r}: {exc}") from None


def pcre_to_python(pattern: str) -> str:
    """PCRE named groups ``(?<name>`` / ``(?'name'`` -> Python ``(?P<name>``."""
    return re.sub(r"\(\?(?:<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')", lambda m: f"(?P<{m.group(1) or m.group(2)}>", pattern)


def compile_regex(pattern: str) -> "re.Pattern[str]":
    return _regex(pattern)


__all__ = ["FUNCTIONS", "compile_regex", "pcre_to_python", "fmt_num"]
