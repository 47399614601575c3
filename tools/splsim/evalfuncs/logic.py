"""Conditional, comparison and informational eval functions (CommonEvalFunctions)."""
from __future__ import annotations

import ipaddress
from typing import Any, FrozenSet, List, Optional

from ..errors import SplError
from ..evalexpr import Compiled, EvalContext, compare, like, truth
from ..values import Row, to_num, to_str
from .registry import compile_regex, eager, lazy, mv, scalar


# --- comparison and conditional ---------------------------------------------------------------

@lazy("if", 3, 3)
def _if(args: List[Compiled], _f: List[FrozenSet[str]]) -> Compiled:
    cond, yes, no = args
    return lambda r, c: yes(r, c) if truth(cond(r, c), "if") else no(r, c)


def _first_pair(args: List[Compiled], name: str, what: str, when: bool) -> Compiled:
    """The value of the first condition/value pair whose condition is ``when``; null if none is."""
    if len(args) % 2:
        raise SplError(f"eval: {name}() needs condition/{what} pairs")
    pairs = list(zip(args[::2], args[1::2]))

    def run(r: Row, c: EvalContext) -> Any:
        for cond, val in pairs:
            if truth(cond(r, c), name) is when:
                return val(r, c)
        return None

    return run


@lazy("case", 2, None)
def _case(args: List[Compiled], _f: List[FrozenSet[str]]) -> Compiled:
    return _first_pair(args, "case", "value", True)


@lazy("validate", 2, None)
def _validate(args: List[Compiled], _f: List[FrozenSet[str]]) -> Compiled:
    return _first_pair(args, "validate", "message", False)


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
    rx = compile_regex(to_str(regex) or "")
    return any(rx.search(s) for s in mv(v))


@eager("cidrmatch", 2, 2)
def _cidrmatch(cidr: Any, ip: Any) -> Optional[bool]:
    if cidr is None or ip is None:
        return None
    try:
        net = ipaddress.ip_network(to_str(cidr) or "", strict=False)
    except ValueError:
        raise SplError(f"eval: cidrmatch: invalid CIDR {cidr!r}") from None
    for s in mv(ip):
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
    return not isinstance(v, bool) and to_num(scalar(v)) is not None


@eager("isint", 1, 1)
def _isint(v: Any) -> bool:
    n = None if isinstance(v, bool) else to_num(scalar(v))
    return n is not None and float(n).is_integer()


@eager("isstr", 1, 1)
def _isstr(v: Any) -> bool:
    s = scalar(v)
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
